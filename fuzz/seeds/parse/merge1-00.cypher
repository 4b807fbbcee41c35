MERGE (a)
RETURN count(*) AS n