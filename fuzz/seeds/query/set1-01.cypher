CREATE (a {numbers: [1, 2, 3]})
SET a.numbers = a.numbers + [4, 5]
RETURN a.numbers