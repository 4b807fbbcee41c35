CREATE ()
;
MATCH (n)
SET n :Foo:Bar
RETURN labels(n)