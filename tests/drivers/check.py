#!/usr/bin/env python3
"""The official Neo4j Python driver against `aikg serve` (run by run.sh).

    check.py --bolt bolt://127.0.0.1:PORT --empty-bolt bolt://... --http http://... \
             --aikg target/release/aikg --corpus tests/drivers/corpus.cypher

Expects AIKG_AUTH=user:password in the environment, as the server has it.
The server behind --bolt serves the built-in graph and must be fresh (the
corpus is compared before the transaction checks write); --empty-bolt
serves an empty graph without a schema, for the README example.
Each check prints one line; the exit status is 1 if any failed.
"""

import argparse
import concurrent.futures
import contextlib
import datetime
import importlib.metadata
import io
import json
import logging
import os
import subprocess
import sys
import textwrap
import urllib.request
import base64

import neo4j
import pytz
from neo4j import GraphDatabase
from neo4j.exceptions import AuthError, ClientError, CypherSyntaxError
from neo4j.graph import Node, Path, Relationship
from neo4j.time import Date, DateTime, Duration, Time

FAILED = []
PASSED = []


def check(name):
    def wrap(fn):
        def run(*args):
            try:
                note = fn(*args)
            except Exception as e:  # a check that fails says why and the others still run
                FAILED.append(name)
                print(f"FAIL {name}: {type(e).__name__}: {e}", flush=True)
            else:
                PASSED.append(name)
                print(f"ok   {name}{': ' + note if note else ''}", flush=True)

        return run

    return wrap


def read_corpus(path):
    with open(path, encoding="utf-8") as f:
        return [line.strip() for line in f if line.strip() and not line.startswith("//")]


def expected_rows(aikg, query):
    out = subprocess.run(
        [aikg, "query", "--format", "json", "--max-rows", "0", query],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return normalise(json.loads(out))


def normalise(result):
    """`aikg query --format json` with node labels sorted (a driver gives a set)."""

    def walk(v):
        if isinstance(v, list):
            return [walk(x) for x in v]
        if isinstance(v, dict):
            out = {k: walk(x) for k, x in v.items()}
            if set(out) == {"id", "labels", "properties"}:
                out["labels"] = sorted(out["labels"])
            return out
        return v

    return {"columns": result["columns"], "rows": walk(result["rows"])}


class Shape:
    """Driver values in the JSON shape of `aikg query --format json`."""

    def __init__(self, keys):
        # element id -> the node's `id` property (or its index), as the
        # JSON writes relationship ends.
        self.keys = keys

    def node_key(self, element_id):
        return self.keys.get(element_id, int(element_id))

    def value(self, v):
        if isinstance(v, Node):
            key = v.get("id")
            return {
                "id": key if isinstance(key, str) else int(v.element_id),
                "labels": sorted(v.labels),
                "properties": {k: self.value(x) for k, x in sorted(v.items())},
            }
        if isinstance(v, Relationship):
            return {
                "id": int(v.element_id),
                "type": v.type,
                "src": self.node_key(v.start_node.element_id),
                "dst": self.node_key(v.end_node.element_id),
                "properties": {k: self.value(x) for k, x in sorted(v.items())},
            }
        if isinstance(v, Path):
            return {
                "nodes": [self.value(n) for n in v.nodes],
                "relationships": [self.value(r) for r in v.relationships],
            }
        if isinstance(v, list):
            return [self.value(x) for x in v]
        if isinstance(v, dict):
            return {k: self.value(x) for k, x in v.items()}
        if isinstance(v, float) and (v != v or v in (float("inf"), float("-inf"))):
            return None
        return v

    def result(self, keys, records):
        return {"columns": list(keys), "rows": [[self.value(x) for x in r.values()] for r in records]}


def node_keys(driver):
    records, _, _ = driver.execute_query("MATCH (n) RETURN n")
    return {r["n"].element_id: r["n"]["id"] for r in records if isinstance(r["n"].get("id"), str)}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bolt", required=True)
    ap.add_argument("--empty-bolt", required=True)
    ap.add_argument("--http", required=True)
    ap.add_argument("--aikg", required=True)
    ap.add_argument("--corpus", required=True)
    args = ap.parse_args()
    user, password = os.environ["AIKG_AUTH"].split(":", 1)
    auth = (user, password)
    corpus = read_corpus(args.corpus)
    expected = {q: expected_rows(args.aikg, q) for q in corpus}
    print(f"python driver neo4j {neo4j.__version__}", flush=True)

    with GraphDatabase.driver(args.bolt, auth=auth) as driver:
        shape = Shape(node_keys(driver))
        check_corpus(driver, shape, corpus, expected)
        check_routing(args.bolt.replace("bolt://", "neo4j://"), auth, corpus[0], expected, shape)
        check_parameters(driver)
        check_syntax_error(driver)
        check_fetch_size(driver)
        check_concurrent_sessions(driver, shape, corpus, expected)
        check_http(args.http, auth, corpus, expected)
        check_wrong_password(args.bolt, user)
        check_transactions(driver)
    check_readme_example(args.empty_bolt, auth)

    total = len(PASSED) + len(FAILED)
    if FAILED:
        print(f"python driver: {len(FAILED)} of {total} checks failed: {', '.join(FAILED)}")
        return 1
    print(f"python driver: all {total} checks passed")
    return 0


@check("corpus: every query's rows as aikg query --format json gives them")
def check_corpus(driver, shape, corpus, expected):
    rows = 0
    for q in corpus:
        with driver.session() as session:
            result = session.run(q)
            got = shape.result(result.keys(), list(result))
        if got != expected[q]:
            raise AssertionError(f"{q}\n  driver: {json.dumps(got)[:400]}\n  aikg:   {json.dumps(expected[q])[:400]}")
        rows += len(got["rows"])
    return f"{len(corpus)} queries, {rows} rows"


@check("neo4j:// routing and driver.execute_query")
def check_routing(uri, auth, query, expected, shape):
    with GraphDatabase.driver(uri, auth=auth) as driver:
        driver.verify_connectivity()
        records, summary, keys = driver.execute_query(query, database_="neo4j")
        got = shape.result(keys, records)
        assert got == expected[query], got
        return f"server agent {summary.server.agent!r}, Bolt {summary.server.protocol_version}"


@check("parameters of every type come back as they were sent")
def check_parameters(driver):
    stockholm = datetime.timezone(datetime.timedelta(hours=2))
    values = {
        "null": None,
        "true": True,
        "false": False,
        "tiny": 7,
        "negative_tiny": -16,
        "int8": -100,
        "int16": 1000,
        "int32": 100_000,
        "int64": 2**40,
        "int64_min": -(2**63),
        "float": 3.25,
        "float_neg": -1e-300,
        "string": "智谱AI ✓",
        "empty_string": "",
        "long_string": "x" * 70_000,
        "list": [1, "a", None, [2.5, True]],
        "empty_list": [],
        "map": {"k": [1, {"x": "y"}], "n": None},
        "date": Date(2023, 6, 1),
        "py_date": datetime.date(1960, 2, 29),
        "local_time": Time(12, 31, 14, 645_000_000),
        # The driver asks a time's zone for its offset with the time itself,
        # which only pytz's fixed offsets accept.
        "time": Time(12, 31, 14, 1, tzinfo=pytz.FixedOffset(60)),
        "datetime_zone": pytz.timezone("Europe/Stockholm").localize(DateTime(2015, 7, 21, 21, 40, 32, 142_000_000)),
        "local_datetime": DateTime(1984, 10, 11, 12, 31, 14, 123),
        "datetime_offset": DateTime(2015, 7, 21, 21, 40, 32, 142_000_000, tzinfo=stockholm),
        "py_datetime_utc": datetime.datetime(2023, 6, 1, 8, 30, tzinfo=datetime.timezone.utc),
        "duration": Duration(years=1, months=2, days=10, hours=12, minutes=45, seconds=30, nanoseconds=250),
        "py_timedelta": datetime.timedelta(days=3, seconds=7, microseconds=5),
    }
    with driver.session() as session:
        for name, value in values.items():
            got = session.run("RETURN $p AS p", p=value).single()["p"]
            want = value
            if isinstance(value, datetime.timedelta):
                want = Duration(days=value.days, seconds=value.seconds, microseconds=value.microseconds)
            if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
                want = Date.from_native(value)
            if isinstance(value, datetime.datetime):
                want = DateTime.from_native(value)
            if isinstance(want, Time) and want.tzinfo is not None:
                # The driver's Time equality cannot compare fixed-offset
                # zones, so compare the fields and the offset.
                same = (got.hour, got.minute, got.second, got.nanosecond) == (
                    want.hour,
                    want.minute,
                    want.second,
                    want.nanosecond,
                ) and got.utc_offset() == want.utc_offset()
                assert same, f"{name}: sent {value!r}, got {got!r}"
                continue
            assert got == want and type(got) is type(want), f"{name}: sent {value!r}, got {got!r}"
            if isinstance(want, DateTime):
                assert got.utcoffset() == want.utcoffset(), f"{name}: offset {got.utcoffset()}"
                zone = getattr(want.tzinfo, "zone", None)
                if zone and "/" in zone:
                    assert getattr(got.tzinfo, "zone", None) == zone, f"{name}: zone {got.tzinfo!r}"
        got = session.run("RETURN $b AS b", b=bytearray(b"\x00\x01\xff")).single()["b"]
        assert got == [0, 1, 255], f"bytes: {got!r}"
        # The server reads the values, not only hands them back.
        row = session.run(
            "RETURN $d.year AS y, $d + duration('P1D') AS next, $m.k[1].x AS x, $n * 2 AS twice",
            d=Date(2023, 6, 1),
            m={"k": [1, {"x": "y"}]},
            n=2**40,
        ).single()
        assert (row["y"], row["next"], row["x"], row["twice"]) == (2023, Date(2023, 6, 2), "y", 2**41), row
    return f"{len(values) + 1} values; bytes arrive as a list of integers"


@check("a syntax error raises CypherSyntaxError with the Neo4j code and the caret")
def check_syntax_error(driver):
    try:
        driver.execute_query("MATCH (m:Model RETURN m")
    except CypherSyntaxError as e:
        assert e.code == "Neo.ClientError.Statement.SyntaxError", e.code
        assert "    MATCH (m:Model RETURN m\n                   ^^^^^^\n" in e.message, e.message
    else:
        raise AssertionError("no error")
    try:
        driver.execute_query("RETURN nosuchvariable")
    except ClientError as e:
        assert e.code == "Neo.ClientError.Statement.SemanticError", e.code
    else:
        raise AssertionError("no error")
    # The connection is usable again after the failure.
    records, _, _ = driver.execute_query("RETURN 1 AS one")
    assert records[0]["one"] == 1
    return "and the session goes on after RESET"


class PullCounter(logging.Handler):
    def __init__(self):
        super().__init__(logging.DEBUG)
        self.pulls = []

    def emit(self, record):
        text = record.getMessage()
        if "C: PULL" in text:
            self.pulls.append(text)


@check("fetch_size=7 pulls a 300-row result in batches")
def check_fetch_size(driver):
    counter = PullCounter()
    log = logging.getLogger("neo4j")
    old = log.level
    log.addHandler(counter)
    log.setLevel(logging.DEBUG)
    try:
        with driver.session(fetch_size=7) as session:
            values = [r["i"] for r in session.run("UNWIND range(1, 300) AS i RETURN i")]
    finally:
        log.removeHandler(counter)
        log.setLevel(old)
    assert values == list(range(1, 301)), values[:10]
    assert len(counter.pulls) >= 300 // 7, counter.pulls[:3]
    return f"{len(counter.pulls)} PULL messages, first {counter.pulls[0].split('C: ')[-1]}"


@check("concurrent sessions on 8 threads get the same rows")
def check_concurrent_sessions(driver, shape, corpus, expected):
    def work(i):
        q = corpus[i % len(corpus)]
        with driver.session() as session:
            result = session.run(q)
            got = shape.result(result.keys(), list(result))
        assert got == expected[q], q
        return 1

    with concurrent.futures.ThreadPoolExecutor(max_workers=8) as pool:
        done = sum(pool.map(work, range(80)))
    return f"{done} queries"


@check("HTTP POST /db/query answers as aikg query --format json")
def check_http(base, auth, corpus, expected):
    token = base64.b64encode(f"{auth[0]}:{auth[1]}".encode()).decode()
    for q in corpus:
        request = urllib.request.Request(
            base + "/db/query",
            data=json.dumps({"statement": q, "parameters": {}}).encode(),
            headers={"Content-Type": "application/json", "Authorization": f"Basic {token}"},
        )
        with urllib.request.urlopen(request) as response:
            got = normalise(json.load(response))
        assert got == expected[q], q
    return f"{len(corpus)} queries"


@check("a wrong password is refused with AuthError")
def check_wrong_password(uri, user):
    with GraphDatabase.driver(uri, auth=(user, "not-the-password")) as driver:
        try:
            driver.verify_connectivity()
        except AuthError as e:
            assert e.code == "Neo.ClientError.Security.Unauthorized", e.code
        else:
            raise AssertionError("logged in with a wrong password")


@check("transactions: rollback, commit, isolation until commit, execute_write, read sessions")
def check_transactions(driver):
    count = "MATCH (c:Company) WHERE c.id STARTS WITH 'driver-' RETURN count(c) AS n"

    def n(session):
        return session.run(count).single()["n"]

    with driver.session() as session, driver.session() as other:
        assert n(session) == 0
        tx = session.begin_transaction()
        tx.run("CREATE (:Company {id: 'driver-rolled-back', name: 'Rolled back'})").consume()
        assert tx.run(count).single()["n"] == 1, "a transaction sees its own write"
        assert n(other) == 0, "others do not see it before the commit"
        tx.rollback()
        assert n(other) == 0, "rolled back"

        tx = session.begin_transaction()
        summary = tx.run("CREATE (:Company {id: 'driver-committed', name: $name})", name="Committed").consume()
        assert summary.counters.nodes_created == 1, summary.counters
        tx.commit()
        assert n(other) == 1, "committed"

        created = session.execute_write(
            lambda tx: tx.run("CREATE (c:Company {id: 'driver-managed', name: 'Managed'}) RETURN c.id AS id").single()["id"]
        )
        assert created == "driver-managed" and n(other) == 2
        try:
            session.execute_read(lambda tx: tx.run("CREATE (:Company {id: 'driver-read', name: 'x'})").consume())
        except ClientError as e:
            assert e.code == "Neo.ClientError.Statement.AccessMode", e.code
        else:
            raise AssertionError("a read transaction wrote")
        assert n(other) == 2
    return "3 transactions, 2 committed"


def readme_example():
    """The Quick Example of the driver's README, as the installed package ships it."""
    text = importlib.metadata.metadata("neo4j").get_payload()
    start = text.index("Quick Example")
    block = text[text.index(".. code-block:: python", start) :].split("\n", 1)[1]
    lines = []
    for line in block.split("\n"):
        if line and not line.startswith(" "):
            break
        lines.append(line)
    return textwrap.dedent("\n".join(lines))


def run_example(code, uri, auth):
    code = code.replace('URI = "neo4j://localhost:7687"', f"URI = {uri!r}")
    code = code.replace('AUTH = ("neo4j", "password")', f"AUTH = {auth!r}")
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, "README example", "exec"), {"__name__": "__main__"})
    return out.getvalue()


@check("the README's GraphDatabase.driver / execute_query example")
def check_readme_example(uri, auth):
    code = readme_example()
    assert 'URI = "neo4j://localhost:7687"' in code and "driver.execute_query(" in code, code
    uri = uri.replace("bolt://", "neo4j://")
    # Unchanged: MERGE creates the people and the KNOWS relationships, then
    # the read prints the friends in order.
    out = run_example(code, uri, auth)
    assert out == "Guinevere\nLancelot\nMerlin\n", out
    # Run again, MERGE finds what the first run made: the same answer, not
    # a second copy of every friend.
    out = run_example(code, uri, auth)
    assert out == "Guinevere\nLancelot\nMerlin\n", out
    return "the unchanged example prints Guinevere, Lancelot, Merlin, and again on a second run (MERGE found them)"


if __name__ == "__main__":
    sys.exit(main())
