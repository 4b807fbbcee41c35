MERGE (n $param)
RETURN n