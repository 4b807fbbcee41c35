CREATE (:N {num: 42})
;
MATCH (n:N)
SET n:Foo
RETURN n
SKIP 1