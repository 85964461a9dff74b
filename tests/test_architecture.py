"""The tree is the map (issue 23): checks over the source itself, read with `ast`.

- no import cycle between packages (kiosk.store, kiosk.session, ..., sync, sync.clients), nor
  between modules; an import inside a function counts as much as one at the top;
- SQL only under kiosk/store/ (and sync/devcloud/, the reference cloud with its own database),
  the schema's numbered migrations in one module of it, so a schema change touches one package;
- the kiosk's UI never imports the sync daemon's code (the two share only the database);
- no module over 450 lines.

A package is a folder under kiosk/ or sync/; a module loose at the top of kiosk/ (cli, config,
paths...) is a node of its own; sync's own loose modules (daemon, drain, senders...) are the
package `sync`.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
MAX_LINES = 450

# Modules allowed over MAX_LINES for now (none: a long one is split along its seams).
TOO_LONG_FOR_NOW: set[str] = set()

# Package imports that still close a cycle, each in a file other branches of issue 23 rework;
# an edge goes from this list when its import is gone (the test says so).
KNOWN_PACKAGE_EDGES: set[tuple[str, str]] = set()
KNOWN_MODULE_CYCLES: set[frozenset[str]] = set()

SQL_ALLOWED = ("kiosk/store/", "sync/devcloud/")
MIGRATIONS_IN = "kiosk/store/schema.py"
# Upper case, as the code base writes SQL: "Delete" on a button or "select" in prose is no query.
SQL = re.compile(r"\b(SELECT\b.+\bFROM|INSERT (OR \w+ )?INTO|UPDATE \w+ SET|DELETE FROM|PRAGMA \w+"
                 r"|BEGIN( IMMEDIATE| EXCLUSIVE)?$|^COMMIT$|^ROLLBACK$|ON CONFLICT)", re.S)
DDL = re.compile(r"\b(CREATE (TABLE|(UNIQUE )?INDEX|VIEW|TRIGGER)|ALTER TABLE|DROP (TABLE|INDEX)"
                 r"|user_version)\b")


@dataclass(frozen=True)
class Module:
    name: str          # kiosk.store.outbox
    path: str          # kiosk/store/outbox.py
    tree: ast.Module
    lines: int


def _modules() -> dict[str, Module]:
    out = {}
    for top in ("kiosk", "sync"):
        for p in sorted((ROOT / top).rglob("*.py")):
            rel = p.relative_to(ROOT)
            parts = list(rel.with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            text = p.read_text()
            out[".".join(parts)] = Module(".".join(parts), rel.as_posix(), ast.parse(text, str(rel)),
                                          len(text.splitlines()))
    return out


MODULES = _modules()


def package_of(module: str) -> str:
    parts = module.split(".")
    if len(parts) == 1:
        return module
    if ".".join(parts[:2]) in MODULES and MODULES[".".join(parts[:2])].path.endswith("__init__.py"):
        return ".".join(parts[:2])          # a folder: kiosk.store, sync.clients
    return "sync" if parts[0] == "sync" else ".".join(parts[:2])   # kiosk.cli; sync.daemon is sync


def _known(name: str) -> str | None:
    """The module an imported name is in: the longest prefix that is one of ours."""
    parts = name.split(".")
    while parts:
        if ".".join(parts) in MODULES:
            return ".".join(parts)
        parts.pop()
    return None


def _type_only(tree: ast.Module) -> set[int]:
    """ids of the import statements under `if TYPE_CHECKING:`: never run."""
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING":
            out |= {id(n) for n in ast.walk(node) if isinstance(n, ast.Import | ast.ImportFrom)}
    return out


def imports(m: Module, runtime: bool = False) -> Iterator[tuple[str, int]]:
    """(module imported, line) for each of our modules `m` imports, anywhere in it; `runtime`:
    not those only type checkers read (a screen typed by the visit that opens it)."""
    is_pkg = m.path.endswith("__init__.py")
    skip = _type_only(m.tree) if runtime else set()
    for node in ast.walk(m.tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.Import):
            for alias in node.names:
                if (found := _known(alias.name)) is not None:
                    yield found, node.lineno
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = m.name.split(".")[:None if is_pkg else -1]
                base = base[:len(base) - node.level + 1]
                source = ".".join(base + ([node.module] if node.module else []))
            else:
                source = node.module or ""
            for alias in node.names:
                if (found := _known(f"{source}.{alias.name}")) is not None:
                    yield found, node.lineno


def _graph(node_of: dict[str, str], runtime: bool = False) -> dict[str, dict[str, str]]:
    """node -> {node it imports: where, for the message}."""
    g: dict[str, dict[str, str]] = {}
    for m in MODULES.values():
        a = node_of[m.name]
        for target, line in imports(m, runtime):
            b = node_of[target]
            # A module importing its own package's __init__ is no edge between modules.
            if a != b and not m.name.startswith(target + "."):
                g.setdefault(a, {}).setdefault(b, f"{m.path}:{line}")
    return g


def cycles(g: dict[str, dict[str, str]]) -> list[list[str]]:
    """The strongly connected components of more than one node (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    out: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in g.get(v, {}):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(g):
        if v not in index:
            visit(v)
    return out


def _describe(g: dict[str, dict[str, str]], comp: list[str]) -> str:
    return "; ".join(f"{a} -> {b} ({where})" for a in comp for b, where in sorted(g.get(a, {}).items())
                     if b in comp)


def test_no_import_cycle_between_packages() -> None:
    g = _graph({name: package_of(name) for name in MODULES})
    gone = sorted(e for e in KNOWN_PACKAGE_EDGES if e[1] not in g.get(e[0], {}))
    assert not gone, f"no longer imported: take {gone} out of KNOWN_PACKAGE_EDGES"
    for a, b in KNOWN_PACKAGE_EDGES:
        del g[a][b]
    found = cycles(g)
    assert not found, "import cycles between packages: " + " | ".join(_describe(g, c) for c in found)


def test_no_import_cycle_between_modules() -> None:
    # Between modules, a type-only import is no cycle (between packages it still counts).
    g = _graph({name: name for name in MODULES}, runtime=True)
    found = [c for c in cycles(g) if frozenset(c) not in KNOWN_MODULE_CYCLES]
    assert not found, "import cycles between modules: " + " | ".join(_describe(g, c) for c in found)
    still = {frozenset(c) for c in cycles(g)}
    assert KNOWN_MODULE_CYCLES <= still, "a known module cycle is gone: take it out of KNOWN_MODULE_CYCLES"


def _strings(tree: ast.Module) -> Iterator[tuple[int, str]]:
    """(line, text) of each string literal, docstrings left out (they may well describe a query);
    an f-string as one text, `{}` where its values go, so a placeholder cannot split a query."""
    skip = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                skip.add(id(first.value))
        elif isinstance(node, ast.JoinedStr):
            skip.update(id(v) for v in node.values)
            yield node.lineno, "".join(v.value if isinstance(v, ast.Constant) else "{}" for v in node.values)
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skip:
            yield node.lineno, node.value


def _literals_matching(pattern: re.Pattern[str], allowed: tuple[str, ...]) -> list[str]:
    return [f"{m.path}:{line}: {text[:60]!r}" for m in MODULES.values() if not m.path.startswith(allowed)
            for line, text in _strings(m.tree) if pattern.search(text)]


def test_sql_only_in_the_store() -> None:
    found = _literals_matching(SQL, SQL_ALLOWED)
    assert not found, "SQL outside kiosk/store/: " + "; ".join(found)


def test_schema_changes_only_in_the_store_migrations() -> None:
    found = _literals_matching(DDL, SQL_ALLOWED)
    assert not found, "schema SQL outside kiosk/store/: " + "; ".join(found)
    defining = sorted(m.path for m in MODULES.values() for node in ast.walk(m.tree)
                      if isinstance(node, ast.Assign | ast.AnnAssign)
                      for t in (node.targets if isinstance(node, ast.Assign) else [node.target])
                      if isinstance(t, ast.Name) and t.id == "MIGRATIONS")
    assert defining == [MIGRATIONS_IN], f"migrations defined in {defining}"


def test_the_ui_never_imports_the_sync_daemon() -> None:
    found = [f"{m.path}:{line} imports {target}" for m in MODULES.values() if m.name.startswith("kiosk.ui.")
             for target, line in imports(m) if target.split(".")[0] == "sync"]
    assert not found, "; ".join(found)


def test_modules_stay_small() -> None:
    long = {m.path: m.lines for m in MODULES.values() if m.lines > MAX_LINES}
    assert set(long) - TOO_LONG_FOR_NOW == set(), f"over {MAX_LINES} lines: {long}"
    fixed = TOO_LONG_FOR_NOW - set(long)
    assert not fixed, f"{sorted(fixed)} are {MAX_LINES} lines or fewer now: take them out of TOO_LONG_FOR_NOW"


@pytest.mark.parametrize("text,sql", [
    ("SELECT id FROM outbox WHERE kind = ?", True),
    ("UPDATE sessions SET tried = ? WHERE id = ?", True),
    ("PRAGMA data_version", True),
    ("COMMIT", True),
    ("Delete a customer's data", False),
    ("select a piece from the tray", False),
])
def test_the_sql_pattern_tells_queries_from_prose(text: str, sql: bool) -> None:
    assert bool(SQL.search(text)) is sql


def test_a_query_split_by_an_f_string_placeholder_is_still_found() -> None:
    tree = ast.parse('"""SELECT * FROM a docstring"""\ncols = "id"\nsql = f"SELECT {cols} FROM t"\n')
    assert [text for _, text in _strings(tree) if SQL.search(text)] == ["SELECT {} FROM t"]


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert cycles({"a": {"b": ""}, "b": {"c": ""}, "c": {"a": ""}, "d": {"a": ""}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b": ""}, "b": {"c": ""}}) == []
