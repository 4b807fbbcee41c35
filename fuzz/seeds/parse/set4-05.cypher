MATCH (n:X {name: 'A'})
SET n = { }
RETURN n