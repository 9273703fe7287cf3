"""The layers and what each may import; lint, format and types are clean.

ledger (pure domain) < store (TinyDB) < bot (Telegram) and channels (robots, e-mail), side by side,
never importing each other < jobs (scheduling) and web (the pages), side by side < run_bot.py (wiring).
devtools (the emulator and the demo) sits beside the top: only tests, benches and `run_bot.py demo`
use it. No module imports one of a higher layer, and there is no import cycle.
"""

from __future__ import annotations

import ast
import pathlib
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
PROJECT = ("ledger", "store", "bot", "channels", "jobs", "web", "devtools")
RANK = {"ledger": 0, "store": 1, "bot": 2, "channels": 2, "jobs": 3, "web": 3, "devtools": 4}
PRODUCTION = ("ledger", "store", "bot", "channels", "jobs", "web")


def _runtime_nodes(tree: ast.AST) -> list[ast.AST]:
    """Every node, except what sits under `if TYPE_CHECKING:` (annotations only, never imported)."""
    out: list[ast.AST] = []
    todo = [tree]
    while todo:
        node = todo.pop()
        out.append(node)
        if isinstance(node, ast.If) and isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING":
            todo.extend(node.orelse)
            continue
        todo.extend(ast.iter_child_nodes(node))
    return out


def imports_of(path: pathlib.Path, *, top_only: bool = True) -> set[str]:
    """Modules `path` imports at run time, anywhere in the file (function-level imports included)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in _runtime_nodes(tree):
        if isinstance(node, ast.Import):
            names |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names |= {f"{node.module}.{a.name}" for a in node.names}
    return {n.split(".")[0] for n in names} if top_only else names


def module_name(path: pathlib.Path) -> str:
    rel = path.relative_to(ROOT).with_suffix("")
    parts = rel.parts[:-1] if rel.name == "__init__" else rel.parts
    return ".".join(parts)


def project_files() -> list[pathlib.Path]:
    return [p for pkg in PROJECT for p in (ROOT / pkg).rglob("*.py")]


def test_ledger_imports_no_telegram_scheduler_or_database() -> None:
    for path in (ROOT / "ledger").rglob("*.py"):
        bad = imports_of(path) & {"telegram", "apscheduler", "tinydb", "aiohttp", "store", "bot", "channels", "jobs"}
        bad |= imports_of(path) & {"devtools"}
        assert not bad, f"{path.name} imports {bad}"


def test_only_store_imports_tinydb() -> None:
    for path in ROOT.rglob("*.py"):
        rel = path.relative_to(ROOT)
        if rel.parts[0] in ("store", ".venv", "tests", "bench"):
            continue
        assert "tinydb" not in imports_of(path), f"{rel} imports tinydb"


def test_no_layer_imports_a_higher_one() -> None:
    for path in project_files():
        layer = path.relative_to(ROOT).parts[0]
        for name in imports_of(path) & set(RANK):
            assert RANK[name] <= RANK[layer], f"{path.relative_to(ROOT)} imports {name}, a higher layer"
            assert {layer, name} != {"web", "jobs"}, f"{path.relative_to(ROOT)}: web and jobs are side by side"


def test_bot_and_channels_do_not_import_each_other() -> None:
    """Side by side: bot/delivery reaches the channels through `Services.channels` only."""
    for pkg, other in (("bot", "channels"), ("channels", "bot")):
        for path in (ROOT / pkg).rglob("*.py"):
            assert other not in imports_of(path), f"{path.relative_to(ROOT)} imports {other}"


def test_production_code_never_imports_devtools() -> None:
    for pkg in PRODUCTION:
        for path in (ROOT / pkg).rglob("*.py"):
            assert "devtools" not in imports_of(path), f"{path.relative_to(ROOT)} imports devtools"


def test_import_graph_has_no_cycle() -> None:
    modules = {module_name(p): p for p in project_files()}
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        deps = set()
        for imported in imports_of(path, top_only=False):
            imp = imported
            while imp and imp not in modules:
                imp = imp.rpartition(".")[0]
            if imp and imp != name and not name.startswith(imp + "."):
                deps.add(imp)
        graph[name] = deps - {n for n in deps if n.count(".") == 0}  # a package's __init__ is not a dependency
    state: dict[str, int] = {}

    def visit(node: str, trail: list[str]) -> None:
        state[node] = 1
        for dep in graph.get(node, ()):
            if state.get(dep) == 1:
                raise AssertionError("import cycle: " + " → ".join([*trail, node, dep]))
            if dep not in state:
                visit(dep, [*trail, node])
        state[node] = 2

    for node in graph:
        if node not in state:
            visit(node, [])


def test_logic_never_reads_the_clock() -> None:
    calls = ("datetime.now(", "date.today(", "dt.datetime.now(", "dt.date.today(", "time.time(", "time.monotonic()")
    for pkg in PRODUCTION:
        for path in (ROOT / pkg).rglob("*.py"):
            text = path.read_text(encoding="utf-8")
            for call in calls:
                assert call not in text, f"{path.relative_to(ROOT)} reads the clock ({call}); take `now` instead"


def test_no_module_grows_past_400_lines() -> None:
    tables = {"ledger/i18n.py", "ledger/deadline_grammar.py"}  # data tables
    for path in [*project_files(), ROOT / "run_bot.py"]:
        rel = str(path.relative_to(ROOT))
        if rel in tables:
            continue
        n = len(path.read_text(encoding="utf-8").splitlines())
        assert n <= 400, f"{rel} has {n} lines; split it"


def test_i18n_tables_have_the_same_keys() -> None:
    from ledger.i18n import TEXTS

    assert set(TEXTS["zh"]) == set(TEXTS["en"])


def run(*cmd: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", *cmd], capture_output=True, text=True, timeout=600, cwd=ROOT)


def test_ruff_lint_and_format_are_clean() -> None:
    lint = run("ruff", "check", "--quiet", ".")
    assert lint.returncode == 0, lint.stdout + lint.stderr
    fmt = run("ruff", "format", "--check", "--quiet", ".")
    assert fmt.returncode == 0, fmt.stdout + fmt.stderr


def test_types_check() -> None:
    """mypy as configured in pyproject.toml: strict on ledger/ and store/, typed defs elsewhere."""
    r = run("mypy", "--no-error-summary")
    assert r.returncode == 0, r.stdout + r.stderr
