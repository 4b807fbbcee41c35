MATCH (n)
REMOVE n.num
RETURN n.num IS NOT NULL AS still_there