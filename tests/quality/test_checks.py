"""Every check a suite can report has its Thai name, meaning and what to do, in one place."""

import json
import re

from pipelines import config
from pipelines.quality import checks, todo

SUITES = sorted((config.EXPECTATIONS_DIR / "gx" / "expectations").glob("*.json"))


def _suite_check_names() -> set[str]:
    """Read straight from the suites' JSON, as validate.py names an issue (meta.check_name)."""
    names = set()
    for path in SUITES:
        for e in json.loads(path.read_text(encoding="utf-8"))["expectations"]:
            names.add((e.get("meta") or {}).get("check_name") or e["type"])
    return names


def test_every_check_of_every_suite_has_its_thai_texts():
    assert SUITES, "no expectation suite found"
    names = _suite_check_names()
    assert len(names) >= 17
    missing = names - set(checks.CHECKS)
    assert not missing, f"checks without Thai texts in pipelines/quality/checks.py: {sorted(missing)}"
    for name in names:
        c = checks.CHECKS[name]
        for key in ("name_th", "meaning_th", "action_th"):
            assert re.search(r"[\u0E00-\u0E7F]", c[key]), (name, key)


def test_suite_of_each_check_is_the_suite_that_reports_it():
    found = checks.suite_checks()
    assert set(found) == _suite_check_names()
    for name, suite in found.items():
        assert checks.CHECKS[name]["suite"] == suite, name
        assert suite in checks.SUITE_TH, suite


def test_every_check_with_a_severity_in_the_settings_has_texts_and_vice_versa():
    table = config.settings()["validation"]["severity"]
    named = set(table) - {"default"}
    assert named <= set(checks.CHECKS), sorted(named - set(checks.CHECKS))
    assert set(checks.CHECKS) <= named, "every check should have its severity written in sammachip.yml"
    for name in checks.CHECKS:
        assert checks.severity(name) in ("error", "warning")
        assert checks.describe(name)["severity"] == table[name]


def test_thai_names_are_those_of_the_todo_workbooks():
    for name, th in getattr(todo, "CHECK_TH", {}).items():  # copied from there; todo.py will read checks.py
        assert checks.CHECK_TH[name] == th, name


def test_describe_fills_in_the_settings():
    prog = config.settings()["programme"]
    d = checks.describe("quota_households")
    assert str(prog["households_per_village"]) in d["meaning_th"]
    assert "200,000" in checks.describe("validity_money_range")["meaning_th"]
    for name in checks.all_checks():
        d = checks.describe(name)
        assert "{" not in d["meaning_th"] + d["action_th"] + d["name_th"], name


def test_an_unknown_check_keeps_its_name():
    d = checks.describe("some_new_check")
    assert d["name_th"] == "some_new_check" and d["meaning_th"] == "" and d["severity"] in ("error", "warning")
