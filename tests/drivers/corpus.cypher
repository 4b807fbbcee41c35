// One query a line; tests/drivers/check.py and check.mjs run each through
// their driver and compare the rows with `aikg query --format json`.
RETURN 1 AS one, 1.0 AS float_one, 1e300 AS huge, -0.125 AS small, -17 AS neg, 3000000000 AS big, 2.5 AS half, true AS yes, null AS nothing, 'text' AS s, '智谱AI' AS zh
RETURN [1, 'two', [3.0, null], {k: 'v'}] AS list, {a: 1, b: [true, false], c: {d: 'e'}} AS map
MATCH (c:Company) RETURN count(c) AS companies
MATCH (c:Company {id: 'zhipu-ai'}) RETURN c
MATCH (c:Company {name_zh: '智谱AI'})<-[i:INVESTED_IN]-(v) RETURN v.name AS investor, i.round AS round, i.year AS year ORDER BY investor, round
MATCH (m:Model)-[r:BUILT_ON]->(b:Model {id: 'glm'}) RETURN m, r, b ORDER BY m.id
MATCH p = (:Model {id: 'chatglm-6b'})-[:BUILT_ON*]->(b) RETURN p ORDER BY length(p), b.id
MATCH p = (:Company {id: 'zhipu-ai'})<-[:DEVELOPED_BY]-(m) RETURN p ORDER BY m.id LIMIT 5
MATCH (n) RETURN labels(n)[0] AS label, count(*) AS n ORDER BY label
MATCH (m:Model) WHERE m.open_source = true RETURN m.name AS name, m.params_billion AS params ORDER BY name LIMIT 20
MATCH (m:Model {id: 'glm-130b'}) OPTIONAL MATCH (m)-[:BUILT_ON]->(base) RETURN m.id AS id, base.id AS base
UNWIND range(1, 300) AS i RETURN i, i * i AS square, toString(i) AS s
MATCH (c:Company)<-[:DEVELOPED_BY]-(m:Model) WITH c, m ORDER BY m.id RETURN c.id AS id, collect(m.id) AS models ORDER BY id LIMIT 10
MATCH (a)-[r]->(b) RETURN type(r) AS type, count(*) AS n ORDER BY type
MATCH (c:Company) WHERE c.founded >= 2019 RETURN c.name AS name, c.founded AS founded ORDER BY founded, name
CALL db.labels() YIELD label RETURN label ORDER BY label
