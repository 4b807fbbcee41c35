CREATE (a:Foo)
MERGE (a)-[r:KNOWS]->(a:Bar)