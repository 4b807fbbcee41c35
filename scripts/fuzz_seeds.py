#!/usr/bin/env python3
"""Writes the fuzz targets' seed corpora from openCypher TCK feature files.

Seeds give libFuzzer whole, valid statements of each clause to mutate, so it
reaches MERGE ... ON CREATE/ON MATCH SET, SET, REMOVE, DELETE and pattern
comprehensions in minutes instead of rediscovering the grammar byte by byte.
Only a sample is kept, so that what is committed stays small; the corpus the
fuzzer grows goes to fuzz/corpus/, which git ignores.

    python3 scripts/fuzz_seeds.py [TCK features folder]

`parse` gets the query under test alone. `query` gets the scenario's setup
statements and then the query, separated by lines holding only `;`, which is
how the query target splits its input into statements.
"""

import pathlib
import re
import sys

TCK = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else "/work/shared/tck-full/features")
OUT = pathlib.Path(__file__).resolve().parent.parent / "fuzz" / "seeds"

# Folder, and how many scenarios to take from it, spread evenly over it.
SAMPLES = [
    ("clauses/merge", 14),
    ("clauses/set", 10),
    ("clauses/remove", 6),
    ("clauses/delete", 8),
    ("expressions/pattern", 10),
    # Older syntax, a few each, so that the corpus mixes it with the writes.
    ("clauses/union", 2),
    ("clauses/call", 2),
    ("expressions/existentialSubqueries", 2),
    ("expressions/quantifier", 2),
    ("expressions/temporal", 2),
    ("expressions/string", 2),
]

# Shapes the sampled scenarios may miss, written for the fuzz targets' small
# graph (labels A, B, C; relationship types T, R; keys name, num, list).
EXTRA = {
    "merge-on": "MERGE (n:A {name: 'z'}) ON CREATE SET n.created = 1 ON MATCH SET n.seen = coalesce(n.seen, 0) + 1 RETURN n",
    "merge-rel-on": "MATCH (a:A), (b:B) MERGE (a)-[r:T]->(b) ON CREATE SET r.new = true ON MATCH SET r += {w: 3}, a:Seen",
    "set-forms": "MATCH (n:A) SET n.k = [1, null], n += {num: 3, name: null}, n:X:Y WITH n SET n = {only: 1} RETURN n",
    "remove-forms": "MATCH (n:A:B) REMOVE n.name, n:B, n.missing RETURN labels(n), keys(n)",
    "delete-forms": "MATCH (a)-[r:R]->(b) DELETE r WITH a OPTIONAL MATCH (a)--(x) DETACH DELETE a RETURN count(*)",
    "delete-fails": "MATCH (n:A) DELETE n",
    "comprehension": "MATCH (a:A) RETURN [p = (a)-[:T*1..2]->(b) WHERE b.name =~ '[a-c]' | length(p)] AS ps, size([(a)-->(x) | x.num]) AS n",
    "exists-count": "MATCH (n) WHERE EXISTS { (n)-[:T]->() } AND COUNT { (n)--() } > 1 SET n.busy = true RETURN n.name",
    "union-call": "CALL { MATCH (n:A) RETURN n.name AS x UNION MATCH (n:B) RETURN n.name AS x } WITH x WHERE all(c IN [x] WHERE c IS NOT NULL) RETURN x",
    "write-read": "CREATE (x:New {at: date('2024-01-01')})-[:T]->(y:New)\n;\nMATCH (x:New) SET x.next = x.at + duration('P1D') REMOVE x:New RETURN x\n;\nMATCH (n) DETACH DELETE n",
}

STEP = re.compile(r"^\s*(?:When executing query|And having executed|Given having executed):\s*$")


def scenarios(path):
    """(name, [setup statements], query) for each scenario of a feature file,
    an outline filled in from its first Examples row."""
    lines = path.read_text().splitlines()
    out, current, i = [], None, 0
    while i < len(lines):
        line = lines[i].strip()
        if line.startswith("Scenario"):
            current = {"setup": [], "query": None, "outline": line.startswith("Scenario Outline")}
            out.append(current)
        elif current is not None and STEP.match(lines[i]) and lines[i + 1].strip() == '"""':
            j = i + 2
            while lines[j].strip() != '"""':
                j += 1
            text = "\n".join(l.strip() for l in lines[i + 2 : j])
            if "executing query" in line:
                current["query"] = text
            else:
                current["setup"].append(text)
            i = j
        elif current is not None and current["outline"] and line.startswith("Examples"):
            header = [c.strip() for c in lines[i + 1].strip().strip("|").split("|")]
            row = [c.strip() for c in lines[i + 2].strip().strip("|").split("|")]
            current["examples"] = dict(zip(header, row))
        i += 1
    for s in out:
        for key, value in s.get("examples", {}).items():
            fill = lambda t: t.replace(f"<{key}>", value)
            s["query"] = s["query"] and fill(s["query"])
            s["setup"] = [fill(t) for t in s["setup"]]
    return [s for s in out if s["query"] and "<" not in s["query"].replace("<>", "").replace("<=", "")]


def main():
    for target in ("parse", "query"):
        folder = OUT / target
        folder.mkdir(parents=True, exist_ok=True)
        for old in folder.glob("*.cypher"):
            old.unlink()
    total = 0
    for sub, count in SAMPLES:
        found = [(f, s) for f in sorted((TCK / sub).glob("*.feature")) for s in scenarios(f)]
        picked = found[:: max(1, len(found) // count)][:count]
        for n, (feature, s) in enumerate(picked):
            name = f"{feature.stem.lower()}-{n:02}.cypher"
            (OUT / "parse" / name).write_text(s["query"])
            (OUT / "query" / name).write_text("\n;\n".join(s["setup"] + [s["query"]]))
            total += 1
    for name, text in EXTRA.items():
        # `parse` takes one statement: the longest carries the most syntax.
        (OUT / "parse" / f"{name}.cypher").write_text(max(text.split("\n;\n"), key=len))
        (OUT / "query" / f"{name}.cypher").write_text(text)
        total += 1
    print(f"{total} seeds per target in {OUT}")


if __name__ == "__main__":
    main()
