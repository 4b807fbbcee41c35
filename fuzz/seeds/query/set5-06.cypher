CREATE (:X {name: 'A', name2: 'B'})
;
MATCH (n:X {name: 'A'})
SET n += {name: null}
RETURN n