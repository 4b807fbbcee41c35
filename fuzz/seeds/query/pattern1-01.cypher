CREATE (a:A)-[:REL1]->(b:B), (b)-[:REL2]->(a), (a)-[:REL3]->(:C), (a)-[:REL1]->(:D)
;
MATCH (n) WHERE (n)-[:REL1]-() RETURN n