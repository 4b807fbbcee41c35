#!/usr/bin/env python3
"""Cross-engine check: run the same read queries in aikg and in Kùzu over the
built-in graph and compare the rows.

Steps: build aikg (cargo build --release), export the built-in graph for Kùzu
(aikg export --format cypher --kuzu), load that script into an in-memory Kùzu
database, then run every entry of scripts/kuzu_queries.txt in both engines.
Rows are compared as multisets, or as sequences when the query's last RETURN
has ORDER BY. Values are normalised first: integers and floats compare as
numbers (to 12 significant digits), a node becomes its `id` property, a
relationship (source id, type, target id), a path its nodes and relationships.

Each query prints PASS, DIFF, or EXPECTED-DIFF with the reason the corpus
gives (a known difference in Kùzu's dialect or semantics). The last line is
`N agree, N differ, N expected differences`. The exit status is 1 when a
query differs unexpectedly, or when an expected difference did not show
(so the list of expected differences stays true), and 2 on setup failure.

Kùzu comes from a virtual environment of its own: $AIKG_KUZU_VENV, default
/tmp/aikg-kuzu-venv, created and filled with kuzu==0.11.3 (the version the
shared bench uses) when it is missing; the script then runs itself again
with that environment's Python. Only the standard library is needed to start.

    python3 scripts/kuzu_check.py              # build, export, compare
    python3 scripts/kuzu_check.py -k lineage   # only entries whose name has 'lineage'
    python3 scripts/kuzu_check.py -v           # also print texts, reasons and rows
"""

from __future__ import annotations

import argparse
import collections
import json
import math
import os
import re
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

KUZU_VERSION = "0.11.3"
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CORPUS = os.path.join(ROOT, "scripts", "kuzu_queries.txt")
DEFAULT_VENV = os.environ.get("AIKG_KUZU_VENV", "/tmp/aikg-kuzu-venv")
# Set in the environment of the re-run, so a broken venv cannot loop.
REEXEC_FLAG = "AIKG_KUZU_CHECK_REEXEC"
QUERY_TIMEOUT_S = 30


def ensure_kuzu(venv: str) -> None:
    """Returns when `import kuzu` gives the pinned version; otherwise makes the
    venv, installs kuzu into it, and replaces this process with the venv's
    Python running this script."""
    try:
        import kuzu  # noqa: F401

        if kuzu.__version__ == KUZU_VERSION:
            return
        found = kuzu.__version__
    except ImportError:
        found = None
    if os.environ.get(REEXEC_FLAG):
        sys.exit(f"error: {sys.executable} has kuzu {found or 'missing'}, need {KUZU_VERSION}")
    python = os.path.join(venv, "bin", "python")
    t = time.perf_counter()
    if not os.path.exists(python):
        print(f"setup: creating venv {venv}", flush=True)
        subprocess.run([sys.executable, "-m", "venv", venv], check=True)
    probe = f"import kuzu, sys; sys.exit(kuzu.__version__ != {KUZU_VERSION!r})"
    if subprocess.run([python, "-c", probe], capture_output=True).returncode != 0:
        print(f"setup: pip install kuzu=={KUZU_VERSION} into {venv}", flush=True)
        subprocess.run(
            [python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", f"kuzu=={KUZU_VERSION}"],
            check=True,
        )
        print(f"setup: venv ready in {time.perf_counter() - t:.1f}s", flush=True)
    env = dict(os.environ, **{REEXEC_FLAG: "1"})
    os.execve(python, [python, os.path.abspath(__file__), *sys.argv[1:]], env)


# ---------------------------------------------------------------- corpus


@dataclass
class Entry:
    name: str
    aikg: str
    kuzu: str | None = None
    kuzu_reason: str | None = None
    expect_diff: str | None = None
    unordered_lists: bool = False
    params: dict[str, Any] | None = None
    line: int = 0

    @property
    def kuzu_text(self) -> str:
        return self.kuzu if self.kuzu is not None else self.aikg

    @property
    def ordered(self) -> bool:
        """Whether the rows come in a defined order: ORDER BY after the last
        RETURN."""
        tail = re.split(r"\bRETURN\b", self.aikg, flags=re.IGNORECASE)[-1]
        return re.search(r"\bORDER\s+BY\b", tail, re.IGNORECASE) is not None


def parse_corpus(path: str) -> list[Entry]:
    entries: list[Entry] = []
    section = None
    lines: dict[str, list[str]] = {}

    def close() -> None:
        if not entries:
            return
        e = entries[-1]
        e.aikg = "\n".join(lines.get("aikg", [])).strip()
        kuzu = "\n".join(lines.get("kuzu", [])).strip()
        if not e.aikg:
            raise SystemExit(f"{path}:{e.line}: entry '{e.name}' has no aikg query")
        if e.kuzu_reason is not None:
            if not kuzu:
                raise SystemExit(f"{path}:{e.line}: entry '{e.name}' has '-- kuzu:' but no Kùzu query")
            e.kuzu = kuzu

    with open(path, encoding="utf-8") as fh:
        for n, raw in enumerate(fh, 1):
            line = raw.rstrip("\n")
            stripped = line.strip()
            if not stripped or stripped.startswith("#"):
                continue
            if stripped.startswith("== "):
                close()
                name = stripped[3:].strip()
                if any(e.name == name for e in entries):
                    raise SystemExit(f"{path}:{n}: duplicate entry '{name}'")
                entries.append(Entry(name=name, aikg="", line=n))
                lines, section = {}, "aikg"
                continue
            if not entries:
                raise SystemExit(f"{path}:{n}: text before the first '== name' line")
            e = entries[-1]
            m = re.match(r"--\s*([a-z-]+)\s*:\s*(.*)$", stripped)
            if m:
                key, value = m.group(1), m.group(2).strip()
                if key == "kuzu":
                    e.kuzu_reason, section = value, "kuzu"
                elif key == "expect-diff":
                    e.expect_diff, section = value, None
                elif key == "lists" and value == "unordered":
                    e.unordered_lists = True
                elif key == "params":
                    try:
                        e.params = json.loads(value)
                    except json.JSONDecodeError as err:
                        raise SystemExit(f"{path}:{n}: '-- params:' needs a JSON object: {err}")
                    if not isinstance(e.params, dict):
                        raise SystemExit(f"{path}:{n}: '-- params:' needs a JSON object")
                else:
                    raise SystemExit(f"{path}:{n}: unknown directive '{stripped}'")
                continue
            if section is None:
                raise SystemExit(f"{path}:{n}: query text after '-- expect-diff:' in '{e.name}'")
            lines.setdefault(section, []).append(line)
    close()
    return entries


# ---------------------------------------------------------------- values


class Normaliser:
    """Turns either engine's values into comparable, hashable forms."""

    def __init__(self, kuzu_ids: dict[tuple[int, int], str], unordered_lists: bool = False):
        self.kuzu_ids = kuzu_ids
        self.unordered_lists = unordered_lists

    def __call__(self, v: Any) -> Any:
        if v is None:
            return None
        if isinstance(v, bool):  # before int: True is an int in Python
            return ("bool", v)
        # Kùzu sums INT64 into INT128, which Python receives as Decimal.
        if isinstance(v, (int, float, Decimal)):
            f = float(v)
            if math.isnan(f):
                return ("num", "nan")
            return ("num", float(f"{f:.12g}"))
        if isinstance(v, str):
            return v
        if isinstance(v, (list, tuple)):
            items = [self(x) for x in v]
            if self.unordered_lists:
                items.sort(key=repr)
            return ("list", tuple(items))
        if isinstance(v, dict):
            return self.node_rel_path(v) or ("map", tuple(sorted((k, self(x)) for k, x in v.items())))
        return ("other", repr(v))

    def kuzu_node_id(self, internal: Any) -> str:
        if isinstance(internal, dict):
            return self.kuzu_ids.get((internal.get("table"), internal.get("offset")), repr(internal))
        return repr(internal)

    def node_rel_path(self, v: dict) -> Any:
        # aikg JSON: {"id","labels","properties"} node, {"id","type","src","dst"}
        # relationship, {"nodes","relationships"} path.
        if set(v) == {"id", "labels", "properties"}:
            return ("node", v["properties"].get("id", v["id"]))
        if {"type", "src", "dst"} <= set(v) and "properties" in v:
            return ("rel", v["src"], v["type"], v["dst"])
        if set(v) == {"nodes", "relationships"}:
            return ("path", tuple(self(n) for n in v["nodes"]), tuple(self(r) for r in v["relationships"]))
        # Kùzu: nodes carry _id and _label, relationships also _src and _dst,
        # paths (recursive relationships) _nodes and _rels.
        if "_src" in v and "_dst" in v and "_label" in v:
            return ("rel", self.kuzu_node_id(v["_src"]), v["_label"], self.kuzu_node_id(v["_dst"]))
        if "_id" in v and "_label" in v:
            return ("node", v.get("id"))
        if "_nodes" in v and "_rels" in v:
            return ("path", tuple(self(n) for n in v["_nodes"]), tuple(self(r) for r in v["_rels"]))
        return None


def show(v: Any) -> str:
    """A normalised value as short Cypher-like text."""
    if v is None:
        return "null"
    if isinstance(v, str):
        return repr(v)
    tag = v[0]
    if tag == "bool":
        return "true" if v[1] else "false"
    if tag == "num":
        x = v[1]
        return str(int(x)) if isinstance(x, float) and x.is_integer() and abs(x) < 2**53 else str(x)
    if tag == "list":
        return "[" + ", ".join(show(x) for x in v[1]) + "]"
    if tag == "map":
        return "{" + ", ".join(f"{k}: {show(x)}" for k, x in v[1]) + "}"
    if tag == "node":
        return f"({v[1]})"
    if tag == "rel":
        return f"({v[1]})-[:{v[2]}]->({v[3]})"
    if tag == "path":
        return "<" + ", ".join(show(n) for n in v[1]) + ">"
    return str(v[1])


def show_row(row: tuple) -> str:
    return "| " + " | ".join(show(x) for x in row) + " |"


# ---------------------------------------------------------------- engines


@dataclass
class Outcome:
    rows: list[tuple] | None = None
    error: str | None = None
    seconds: float = 0.0

    def summary(self) -> str:
        if self.error is not None:
            return f"error: {self.error}"
        return rows(len(self.rows or []))


def cypher_literal(v: Any) -> str:
    """A JSON parameter value as the Cypher literal `aikg query --param` reads."""
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return repr(v)
    if isinstance(v, str):
        return "'" + v.replace("\\", "\\\\").replace("'", "\\'") + "'"
    if isinstance(v, list):
        return "[" + ", ".join(cypher_literal(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{" + ", ".join(f"`{k}`: {cypher_literal(x)}" for k, x in v.items()) + "}"
    raise SystemExit(f"error: parameter value {v!r} has no Cypher literal")


def run_aikg(aikg: str, text: str, params: dict[str, Any], norm: Normaliser) -> Outcome:
    t = time.perf_counter()
    argv = [aikg, "query", "--format", "json", "--max-rows", "0", "--timeout", f"{QUERY_TIMEOUT_S}s"]
    for k, v in params.items():
        argv += ["--param", f"{k}={cypher_literal(v)}"]
    p = subprocess.run([*argv, text], capture_output=True, text=True)
    secs = time.perf_counter() - t
    if p.returncode != 0:
        msg = [l for l in p.stderr.strip().splitlines() if l.startswith("error")] or p.stderr.strip().splitlines()
        text = msg[-1].removeprefix("error: ") if msg else f"exit {p.returncode}"
        return Outcome(error=text, seconds=secs)
    try:
        out = json.loads(p.stdout)
    except json.JSONDecodeError as e:
        return Outcome(error=f"aikg printed invalid JSON: {e}", seconds=secs)
    return Outcome(rows=[tuple(norm(v) for v in row) for row in out["rows"]], seconds=secs)


def run_kuzu(con: Any, text: str, params: dict[str, Any], norm: Normaliser) -> Outcome:
    t = time.perf_counter()
    try:
        result = con.execute(text, params) if params else con.execute(text)
        rows = result.get_all()
    except Exception as e:  # Kùzu raises RuntimeError and friends; all are data here
        return Outcome(error=str(e).strip().splitlines()[0], seconds=time.perf_counter() - t)
    return Outcome(rows=[tuple(norm(v) for v in row) for row in rows], seconds=time.perf_counter() - t)


def compare(a: Outcome, k: Outcome, ordered: bool) -> list[str] | None:
    """None when the outcomes agree, else lines describing the difference."""
    # An error is never agreement, not even when both engines fail: the
    # corpus holds queries meant to run.
    if a.error is not None or k.error is not None:
        return [f"aikg: {a.summary()}", f"kuzu: {k.summary()}"]
    ar, kr = a.rows or [], k.rows or []
    if ordered:
        if ar == kr:
            return None
        lines = [f"aikg: {rows(len(ar))}, kuzu: {rows(len(kr))} (ordered)"]
        i = next((i for i, (x, y) in enumerate(zip(ar, kr)) if x != y), min(len(ar), len(kr)))
        lines.append(f"first difference at row {i}:")
        lines += [f"  aikg {show_row(r)}" for r in ar[i : i + 3]]
        lines += [f"  kuzu {show_row(r)}" for r in kr[i : i + 3]]
        return lines
    ca, ck = collections.Counter(ar), collections.Counter(kr)
    if ca == ck:
        return None
    lines = [f"aikg: {rows(len(ar))}, kuzu: {rows(len(kr))}"]
    only_a, only_k = ca - ck, ck - ca
    for label, c in (("only in aikg", only_a), ("only in kuzu", only_k)):
        items = sorted(c.elements(), key=repr)
        if items:
            lines.append(f"{label} ({len(items)}):")
            lines += [f"  {show_row(r)}" for r in items[:6]]
            if len(items) > 6:
                lines.append(f"  ... {len(items) - 6} more")
    return lines


# ---------------------------------------------------------------- main


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--venv", default=DEFAULT_VENV, help="venv holding kuzu (default $AIKG_KUZU_VENV or %(default)s)")
    ap.add_argument("--aikg", help="aikg binary to use; skips the cargo build")
    ap.add_argument("--no-build", action="store_true", help="use target/release/aikg as it is")
    ap.add_argument("--corpus", default=CORPUS, help="query corpus (default scripts/kuzu_queries.txt)")
    ap.add_argument("-k", "--filter", default="", help="run only entries whose name contains this")
    ap.add_argument("-v", "--verbose", action="store_true", help="print query texts, reasons and rows")
    ap.add_argument("--keep-export", metavar="FILE", help="also write the Kùzu export here")
    args = ap.parse_args()

    ensure_kuzu(args.venv)
    import kuzu

    started = time.perf_counter()
    entries = [e for e in parse_corpus(args.corpus) if args.filter in e.name]
    if not entries:
        print(f"error: no entry in {args.corpus} has '{args.filter}' in its name", file=sys.stderr)
        return 2

    aikg = args.aikg or os.path.join(ROOT, "target", "release", "aikg")
    if not args.aikg and not args.no_build:
        t = time.perf_counter()
        p = subprocess.run(["cargo", "build", "--release", "--quiet", "--bin", "aikg"], cwd=ROOT)
        if p.returncode != 0:
            print("error: cargo build --release failed", file=sys.stderr)
            return 2
        print(f"setup: cargo build --release: {time.perf_counter() - t:.1f}s")
    if not os.access(aikg, os.X_OK):
        print(f"error: no aikg binary at {aikg}", file=sys.stderr)
        return 2

    with tempfile.TemporaryDirectory(prefix="aikg-kuzu-") as tmp:
        export = args.keep_export or os.path.join(tmp, "aikg-kuzu.cypher")
        t = time.perf_counter()
        p = subprocess.run(
            [aikg, "export", "--format", "cypher", "--kuzu", "-o", export], capture_output=True, text=True
        )
        if p.returncode != 0:
            print(f"error: aikg export failed: {p.stderr.strip()}", file=sys.stderr)
            return 2
        with open(export, encoding="utf-8") as fh:
            script = fh.read()
        t_export = time.perf_counter() - t

        t = time.perf_counter()
        db = kuzu.Database(":memory:")
        con = kuzu.Connection(db)
        con.set_query_timeout(QUERY_TIMEOUT_S * 1000)
        try:
            con.execute(script)
        except Exception as e:
            print(f"error: Kùzu {kuzu.__version__} rejects the export: {e}", file=sys.stderr)
            return 2
        ids = {
            (iid["table"], iid["offset"]): key
            for iid, key in con.execute("MATCH (n) RETURN id(n), n.id").get_all()
        }
        n_rels = con.execute("MATCH ()-[r]->() RETURN count(*)").get_all()[0][0]
        print(
            f"setup: export {t_export:.2f}s, Kùzu {kuzu.__version__} load {time.perf_counter() - t:.2f}s: "
            f"{len(ids)} nodes, {n_rels} relationships"
        )

        agree = differ = expected = stale = translated = 0
        t_aikg = t_kuzu = 0.0
        for e in entries:
            norm = Normaliser(ids, e.unordered_lists)
            a = run_aikg(aikg, e.aikg, e.params or {}, norm)
            k = run_kuzu(con, e.kuzu_text, e.params or {}, norm)
            t_aikg += a.seconds
            t_kuzu += k.seconds
            diff = compare(a, k, e.ordered)
            if e.kuzu is not None:
                translated += 1
            note = "  (Kùzu dialect rewrite)" if e.kuzu is not None else ""
            if e.expect_diff is not None and diff is not None:
                expected += 1
                print(f"EXPECTED-DIFF {e.name}: {e.expect_diff}")
                print(f"    {brief(a, k)}")
            elif e.expect_diff is not None:
                stale += 1
                print(f"STALE {e.name}: expected a difference ({e.expect_diff}) but the engines agree")
            elif diff is None:
                agree += 1
                print(f"PASS {e.name}{note}")
            else:
                differ += 1
                print(f"DIFF {e.name}{note}")
                for line in diff:
                    print(f"    {line}")
            if args.verbose:
                print(f"    aikg: {' '.join(e.aikg.split())}")
                if e.kuzu is not None:
                    print(f"    kuzu ({e.kuzu_reason}): {' '.join(e.kuzu.split())}")
                for who, o in (("aikg", a), ("kuzu", k)):
                    if o.error is not None:
                        print(f"    {who} error: {o.error}")
                    else:
                        for r in (o.rows or [])[:10]:
                            print(f"    {who} {show_row(r)}")

    print(
        f"time: aikg {t_aikg:.2f}s ({len(entries)} processes), Kùzu {t_kuzu:.2f}s, "
        f"total {time.perf_counter() - started:.1f}s; {translated} queries rewritten for Kùzu's dialect"
    )
    tail = f", {stale} stale expected differences" if stale else ""
    print(f"{agree} agree, {differ} differ, {expected} expected differences{tail}")
    return 1 if differ or stale else 0


def brief(a: Outcome, k: Outcome) -> str:
    """One line saying how two outcomes differ: errors, or the rows only one
    engine returned."""
    if a.error is not None or k.error is not None:
        return f"aikg: {brief_one(a)}; kuzu: {brief_one(k)}"
    ar, kr = a.rows or [], k.rows or []
    ca, ck = collections.Counter(ar), collections.Counter(kr)
    if ca == ck:
        return f"aikg and kuzu: same {rows(len(ar))} in another order"
    parts = [f"aikg {rows(len(ar))}, kuzu {rows(len(kr))}"]
    for who, c in (("aikg", ca - ck), ("kuzu", ck - ca)):
        items = sorted(c.elements(), key=repr)
        if items:
            text = "; ".join(show_row(r)[2:-2] for r in items[:2])
            more = f" (+{len(items) - 2} more)" if len(items) > 2 else ""
            parts.append(f"only in {who}: [{text}]{more}")
    return "; ".join(parts)


def brief_one(o: Outcome) -> str:
    if o.error is not None:
        return f"error: {o.error}"
    r = o.rows or []
    text = "; ".join(show_row(x)[2:-2] for x in r[:2])
    return f"{rows(len(r))} [{text}]" + (f" (+{len(r) - 2} more)" if len(r) > 2 else "")


def rows(n: int) -> str:
    return f"{n} row" if n == 1 else f"{n} rows"


if __name__ == "__main__":
    sys.exit(main())
