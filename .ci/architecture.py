#!/usr/bin/env python3
"""The shape of the code, checked: the layers, module cycles, file length and the things there
must be only one of. Run by .ci/run; exits non-zero naming every breach.

- Layers: `domain` depends on no storage, HTTP or contract crate; `app` on no HTTP or contract
  crate; `api` has no direct dependency on `persistence` or diesel (cargo tree answers).
- No import cycles between modules: within each crate, an edge runs from a module to every
  module it names (`crate::…`, `super::…`, `self::…`); edges are lifted to the siblings under the
  two modules' nearest common parent, and no set of siblings may name each other in a ring.
  Naming an ancestor (its re-exports) is not a sibling edge.
- No source file over 400 lines unless one of its first 25 lines says why ("Why this file is
  long:").
- One audit-record builder (`AuditEntry {` only in app/src/audit.rs and persistence) and one
  sign-in implementation (`begin_sign_in(` only in app/src/sign_in.rs).
"""

import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CRATES = {"domain": "domain/src", "persistence": "persistence/src", "app": "app/src", "api": "api/src"}
MAX_LINES = 400
failures = []


def fail(message):
    failures.append(message)


def cargo_tree(package, args):
    result = subprocess.run(
        ["cargo", "tree", "--offline", "-p", package, "-e", "normal", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    return result.stdout


def check_layers():
    # Positive control: the same query must find diesel under persistence, or it proves nothing.
    if "diesel" not in cargo_tree("persistence", ["-i", "diesel"]):
        fail("cargo tree cannot answer; the layer check would prove nothing")
        return
    for crate, forbidden in {"domain": ["diesel", "actix-web", "utoipa", "persistence"], "app": ["actix-web", "utoipa"]}.items():
        for name in forbidden:
            if cargo_tree(crate, ["-i", name]).strip():
                fail(f"{crate} depends on {name}")
    direct = cargo_tree("api", ["--depth", "1"])
    for name in ["persistence", "diesel"]:
        if re.search(rf"^[├└]── {name} v", direct, re.M):
            fail(f"api depends directly on {name}; go through app")


def modules(src):
    """Module path (tuple) of every .rs file under src."""
    found = {}
    for directory, _, files in os.walk(src):
        for name in files:
            if not name.endswith(".rs"):
                continue
            path = os.path.join(directory, name)
            rel = os.path.relpath(path, src)[:-3].split(os.sep)
            if rel in (["lib"], ["main"]):
                module = ()
            elif rel[-1] == "mod":
                module = tuple(rel[:-1])
            else:
                module = tuple(rel)
            if rel == ["main"]:
                continue  # the binary is a crate of its own
            found[path] = module
    return found


PATH = re.compile(r"\b(crate|super|self)((?:::[A-Za-z_][A-Za-z0-9_]*)+)")
USE_GROUP = re.compile(r"\buse\s+(crate|super|self)((?:::[A-Za-z_][A-Za-z0-9_]*)*)::\{([^;]*)\}", re.S)


def strip_comments(text):
    text = re.sub(r"//[^\n]*", "", text)
    return re.sub(r'"(\\.|[^"\\])*"', '""', text)


def targets(text, module, known):
    """Modules that the file of `module` names."""
    text = strip_comments(text)
    paths = []
    for root, rest in PATH.findall(text):
        paths.append((root, rest.split("::")[1:]))
    for root, rest, group in USE_GROUP.findall(text):
        prefix = rest.split("::")[1:] if rest else []
        for item in re.split(r",", group):
            first = item.strip().split("::")[0].split(" ")[0].strip("{} \n")
            if first and first != "self":
                paths.append((root, prefix + [first]))
    result = set()
    for root, segments in paths:
        if root == "crate":
            base = ()
        elif root == "self":
            base = module
        else:
            base = module[:-1]
            while segments and segments[0] == "super":
                base = base[:-1]
                segments = segments[1:]
        # The longest prefix that is a module of the crate.
        target = base
        for segment in segments:
            if target + (segment,) in known:
                target = target + (segment,)
            else:
                break
        result.add(target)
    return result


def lift(source, target):
    """The sibling edge an edge becomes under the two modules' nearest common parent."""
    common = 0
    while common < min(len(source), len(target)) and source[common] == target[common]:
        common += 1
    if common == len(target) or common == len(source):
        return None  # one is an ancestor of the other
    return source[: common + 1], target[: common + 1]


def check_cycles():
    for crate, src in CRATES.items():
        files = modules(os.path.join(ROOT, src))
        known = set(files.values())
        edges = {}
        for path, module in files.items():
            with open(path, encoding="utf-8") as handle:
                text = handle.read()
            for target in targets(text, module, known):
                lifted = lift(module, target)
                if lifted:
                    edges.setdefault(lifted[0], set()).add(lifted[1])
        for cycle in find_cycles(edges):
            names = " -> ".join("::".join((crate,) + m) for m in cycle)
            fail(f"import cycle: {names}")


def find_cycles(edges):
    """Each strongly connected group of two or more modules, as a ring to report."""
    index, low, stack, on_stack, groups = {}, {}, [], set(), []
    counter = [0]

    def visit(node):
        index[node] = low[node] = counter[0]
        counter[0] += 1
        stack.append(node)
        on_stack.add(node)
        for nxt in edges.get(node, ()):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group) + [sorted(group)[0]])

    sys.setrecursionlimit(10000)
    for node in list(edges):
        if node not in index:
            visit(node)
    return groups


def rust_files():
    for top in ["domain", "persistence", "app", "api", "tests"]:
        for directory, _, files in os.walk(os.path.join(ROOT, top)):
            if "/target" in directory or "/generated" in directory:
                continue
            for name in files:
                if name.endswith(".rs"):
                    yield os.path.join(directory, name)


def check_lengths():
    for path in rust_files():
        with open(path, encoding="utf-8") as handle:
            lines = handle.read().split("\n")
        if len(lines) > MAX_LINES and not any("Why this file is long:" in line for line in lines[:25]):
            fail(f"{os.path.relpath(path, ROOT)} has {len(lines)} lines and does not say why in its first lines")


def check_one_of_each():
    rules = [
        ("AuditEntry {", {"app/src/audit.rs"}, "persistence/", "audit records are built by app::audit::record"),
        ("begin_sign_in(", {"app/src/sign_in.rs", "app/src/limits.rs"}, None, "sign-in is app::sign_in"),
        # `.first()` binds its LIMIT as a parameter, and diesel then prepares the statement anew
        # on every call; `.get_result()` reads the first row of a cached statement (about 1.5x
        # faster on SQLite for a key lookup).
        (".first(conn)", set(), None, "use `.get_result(conn)` (with `.optional()`) so the statement is cached"),
    ]
    for needle, allowed, allowed_prefix, why in rules:
        for path in rust_files():
            rel = os.path.relpath(path, ROOT)
            if rel in allowed or (allowed_prefix and rel.startswith(allowed_prefix)):
                continue
            with open(path, encoding="utf-8") as handle:
                if needle in strip_comments(handle.read()):
                    fail(f"{rel} uses `{needle}`: {why}")


def self_test():
    """The cycle finder must find a planted ring, or the check proves nothing."""
    planted = {("a",): {("b",)}, ("b",): {("c",)}, ("c",): {("a",)}, ("d",): {("a",)}}
    if not find_cycles(planted):
        fail("the cycle finder misses a planted cycle")
    if lift(("x", "y"), ("x",)) is not None or lift(("x", "y", "z"), ("x", "w")) != (("x", "y"), ("x", "w")):
        fail("lifting edges to siblings is wrong")


self_test()
check_layers()
check_cycles()
check_lengths()
check_one_of_each()
if failures:
    for failure in failures:
        print(f"FAIL: {failure}", file=sys.stderr)
    sys.exit(1)
print("layers, module cycles, file lengths and one-of-each hold")
