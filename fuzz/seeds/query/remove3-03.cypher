CREATE (:N {name: 'a', num: 42})
CREATE (:N {name: 'a', num: 42})
CREATE (:N {name: 'a', num: 42})
CREATE (:N {name: 'a', num: 42})
CREATE (:N {name: 'a', num: 42})
;
MATCH (n:N)
REMOVE n.name
RETURN n.num AS num
SKIP 0 LIMIT 5