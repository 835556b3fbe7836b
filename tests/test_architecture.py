"""The package's shape (issue 13): stage subpackages whose imports flow one way, checked on every test run.

The layers are declared once, in pyproject.toml's [tool.importlinter]; these tests make a broken layer, an import
cycle or an import hidden inside a function fail the suite, with the offending module named."""

from __future__ import annotations

import ast
import importlib
import importlib.util
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
PACKAGE = REPO / "sitegen"


# An import by name at run time: importlib.import_module(...) or __import__(...).
BY_NAME = {"import_module", "__import__"}
# The one place allowed to import by name: the command line's lazily loaded commands (click's documented pattern,
# cli/main.py LazyGroup), from a declared table of module names, so that `sitegen build` does not load WeasyPrint.
LAZY_COMMANDS = "cli/main.py:LazyGroup.get_command"


def _function_imports(path: Path) -> list[str]:
    """`file:line` of every import statement inside a function or method of `path`, and of every import by name
    (importlib.import_module, __import__) there, but for the one in LAZY_COMMANDS's function."""
    found = []
    tree = ast.parse(path.read_text(encoding="utf-8"))
    owners = {
        child: f"{node.name}." for node in ast.walk(tree) if isinstance(node, ast.ClassDef) for child in node.body
    }
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            where = f"{path.parent.name}/{path.name}:{owners.get(node, '')}{node.name}"
            for inner in ast.walk(node):
                if isinstance(inner, (ast.Import, ast.ImportFrom)) or (
                    isinstance(inner, ast.Call)
                    and (inner.func.attr if isinstance(inner.func, ast.Attribute) else getattr(inner.func, "id", ""))
                    in BY_NAME
                    and where != LAZY_COMMANDS
                ):
                    found.append(f"{path.name}:{inner.lineno}")
    return found


def test_no_import_hides_in_a_function():
    hidden = [
        f"{path.parent.name}/{where}" for path in sorted(PACKAGE.rglob("*.py")) for where in _function_imports(path)
    ]
    assert hidden == []


def test_the_finder_sees_an_import_by_name_in_a_function_but_the_lazy_commands(tmp_path):
    """importlib.import_module and __import__ in a function are found, but in cli/main.py's LazyGroup.get_command,
    which exists and is the one the CLI uses (the allowance is for that place only)."""
    module = tmp_path / "m.py"
    module.write_text(
        "import importlib\n\ndef f(name):\n    return importlib.import_module(name), __import__(name)\n\n"
        "class LazyGroup:\n    def get_command(self, name):\n        return importlib.import_module(name)\n"
    )
    assert len(_function_imports(module)) == 3  # (its folder is not cli/: no allowance)
    allowed = tmp_path / "cli" / "main.py"
    allowed.parent.mkdir()
    allowed.write_text(module.read_text(encoding="utf-8"))
    assert len(_function_imports(allowed)) == 2
    source = (PACKAGE / "cli" / "main.py").read_text(encoding="utf-8")
    assert "class LazyGroup(click.Group)" in source and "importlib.import_module(" in source


def test_the_finder_sees_an_import_in_a_function(tmp_path):
    """The check above can fail: a module with an import in a method is found."""
    module = tmp_path / "m.py"
    module.write_text("import os\n\nclass A:\n    def f(self):\n        from json import dumps\n        return dumps\n")
    assert len(_function_imports(module)) == 1


def test_every_module_lives_in_a_stage_package():
    """No flat modules left beside the stage folders: a newcomer sees the stages."""
    flat = sorted(p.name for p in PACKAGE.glob("*.py") if p.name not in ("__init__.py", "__main__.py"))
    assert flat == []
    for folder in sorted(p for p in PACKAGE.iterdir() if p.is_dir() and p.name != "__pycache__"):
        assert (folder / "__init__.py").is_file(), folder
        assert ast.get_docstring(ast.parse((folder / "__init__.py").read_text(encoding="utf-8"))), (
            f"{folder.name}/__init__.py says what the stage is"
        )


@pytest.mark.skipif(
    shutil.which("lint-imports") is None and not (Path(sys.executable).parent / "lint-imports").exists(),
    reason="import-linter is in the [test] extras",
)
def test_the_import_contract_holds():
    exe = shutil.which("lint-imports") or str(Path(sys.executable).parent / "lint-imports")
    run = subprocess.run([exe, "--no-cache"], cwd=REPO, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]


def sitegen_imports(path: Path) -> list[tuple[str, str | None]]:
    """(module, name) for every `from sitegen… import name` and `import sitegen…` at any depth of a file."""
    found: list[tuple[str, str | None]] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and (node.module or "").split(".")[0] == "sitegen":
            found += [(str(node.module), alias.name) for alias in node.names]
        elif isinstance(node, ast.Import):
            found += [(alias.name, None) for alias in node.names if alias.name.split(".")[0] == "sitegen"]
    return found


def unresolved(imports: list[tuple[str, str | None]]) -> list[str]:
    """The imports that name a module or a name the package does not have (a path left behind by a move)."""
    missing = []
    for module, name in imports:
        try:
            found = importlib.import_module(module)
        except ImportError:
            missing.append(module)
            continue
        if name is not None and not hasattr(found, name) and importlib.util.find_spec(f"{module}.{name}") is None:
            missing.append(f"{module}.{name}")
    return missing


def test_the_scripts_import_what_the_package_has():
    """The benchmarks and sample makers are run by hand, not by the tests: an import path a move left behind
    (`from sitegen import assets` after assets became images/renditions) would only show when someone runs one."""
    scripts = sorted((REPO / "scripts").rglob("*.py"))
    assert scripts
    broken = {str(p.relative_to(REPO)): m for p in scripts if (m := unresolved(sitegen_imports(p)))}
    assert broken == {}


def test_the_import_finder_sees_a_stale_path(tmp_path):
    stale = tmp_path / "bench.py"
    stale.write_text("from sitegen import assets\nfrom sitegen.deploy import keys\nimport sitegen.pipeline\n")
    assert unresolved(sitegen_imports(stale)) == ["sitegen.assets", "sitegen.pipeline"]


def test_a_build_starts_without_what_it_does_not_use():
    """(h64) `sitegen build` and `sitegen check` load the whole pipeline, but not numpy (openpyxl imports it only to
    know its number types: content/sheets.py) nor the reports' writers (cli/build.py's print_report); a workbook is
    still read, and numpy, asked for afterwards, is there."""
    code = (
        "import sys\n"
        "import sitegen.cli.main, sitegen.cli.build, sitegen.cli.verdict\n"
        "from sitegen.content.sheets import openpyxl\n"
        "print(sorted(m for m in ('numpy', 'sitegen.reports.tables') if m in sys.modules))\n"
        "import numpy\n"
        "print(openpyxl.Workbook().active.title, numpy.int64(1) + 1)\n"
    )
    run = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr[-2000:]
    assert run.stdout.split("\n")[:2] == ["[]", "Sheet 2"]
