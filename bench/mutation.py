"""Mutation testing: does the suite notice when a rule breaks?

A small AST mutator (mutmut 3 wants to own the project layout; this needs nothing): for each
target module, every site of a few mutation kinds (flip a comparison, swap ``and``/``or``,
``+``/``-``, drop a ``not``, negate an ``if``, bump an integer, flip a boolean) is applied
alone to a copy of the project, and that module's tests run against it. A mutant the tests
do not fail on is a *survivor*: a rule no test pins down, or an equivalent mutant.

Speed: the parent imports pytest and the heavy libraries once and forks a child per mutant
(the child imports studydeck fresh from the copy), so a mutant costs its tests, not a start-up.

    python3 -m bench.mutation                       # all targets
    python3 -m bench.mutation planner session       # some
    python3 -m bench.mutation --list planner        # only list the sites
"""

from __future__ import annotations

import argparse
import ast
import copy
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

#: module -> the tests that guard it (kept small: every mutant runs them).
# Whole files: pytest's -k applies to every file of a run, and it left out most of
# test_naming's tests here once (an audit of this tool).
TARGETS: dict[str, list[str]] = {
    "scheduling": [
        "tests/test_scheduling.py",
        "tests/test_planner.py",
        "tests/test_fsrs.py",
        "tests/test_sync_cli.py",
    ],
    "planner": ["tests/test_planner.py", "tests/test_planner_groups.py", "tests/test_session.py"],
    "session": ["tests/test_session.py"],
    "identity": [
        "tests/test_storage.py",
        "tests/test_naming.py",
        "tests/test_identity.py",
        "tests/test_identity_keys.py",
        "tests/test_sync_renames.py",
    ],
    "carding": ["tests/test_carding.py"],
    "critique": ["tests/test_carding.py"],
    "store/rows": [
        "tests/test_sync_rows.py",
        "tests/test_sync_totals.py",
        "tests/test_sync_rebuild.py",
        "tests/test_undo_replay.py",
    ],
    "segments": [
        "tests/test_edit_segments.py",
        "tests/test_incremental.py",
        "tests/test_edit_rows.py",
    ],
}
TIMEOUT = 60.0

_FLIP: dict[type[ast.cmpop], type[ast.cmpop]] = {
    ast.Lt: ast.LtE,
    ast.LtE: ast.Lt,
    ast.Gt: ast.GtE,
    ast.GtE: ast.Gt,
    ast.Eq: ast.NotEq,
    ast.NotEq: ast.Eq,
    ast.In: ast.NotIn,
    ast.NotIn: ast.In,
    ast.Is: ast.IsNot,
    ast.IsNot: ast.Is,
}
_BINOP: dict[type[ast.operator], type[ast.operator]] = {
    ast.Add: ast.Sub,
    ast.Sub: ast.Add,
    ast.Mult: ast.Add,
}


@dataclass(frozen=True)
class Site:
    index: int
    line: int
    what: str


class _Mutator(ast.NodeTransformer):
    """Walks the tree numbering mutation sites; applies the one numbered ``target`` (if any)."""

    def __init__(self, target: int = -1) -> None:
        self.target = target
        self.sites: list[Site] = []

    def _site(self, node: ast.AST, what: str) -> bool:
        i = len(self.sites)
        self.sites.append(Site(i, getattr(node, "lineno", 0), what))
        return i == self.target

    # Annotations and docstrings are not behaviour.
    def visit_AnnAssign(self, node: ast.AnnAssign) -> ast.AST:
        if node.value is not None:
            node.value = self.visit(node.value)
        return node

    def visit_arg(self, node: ast.arg) -> ast.AST:
        return node

    def visit_FunctionDef(self, node: ast.FunctionDef) -> ast.AST:
        node.returns = None
        node.args = self.visit(node.args)
        node.body = [self.visit(s) for s in node.body]
        return node

    def visit_Compare(self, node: ast.Compare) -> ast.AST:
        self.generic_visit(node)
        for k, op in enumerate(node.ops):
            flip = _FLIP.get(type(op))
            if flip and self._site(node, f"{type(op).__name__} -> {flip.__name__}"):
                node.ops[k] = flip()
        return node

    def visit_BinOp(self, node: ast.BinOp) -> ast.AST:
        self.generic_visit(node)
        swap = _BINOP.get(type(node.op))
        if swap and self._site(node, f"{type(node.op).__name__} -> {swap.__name__}"):
            node.op = swap()
        return node

    def visit_BoolOp(self, node: ast.BoolOp) -> ast.AST:
        self.generic_visit(node)
        other = ast.Or if isinstance(node.op, ast.And) else ast.And
        if self._site(node, f"{type(node.op).__name__} -> {other.__name__}"):
            node.op = other()
        return node

    def visit_UnaryOp(self, node: ast.UnaryOp) -> ast.AST:
        self.generic_visit(node)
        if isinstance(node.op, ast.Not) and self._site(node, "drop `not`"):
            return node.operand
        return node

    def visit_If(self, node: ast.If) -> ast.AST:
        self.generic_visit(node)
        if self._site(node, "negate `if`"):
            node.test = ast.UnaryOp(ast.Not(), node.test)
        return node

    def visit_Constant(self, node: ast.Constant) -> ast.AST:
        v = node.value
        if isinstance(v, bool):
            if self._site(node, f"{v} -> {not v}"):
                return ast.Constant(not v)
        elif isinstance(v, int) and self._site(node, f"{v} -> {v + 1}"):
            return ast.Constant(v + 1)
        return node


def _body_without_docstrings(tree: ast.Module) -> ast.Module:
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if (
            isinstance(body, list)
            and body
            and isinstance(body[0], ast.Expr)
            and isinstance(body[0].value, ast.Constant)
            and isinstance(body[0].value.value, str)
        ):
            if len(body) > 1:
                del body[0]
            else:
                body[0] = ast.Pass()
    return tree


def sites(source: str) -> list[Site]:
    m = _Mutator()
    m.visit(_body_without_docstrings(ast.parse(source)))
    return m.sites


def mutant(source: str, index: int) -> str:
    tree = _body_without_docstrings(ast.parse(source))
    m = _Mutator(index)
    new = m.visit(copy.deepcopy(tree))
    return ast.unparse(ast.fix_missing_locations(new))


def _run_child(work: Path, module: str, text: str, tests: list[str]) -> int:
    """Fork: write the mutant, run its tests in the child, return the child's exit code."""
    pid = os.fork()
    if pid == 0:  # the child
        try:
            os.chdir(work)
            sys.path.insert(0, str(work))
            (work / "studydeck" / f"{module}.py").write_text(text, encoding="utf-8")
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, 1)
            os.dup2(devnull, 2)
            # Only the plugins these tests need: loading every installed one costs seconds.
            os.environ["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
            import pytest

            code = pytest.main(
                ["-x", "-q", "-p", "no:cacheprovider", "-p", "pytest_asyncio.plugin", *tests]
            )
            os._exit(int(code))
        except BaseException:
            os._exit(99)
    deadline = time.monotonic() + TIMEOUT
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return os.waitstatus_to_exitcode(status)
        if time.monotonic() > deadline:
            os.kill(pid, 9)
            os.waitpid(pid, 0)
            return -9
        time.sleep(0.05)


def _copy_project(dest: Path) -> None:
    for name in ("studydeck", "tests", "cards", "bench"):
        shutil.copytree(ROOT / name, dest / name, ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml",):
        shutil.copy2(ROOT / name, dest / name)


def run(modules: list[str]) -> Iterator[tuple[str, Site, str]]:
    """Yield (module, site, outcome) with outcome "killed", "survived" or "timeout"."""
    # Import the heavy libraries once, before forking; never studydeck itself, nor pytest
    # plugins (pytest must see those first, to rewrite their asserts).
    import pytest  # noqa: F401
    import textual.app  # noqa: F401

    with tempfile.TemporaryDirectory(prefix="studydeck-mut-") as tmp:
        work = Path(tmp)
        _copy_project(work)
        for module in modules:
            path = work / "studydeck" / f"{module}.py"
            original = path.read_text(encoding="utf-8")
            # The baseline is the unmutated module as the mutator writes it (no docstrings,
            # no return annotations): if that fails, every mutant would look "killed".
            if _run_child(work, module, mutant(original, -1), TARGETS[module]) != 0:
                raise SystemExit(f"{module}: the tests fail without any mutation")
            for site in sites(original):
                code = _run_child(work, module, mutant(original, site.index), TARGETS[module])
                outcome = "survived" if code == 0 else "timeout" if code == -9 else "killed"
                yield module, site, outcome
            path.write_text(original, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("modules", nargs="*", default=list(TARGETS), choices=list(TARGETS))
    ap.add_argument("--list", action="store_true", help="list the mutation sites only")
    args = ap.parse_args(argv)
    if args.list:
        for module in args.modules:
            src = (ROOT / "studydeck" / f"{module}.py").read_text(encoding="utf-8")
            for s in sites(src):
                print(f"{module}.py:{s.line}: {s.what}")
        return 0
    started = time.monotonic()
    totals: dict[str, list[int]] = {}
    for module, site, outcome in run(args.modules):
        t = totals.setdefault(module, [0, 0])
        t[0] += 1
        t[1] += outcome == "survived"
        mark = "SURVIVED" if outcome == "survived" else outcome
        print(f"{mark} {module}.py:{site.line}: {site.what}", flush=True)
    for module, (n, alive) in totals.items():
        print(f"{module}: {n} mutants, {n - alive} killed, {alive} survived")
    print(f"{time.monotonic() - started:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
