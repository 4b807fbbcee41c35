CREATE (s1:SRelationships), (s2:SNodes)
CREATE (a:A {name: 'a'}), (b:B {name: 'b'})
CREATE (aa:A {name: 'a'}), (ab:B {name: 'b'}),
(ba:A {name: 'a'}), (bb:B {name: 'b'})
CREATE (aaa:A {name: 'a'}), (aab:B {name: 'b'}),
(aba:A {name: 'a'}), (abb:B {name: 'b'}),
(baa:A {name: 'a'}), (bab:B {name: 'b'}),
(bba:A {name: 'a'}), (bbb:B {name: 'b'})
CREATE (s1)-[:I]->(s2),
(s2)-[:RA {name: 'a'}]->(a), (s2)-[:RB {name: 'b'}]->(b)
CREATE (a)-[:RA {name: 'a'}]->(aa), (a)-[:RB {name: 'b'}]->(ab),
(b)-[:RA {name: 'a'}]->(ba), (b)-[:RB {name: 'b'}]->(bb)
CREATE (aa)-[:RA {name: 'a'}]->(aaa), (aa)-[:RB {name: 'b'}]->(aab),
(ab)-[:RA {name: 'a'}]->(aba), (ab)-[:RB {name: 'b'}]->(abb),
(ba)-[:RA {name: 'a'}]->(baa), (ba)-[:RB {name: 'b'}]->(bab),
(bb)-[:RA {name: 'a'}]->(bba), (bb)-[:RB {name: 'b'}]->(bbb)
;
MATCH p = (:SRelationships)-[*0..4]->(x)
WITH tail(relationships(p)) AS relationships, COUNT(*) AS c
RETURN relationships, any(x IN relationships WHERE x.name = 'a') AS result