CREATE (a:A {prop: 1})-[:R]->(b:B {prop: 1}),
(a)-[:R]->(:C {prop: 2}),
(a)-[:R]->(:D {prop: 3})
;
MATCH (n) WHERE exists {
MATCH (n)-->()
RETURN true
}
RETURN n