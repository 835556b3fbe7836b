"""Mutation testing (变异测试) of sitegen's critical checks: would the tests notice if a check were wrong?

    python scripts/mutation.py [TARGET ...] [--workers 2] [--list] [--json FILE]

Each target is a set of functions (or module-level regular expressions) and the fast tests that cover them.
For every mutation site the script makes one mutant of the module, the ones an engineer's slip would make:

- a comparison flipped or made off-by-one (== !=, < <=, > >=, in / not in, is / is not);
- `and` <-> `or`; a `not` dropped; an `if`/`while` condition negated;
- an integer constant off by one (+1 and -1), True <-> False, a slice bound moved;
- `+` <-> `-`, `*` <-> `/`;
- a statement dropped (a call such as report.error(...), a `raise`, a `continue`, an assignment) or a
  `return X` made `return None`;
- in a regular expression literal: each repetition bound {m,n} moved by one, a character class negated.

A mutant is killed when the chosen tests fail (or time out) with it in place. Every mutant runs in a private
copy of the repository (one per worker), so the working tree is never touched. Mutants whose source is
identical to the original after `ast.unparse` are not made at all. The kill rate per target is printed; the
survivors are listed with their line so that a test can be written (or the mutant shown to be equivalent).

Why not mutmut: mutmut 3 mutates whole files and runs its own test selection; scoping it to a handful of
functions and a couple of fast test files per target was slower and less precise than these ~300 lines.
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Target:
    """Functions of one module (qualified names; `Class.method`; or a module-level NAME = re.compile(...)),
    optionally narrowed to the smallest statement holding each of `markers`, and the tests that cover them."""

    name: str
    module: str
    functions: tuple[str, ...]
    tests: tuple[str, ...]
    markers: tuple[str, ...] = ()


TARGETS = [
    Target(
        "privacy",
        "sitegen/content/privacy.py",
        ("_LONG", "_MOBILE", "_mask_long", "mask", "find_unmasked"),
        ("tests/test_privacy.py",),
    ),
    Target("money", "sitegen/content/money.py", ("_PLAIN", "parse_amount", "yuan", "wan"), ("tests/test_money.py",)),
    Target(
        "voucher-balance",
        "sitegen/validate/city.py",
        ("_Journal.vouchers",),
        ("tests/test_validate.py", "-k", "unbalanced or all_problems or model_of"),
        markers=("for v in out:",),
    ),
    Target(
        "voucher-totals",
        "sitegen/content/model.py",
        ("Voucher.debit_total", "Voucher.credit_total"),
        ("tests/test_validate.py", "-k", "unbalanced or all_problems or model_of"),
    ),
    Target(
        "containment",
        "sitegen/validate/city.py",
        ("_Checker.inside",),
        ("tests/test_validate.py", "-k", "path or symlinked or model_of"),
    ),
    Target(
        "scan-containment",
        "sitegen/validate/city.py",
        ("_Checker.attach_scans",),
        ("tests/test_validate.py", "-k", "symlinked or missing_scan or model_of"),
        markers=("resolved = path.resolve()", "if not resolved.is_relative_to"),
    ),
    Target("links", "sitegen/site/plan.py", ("check_links", "_resolve", "_found"), ("tests/test_links.py",)),
    Target(
        "reports-masking",
        "sitegen/reports/tables.py",
        ("_text",),
        ("tests/test_reports.py", "-k", "masked or cell_as_text"),
    ),
    Target(
        "ingest",
        "sitegen/deploy/ingest.py",
        ("_member_problem", "_read_member", "_Reader._next", "_Reader._header"),
        (
            "tests/test_ingest.py",
            "-k",
            "flipped or replayed or another_key or expired or unsigned or dotdot "
            "or link_and_device or huge_manifest or first_ingest or directory_entry",
        ),
    ),
]

# ---- making mutants -----------------------------------------------------------------------------------------

_CMP_SWAP = {
    ast.Eq: ast.NotEq,
    ast.NotEq: ast.Eq,
    ast.Lt: ast.LtE,
    ast.LtE: ast.Lt,
    ast.Gt: ast.GtE,
    ast.GtE: ast.Gt,
    ast.In: ast.NotIn,
    ast.NotIn: ast.In,
    ast.Is: ast.IsNot,
    ast.IsNot: ast.Is,
}
_BIN_SWAP = {ast.Add: ast.Sub, ast.Sub: ast.Add, ast.Mult: ast.Div, ast.Div: ast.Mult, ast.FloorDiv: ast.Mult}
_QUANT = re.compile(r"\{(\d+)(?:,(\d*))?\}")


@dataclass
class Mutant:
    target: str
    line: int
    what: str
    source: str = field(repr=False)


def _sites(node: ast.AST) -> list[tuple[ast.AST, str]]:
    """Every node inside `node` that can be mutated, with the kind of mutation, in source order."""
    found = []
    for n in ast.walk(node):
        if isinstance(n, ast.Compare):
            found += [(n, f"cmp{i}") for i, op in enumerate(n.ops) if type(op) in _CMP_SWAP]
        elif isinstance(n, ast.BoolOp):
            found.append((n, "boolop"))
        elif isinstance(n, ast.UnaryOp) and isinstance(n.op, ast.Not):
            found.append((n, "dropnot"))
        elif isinstance(n, (ast.If, ast.While, ast.IfExp)):
            found.append((n, "negate"))
        elif isinstance(n, ast.Constant) and isinstance(n.value, bool):
            found.append((n, "flipbool"))
        elif isinstance(n, ast.Constant) and isinstance(n.value, int):
            found += [(n, "plus1"), (n, "minus1")]
        elif isinstance(n, ast.Constant) and isinstance(n.value, str):
            for i, m in enumerate(_QUANT.finditer(n.value)):
                found += [(n, f"quant{i}:lo+1"), (n, f"quant{i}:lo-1")]
                if m.group(2):
                    found += [(n, f"quant{i}:hi+1"), (n, f"quant{i}:hi-1")]
        elif isinstance(n, ast.BinOp) and type(n.op) in _BIN_SWAP:
            found.append((n, "binop"))
        if isinstance(n, (ast.Expr, ast.Raise, ast.Continue, ast.Assign, ast.AugAssign)) and not (
            isinstance(n, ast.Expr) and isinstance(n.value, ast.Constant)
        ):  # docstrings stay
            found.append((n, "drop"))
        elif isinstance(n, ast.Return) and n.value is not None:
            found.append((n, "return-none"))
    return found


def _apply(node: ast.AST, kind: str) -> tuple[ast.AST | None, str]:
    """The replacement node for one mutation (None drops a statement) and a description."""
    if kind.startswith("cmp"):
        i = int(kind[3:])
        old = node.ops[i]
        node.ops[i] = _CMP_SWAP[type(old)]()
        return node, f"{type(old).__name__} -> {type(node.ops[i]).__name__}"
    if kind == "boolop":
        old = node.op
        node.op = ast.Or() if isinstance(old, ast.And) else ast.And()
        return node, f"{type(old).__name__.lower()} -> {type(node.op).__name__.lower()}"
    if kind == "dropnot":
        return node.operand, "drop not"
    if kind == "negate":
        node.test = ast.UnaryOp(ast.Not(), node.test)
        return node, f"negate {type(node).__name__.lower()} condition"
    if kind == "flipbool":
        node.value = not node.value
        return node, f"{not node.value} -> {node.value}"
    if kind in ("plus1", "minus1"):
        old = node.value
        node.value = old + (1 if kind == "plus1" else -1)
        return node, f"{old} -> {node.value}"
    if kind.startswith("quant"):
        index, _, change = kind[5:].partition(":")
        m = list(_QUANT.finditer(node.value))[int(index)]
        lo, hi = int(m.group(1)), m.group(2)
        if change.startswith("lo"):
            lo = max(0, lo + (1 if change.endswith("+1") else -1))
        else:
            hi = str(max(0, int(hi) + (1 if change.endswith("+1") else -1)))
        new = "{%d%s}" % (lo, "" if hi is None else "," + hi)
        old = m.group(0)
        node.value = node.value[: m.start()] + new + node.value[m.end() :]
        return node, f"regex {old} -> {new}"
    if kind == "binop":
        old = node.op
        node.op = _BIN_SWAP[type(old)]()
        return node, f"{type(old).__name__} -> {type(node.op).__name__}"
    if kind == "drop":
        return None, f"drop {type(node).__name__.lower()}"
    if kind == "return-none":
        node.value = ast.Constant(None)
        return node, "return None"
    raise ValueError(kind)


class _Replace(ast.NodeTransformer):
    def __init__(self, target: ast.AST, kind: str):
        self.target, self.kind, self.what = target, kind, ""

    def generic_visit(self, node: ast.AST) -> ast.AST | None:
        if node is self.target:
            new, self.what = _apply(node, self.kind)
            if new is None:
                return ast.Pass()
            return new
        return super().generic_visit(node)


def _scopes(tree: ast.Module, target: Target) -> list[ast.AST]:
    """The nodes of the target's functions (and module-level names), narrowed to `marker`'s statements."""
    found: list[ast.AST] = []
    wanted = set(target.functions)

    def visit(body: list[ast.stmt], prefix: str) -> None:
        for stmt in body:
            if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)) and prefix + stmt.name in wanted:
                found.append(stmt)
            elif isinstance(stmt, ast.ClassDef):
                visit(stmt.body, f"{prefix}{stmt.name}.")
            elif (
                isinstance(stmt, ast.Assign)
                and not prefix
                and any(isinstance(t, ast.Name) and t.id in wanted for t in stmt.targets)
            ):
                found.append(stmt)

    visit(tree.body, "")
    if not target.markers:
        return found
    narrowed = []
    for marker in target.markers:  # the smallest statement holding each marker
        holding = [
            n
            for fn in found
            for n in ast.walk(fn)
            if isinstance(n, ast.stmt) and n is not fn and marker in ast.unparse(n)
        ]
        assert holding, f"{target.name}: {marker!r} not found"
        narrowed.append(min(holding, key=lambda n: len(ast.unparse(n))))
    return narrowed


def mutants(target: Target) -> tuple[str, list[Mutant]]:
    """(the original module as ast.unparse writes it, its mutants)."""
    text = (REPO / target.module).read_text(encoding="utf-8")
    original = ast.unparse(ast.parse(text))
    tree = ast.parse(text)
    scopes = _scopes(tree, target)
    assert len(scopes) >= len(target.functions) or target.markers, (
        f"{target.name}: found {len(scopes)} of {target.functions}"
    )
    out: list[Mutant] = []
    seen = {original}
    for scope in scopes:
        for index, (node, kind) in enumerate(_sites(scope)):
            fresh = ast.parse(text)
            fresh_scope = _scopes(fresh, target)[scopes.index(scope)]
            fresh_node = _sites(fresh_scope)[index][0]
            replacer = _Replace(fresh_node, kind)
            try:
                mutated = ast.fix_missing_locations(replacer.visit(fresh))
                source = ast.unparse(mutated)
                compile(source, target.module, "exec")
            except (SyntaxError, ValueError, TypeError):
                continue
            if source in seen:
                continue
            seen.add(source)
            out.append(Mutant(target.name, getattr(node, "lineno", 0), replacer.what, source))
    return original, out


# ---- running them --------------------------------------------------------------------------------------------


def _workspace(root: Path) -> Path:
    """A private copy of what the tests need (sitegen, its themes, the tests and their fixtures); the sample
    city, only ever read, is linked."""
    os.symlink(REPO / "content", root / "content")
    for name in ("sitegen", "tests", "themes", "pyproject.toml", "scripts"):
        src = REPO / name
        if src.is_dir():
            shutil.copytree(src, root / name, symlinks=True, ignore=shutil.ignore_patterns("__pycache__"))
        elif src.exists():
            shutil.copy2(src, root / name)
    return root


def _run_tests(root: Path, tests: tuple[str, ...], timeout: float) -> tuple[bool, float]:
    """(passed, seconds) for the chosen tests in a workspace."""
    env = {**os.environ, "PYTHONPATH": str(root), "PYTHONDONTWRITEBYTECODE": "1"}
    started = time.monotonic()
    try:
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "pytest",
                "-x",
                "-q",
                "-p",
                "no:cacheprovider",
                f"--basetemp={root}/.pytest-tmp",
                *tests,
            ],
            cwd=root,
            env=env,
            capture_output=True,
            timeout=timeout,
        )
        return done.returncode == 0, time.monotonic() - started
    except subprocess.TimeoutExpired:
        return False, time.monotonic() - started


@dataclass
class Result:
    target: str
    total: int = 0
    killed: int = 0
    survivors: list[dict] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def rate(self) -> float:
        return self.killed / self.total if self.total else 1.0


def run_target(target: Target, workers: int, scratch: Path) -> Result:
    original, made = mutants(target)
    result = Result(target.name, total=len(made))
    spaces = []
    for i in range(max(1, workers)):
        (scratch / f"{target.name}-{i}").mkdir(parents=True)
        spaces.append(_workspace(scratch / f"{target.name}-{i}"))
    module = target.module
    started = time.monotonic()
    (spaces[0] / module).write_text(original, encoding="utf-8")  # the baseline: unparsed, unmutated
    ok, baseline = _run_tests(spaces[0], target.tests, timeout=600)
    if not ok:
        raise SystemExit(f"{target.name}: the tests fail without any mutation ({' '.join(target.tests)})")
    timeout = max(30.0, 4 * baseline)
    free = list(spaces)

    def one(m: Mutant) -> tuple[Mutant, bool]:
        space = free.pop()
        try:
            (space / module).write_text(m.source, encoding="utf-8")
            passed, _ = _run_tests(space, target.tests, timeout)
            return m, not passed
        finally:
            (space / module).write_text(original, encoding="utf-8")
            free.append(space)

    with ThreadPoolExecutor(max_workers=len(spaces)) as pool:
        for m, killed in pool.map(one, made):
            if killed:
                result.killed += 1
            else:
                result.survivors.append({"line": m.line, "what": m.what})
            print(f"  {target.name}:{m.line} {m.what}: {'killed' if killed else 'SURVIVED'}", flush=True)
    result.seconds = time.monotonic() - started
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("targets", nargs="*", help=f"some of: {', '.join(t.name for t in TARGETS)} (default all)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--list", action="store_true", help="only list the mutants")
    parser.add_argument("--json", type=Path, help="write the results here")
    args = parser.parse_args()
    unknown = set(args.targets) - {t.name for t in TARGETS}
    if unknown:
        parser.error(f"unknown target(s): {', '.join(sorted(unknown))}")
    chosen = [t for t in TARGETS if not args.targets or t.name in args.targets]
    if args.list:
        for t in chosen:
            for m in mutants(t)[1]:
                print(f"{t.name}\t{t.module}:{m.line}\t{m.what}")
        return
    results = []
    with tempfile.TemporaryDirectory(prefix="sitegen-mutation-") as tmp:
        for t in chosen:
            print(f"{t.name}: {t.module} {', '.join(t.functions)} <- {' '.join(t.tests)}", flush=True)
            results.append(run_target(t, args.workers, Path(tmp)))
    print("\ntarget              mutants  killed  rate    time")
    for r in results:
        print(f"{r.target:<18} {r.total:>8} {r.killed:>7}  {r.rate:6.1%} {r.seconds:6.0f}s")
        for s in r.survivors:
            print(f"    survived: line {s['line']}: {s['what']}")
    if args.json:
        args.json.write_text(
            json.dumps([{**r.__dict__, "rate": r.rate} for r in results], ensure_ascii=False, indent=1),
            encoding="utf-8",
        )


if __name__ == "__main__":
    main()
