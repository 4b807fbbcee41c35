MATCH p = ()-[r:T]-()
WHERE r.id = 42
DELETE r