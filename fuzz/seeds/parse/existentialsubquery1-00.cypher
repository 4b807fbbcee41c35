MATCH (n) WHERE exists {
(n)-->()
}
RETURN n