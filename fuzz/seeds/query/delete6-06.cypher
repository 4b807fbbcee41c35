CREATE (:N {num: 1})
CREATE (:N {num: 2})
CREATE (:N {num: 3})
CREATE (:N {num: 4})
CREATE (:N {num: 5})
;
MATCH (n:N)
DELETE n
RETURN 42 AS num
SKIP 0 LIMIT 5