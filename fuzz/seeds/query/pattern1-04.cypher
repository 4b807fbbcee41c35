CREATE (a:A)-[:REL1]->(b:B), (b)-[:REL2]->(a), (a)-[:REL3]->(:C), (a)-[:REL1]->(:D)
;
MATCH (n), (m) WHERE (n)-[:REL1]-(m) RETURN n, m