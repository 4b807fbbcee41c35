CREATE (:TheLabel {num: 42})
;
MERGE (a:TheLabel {num: 42})
RETURN a.num