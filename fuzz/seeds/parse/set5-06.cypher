MATCH (n:X {name: 'A'})
SET n += {name: null}
RETURN n