CREATE (:N {num: 1})
CREATE (:N {num: 2})
CREATE (:N {num: 3})
CREATE (:N {num: 4})
CREATE (:N {num: 5})
;
MATCH (n:N)
SET n:Foo
WITH sum(n.num) AS sum
RETURN sum