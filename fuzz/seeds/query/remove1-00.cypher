CREATE (:L {num: 42})
;
MATCH (n)
REMOVE n.num
RETURN n.num IS NOT NULL AS still_there