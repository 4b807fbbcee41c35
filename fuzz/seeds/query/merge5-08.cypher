CREATE (a {id: 1}), (b {id: 2})
CREATE (a)-[:KNOWS]->(b)
;
MATCH (a {id: 2}), (b {id: 1})
MERGE (a)-[r:KNOWS]-(b)
RETURN r