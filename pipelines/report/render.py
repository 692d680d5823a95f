"""The notebooks executed on long-lived kernels and written as offline HTML pages.

A kernel costs ~1.5 s to start and a province has ~700 villages, so no report starts its
own: a few worker processes each keep ONE kernel and feed it report after report
(papermill injects the parameters, nbclient runs the cells, the user namespace is reset in
between so nothing leaks from one village to the next). A failed report is retried once on a fresh
kernel and then recorded; it never stops the others. The site around the pages: site.py.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import html
import json
import logging
import os
import re
import selectors
import shutil
import subprocess
import sys
import tempfile
import time
from collections import deque
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from pipelines import config
from pipelines.thai import fmt as tf
from pipelines.thai.parse import citizen_id_valid

log = logging.getLogger("sammachip.report")
_nb_log = logging.getLogger("sammachip.report.nbclient")  # nbclient says "Executing notebook" per report
_nb_log.setLevel(logging.WARNING)

KINDS = ("province", "quality", "otop", "district", "village")  # also the order reports are rendered in
PARAMETER = {
    "village": "village_code",
    "district": "district_code",
    "province": "province_code",
    "quality": "province_code",
    "otop": "province_code",
}
PROVINCE_KINDS = ("quality", "otop")  # the pages that go with each province's report
SITE_DIR = Path(__file__).parent / "templates"
CODE_ROOT = Path(__file__).resolve().parents[2]
CELL_TIMEOUT = 300  # seconds per cell: a province query on a slow disk, with room to spare
KERNEL_NAME = "python3"
MAX_ATTEMPTS = 2  # one retry on a fresh kernel
# What `%reset -f` does to the user namespace, without its gc.collect() passes: those cost
# 140 ms a report, a third of the time of a village. Imports come back from sys.modules.
RESET_CODE = (
    "[get_ipython().user_ns.pop(k) for k in "
    "[k for k in get_ipython().user_ns if k not in get_ipython().user_ns_hidden]]; "
    "get_ipython().user_ns['Out'].clear(); get_ipython().user_ns.update(_='', __='', ___='')"
)
# A citizen ID that slipped through unmasked: 13 digits, not part of a longer number or a decimal.
_FULL_ID = re.compile(r"(?<![\d.])(\d{13})(?![\d])")


# ----------------------------------------------------------------------------- results


@dataclass
class ReportResult:
    kind: str
    code: str
    path: str  # the HTML file (written or intended)
    ok: bool
    seconds: float = 0.0
    attempts: int = 0
    error: str | None = None  # the error's last line, for people

    def __str__(self) -> str:
        return f"{self.kind} {self.code}: " + (self.path if self.ok else (self.error or "failed"))


@dataclass
class Job:
    """One report to render; plain data so it crosses process boundaries."""

    kind: str
    code: str
    notebook: str
    params: dict
    out_html: str
    page: dict  # title, crumbs, related, related_title (page shell)
    # A batch: one run of the notebook renders several reports of one kind (its parameter
    # `village_codes`); each page's outputs follow its page marker (kit.page). Per report:
    # {"code", "out_html", "page"}. Empty: the job is the one report above.
    batch: list = field(default_factory=list)

    @property
    def key(self) -> str:
        return f"{self.kind}/{self.code}"

    def reports(self) -> list[dict]:
        return self.batch or [{"code": self.code, "out_html": self.out_html, "page": self.page}]

    def failed(self, error: str, seconds: float = 0.0, attempts: int = 0) -> list[ReportResult]:
        return [
            ReportResult(self.kind, r["code"], r["out_html"], False, seconds, attempts, error) for r in self.reports()
        ]


# ----------------------------------------------------------------------------- one kernel


def notebooks_dir() -> Path:
    """notebooks/ of the project (SAMMACHIP_HOME may point the data elsewhere, not the code)."""
    if (config.NOTEBOOKS_DIR / "village.ipynb").exists():
        return config.NOTEBOOKS_DIR
    return CODE_ROOT / "notebooks"


def _pythonpath() -> str:
    """Workers and kernels import this very `pipelines`, installed or not."""
    old = os.environ.get("PYTHONPATH")
    return str(CODE_ROOT) + (os.pathsep + old if old else "")


def _last_line(exc: BaseException) -> str:
    ename, evalue = getattr(exc, "ename", None), getattr(exc, "evalue", None)
    if ename:
        return f"{ename}: {evalue}"
    lines = [ln for ln in str(exc).strip().splitlines() if ln.strip()]
    return f"{type(exc).__name__}: {lines[-1] if lines else ''}".strip()


def mask_leaks(html_text: str) -> tuple[str, int]:
    """Last line of defence (PDPA): mask any valid 13-digit citizen ID left in a page."""
    count = 0

    def sub(m: re.Match) -> str:
        nonlocal count
        d = m[1]
        if not citizen_id_valid(d):
            return d
        count += 1
        return f"{d[0]}-{d[1:5]}-xxxxx-xx-{d[12]}"

    return _FULL_ID.sub(sub, html_text), count


def write_atomic(path: Path, text: str) -> None:
    """Readers (a browser, a USB copy) never see half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def jinja():
    import jinja2

    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(SITE_DIR)), autoescape=True, trim_blocks=False, lstrip_blocks=False
    )


PAGE_MIME = "application/vnd.sammachip.page+json"  # kit.page: the report whose outputs follow


def _bodies(nb) -> dict[str | None, tuple[str, str | None]]:
    """The page bodies of an executed notebook: every output of every code cell, no code, no
    prompts, split at the page markers a batch writes (key None: a notebook without markers
    is one page). Per page: (body, the error that stopped it, or None).

    Report notebooks show everything as HTML outputs (tables, cards, charts as an HTML div
    with its script), so this is all nbconvert's exporter did for them, at a tenth of its
    cost per report. Cells tagged `remove` are left out; stderr never reaches a page.
    """
    pages: dict[str | None, list[str]] = {None: []}
    errors: dict[str | None, str | None] = {None: None}
    current = None
    for cell in nb.cells:
        if cell.cell_type != "code" or "remove" in cell.get("metadata", {}).get("tags", []):
            continue
        for out in cell.get("outputs", []):
            if out.output_type in ("display_data", "execute_result"):
                data = out.get("data", {})
                if PAGE_MIME in data:
                    marker = data[PAGE_MIME]
                    current = marker["code"]
                    pages.setdefault(current, [])
                    errors[current] = marker.get("error")
                    continue
                if "text/html" in data:
                    text = data["text/html"]
                    piece = "".join(text) if isinstance(text, list) else text
                elif "text/plain" in data:
                    piece = f"<pre>{html.escape(str(data['text/plain']))}</pre>"
                else:
                    continue
            elif out.output_type == "stream" and out.name == "stdout":
                piece = f"<pre>{html.escape(out.text)}</pre>"
            else:
                continue
            pages[current].append(f'<div class="jp-OutputArea-output">{piece}</div>')
    return {code: ("\n".join(parts), errors.get(code)) for code, parts in pages.items()}


_SECTION = re.compile(r'<h2 class="rk-section">(.*?)</h2>', re.S)
_TAGS = re.compile(r"<[^>]+>")


def with_section_ids(body: str) -> tuple[str, list[tuple[str, str]]]:
    """The page's sections (``rk.section`` headings) with ids, and (id, text) for its menu."""
    sections: list[tuple[str, str]] = []

    def named(m: re.Match) -> str:
        ident = f"s{len(sections) + 1}"
        sections.append((ident, html.unescape(_TAGS.sub("", m[1])).strip()))
        return f'<h2 class="rk-section" id="{ident}">{m[1]}</h2>'

    return _SECTION.sub(named, body), sections


def now_th() -> str:
    return tf.date_be(dt.datetime.now(), abbr=False, time=True)


class KernelRenderer:
    """One long-lived kernel and one exporter; renders reports one after another."""

    def __init__(self, cwd: Path | None = None):
        self.cwd = Path(cwd or notebooks_dir())
        self.loop = asyncio.new_event_loop()
        self.tmp = Path(tempfile.mkdtemp(prefix="smc-"))  # short: ipc socket paths are limited
        self.km = None
        self.kc = None
        self.page = jinja().get_template("page.html.j2")
        self._notebooks: dict[str, object] = {}

    # -- kernel lifecycle

    def _env(self) -> dict:
        env = dict(os.environ)
        env["SAMMACHIP_RENDER"] = "1"  # reportkit: the site brings its own CSS
        env["PYTHONPATH"] = _pythonpath()
        env.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
        return env

    async def _start(self) -> None:
        from jupyter_client.manager import AsyncKernelManager

        # IPC sockets in a private folder: parallel workers cannot race for TCP ports.
        km = (
            AsyncKernelManager(kernel_name=KERNEL_NAME, transport="ipc", ip=str(self.tmp / "k"))
            if os.name == "posix"
            else AsyncKernelManager(kernel_name=KERNEL_NAME)
        )
        km.connection_file = str(self.tmp / "kernel.json")
        await km.start_kernel(
            cwd=str(self.cwd), env=self._env(), extra_arguments=["--HistoryManager.hist_file=:memory:"]
        )
        kc = km.client()
        kc.start_channels()
        try:
            await kc.wait_for_ready(timeout=60)
        except Exception:
            kc.stop_channels()
            await km.shutdown_kernel(now=True)
            raise
        self.km, self.kc = km, kc

    async def _stop(self) -> None:
        kc, km, self.kc, self.km = self.kc, self.km, None, None
        if kc is not None:
            kc.stop_channels()
        if km is not None:
            try:
                if await km.is_alive():
                    await km.shutdown_kernel(now=True)
            except Exception as exc:  # noqa: BLE001 - a dead kernel is fine here
                log.debug("kernel shutdown: %s", exc)
            try:
                await km.cleanup_resources()
            except Exception:  # noqa: BLE001 - best effort
                pass

    def start(self) -> None:
        self.loop.run_until_complete(self._start())

    def close(self) -> None:
        try:
            self.loop.run_until_complete(self._stop())
        finally:
            self.loop.close()
            shutil.rmtree(self.tmp, ignore_errors=True)

    async def _restart(self) -> None:
        await self._stop()
        await self._start()

    # -- one report

    def _template(self, path: str):
        from papermill.iorw import load_notebook_node  # also gives every cell the tags papermill expects

        if path not in self._notebooks:
            self._notebooks[path] = load_notebook_node(path)
        return self._notebooks[path]

    async def _execute(self, job: Job):
        from nbclient import NotebookClient
        from papermill.parameterize import parameterize_notebook

        if self.km is None or not await self.km.is_alive():
            await self._restart()
        # A clean namespace for every report: nothing of the last village survives.
        reply = await self.kc.execute(RESET_CODE, silent=True, store_history=False, reply=True, timeout=60)
        if reply["content"].get("status") != "ok":
            raise RuntimeError(f"namespace reset failed: {reply['content'].get('evalue')}")
        # output_dir: the report's folder, where a notebook writes its tables as .xlsx (a job may override it).
        params = {"output_dir": str(Path(job.out_html).parent), **job.params}
        nb = parameterize_notebook(self._template(job.notebook), params, report_mode=False)
        client = NotebookClient(
            nb,
            km=self.km,
            timeout=CELL_TIMEOUT,
            kernel_name=KERNEL_NAME,
            allow_errors=False,
            record_timing=False,
            resources={"metadata": {"path": str(self.cwd)}},
            log=_nb_log,
        )
        client.kc = self.kc  # reuse: nbclient neither starts nor stops it
        await client.async_execute()
        return nb

    def _export(self, body: str, job: Job, out_html: str, page: dict) -> str:
        body, sections = with_section_ids(body)
        out = Path(out_html)
        assets = (
            os.path.relpath(out.parent.parent / "assets", out.parent)
            if out.parent.name in KINDS
            else os.path.relpath(out.parent / "assets", out.parent)
        )
        html_text = self.page.render(
            body=_markup(body), assets=Path(assets).as_posix(), generated=now_th(), sections=sections, **page
        )
        html_text, leaks = mask_leaks(html_text)
        if leaks:
            log.warning("%s: masked %d citizen IDs the notebook left unmasked", job.key, leaks)
        return html_text

    def render(self, job: Job) -> list[ReportResult]:
        """The job's reports: written, or failed with the last line of their error. A batch's
        report that failed on its own (its page marker carries the error) fails alone."""
        t0 = time.perf_counter()
        error = None
        for attempt in range(1, MAX_ATTEMPTS + 1):
            try:
                nb = self.loop.run_until_complete(self._execute(job))
                for cell in nb.cells:  # warnings on stderr are not for readers
                    if cell.get("outputs"):
                        cell.outputs = [
                            o for o in cell.outputs if not (o.output_type == "stream" and o.name == "stderr")
                        ]
                bodies = _bodies(nb)
                reports = job.reports()
                seconds = round((time.perf_counter() - t0) / len(reports), 3)
                results = []
                for r in reports:
                    key = r["code"] if job.batch else None
                    body, failed = bodies.get(key, ("", "no page in the notebook's output"))
                    if failed:
                        results.append(
                            ReportResult(job.kind, r["code"], r["out_html"], False, seconds, attempt, failed)
                        )
                        continue
                    write_atomic(Path(r["out_html"]), self._export(body, job, r["out_html"], r["page"]))
                    results.append(ReportResult(job.kind, r["code"], r["out_html"], True, seconds, attempt))
                return results
            except Exception as exc:  # noqa: BLE001 - recorded, the batch goes on
                error = _last_line(exc)
                log.warning("%s attempt %d failed: %s", job.key, attempt, error)
                log.debug("%s", job.key, exc_info=True)
                try:
                    self.loop.run_until_complete(self._restart())
                except Exception as exc2:  # noqa: BLE001
                    error = f"{error} (kernel restart failed: {_last_line(exc2)})"
                    break
        return job.failed(error or "failed", round(time.perf_counter() - t0, 3), MAX_ATTEMPTS)


def _markup(text: str):
    from markupsafe import Markup

    return Markup(text)


# ----------------------------------------------------------------------------- workers


def _worker_main() -> None:
    """A worker process: one kernel for every report it is handed (JSON lines on stdin/stdout)."""
    proto = os.fdopen(os.dup(1), "w", encoding="utf-8", buffering=1)
    os.dup2(2, 1)  # anything else printed goes to stderr, not the protocol
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(message)s")
    cwd = Path(sys.argv[1]) if len(sys.argv) > 1 else notebooks_dir()
    renderer = KernelRenderer(cwd)
    start_error = None
    try:
        renderer.start()
    except Exception as exc:  # noqa: BLE001 - reported with every job below
        start_error = f"kernel could not start: {_last_line(exc)}"
    proto.write(json.dumps({"ready": True}) + "\n")
    try:
        for line in sys.stdin:
            if not line.strip():
                continue
            job = Job(**json.loads(line))
            results = job.failed(start_error) if start_error else renderer.render(job)
            proto.write(json.dumps([asdict(r) for r in results], ensure_ascii=False) + "\n")
    finally:
        renderer.close()


class _Worker:
    """The parent's handle on a worker process and the job it is rendering."""

    def __init__(self, cwd: Path):
        env = dict(os.environ)
        env["PYTHONPATH"] = _pythonpath()
        # A fresh interpreter, not multiprocessing: nothing depends on the caller's __main__.
        self.proc = subprocess.Popen(
            [sys.executable, "-c", "from pipelines.report.render import _worker_main; _worker_main()", str(cwd)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env=env,
            text=True,
            encoding="utf-8",
            bufsize=1,
        )
        self.job: Job | None = None

    def send(self, job: Job) -> None:
        self.job = job
        self.proc.stdin.write(json.dumps(asdict(job), ensure_ascii=False) + "\n")
        self.proc.stdin.flush()

    def finish(self) -> None:
        if self.proc.stdin and not self.proc.stdin.closed:
            try:
                self.proc.stdin.close()
            except OSError:
                pass


def run_parallel(jobs: list[Job], workers: int, cwd: Path, on_done: Callable[[ReportResult], None]) -> None:
    """Hand jobs one at a time to whichever worker is free (big reports first, so none is left last)."""
    todo = deque(jobs)
    sel = selectors.DefaultSelector()
    live: list[_Worker] = []
    restarts = 0

    def start() -> None:
        w = _Worker(cwd)
        live.append(w)
        sel.register(w.proc.stdout, selectors.EVENT_READ, w)

    def feed(w: _Worker) -> None:
        if todo:
            try:
                w.send(todo.popleft())
            except OSError:  # died meanwhile: its EOF arrives next
                pass
        else:
            w.job = None
            w.finish()

    for _ in range(workers):
        start()
    clean = False
    try:
        while live:
            for key, _ in sel.select(timeout=5.0):
                w: _Worker = key.data
                line = w.proc.stdout.readline()
                if not line:  # the worker ended
                    sel.unregister(w.proc.stdout)
                    live.remove(w)
                    code = w.proc.wait()
                    if w.job is not None:
                        for r in w.job.failed(f"worker process died (exit code {code})", attempts=1):
                            on_done(r)
                    if todo and restarts < 3 * workers:
                        restarts += 1
                        start()
                    continue
                msg = json.loads(line)
                if isinstance(msg, list):  # a job's results (else: the worker is ready)
                    for r in msg:
                        on_done(ReportResult(**r))
                feed(w)
        for job in todo:  # every worker gone and too many restarts
            for r in job.failed("no worker left to render"):
                on_done(r)
        clean = True
    finally:
        sel.close()
        for w in live:
            w.finish()  # EOF: the worker stops its kernel and exits
        deadline = time.monotonic() + (60 if clean else 5)
        for w in live:
            try:
                w.proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:  # interrupted: its kernel notices the parent gone and exits
                w.proc.kill()
                w.proc.wait()
