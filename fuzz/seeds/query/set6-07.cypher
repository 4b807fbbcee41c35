CREATE (:N {num: 1})
CREATE (:N {num: 2})
CREATE (:N {num: 3})
CREATE (:N {num: 4})
CREATE (:N {num: 5})
;
MATCH (n:N)
SET n.num = 42
RETURN n.num AS num
SKIP 0 LIMIT 5