#!/usr/bin/env python3
"""The library's public API as a sorted list, one item a line, with signatures.

`cargo public-api` needs a nightly toolchain; this reads the same rustdoc
JSON, built on the stable toolchain with RUSTC_BOOTSTRAP=1, so CI can show a
change to the surface as a diff.

    python3 scripts/public_api.py            # print the list
    python3 scripts/public_api.py --check    # compare with public-api.txt
    python3 scripts/public_api.py --bless    # rewrite public-api.txt

Only the `aikg` library is listed (default features, as a dependent crate
builds it with `default-features = false` the same: the `cli` feature adds
nothing to the library). The `server` feature's `aikg::server` module is
not listed: it is opt-in and still settling. Blanket impls (`impl<T> From<T> for T` ...) are left
out; auto traits (`Send`, `Sync`, ...) are kept, since losing one breaks users.
"""

import difflib
import json
import re
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LIST = os.path.join(ROOT, "public-api.txt")


def build_json():
    env = dict(os.environ, RUSTC_BOOTSTRAP="1")
    # Rustdoc's own warnings are the doc gate's business, not this check's.
    env.pop("RUSTDOCFLAGS", None)
    subprocess.run(
        ["cargo", "rustdoc", "--lib", "--quiet", "--", "-Z", "unstable-options", "--output-format", "json"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    target = os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target"))
    with open(os.path.join(target, "doc", "aikg.json")) as f:
        return json.load(f)


class Api:
    def __init__(self, doc):
        self.index = doc["index"]
        self.paths = doc["paths"]
        self.lines = set()

    def item(self, id_):
        return self.index.get(str(id_))

    # ----- types -----------------------------------------------------------

    def path_name(self, p):
        known = self.paths.get(str(p.get("id")))
        name = "::".join(known["path"]) if known else p["path"]
        return name + self.args(p.get("args"))

    def args(self, args):
        if not args:
            return ""
        if "angle_bracketed" in args:
            a = args["angle_bracketed"]
            parts = [self.arg(x) for x in a["args"]]
            for c in a.get("constraints", []):
                parts.append(self.constraint(c))
            return "<" + ", ".join(parts) + ">" if parts else ""
        if "parenthesized" in args:
            p = args["parenthesized"]
            out = "(" + ", ".join(self.ty(t) for t in p["inputs"]) + ")"
            return out + (" -> " + self.ty(p["output"]) if p.get("output") else "")
        return ""

    def arg(self, a):
        if "type" in a:
            return self.ty(a["type"])
        if "lifetime" in a:
            return a["lifetime"]
        if "const" in a:
            return a["const"].get("expr", "_")
        return "_"

    def constraint(self, c):
        name = c["name"] + self.args(c.get("args"))
        b = c["binding"]
        if "equality" in b:
            t = b["equality"]
            return f"{name} = " + (self.ty(t["type"]) if "type" in t else t.get("constant", {}).get("expr", "_"))
        return f"{name}: " + self.bounds(b.get("constraint", []))

    def bounds(self, bounds):
        out = []
        for b in bounds:
            if "trait_bound" in b:
                t = b["trait_bound"]
                mod = {"maybe": "?", "maybe_const": "~const "}.get(t.get("modifier"), "")
                out.append(mod + self.path_name(t["trait"]))
            elif "outlives" in b:
                out.append(b["outlives"])
            elif "use" in b:
                out.append("use<" + ", ".join(str(x.get("lifetime", x.get("param", x))) for x in b["use"]) + ">")
        return " + ".join(out)

    def ty(self, t):
        if t is None:
            return "()"
        (kind, v), = t.items()
        if kind == "resolved_path":
            return self.path_name(v)
        if kind in ("generic", "primitive"):
            return v
        if kind == "borrowed_ref":
            lt = v["lifetime"] + " " if v.get("lifetime") else ""
            return "&" + lt + ("mut " if v["is_mutable"] else "") + self.ty(v["type"])
        if kind == "raw_pointer":
            return ("*mut " if v["is_mutable"] else "*const ") + self.ty(v["type"])
        if kind == "tuple":
            return "(" + ", ".join(self.ty(x) for x in v) + ("," if len(v) == 1 else "") + ")"
        if kind == "slice":
            return "[" + self.ty(v) + "]"
        if kind == "array":
            return "[" + self.ty(v["type"]) + "; " + v["len"] + "]"
        if kind == "impl_trait":
            return "impl " + self.bounds(v)
        if kind == "dyn_trait":
            parts = [self.path_name(x["trait"]) for x in v["traits"]]
            if v.get("lifetime"):
                parts.append(v["lifetime"])
            return "dyn " + " + ".join(parts)
        if kind == "qualified_path":
            return f"<{self.ty(v['self_type'])} as {self.path_name(v['trait']) if v.get('trait') else '_'}>::{v['name']}"
        if kind == "function_pointer":
            sig = v["sig"]
            return "fn(" + ", ".join(self.ty(x[1]) for x in sig["inputs"]) + ")" + self.output(sig)
        if kind == "infer":
            return "_"
        return f"<{kind}>"

    def output(self, sig):
        return " -> " + self.ty(sig["output"]) if sig.get("output") else ""

    def generics(self, g):
        params = []
        for p in g["params"]:
            k = p["kind"]
            if "lifetime" in k:
                params.append(p["name"] + (": " + " + ".join(k["lifetime"]["outlives"]) if k["lifetime"]["outlives"] else ""))
            elif "type" in k:
                if k["type"].get("is_synthetic"):
                    continue
                b = self.bounds(k["type"]["bounds"])
                params.append(p["name"] + (": " + b if b else ""))
            elif "const" in k:
                params.append(f"const {p['name']}: {self.ty(k['const']['type'])}")
        return "<" + ", ".join(params) + ">" if params else ""

    def where(self, g):
        preds = []
        for w in g["where_predicates"]:
            if "bound_predicate" in w:
                b = w["bound_predicate"]
                preds.append(self.ty(b["type"]) + ": " + self.bounds(b["bounds"]))
            elif "lifetime_predicate" in w:
                b = w["lifetime_predicate"]
                preds.append(b["lifetime"] + ": " + " + ".join(b["outlives"]))
            elif "eq_predicate" in w:
                b = w["eq_predicate"]
                preds.append(self.ty(b["lhs"]) + " = " + (self.ty(b["rhs"]["type"]) if "type" in b["rhs"] else "_"))
        return " where " + ", ".join(preds) if preds else ""

    def self_param(self, t):
        if t == {"generic": "Self"}:
            return "self"
        r = t.get("borrowed_ref")
        if r and r["type"] == {"generic": "Self"}:
            lt = r["lifetime"] + " " if r.get("lifetime") else ""
            return "&" + lt + ("mut " if r["is_mutable"] else "") + "self"
        return "self: " + self.ty(t)

    def fn_sig(self, name, f):
        sig = f["sig"]
        inputs = []
        for arg_name, t in sig["inputs"]:
            if arg_name == "self":
                inputs.append(self.self_param(t))
            else:
                inputs.append(f"{arg_name}: {self.ty(t)}")
        head = f["header"]
        quals = ("const " if head["is_const"] else "") + ("async " if head["is_async"] else "") + ("unsafe " if head["is_unsafe"] else "")
        return f"{quals}fn {name}{self.generics(f['generics'])}({', '.join(inputs)}){self.output(sig)}{self.where(f['generics'])}"

    # ----- items -----------------------------------------------------------

    def add(self, line):
        self.lines.add(line)

    @staticmethod
    def sort_key(line):
        # Group by the item a line belongs to: an impl sorts with its type.
        subject = line.split(" for ", 1)[1] if line.startswith("impl") and " for " in line else line
        m = re.search(r"aikg(::\w+)*", subject)
        return (m.group(0) if m else subject, not line.startswith("pub "), line)

    def walk_module(self, id_, path, seen):
        if id_ in seen:
            return
        seen = seen | {id_}
        for child in self.item(id_)["inner"]["module"]["items"]:
            self.walk(child, path, seen)

    def walk(self, id_, prefix, seen, name=None):
        it = self.item(id_)
        if it is None:
            return
        (kind, v), = it["inner"].items()
        if kind == "use":
            target = self.item(v["id"]) if v.get("id") is not None else None
            if v["is_glob"]:
                if target and "module" in target["inner"]:
                    self.walk_module(v["id"], prefix, seen)
                return
            if target is None:
                self.add(f"pub use {prefix}::{v['name']} = {v['source']}")
                return
            self.walk(v["id"], prefix, seen, v["name"])
            return
        if it.get("visibility") != "public" and kind not in ("variant", "impl"):
            return
        name = name or it["name"]
        path = f"{prefix}::{name}" if prefix else name
        if kind == "module":
            self.add(f"pub mod {path}")
            self.walk_module(id_, path, seen)
        elif kind == "function":
            self.add("pub " + self.fn_sig(path, v))
        elif kind == "constant":
            self.add(f"pub const {path}: {self.ty(v['type'])}")
        elif kind == "static":
            self.add(f"pub static {path}: {self.ty(v['type'])}")
        elif kind == "type_alias":
            self.add(f"pub type {path}{self.generics(v['generics'])} = {self.ty(v['type'])}")
        elif kind == "trait":
            self.add(f"pub trait {path}{self.generics(v['generics'])}" + (": " + self.bounds(v["bounds"]) if v["bounds"] else ""))
            for m in v["items"]:
                self.member(m, path, trait=True)
            self.impls(v.get("implementations", []))
        elif kind == "struct":
            g = self.generics(v["generics"])
            self.add(f"pub struct {path}{g}")
            k = v["kind"]
            if "plain" in k:
                for f in k["plain"]["fields"]:
                    fi = self.item(f)
                    if fi and fi.get("visibility") == "public":
                        self.add(f"pub {path}::{fi['name']}: {self.ty(fi['inner']['struct_field'])}")
            elif "tuple" in k:
                for i, f in enumerate(k["tuple"]):
                    fi = self.item(f) if f is not None else None
                    if fi and fi.get("visibility") == "public":
                        self.add(f"pub {path}::{i}: {self.ty(fi['inner']['struct_field'])}")
            self.impls(v["impls"], path)
        elif kind == "enum":
            self.add(f"pub enum {path}{self.generics(v['generics'])}")
            for var in v["variants"]:
                self.variant(var, path)
            self.impls(v["impls"], path)
        else:
            self.add(f"pub {kind} {path}")

    def variant(self, id_, path):
        it = self.item(id_)
        k = it["inner"]["variant"]["kind"]
        vp = f"{path}::{it['name']}"
        if k == "plain":
            self.add(f"pub {vp}")
        elif "tuple" in k:
            tys = [self.ty(self.item(f)["inner"]["struct_field"]) if f is not None else "_" for f in k["tuple"]]
            self.add(f"pub {vp}({', '.join(tys)})")
        elif "struct" in k:
            self.add(f"pub {vp}")
            for f in k["struct"]["fields"]:
                fi = self.item(f)
                self.add(f"pub {vp}::{fi['name']}: {self.ty(fi['inner']['struct_field'])}")

    def member(self, id_, path, trait=False):
        it = self.item(id_)
        (kind, v), = it["inner"].items()
        if not trait and it.get("visibility") != "public":
            return
        vis = "" if trait else "pub "
        if kind == "function":
            self.add(vis + self.fn_sig(f"{path}::{it['name']}", v))
        elif kind == "assoc_const":
            self.add(f"{vis}const {path}::{it['name']}: {self.ty(v['type'])}")
        elif kind == "assoc_type":
            self.add(f"{vis}type {path}::{it['name']}")

    def impls(self, ids, path=None):
        for i in ids:
            imp = self.item(i)["inner"]["impl"]
            if imp["blanket_impl"] is not None:
                continue
            if imp["trait"] is None:
                for m in imp["items"]:
                    self.member(m, path)
                continue
            assoc = []
            for m in imp["items"]:
                mi = self.item(m)
                if "assoc_type" in mi["inner"] and mi["inner"]["assoc_type"].get("type"):
                    assoc.append(f"{mi['name']} = {self.ty(mi['inner']['assoc_type']['type'])}")
            neg = "!" if imp["is_negative"] else ""
            line = f"impl{self.generics(imp['generics'])} {neg}{self.path_name(imp['trait'])} for {self.ty(imp['for'])}"
            line += self.where(imp["generics"])
            if assoc:
                line += " (" + ", ".join(assoc) + ")"
            self.add(line)

def public_api(doc):
    api = Api(doc)
    root = doc["root"]
    api.walk_module(root, "aikg", frozenset())
    return sorted(api.lines, key=Api.sort_key)


def main():
    mode = sys.argv[1] if len(sys.argv) > 1 else ""
    if mode not in ("", "--check", "--bless"):
        sys.exit(__doc__)
    lines = public_api(build_json())
    text = "".join(line + "\n" for line in lines)
    if mode == "--bless":
        with open(LIST, "w") as f:
            f.write(text)
        print(f"wrote {len(lines)} items to public-api.txt")
    elif mode == "--check":
        with open(LIST) as f:
            old = f.read()
        if old != text:
            sys.stdout.writelines(difflib.unified_diff(old.splitlines(True), text.splitlines(True), "public-api.txt", "the crate now"))
            print(
                "\nthe public API changed: if that is meant, run `python3 scripts/public_api.py --bless` "
                "and commit public-api.txt with the change",
                file=sys.stderr,
            )
            sys.exit(1)
        print(f"public API unchanged ({len(lines)} items)")
    else:
        sys.stdout.write(text)


if __name__ == "__main__":
    main()
