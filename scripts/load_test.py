#!/usr/bin/env python3
"""Load test of `aikg serve` with the official Neo4j Python driver and HTTP.

    scripts/load_test.py --bolt bolt://127.0.0.1:7687 --http http://127.0.0.1:7474 \
        --data /tmp/kg-1M [--sessions 4] [--seconds 5] [--in-process target/release/examples/peer_bench]

The server must serve the `../shared/bench` graph in DATA (`aikg --nodes
DATA/nodes.csv --edges DATA/edges.csv serve ...`). For each bench query
Q1-Q7, with the parameters of DATA/params.json:

- one session runs it back to back for the given time: the latency a single
  client sees (p50, p99);
- SESSIONS sessions, each in its own process (the driver holds the GIL),
  run it side by side for the given time: throughput and p50/p99 under load.

Through Bolt with the driver (one session per process, every record
decoded into the driver's `Record`s), through Bolt without a driver
(`bolt-raw`: a minimal Bolt 4.4 client in this file that counts the
records without decoding them, so the protocol's own cost shows apart from
the driver's), and through HTTP (`POST /db/query` on a kept-alive
connection, the JSON parsed). With
--in-process, the peer_bench example's median on the same data is printed
beside it, so the table shows what the protocol and the client add. Every
call's row count is checked against the first call's. Credentials come from
AIKG_AUTH=user:password when the server wants them. Prints a markdown table.
"""

import argparse
import base64
import concurrent.futures
import http.client
import json
import os
import re
import socket
import statistics
import struct
import subprocess
import sys
import time
import urllib.parse

QUERIES = [
    ("Q1", "q1_point.cypher", {"id": "q1_id"}),
    ("Q2", "q2_investors.cypher", {"company": "q2_company"}),
    ("Q3", "q3_lineage.cypher", {"model": "q3_model"}),
    ("Q4", "q4_descendants.cypher", {"base": "q4_base"}),
    ("Q5", "q5_lab_portfolio.cypher", {"lab": "q5_lab"}),
    ("Q6", "q6_lab_reach.cypher", {}),
    ("Q7", "q7_shortest.cypher", {"src": "q7_src", "dst": "q7_dst"}),
]


def load_queries(qdir, data):
    with open(os.path.join(data, "params.json")) as f:
        given = json.load(f)
    out = []
    for name, file, params in QUERIES:
        with open(os.path.join(qdir, file)) as f:
            text = "\n".join(l for l in f.read().splitlines() if not l.lstrip().startswith("//")).strip()
        out.append((name, text, {k: given[v] for k, v in params.items()}))
    return out


def auth():
    spec = os.environ.get("AIKG_AUTH", "")
    return tuple(spec.split(":", 1)) if ":" in spec else None


class BoltClient:
    def __init__(self, url):
        from neo4j import GraphDatabase

        self.driver = GraphDatabase.driver(url, auth=auth())
        self.session = self.driver.session()

    def run(self, text, params):
        return len(self.session.run(text, params).values())

    def close(self):
        self.session.close()
        self.driver.close()


def pack(value):
    """The PackStream encoding of the parameter values the bench uses."""
    if isinstance(value, str):
        b = value.encode()
        if len(b) < 16:
            return bytes([0x80 | len(b)]) + b
        return (bytes([0xD0, len(b)]) if len(b) < 256 else b"\xD1" + struct.pack(">H", len(b))) + b
    if isinstance(value, bool) or not isinstance(value, (int, dict)):
        raise TypeError(f"cannot pack {value!r}")
    if isinstance(value, int):
        return b"\xCB" + struct.pack(">q", value)
    return bytes([0xA0 | len(value)]) + b"".join(pack(k) + pack(v) for k, v in value.items())


class RawBoltClient:
    """Bolt 4.4 without a driver: counts the RECORD messages of a result
    without decoding them, to show what the protocol itself costs."""

    def __init__(self, url):
        u = urllib.parse.urlparse(url)
        self.sock = socket.create_connection((u.hostname, u.port))
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf, self.at = b"", 0
        self.sock.sendall(b"\x60\x60\xb0\x17" + bytes([0, 0, 4, 4]) + b"\x00" * 12)
        if self.take(4) != bytes([0, 0, 4, 4]):
            raise RuntimeError("the server did not agree to Bolt 4.4")
        hello = {"user_agent": "aikg-load-test/1"}
        hello.update({"scheme": "basic", "principal": auth()[0], "credentials": auth()[1]} if auth() else {"scheme": "none"})
        self.send(0x01, pack(hello))
        if self.message()[1] != 0x70:
            raise RuntimeError("HELLO refused")

    def take(self, n):
        while len(self.buf) - self.at < n:
            more = self.sock.recv(1 << 20)
            if not more:
                raise RuntimeError("the server closed the connection")
            self.buf = self.buf[self.at :] + more
            self.at = 0
        self.at += n
        return self.buf[self.at - n : self.at]

    def message(self):
        """One message's first two bytes (marker, tag); the rest is skipped."""
        head = b""
        while True:
            size = struct.unpack(">H", self.take(2))[0]
            if size == 0:
                return head
            chunk = self.take(size)
            head = head or chunk[:2]

    def send(self, tag, *fields):
        body = bytes([0xB0 | len(fields), tag]) + b"".join(fields)
        self.sock.sendall(struct.pack(">H", len(body)) + body + b"\x00\x00")

    def run(self, text, params):
        self.send(0x10, pack(text), pack(params), pack({}))
        self.send(0x3F, pack({"n": -1}))
        records = 0
        if self.message()[1] != 0x70:
            raise RuntimeError("RUN failed")
        while True:
            tag = self.message()[1]
            if tag == 0x71:
                records += 1
            elif tag == 0x70:
                return records
            else:
                raise RuntimeError(f"PULL failed (message 0x{tag:02X})")

    def close(self):
        self.sock.close()


class HttpClient:
    def __init__(self, url):
        u = urllib.parse.urlparse(url)
        self.conn = http.client.HTTPConnection(u.hostname, u.port, timeout=600)
        self.headers = {"Content-Type": "application/json"}
        if auth():
            token = base64.b64encode(":".join(auth()).encode()).decode()
            self.headers["Authorization"] = f"Basic {token}"

    def run(self, text, params):
        body = json.dumps({"statement": text, "parameters": params})
        self.conn.request("POST", "/db/query", body, self.headers)
        response = self.conn.getresponse()
        payload = response.read()
        if response.status != 200:
            raise RuntimeError(f"HTTP {response.status}: {payload[:300]!r}")
        return len(json.loads(payload)["rows"])

    def close(self):
        self.conn.close()


def worker(transport, url, text, params, seconds, expected_rows):
    """Runs one query back to back for `seconds`; returns the latencies in ms."""
    client = {"bolt": BoltClient, "bolt-raw": RawBoltClient, "http": HttpClient}[transport](url)
    try:
        if client.run(text, params) != expected_rows:  # warm-up, and the connection's setup
            raise RuntimeError("the warm-up call returned a different row count")
        latencies = []
        end = time.perf_counter() + seconds
        while True:
            start = time.perf_counter()
            rows = client.run(text, params)
            latencies.append((time.perf_counter() - start) * 1000)
            if rows != expected_rows:
                raise RuntimeError(f"{rows} rows, expected {expected_rows}")
            if start >= end:
                return latencies
    finally:
        client.close()


def percentile(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))]


def measure(pool, transport, url, text, params, seconds, sessions, expected_rows):
    single = worker(transport, url, text, params, seconds / 2, expected_rows)
    started = time.perf_counter()
    futures = [
        pool.submit(worker, transport, url, text, params, seconds, expected_rows) for _ in range(sessions)
    ]
    loaded = [ms for f in futures for ms in f.result()]
    wall = time.perf_counter() - started
    return {
        "p50_1": statistics.median(single),
        "p50": statistics.median(loaded),
        "p99": percentile(loaded, 99),
        "qps": len(loaded) / wall,
    }


def in_process(binary, data):
    """peer_bench's median per query on the same data, in ms."""
    out = subprocess.run([binary, data, "--runs", "5"], capture_output=True, text=True, check=True).stdout
    return {m[1]: float(m[2]) for m in re.finditer(r"QUERY engine=aikg \S+ q=(Q\d) median_ms=(\S+)", out)}


def fmt(ms):
    return f"{ms:.3g}"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bolt", required=True)
    ap.add_argument("--http", required=True)
    ap.add_argument("--data", required=True)
    ap.add_argument("--queries", default=os.path.join(os.path.dirname(__file__), "../../shared/bench/queries"))
    ap.add_argument("--sessions", type=int, default=4)
    ap.add_argument("--seconds", type=float, default=5)
    ap.add_argument("--only", help="comma-separated, e.g. Q1,Q3")
    ap.add_argument("--in-process", help="the peer_bench example binary, for the in-process column")
    args = ap.parse_args()

    queries = load_queries(args.queries, args.data)
    if args.only:
        queries = [q for q in queries if q[0] in args.only.split(",")]
    local = in_process(args.in_process, args.data) if args.in_process else {}
    rows = []
    with concurrent.futures.ProcessPoolExecutor(args.sessions) as pool:
        for name, text, params in queries:
            expected = HttpClient(args.http).run(text, params)
            for transport, url in (("bolt", args.bolt), ("bolt-raw", args.bolt), ("http", args.http)):
                r = measure(pool, transport, url, text, params, args.seconds, args.sessions, expected)
                rows.append((name, transport, expected, r))
                print(f"{name} {transport}: {json.dumps({k: round(v, 4) for k, v in r.items()})}", file=sys.stderr)

    print(f"{args.sessions} sessions, {args.seconds:g} s per query and transport; times in ms\n")
    head = "| query | via | rows | in-process | 1 session p50 | added by the protocol | "
    head += f"{args.sessions} sessions: queries/s | p50 | p99 |"
    print(head)
    print("|" + "---|" * (head.count("|") - 1))
    for name, transport, expected, r in rows:
        base = local.get(name)
        added = fmt(r["p50_1"] - base) if base is not None else "-"
        print(
            f"| {name} | {transport} | {expected} | {fmt(base) if base is not None else '-'} | {fmt(r['p50_1'])} | "
            f"{added} | {r['qps']:.0f} | {fmt(r['p50'])} | {fmt(r['p99'])} |"
        )


if __name__ == "__main__":
    main()
