CREATE (a:A), (b:B)
CREATE (a)-[:TYPE {name: 'r1'}]->(b)
;
MATCH (a:A), (b:B)
MERGE (a)-[r:TYPE {name: 'r2'}]->(b)
RETURN count(r)