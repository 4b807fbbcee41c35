CREATE ()
;
MATCH (n)
SET n:Foo:Bar
RETURN n