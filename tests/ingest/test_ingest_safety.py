"""A file loads whole or not at all, even when the process is killed; writers never collide."""

import os
import signal
import subprocess
import sys

import duckdb
import pytest
from conftest import REGISTER, village_sheets, write_xlsx


def _village_files(tmp_path, n):
    """n villages' workbooks (register codes cycle; each file a distinct village-month)."""
    (tmp_path / "in").mkdir()
    paths = []
    for i in range(n):
        code = REGISTER[i % len(REGISTER)][0]
        sheets = village_sheets(village_serial=i + 1, months=1 + i // len(REGISTER) % 12)
        sheets["ข้อมูลหมู่บ้าน"] = [["รหัสหมู่บ้าน", code], ["ปีงบประมาณ", 2569]]
        paths.append(write_xlsx(tmp_path / "in" / f"v{i:03d}.xlsx", sheets))
    return paths


def _cli(wh, *args, quiet=True, batch=None):
    env = {**os.environ, **({"SAMMACHIP_INGEST_BATCH": str(batch)} if batch else {})}
    return subprocess.Popen(
        [sys.executable, "-m", "pipelines", "--warehouse", str(wh), *(["--quiet"] if quiet else ["--verbose"]), *args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


@pytest.mark.slow
def test_kill_mid_ingest_leaves_whole_files_only(tmp_path, register_csv):
    wh = tmp_path / "w.duckdb"
    assert _cli(wh, "register", "--csv", str(register_csv)).wait() == 0
    _village_files(tmp_path, 36)
    # Batches of 5 files: the kill lands after some commits and in the middle of a batch.
    proc = _cli(wh, "ingest", str(tmp_path / "in"), quiet=False, batch=5)
    for line in proc.stderr:  # kill it in the middle of the run
        if "ingest 12/36" in line:
            proc.send_signal(signal.SIGKILL)
            break
    proc.wait()
    assert proc.returncode == -signal.SIGKILL
    con = duckdb.connect(str(wh), read_only=True)
    assert 12 <= con.execute("SELECT count(*) FROM ingested_file").fetchone()[0] < 36
    files = con.execute(
        "SELECT file_id, rows_loaded FROM ingested_file WHERE status IN ('loaded', 'replaced')"
    ).fetchall()
    for file_id, rows_loaded in files:
        stored = con.execute(
            "SELECT (SELECT count(*) FROM trainer_row WHERE file_id = $f) + (SELECT count(*) FROM household_row "
            "WHERE file_id = $f) + (SELECT count(*) FROM followup_row WHERE file_id = $f)",
            {"f": file_id},
        ).fetchone()[0]
        assert stored == rows_loaded
    orphans = con.execute("SELECT count(*) FROM household_row WHERE file_id NOT IN (SELECT file_id FROM ingested_file)")
    assert orphans.fetchone()[0] == 0
    con.close()
    # Starting again finishes the job: every file loaded exactly once.
    assert _cli(wh, "ingest", str(tmp_path / "in")).wait() in (0, 1)
    con = duckdb.connect(str(wh), read_only=True)
    assert (
        con.execute("SELECT count(DISTINCT path) FROM ingested_file WHERE status IN ('loaded', 'replaced')").fetchone()[
            0
        ]
        == 36
    )


@pytest.mark.slow
def test_two_ingests_at_once_queue_and_never_duplicate(tmp_path, register_csv):
    wh = tmp_path / "w.duckdb"
    assert _cli(wh, "register", "--csv", str(register_csv)).wait() == 0
    _village_files(tmp_path, 12)
    a = _cli(wh, "ingest", str(tmp_path / "in"))
    b = _cli(wh, "ingest", str(tmp_path / "in"))
    assert a.wait(timeout=120) == 0 and b.wait(timeout=120) == 0, (a.stderr.read(), b.stderr.read())
    con = duckdb.connect(str(wh), read_only=True)
    statuses = con.execute("SELECT status, count(*) FROM ingested_file GROUP BY status ORDER BY status").fetchall()
    assert dict(statuses) == {"duplicate": 12, "loaded": 3, "replaced": 9}
    assert con.execute("SELECT count(*) FROM household").fetchone()[0] == 3 * 20


def test_a_writer_waits_for_a_reader_then_says_who_holds_the_warehouse(tmp_path):
    """A planner's notebook holding the file read-only: the writer waits, then refuses clearly."""
    import subprocess
    import sys

    import pytest

    from pipelines import warehouse

    db = tmp_path / "w.duckdb"
    with warehouse.writer(db):
        pass
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            f"import duckdb, time; c = duckdb.connect({str(db)!r}, "
            "read_only=True); print('open', flush=True); time.sleep(30)",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "open"
        with pytest.raises(warehouse.WarehouseBusy, match=f"process {holder.pid}"):
            with warehouse.writer(db, wait_seconds=1):
                pass
    finally:
        holder.kill()
        holder.wait()
    with warehouse.writer(db, wait_seconds=5) as con:  # free again once the reader is gone
        assert con.execute("SELECT 1").fetchone() == (1,)


def test_a_parse_worker_killed_midway_is_a_clear_stop_and_a_rerun_finishes(tmp_path):
    """The OOM killer takes a worker: ingest stops with WorkerDied (no hang, no traceback in
    the CLI), what was committed is whole, and the next run loads the rest exactly once."""
    import os

    from pipelines import ingest, warehouse
    from pipelines.ingest import register
    from pipelines.synth import generate

    out = tmp_path / "raw"
    generate(out, villages=12, months=6, seed=4, mess=0)
    con = warehouse.connect(tmp_path / "w.duckdb")
    register.load_register(con, out / "register.csv")
    killed = []

    def kill_a_worker(outcome):
        if not killed:
            pids = subprocess.run(
                ["pgrep", "-P", str(os.getpid()), "-f", "pipelines.ingest.worker"], capture_output=True, text=True
            ).stdout.split()
            os.kill(int(pids[0]), signal.SIGKILL)
            killed.append(pids[0])

    with pytest.raises(ingest.WorkerDied):
        ingest.ingest(con, [out], on_file=kill_a_worker, workers=2, ahead=4, batch_files=8)
    assert killed
    n = con.execute("SELECT count(*) FROM ingested_file").fetchone()[0]
    assert 8 <= n < 72
    for file_id, rows_loaded in con.execute("SELECT file_id, rows_loaded FROM ingested_file").fetchall():
        stored = con.execute(
            "SELECT (SELECT count(*) FROM trainer_row WHERE file_id = $f) + (SELECT count(*) FROM household_row "
            "WHERE file_id = $f) + (SELECT count(*) FROM followup_row WHERE file_id = $f)",
            {"f": file_id},
        ).fetchone()[0]
        assert stored == rows_loaded
    done = {p for (p,) in con.execute("SELECT path FROM ingested_file").fetchall()}
    rest = [p for p in ingest.discover([out]) if str(p) not in done]
    ingest.ingest(con, rest, workers=2)
    assert con.execute("SELECT count(DISTINCT path), count(*) FROM ingested_file").fetchone() == (72, 72)
    con.close()


def test_a_worker_chunk_carries_each_files_records_and_stops_at_a_bug(con, tmp_path, monkeypatch):
    """A worker answers a chunk of files with their records as Arrow: each file gets exactly
    its own rows back. A bug on one file ends the chunk there: the files before it are kept
    (the writer commits them), the traceback names the file."""
    from pathlib import Path

    from pipelines.ingest import arrow, register, workers

    paths = [str(p) for p in _village_files(tmp_path, 4)]
    reg = register.Register(con)
    jobs, ipc, error = workers.parse_chunk(paths, reg)
    assert error is None and len(jobs) == 4
    workers.received(jobs, ipc)
    for path, job in zip(paths, jobs):
        alone = workers.read_and_parse(Path(path), reg, workers.no_roster).parsed
        for sheet in alone.sheets:
            table = arrow.TABLE_OF[sheet.kind]
            assert job.parsed.arrow[sheet.kind].equals(arrow.records_table(table, [sheet]))

    real = workers.read_and_parse

    def buggy(path, *args):
        if path.name == "v002.xlsx":
            raise KeyError("a bug")
        return real(path, *args)

    monkeypatch.setattr(workers, "read_and_parse", buggy)
    jobs, ipc, error = workers.parse_chunk(paths, reg)
    assert len(jobs) == 2 and error.startswith(paths[2]) and "KeyError: 'a bug'" in error
    workers.received(jobs, ipc)
    assert all(j.parsed.arrow for j in jobs)


def test_progress_hears_each_file_read_then_committed_in_arrival_order(con, tmp_path):
    """The progress bar's two counters: on_taken as a file is read, on_file once its batch
    is committed; both once per file, in arrival order, a file never committed before read."""
    from pipelines import ingest

    files = ingest.discover(_village_files(tmp_path, 12))
    events = []
    outcomes = ingest.Ingestor(con, batch_files=5).run(
        files,
        on_file=lambda o: events.append(("committed", o.path)),
        workers=2,
        on_taken=lambda p: events.append(("read", str(p))),
    )
    paths = [str(p) for p in files]
    assert [p for e, p in events if e == "read"] == paths
    assert [p for e, p in events if e == "committed"] == paths == [o.path for o in outcomes]
    assert all(events.index(("read", p)) < events.index(("committed", p)) for p in paths)
    assert con.execute("SELECT count(*) FROM ingested_file WHERE status IN ('loaded', 'replaced')").fetchone()[0] == 12
