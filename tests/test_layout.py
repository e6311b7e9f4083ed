"""What import-linter cannot say about the layout (the arrows between the packages and the
absence of cycles are its contracts, in .importlinter, checked by `make lint`): no test module
imports another, and no private name crosses a module. Read from the source (every import
statement, at any depth, including those inside functions)."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def imported_modules(source: str, package: str) -> list[tuple[int, str]]:
    """(line, module) for every import in `source`, a module of `package`; relative imports
    resolved to absolute ones."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                module = ".".join([*base, *([node.module] if node.module else [])])
            else:
                module = node.module or ""
            found.append((node.lineno, module))
            # `from x import y` may name a submodule y of x.
            found += [(node.lineno, f"{module}.{alias.name}") for alias in node.names]
    return found


def test_the_import_reader_sees_imports_inside_functions_and_relative_ones():
    # Otherwise the test-module check below would pass without looking.
    source = (
        "def f():\n"
        "    from sessions.selectors import seat_held_times\n"
        "    import django.db\n"
        "from . import models\n"
        "from ..sessions import api\n"
    )
    assert sorted(name for _, name in imported_modules(source, "peers")) == [
        "django.db",
        "peers",
        "peers.models",
        "sessions",
        "sessions.api",
        "sessions.selectors",
        "sessions.selectors.seat_held_times",
    ]


def fixture_and_test_modules(folder: Path) -> set[str]:
    """The dotted names of the test modules (`test_*.py`) and fixture modules (`conftest.py`)
    under `folder`."""
    return {
        ".".join(path.relative_to(ROOT).with_suffix("").parts)
        for path in folder.rglob("*.py")
        if "node_modules" not in path.parts
        and (path.name.startswith("test_") or path.name == "conftest.py")
    }


def test_no_test_module_imports_another():
    # Shared fixtures live in conftest.py (pytest finds them); shared plain code in a support
    # module such as tests/factories.py or tests/sent_mail.py.
    tests = ROOT / "tests"
    forbidden = fixture_and_test_modules(tests)
    assert {"tests.conftest", "tests.sessions.webinars.test_webinars"} <= forbidden
    found = [
        f"{path.relative_to(ROOT)}:{line} imports {module}"
        for path in sorted(tests.rglob("*.py"))
        if "node_modules" not in path.parts
        for line, module in imported_modules(
            path.read_text(encoding="utf-8"), ".".join(path.relative_to(ROOT).parts[:-1])
        )
        if module in forbidden
    ]
    assert found == []


def is_private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def is_project_module(dotted: str) -> bool:
    path = ROOT.joinpath(*dotted.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def private_crossings(source: str, package: str) -> list[tuple[int, str]]:
    """(line, name) for each private name `source` takes from another project module: imported
    by name (`from m import _x`) or reached through an imported module (`m._x`)."""
    tree = ast.parse(source)
    modules: dict[str, str] = {}  # local name -> project module
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                module = ".".join([*base, *([node.module] if node.module else [])])
            else:
                module = node.module or ""
            if not is_project_module(module):
                continue
            for alias in node.names:
                if is_private(alias.name):
                    found.append((node.lineno, f"{module}.{alias.name}"))
                elif is_project_module(f"{module}.{alias.name}"):
                    modules[alias.asname or alias.name] = f"{module}.{alias.name}"
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname and is_project_module(alias.name):
                    modules[alias.asname] = alias.name
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and is_private(node.attr)
            and isinstance(node.value, ast.Name)
            and node.value.id in modules
        ):
            found.append((node.lineno, f"{modules[node.value.id]}.{node.attr}"))
    return found


@pytest.mark.parametrize("folder", ["scheduling", "peers", "sessions", "privacy"])
def test_no_private_name_crosses_a_module(folder):
    # A name another module needs gets a public name in the module that owns it.
    found = [
        f"{path.relative_to(ROOT)}:{line} takes {name}"
        for path in sorted((ROOT / folder).rglob("*.py"))
        if "migrations" not in path.parts
        for line, name in private_crossings(
            path.read_text(encoding="utf-8"), ".".join(path.relative_to(ROOT).parts[:-1])
        )
    ]
    assert found == []


def test_the_private_name_check_sees_both_ways_of_reaching_in():
    source = (
        "from sessions.services.invites import _holding, invite_content\n"
        "from sessions.services import invites\n"
        "from scheduling.engine import grid as g\n"
        "from django.db import _private_to_django\n"
        "def f():\n"
        "    return invites._lead_roles, g._zone_layout, invites.__name__, invite_content._x\n"
    )
    assert sorted(name for _, name in private_crossings(source, "sessions")) == [
        "scheduling.engine.grid._zone_layout",
        "sessions.services.invites._holding",
        "sessions.services.invites._lead_roles",
    ]
