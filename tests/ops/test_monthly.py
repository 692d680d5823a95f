"""The unattended monthly run, as cron runs it: a real process, run again and fed new files.

Marked slow: each run ingests, validates with GX and renders a small site with kernels.
(A run killed midway: test_monthly_killed.py, a file of its own so the two share the cores.)
"""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import monthly_run as mr
import pytest

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def raw(tmp_path_factory) -> Path:
    return mr.province(tmp_path_factory.mktemp("monthly") / "raw")


def test_a_second_run_changes_nothing_and_redoes_nothing(raw, tmp_path):
    first_code = mr.run(tmp_path, raw)
    state, site = mr.state(tmp_path), mr.site(tmp_path)
    manifest = json.loads((tmp_path / "reports" / mr.MONTH / "manifest.json").read_text())
    assert manifest["exit_status"] == first_code
    assert manifest["counts"]["loaded"] + manifest["counts"]["replaced"] == len(manifest["inputs"]) > 0
    assert all(len(i["sha256"]) == 64 for i in manifest["inputs"])
    assert manifest["reports"]["ok"] >= 4 + 1 + 1 and not manifest["reports"]["failed"]

    second_code = mr.run(tmp_path, raw)
    assert second_code == first_code
    assert mr.state(tmp_path) == state
    assert mr.site(tmp_path) == site  # not one page rewritten, manifest included
    con = duckdb.connect(str(tmp_path / "w.duckdb"), read_only=True)
    runs = con.execute("SELECT files_new, exit_status FROM monthly_run ORDER BY started_at").fetchall()
    con.close()
    assert runs == [(len(manifest["inputs"]), first_code), (0, first_code)]


def test_a_new_file_makes_the_next_run_do_the_work_again(raw, tmp_path):
    import shutil

    partial = tmp_path / "raw"
    shutil.copytree(raw, partial)
    held_back = sorted(partial.rglob("*_2025-11.*"))[0]
    keep = tmp_path / held_back.name
    held_back.rename(keep)
    mr.run(tmp_path, partial)
    before = mr.state(tmp_path)
    keep.rename(held_back)
    # With it come a letter that is no tracking file, and a workbook locked with a password.
    (partial / "หนังสือนำส่ง.pdf").write_bytes(b"%PDF-1.4\n1 0 obj <<>> endobj\n%%EOF\n")
    from msoffcrypto.format.ooxml import OOXMLFile

    locked = partial / "locked.xlsx"
    with sorted(partial.rglob("*.xlsx"))[0].open("rb") as src, locked.open("wb") as out:
        OOXMLFile(src).encrypt("1234", out)
    code = mr.run(tmp_path, partial)
    manifest = json.loads((tmp_path / "reports" / mr.MONTH / "manifest.json").read_text())
    names = {Path(i["path"]).name: i for i in manifest["inputs"]}
    assert set(names) == {held_back.name, locked.name}
    assert names[held_back.name]["status"] in ("loaded", "replaced")
    assert mr.state(tmp_path) != before
    # the letter is left out and said so; the locked workbook is refused, saying why
    assert [Path(i["path"]).name for i in manifest["ignored"]] == ["หนังสือนำส่ง.pdf"]
    assert names[locked.name]["status"] == "refused" and "รหัสผ่าน" in names[locked.name]["message"]
    assert code == manifest["exit_status"] == 1


def test_the_fingerprint_sees_settings_register_and_files(tmp_path, monkeypatch, register_csv):
    """What decides that a re-run may skip: any change of input, setting (OTOP weights too) or register shows."""
    import shutil

    from pipelines import config, otop, warehouse
    from pipelines.ingest import register
    from pipelines.ops import monthly

    settings = tmp_path / "sammachip.yml"
    shutil.copy(config.CONFIG_FILE, settings)
    monkeypatch.setattr(config, "CONFIG_FILE", settings)
    con = warehouse.connect(tmp_path / "w.duckdb")
    register.load_register(con, register_csv)
    first = monthly.fingerprint(con, mr.MONTH)
    assert monthly.fingerprint(con, mr.MONTH) == first
    assert monthly.fingerprint(con, "2025-12") != first
    settings.write_text(settings.read_text(encoding="utf-8").replace("due_days: 10", "due_days: 15"), encoding="utf-8")
    second = monthly.fingerprint(con, mr.MONTH)
    assert second != first
    con.execute("UPDATE register_village SET village_name = 'บ้านใหม่' WHERE village_no = 1")
    third = monthly.fingerprint(con, mr.MONTH)
    assert third != second
    con.execute("INSERT INTO ingested_file (file_id, path, sha256, status) VALUES (99, 'x.xlsx', 'abc', 'refused')")
    fourth = monthly.fingerprint(con, mr.MONTH)
    assert fourth != third
    weights = tmp_path / "otop.yml"  # the OTOP weights decide the shortlist and its page
    shutil.copy(otop.CONFIG_FILE, weights)
    monkeypatch.setattr(otop, "CONFIG_FILE", weights)
    assert monthly.fingerprint(con, mr.MONTH) == fourth
    weights.write_text(weights.read_text(encoding="utf-8") + "\n# changed\n", encoding="utf-8")
    assert monthly.fingerprint(con, mr.MONTH) != fourth
    con.close()
