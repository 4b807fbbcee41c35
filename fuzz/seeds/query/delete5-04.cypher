CREATE (:User), (:User)
;
MATCH (u:User)
WITH {key: u} AS nodes
DELETE nodes.key