CREATE ()-[:T {id: 42}]->()
;
MATCH p = ()-[r:T]-()
WHERE r.id = 42
DELETE r