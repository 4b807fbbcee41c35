CREATE (:N {num: 1})
CREATE (:N {num: 2})
CREATE (:N {num: 3})
CREATE (:N {num: 4})
CREATE (:N {num: 5})
;
MATCH (n:N)
REMOVE n:N
WITH sum(n.num) AS sum
RETURN sum