CREATE (a:A), (b:B)
CREATE (a)-[:T]->(b)
;
MATCH (a:A), (b:B)
RETURN [p = (a)-->(b) | p] AS list