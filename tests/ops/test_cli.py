"""The command line: clear one-line refusals, exit codes, and the contract's options."""

import subprocess
import sys

import click
import pytest
from click.testing import CliRunner
from conftest import village_sheets, write_xlsx

from pipelines.cli import main, parse_month


def _run(tmp_path, *args):
    return CliRunner().invoke(
        main, ["--warehouse", str(tmp_path / "w.duckdb"), "--reports", str(tmp_path / "r"), *args]
    )


def test_month_forms():
    assert parse_month("2025-10") == parse_month("2568-10") == parse_month("๒๕๖๘-๑๐") == "2025-10"
    for bad in ("2025-13", "ต.ค. 68", "25-10"):
        with pytest.raises(click.BadParameter):
            parse_month(bad)


def test_ingest_summary_and_exit_codes(tmp_path, register_csv):
    assert _run(tmp_path, "register", "--csv", str(register_csv)).exit_code == 0
    good = write_xlsx(tmp_path / "good.xlsx", village_sheets())
    result = _run(tmp_path, "ingest", str(good))
    assert result.exit_code == 0, result.output
    assert "loaded" in result.output
    (tmp_path / "bad.xlsx").write_text("this is not a workbook")
    result = _run(tmp_path, "ingest", str(tmp_path / "bad.xlsx"))
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert _run(tmp_path, "ingest", str(tmp_path / "missing.xlsx")).exit_code == 2


def test_ingest_without_register_is_a_clear_error(tmp_path):
    good = write_xlsx(tmp_path / "good.xlsx", village_sheets())
    result = _run(tmp_path, "ingest", str(good))
    assert result.exit_code == 2 and "register" in result.output


def test_refused_file_one_line_no_traceback_real_process(tmp_path, register_csv):
    wh = str(tmp_path / "w.duckdb")
    subprocess.run(
        [sys.executable, "-m", "pipelines", "--warehouse", wh, "register", "--csv", str(register_csv)],
        check=True,
        capture_output=True,
    )
    (tmp_path / "empty.xlsx").write_bytes(b"")
    proc = subprocess.run(
        [sys.executable, "-m", "pipelines", "--warehouse", wh, "--quiet", "ingest", str(tmp_path / "empty.xlsx")],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr + proc.stdout
    lines = [line for line in (proc.stderr + proc.stdout).splitlines() if line.strip()]
    assert len(lines) == 1 and "empty.xlsx" in lines[0] and "empty" in lines[0]


def test_exit_code_1_when_the_job_ran_and_found_errors(tmp_path, register_csv):
    """Contract: 1 = the job ran and found data problems of error severity."""
    assert _run(tmp_path, "register", "--csv", str(register_csv)).exit_code == 0
    clean = write_xlsx(tmp_path / "clean.xlsx", village_sheets())
    assert _run(tmp_path, "ingest", str(clean)).exit_code == 0
    assert _run(tmp_path, "validate").exit_code == 0
    rejected = village_sheets(trainers=6, sages=2)  # a quota breach, and one household row refused
    rejected["ครัวเรือน"][3][5] = "สี่"
    result = _run(tmp_path, "ingest", str(write_xlsx(tmp_path / "resent.xlsx", rejected)))
    assert result.exit_code == 1, result.output
    result = _run(tmp_path, "validate")
    assert result.exit_code == 1, result.output


@pytest.mark.parametrize("width", [80, 160])  # a terminal; piped output (cron mail)
def test_ingest_summary_names_files_from_the_folder_they_share(tmp_path, register_csv, monkeypatch, width):
    from pipelines.ops import console

    monkeypatch.setattr(console.console, "width", width)
    assert _run(tmp_path, "register", "--csv", str(register_csv)).exit_code == 0
    raw = tmp_path / "raw"
    (raw / "5401").mkdir(parents=True)
    write_xlsx(raw / "5401" / "good.xlsx", village_sheets())
    (raw / "bad.xlsx").write_text("not a workbook")
    result = _run(tmp_path, "ingest", str(raw))
    lines = [line.split("│") for line in result.output.splitlines() if line.count("│") > 2]
    rows = {cells[1].strip(): "│".join(cells) for cells in lines if cells[1].strip()}  # not a message's wrap
    assert set(rows) == {"5401/good.xlsx", "bad.xlsx"}  # named from raw/, whole on an 80-column terminal too
    assert "refused" in rows["bad.xlsx"] and "loaded" in rows["5401/good.xlsx"]
    assert str(raw) in result.output  # the folder, once, under the table


def test_ingest_of_a_folder_leaves_out_what_is_no_tracking_file(tmp_path, register_csv):
    import duckdb
    from msoffcrypto.format.ooxml import OOXMLFile

    assert _run(tmp_path, "register", "--csv", str(register_csv)).exit_code == 0
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    good = write_xlsx(inbox / "good.xlsx", village_sheets())
    with good.open("rb") as src, (inbox / "locked.xlsx").open("wb") as out:
        OOXMLFile(src).encrypt("1234", out)
    (inbox / "รูปประชุม.jpg").write_bytes(b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(64))
    result = _run(tmp_path, "ingest", str(inbox))
    assert result.exit_code == 1, result.output  # ran, and one file was refused
    con = duckdb.connect(str(tmp_path / "w.duckdb"), read_only=True)
    files = dict(con.execute("SELECT parse_filename(path), status FROM source_file").fetchall())
    con.close()
    assert files == {"good.xlsx": "loaded", "locked.xlsx": "refused"}  # the photo: not a file of the warehouse
