CREATE (:TheLabel)
;
MERGE (a:TheLabel)
ON MATCH SET a.num = 42
RETURN a.num