use crate::Graph;

#[test]
fn searches_reusing_kept_buffers_see_only_their_own_marks() {
    let mut g = Graph::new();
    g.execute("CREATE (:M {id: 'a'})-[:BUILT_ON]->(:M {id: 'b'})-[:BUILT_ON]->(:M {id: 'c'})").unwrap();
    let q = "MATCH (m:M {id: $id})-[:BUILT_ON*1..]->(x) RETURN x.id ORDER BY x.id";
    let ids = |g: &Graph, id: &str| -> Vec<String> {
        let params = crate::Params::from([("id", crate::Value::from(id))]);
        g.query_with(q, &params).unwrap().rows().map(|r| r[0].as_str().unwrap().to_string()).collect()
    };
    for _ in 0..3 {
        assert_eq!(ids(&g, "a"), ["b", "c"]);
        assert_eq!(ids(&g, "b"), ["c"]);
        assert!(ids(&g, "c").is_empty());
    }
    // The graph grows past the size the kept marks were made for.
    g.execute("UNWIND range(1, 100) AS i CREATE (:M {id: 'n' + toString(i)})").unwrap();
    g.execute("MATCH (c:M {id: 'c'}), (n:M {id: 'n100'}) CREATE (c)-[:BUILT_ON]->(n)").unwrap();
    assert_eq!(ids(&g, "a"), ["b", "c", "n100"]);
    assert_eq!(ids(&g, "c"), ["n100"]);
}

#[test]
fn patterns_with_more_labels_than_kept_inline() {
    let mut g = Graph::new();
    g.execute("CREATE (:A:B:C:D {id: 'x'}), (:A:B:C {id: 'y'}), (:A {id: 'z'})").unwrap();
    let ids = |q: &str| -> Vec<String> {
        g.query(q).unwrap().rows().map(|r| r[0].as_str().unwrap().to_string()).collect()
    };
    assert_eq!(ids("MATCH (n:A:B:C:D) RETURN n.id"), ["x"]);
    assert_eq!(ids("MATCH (n:D:C:B) RETURN n.id"), ["x"]);
    assert_eq!(ids("MATCH (n:A:B:C) RETURN n.id ORDER BY n.id"), ["x", "y"]);
    assert!(ids("MATCH (n:A:B:C:Nope) RETURN n.id").is_empty());
}
