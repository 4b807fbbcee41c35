CREATE (x:New {at: date('2024-01-01')})-[:T]->(y:New)
;
MATCH (x:New) SET x.next = x.at + duration('P1D') REMOVE x:New RETURN x
;
MATCH (n) DETACH DELETE n