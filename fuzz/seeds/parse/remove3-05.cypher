MATCH (n:N)
REMOVE n:N
WITH sum(n.num) AS sum
RETURN sum