CREATE ()-[r:R {num: 42}]->()
;
MATCH ()-[r:R]->()
DELETE r
RETURN 42 AS num
SKIP 1