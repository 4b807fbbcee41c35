CREATE ({num: 42})
;
MATCH (n)
OPTIONAL MATCH (n)-[r]->()
REMOVE r.num
RETURN n