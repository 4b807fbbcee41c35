MATCH (n) WHERE exists {
MATCH (n)-->()
RETURN true
}
RETURN n