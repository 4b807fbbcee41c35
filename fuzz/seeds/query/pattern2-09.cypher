CREATE (a:A), (:A), (:A)
CREATE (a)-[:HAS]->()
;
MATCH (n:A)
RETURN count([p = (n)-[:HAS]->() | p]) AS c