CREATE (:X {name: 'A', name2: 'B'})
;
MATCH (n:X {name: 'A'})
SET n = { }
RETURN n