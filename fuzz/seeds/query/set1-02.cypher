CREATE (:X)
;
MATCH (n:X)
SET n.name = 'A', n.name2 = 'B', n.num = 5
RETURN n