"""Reading and parsing ahead of the writer, in worker processes (docs/decisions.md: workers
answer in Arrow chunks; bytes read once)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import traceback
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa

from pipelines.ingest import arrow, records, workbook
from pipelines.ingest.discover import sha256
from pipelines.ingest.register import Register
from pipelines.ingest.village_file import Parsed, Refused, parse_file
from pipelines.ingest.workbook import FileRefused
from pipelines.thai import parse

PARALLEL_FROM = 40  # fewer files than this: not worth starting worker processes
CHUNK_FILES = 16  # files per worker answer: one Arrow table per data table for them all
VALUES_PER_VILLAGE = 64  # distinct IDs, names, months and amounts a village brings, about


def size_caches(register: Register, files: int) -> None:
    """The parse caches sized to the villages a run may bring (the register's, at most one per
    file), so a province of thousands of villages is parsed in time linear to its files, and a
    national register sent a few files does not reserve room for every village (docs/decisions.md)."""
    villages = min(len(register.by_code), files)
    parse.size_caches(VALUES_PER_VILLAGE * villages)
    workbook.size_caches(VALUES_PER_VILLAGE * villages, villages)
    records.size_rosters(villages)


@dataclass
class Job:
    """A file read, hashed and parsed (or refused) without the warehouse."""

    received_at: dt.datetime | None = None
    size: int = 0
    sha: str | None = None  # None: the file could not be read at all
    parsed: Parsed | None = None
    message: str | None = None
    unreadable: bool = False
    needs_roster: bool = False  # parse again in the writer, which sees earlier files


class WorkerDied(RuntimeError):
    """A parse worker process ended under us (a kill, the OOM killer): a machine condition."""


class _NeedsRoster(Exception):
    pass


def no_roster(what: str, village_code: str, fy: int) -> records.People:
    raise _NeedsRoster


# Files up to this size are read once: the bytes hashed are the bytes parsed. A larger file
# (no village workbook is) is hashed and parsed from disk, so it is never held in memory.
READ_WHOLE = 64 * 1024 * 1024


def read_and_parse(path: Path, register: Register, current_roster) -> Job:
    job = Job()
    data = None
    try:
        stat = path.stat()
        job.size, job.received_at = stat.st_size, dt.datetime.fromtimestamp(stat.st_mtime)
        if stat.st_size <= READ_WHOLE:
            data = path.read_bytes()
            job.size, job.sha = len(data), hashlib.sha256(data).hexdigest()
        else:
            job.sha = sha256(path)
    except OSError as exc:
        job.sha, job.message = None, f"อ่านไฟล์ไม่ได้ (cannot read the file): {exc.strerror}"
        return job
    try:
        job.parsed = parse_file(path, register, current_roster, data)
    except _NeedsRoster:
        job.needs_roster = True
    except FileRefused as exc:
        job.message, job.unreadable = str(exc), True
    except Refused as exc:
        job.message = str(exc)
    return job


def parse_chunk(paths: list[str], register: Register) -> tuple[list[Job], dict[str, bytes], str | None]:
    """A worker's answer for a chunk of files: their jobs, the records of all their sheets as
    one Arrow table per data table (Arrow IPC bytes: the writer takes them as they are,
    where unpickling and converting Python values cost it more than parsing costs a worker),
    and the traceback of a bug that stopped the chunk early (jobs: the files before it)."""
    jobs: list[Job] = []
    error = None
    for path in paths:
        try:
            jobs.append(read_and_parse(Path(path), register, no_roster))
        except Exception:  # a bug: the writer stops there, with this traceback
            error = f"{path}:\n{traceback.format_exc()}"
            break
    by_table: dict[str, list[records.SheetResult]] = {t: [] for t in arrow.SCHEMAS}
    for _, sheet, table in _chunk_order(jobs):
        by_table[table].append(sheet)
    ipc = {}
    for table, sheets in by_table.items():
        if sheets:
            sink = pa.BufferOutputStream()
            data = arrow.records_table(table, sheets)
            with pa.ipc.new_stream(sink, data.schema) as out:
                out.write_table(data)
            ipc[table] = sink.getvalue().to_pybytes()
    for job in jobs:  # only what the writer needs travels (no grids, no values twice)
        p = job.parsed
        if p is not None:
            p.tables = [dataclasses.replace(t, grid=None, header_text={}, wide=[]) for t in p.tables]
            p.sheets = [dataclasses.replace(sh, columns={}, people=None) for sh in p.sheets]
    return jobs, ipc, error


def _chunk_order(jobs: list[Job]):
    """(job, sheet, data table) of each sheet with records, in the order a chunk's Arrow
    tables hold them (file, then sheet): the worker writes and the writer slices by it."""
    for job in jobs:
        if job.parsed is not None:
            for sheet in job.parsed.sheets:
                if sheet.n:
                    yield job, sheet, arrow.TABLE_OF[sheet.kind]


def received(jobs: list[Job], ipc: dict[str, bytes]) -> None:
    """Hand each parsed file its slice of the chunk's Arrow tables."""
    tables = {t: pa.ipc.open_stream(b).read_all() for t, b in ipc.items()}
    offsets = dict.fromkeys(tables, 0)
    for job, sheet, t in _chunk_order(jobs):
        job.parsed.arrow[sheet.kind] = tables[t].slice(offsets[t], sheet.n)
        offsets[t] += sheet.n


def parse_ahead(files: list[Path], register: Register, workers: int, ahead: int | None = None):
    """(path, job) in the order of files, parsed by `workers` processes, at most `ahead` files
    ahead of the writer so memory stays flat however many files there are.

    Workers are plain `python -m pipelines.ingest.worker` processes fed over pipes: no fork of
    a process holding DuckDB's threads, and no re-import of the caller's __main__. A thread
    per worker drains its answers as they come, so workers keep parsing while the writer
    commits a batch (a full pipe would otherwise stop them).
    """
    import pickle
    import queue as queues
    import subprocess
    import sys
    import threading
    from collections import deque

    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "pipelines.ingest.worker"], stdin=subprocess.PIPE, stdout=subprocess.PIPE
        )
        for _ in range(workers)
    ]
    answers = [queues.SimpleQueue() for _ in procs]
    _ENDED = ("ended", None)

    def drain(proc, out) -> None:
        while True:
            try:
                answer = pickle.load(proc.stdout)
            except Exception:  # EOF or a cut-off answer: the worker ended (or was told to)
                out.put(_ENDED)
                return
            if answer[0] == "ok":
                try:
                    received(*answer[1][:2])
                except Exception:  # a bug here must reach the writer, not leave it waiting
                    answer = ("error", traceback.format_exc())
            out.put(answer)

    readers = [threading.Thread(target=drain, args=(p, q), daemon=True) for p, q in zip(procs, answers)]
    finished = False
    try:
        for p in procs:
            pickle.dump((register, len(files)), p.stdin)
            p.stdin.flush()
        for t in readers:
            t.start()
        ahead = ahead or 256 * workers  # parsed files waiting: enough to outlast a commit
        size = max(1, min(CHUNK_FILES, ahead // (2 * workers)))
        chunks = (files[i : i + size] for i in range(0, len(files), size))
        pending: deque = deque()
        sent = 0

        def send() -> bool:
            nonlocal sent
            paths = next(chunks, None)
            if paths is None:
                return False
            w = sent % workers
            sent += 1
            try:
                pickle.dump([str(p) for p in paths], procs[w].stdin)
                procs[w].stdin.flush()
            except (BrokenPipeError, OSError):
                raise WorkerDied(
                    f"ingest worker {procs[w].pid} stopped (killed, or out of memory?) before "
                    f"{paths[0]}; files committed so far are kept: run ingest again"
                ) from None
            pending.append((paths, w))
            return True

        while len(pending) * size < ahead and send():
            pass
        while pending:
            paths, w = pending.popleft()
            kind, payload = answers[w].get()
            if kind == "ended":
                raise WorkerDied(
                    f"ingest worker {procs[w].pid} stopped (killed, or out of memory?) while reading "
                    f"{paths[0]}; files committed so far are kept: run ingest again"
                )
            if kind == "error":
                raise RuntimeError(f"ingest worker failed on {paths[0]} or a file after it:\n{payload}")
            jobs, _, error = payload
            send()
            yield from zip(paths, jobs)
            if error is not None:
                raise RuntimeError(f"ingest worker failed on {error}")
        finished = True
    finally:
        for p in procs:
            if not finished:  # stopped early: a worker may be busy with files nobody will take
                p.kill()
            try:
                p.stdin.close()
            except OSError:
                pass
        for p in procs:
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
        for t in readers:
            t.join(timeout=10)
        for p in procs:
            p.stdout.close()
