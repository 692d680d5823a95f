"""The contract's command line where no other test held it (docs/spec-tests.md): `--help` on
every command, `python -m pipelines` as the same command, `synth` writing the synthetic inputs
and their truth, and `shortlist` writing the OTOP workbook."""

import subprocess
import sys

import openpyxl
import pytest
from click.testing import CliRunner
from conftest import village_sheets, write_xlsx

from pipelines.cli import main

COMMANDS = ["demo", "synth", "template", "ingest", "validate", "report", "shortlist", "monthly", "register"]


def _run(tmp_path, *args):
    return CliRunner().invoke(
        main, ["--warehouse", str(tmp_path / "w.duckdb"), "--reports", str(tmp_path / "r"), *args]
    )


def test_the_global_options_and_every_command_are_listed():
    result = CliRunner().invoke(main, ["--help"])
    assert result.exit_code == 0
    for option in ("--warehouse", "--reports", "--quiet"):
        assert option in result.output
    for command in COMMANDS:
        assert command in result.output


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help(command):
    result = CliRunner().invoke(main, [command, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage:" in result.output and command in result.output


def test_python_dash_m_pipelines_is_sammachip():
    proc = subprocess.run([sys.executable, "-m", "pipelines", "--help"], capture_output=True, text=True)
    assert proc.returncode == 0 and all(c in proc.stdout for c in COMMANDS)


def test_synth_writes_the_register_workbooks_and_their_truth(tmp_path):
    out = tmp_path / "raw"
    args = ["synth", "--out", str(out), "--villages", "2", "--months", "2", "--seed", "3", "--mess", "3"]
    result = _run(tmp_path, *args)
    assert result.exit_code == 0, result.output
    assert (out / "register.csv").is_file()
    assert {p.name for p in (out / "_truth").iterdir()} >= {"trainer.csv", "household.csv", "followup.csv"}
    workbooks = [
        p for p in out.rglob("*") if p.suffix in (".xlsx", ".xlsm", ".ods", ".csv") and "_truth" not in p.parts
    ]
    assert len([p for p in workbooks if p.name != "register.csv"]) >= 4  # 2 villages × 2 months, at least


def test_synth_refuses_an_unknown_province(tmp_path):
    result = _run(tmp_path, "synth", "--out", str(tmp_path / "raw"), "--province", "99")
    assert result.exit_code == 2 and "99" in result.output


def test_shortlist_writes_the_otop_workbook(tmp_path, register_csv):
    assert _run(tmp_path, "register", "--csv", str(register_csv)).exit_code == 0
    assert _run(tmp_path, "ingest", str(write_xlsx(tmp_path / "v.xlsx", village_sheets(months=3)))).exit_code == 0
    out = tmp_path / "otop.xlsx"
    result = _run(tmp_path, "shortlist", "--fiscal-year", "2569", "--month", "2025-12", "--out", str(out))
    assert result.exit_code == 0, result.output
    sheets = openpyxl.load_workbook(out).sheetnames
    assert "ทั้งจังหวัด" in sheets and any(s.startswith("อ.") for s in sheets)
    bad = _run(tmp_path, "shortlist", "--fiscal-year", "2026", "--out", str(out))
    assert bad.exit_code == 2  # a CE year for the BE fiscal year: bad usage
