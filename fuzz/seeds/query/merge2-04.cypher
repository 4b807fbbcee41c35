CREATE (:TheLabel)
;
MERGE (a:TheLabel)
ON CREATE SET a.num = 42
RETURN a.num