"""docs/spec-tests.md names, for every rule of the spec, the tests that hold it: each test it
names must exist, or the table promises a guard that is not there."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NAMED = re.compile(r"`(tests/[\w/]+\.py)::(\w+)(?:\[[^`]*\])?`")


def test_every_test_the_table_names_exists():
    table = (ROOT / "docs" / "spec-tests.md").read_text(encoding="utf-8")
    named = NAMED.findall(table)
    assert len(named) > 100
    defined: dict[str, set[str]] = {}
    missing = []
    for path, name in named:
        if path not in defined:
            file = ROOT / path
            tree = ast.parse(file.read_text(encoding="utf-8")) if file.is_file() else ast.Module(body=[])
            defined[path] = {n.name for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)}
        if name not in defined[path]:
            missing.append(f"{path}::{name}")
    assert not missing, "docs/spec-tests.md names tests that do not exist:\n" + "\n".join(sorted(set(missing)))
