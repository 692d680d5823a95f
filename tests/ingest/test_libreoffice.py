"""A real office suite as the check: a messy village workbook converted by LibreOffice to .xls,
.ods and HTML loads exactly what the .xlsx loads; saved by it with a password, it is refused
saying so. Skipped without LibreOffice (`soffice`), except with CI=true, where it fails."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import signal
import subprocess
import textwrap
from pathlib import Path

import pytest
from conftest import TWO_ROW_HEADER, loaded, village_sheets, write_xlsx

from pipelines import ingest, warehouse
from pipelines.ingest import register

IN_CI = os.environ.get("CI", "").lower() == "true"
TIMEOUT = 240  # seconds for one LibreOffice run (its first start builds a fresh profile)
PASSWORD = "ไฟล์มีรหัสผ่าน: ลบรหัสผ่านแล้วส่งใหม่ (the workbook is password-protected: remove the password and send it again)"


def _missing(reason: str):
    if IN_CI:
        pytest.fail(f"CI=true but {reason}", pytrace=False)
    pytest.skip(reason)


def require_soffice() -> str:
    """LibreOffice's command, or a skip; in CI (CI=true) a failure, so CI cannot pass without it."""
    for name in ("soffice", "libreoffice"):
        path = shutil.which(name)
        if path:
            return path
    _missing("no LibreOffice (soffice) found; install it with: apt-get install -y libreoffice-calc-nogui")


def require_uno_python() -> str:
    """A Python that imports LibreOffice's `uno` (Debian: python3-uno), to save with a password."""
    for candidate in ("/usr/bin/python3", "/usr/lib/libreoffice/program/python", shutil.which("python3")):
        if candidate and Path(candidate).exists():
            ok = subprocess.run([candidate, "-c", "import uno"], capture_output=True, timeout=60)
            if ok.returncode == 0:
                return candidate
    _missing("no Python with LibreOffice's uno module; install it with: apt-get install -y python3-uno")


def _run(cmd: list[str], what: str) -> subprocess.CompletedProcess:
    """Run LibreOffice (or a script that drives it) in its own process group, killed whole on timeout."""
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        out, err = proc.communicate(timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        pytest.fail(f"LibreOffice took over {TIMEOUT} s to {what}")
    if proc.returncode != 0:
        pytest.fail(f"LibreOffice could not {what} (exit {proc.returncode}): {err[-2000:]}")
    return subprocess.CompletedProcess(cmd, proc.returncode, out, err)


def convert(soffice: str, src: Path, target: str, outdir: Path, profile: Path) -> Path:
    """`soffice --headless --convert-to TARGET`, with a profile of this test's own (tests run in parallel)."""
    outdir.mkdir(parents=True, exist_ok=True)
    _run(
        [
            soffice,
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--norestore",
            "--convert-to",
            target,
            "--outdir",
            str(outdir),
            str(src),
        ],
        f"convert {src.name} to {target}",
    )
    out = outdir / f"{src.stem}.{target.split(':')[0]}"
    assert out.exists() and out.stat().st_size > 0, f"LibreOffice wrote no {out.name}"
    return out


# ----------------------------------------------------------------------------- a messy workbook

THAI = str.maketrans("0123456789", "๐๑๒๓๔๕๖๗๘๙")


def messy_workbook(path: Path) -> Path:
    """Merged two-row header, a header block in Thai digits, a blank first row (trainers), IDs
    typed as numbers and with dashes, dates as cells and as Thai text, money with บาท, a
    blank and a totals row, and three faults: a trainer's check digit, a household's income,
    a follow-up answer."""
    s = village_sheets(months=2)
    tr = s["วิทยากร"]
    for r in tr[1:]:
        r[3] = float(r[3])  # typed as a number
    extra = list(tr[-1])
    extra[0], extra[2], extra[3] = 6, "วิทยากรสำรอง ทดสอบ", "3540101000999"  # a wrong check digit
    block = [["รหัสหมู่บ้าน", "๕๔๐๑๐๓๐๑"], ["ปีงบประมาณ", "๒๕๖๙"], []]
    s["วิทยากร"] = [[None]] + block + tr + [extra]
    hh = s["ครัวเรือน"]
    for i, r in enumerate(hh[1:]):
        r[3] = f"{r[3][0]}-{r[3][1:5]}-{r[3][5:10]}-{r[3][10:12]}-{r[3][12]}"
        r[5] = str(r[5]).translate(THAI)
        if i % 2:
            r[9] = "๕ ต.ค. ๖๘"
        r[10] = f"{r[10]:,} บาท"
    hh[4][10] = "ไม่ทราบ"
    s["ครัวเรือน"] = (
        [["สมุดติดตามสัมมาชีพชุมชน"], ["จังหวัด: แพร่", None, "อำเภอ", "เมืองแพร่"], []]
        + TWO_ROW_HEADER
        + hh[1:11]
        + [[None]]
        + hh[11:]
        + [["รวม", None, None, None, None, 80]]
    )
    fu = s["ติดตาม"]
    for r in fu[1:]:
        r[1] = r[1].translate(THAI)
        r[2] = "✓" if r[2] == "ใช่" else "✗"
    fu[5][2] = "บางที"
    merges = [f"{c}4:{c}5" for c in "ABCDEFGHIJMN"] + ["K4:L4"]
    return write_xlsx(path, s, merged={"ครัวเรือน": merges})


def _fresh(tmp_path: Path, register_csv: Path, name: str):
    con = warehouse.connect(tmp_path / f"{name}.duckdb")
    register.load_register(con, register_csv)
    return con


@pytest.fixture(scope="module")
def reference(tmp_path_factory) -> tuple[Path, dict]:
    """The messy .xlsx and what it loads into a fresh warehouse."""
    tmp = tmp_path_factory.mktemp("lo_reference")
    src = messy_workbook(tmp / "หมู่1_ต.ค.68.xlsx")
    reg = tmp / "register.csv"
    from conftest import REGISTER

    reg.write_text(
        "village_code,village_no,village_name\n" + "".join(f"{c},{n},{v}\n" for c, n, v in REGISTER), encoding="utf-8"
    )
    con = _fresh(tmp, reg, "xlsx")
    (o,) = ingest.ingest(con, [src])
    assert o.status == "loaded", o.message
    holds = loaded(con)
    con.close()
    return src, holds


def test_the_reference_workbook_is_as_messy_as_intended(reference):
    _, want = reference
    assert want["files"] == [("loaded", "54010301", 2569, dt.date(2025, 11, 1), 5 + 19 + 37, 5, 2)]
    assert [r[:3] for r in want["rejected"]] == [
        ("ครัวเรือน", 9, "income_before"),
        ("ติดตาม", 5, "citizen_id"),  # the refused household's two months
        ("ติดตาม", 6, "practising"),
        ("ติดตาม", 25, "citizen_id"),
        ("วิทยากร", 11, "citizen_id"),
    ]
    assert len({r[1] for r in want["household"]}) == 1 and len(want["trainer"]) == 5


@pytest.mark.parametrize("target", ["xls", "ods", "html"])
def test_libreoffice_exports_load_exactly_what_the_xlsx_loads(reference, tmp_path, register_csv, target):
    soffice = require_soffice()
    src, want = reference
    out = convert(soffice, src, target, tmp_path / "out", tmp_path / "profile")
    if target == "html":
        page = out.read_text(encoding="utf-8")
        assert "<h1>Sheet 2: <em>วิทยากร</em></h1>" in page.replace("\n", "")  # what names a table
    con = _fresh(tmp_path, register_csv, target)
    (o,) = ingest.ingest(con, [out])
    assert o.status == "loaded", o.message
    got = loaded(con)
    con.close()
    for key in ("trainer", "household", "followup", "files"):
        assert got[key] == want[key], key
    if target != "html":
        assert got["rejected"] == want["rejected"]
        return
    # LibreOffice's HTML table starts at the sheet's first used row: the trainers' blank first
    # row is left out, and the spec counts the table's <tr> rows. Everything else is the same.
    shifted = [(s, n - 1 if s == "วิทยากร" else n, *rest) for s, n, *rest in want["rejected"]]
    assert got["rejected"] == shifted
    assert ("วิทยากร", 10, "citizen_id") in {r[:3] for r in got["rejected"]}


def test_a_libreoffice_html_export_renamed_xls_is_read_by_its_content(reference, tmp_path, register_csv):
    soffice = require_soffice()
    src, want = reference
    out = convert(soffice, src, "html", tmp_path / "out", tmp_path / "profile")
    renamed = out.rename(out.with_suffix(".xls"))
    con = _fresh(tmp_path, register_csv, "renamed")
    (o,) = ingest.ingest(con, [renamed.parent])  # found in a folder by its content
    got = loaded(con)
    con.close()
    assert o.path == str(renamed) and got["household"] == want["household"]


# ----------------------------------------------------------------------------- passwords

_SAVE_WITH_PASSWORD = textwrap.dedent(
    """
    import os, subprocess, sys, time
    import uno
    from com.sun.star.beans import PropertyValue

    soffice, profile, pipe, src, dst, filter_name, password = sys.argv[1:8]
    office = subprocess.Popen(
        [soffice, "-env:UserInstallation=" + profile, "--headless", "--invisible", "--norestore",
         "--accept=pipe,name=%s;urp;" % pipe],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )

    def prop(name, value):
        p = PropertyValue()
        p.Name, p.Value = name, value
        return p

    try:
        local = uno.getComponentContext()
        resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
        for _ in range(240):
            try:
                ctx = resolver.resolve("uno:pipe,name=%s;urp;StarOffice.ComponentContext" % pipe)
                break
            except Exception:
                time.sleep(0.5)
        else:
            sys.exit("LibreOffice did not answer")
        desktop = ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
        doc = desktop.loadComponentFromURL(uno.systemPathToFileUrl(src), "_blank", 0, (prop("Hidden", True),))
        doc.storeToURL(uno.systemPathToFileUrl(dst), (prop("FilterName", filter_name), prop("Password", password)))
        doc.close(True)
        try:
            desktop.terminate()
        except Exception:
            pass
        office.wait(timeout=60)
    finally:
        if office.poll() is None:
            office.kill()
    """
)


@pytest.mark.parametrize("suffix, filter_name", [("xls", "MS Excel 97"), ("ods", "calc8")])
def test_a_workbook_libreoffice_saved_with_a_password_is_refused_saying_so(
    con, tmp_path, suffix, filter_name, register_csv
):
    soffice = require_soffice()
    python = require_uno_python()
    sheets = village_sheets()
    src = write_xlsx(tmp_path / "v.xlsx", sheets)
    locked = tmp_path / f"locked.{suffix}"
    script = tmp_path / "save_with_password.py"
    script.write_text(_SAVE_WITH_PASSWORD, encoding="utf-8")
    pipe = f"sammachip_{os.getpid()}_{tmp_path.name}"
    _run(
        [
            python,
            str(script),
            soffice,
            (tmp_path / "profile").as_uri(),
            pipe,
            str(src),
            str(locked),
            filter_name,
            "1234",
        ],
        f"save {locked.name} with a password",
    )
    assert locked.exists()
    good = write_xlsx(tmp_path / "good.xlsx", village_sheets(village_serial=2))
    outcomes = {Path(o.path).name: o for o in ingest.ingest(con, [good, locked])}
    assert (outcomes[locked.name].status, outcomes[locked.name].message) == ("refused", PASSWORD)
    assert outcomes["good.xlsx"].status == "loaded"
    assert con.execute("SELECT count(*) FROM household").fetchone() == (20,)
    # saved without the password, the same sheets load
    plain = convert(soffice, src, suffix, tmp_path / "plain", tmp_path / "profile")
    assert ingest.ingest(con, [plain])[0].status in ("loaded", "replaced")


def test_the_ci_script_installs_libreoffice():
    run = (Path(__file__).resolve().parents[2] / ".ci" / "run").read_text(encoding="utf-8")
    assert "libreoffice-calc-nogui" in run and "python3-uno" in run
