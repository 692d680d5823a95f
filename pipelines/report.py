"""The report site: the notebooks executed on long-lived kernels, written as offline HTML.

A kernel costs ~1.5 s to start and a province has ~700 villages, so no report starts its
own: a few worker processes each keep ONE kernel and feed it report after report
(papermill injects the parameters, nbclient runs the cells, the user namespace is reset in
between so nothing leaks from one village to the next). A failed report is retried once on a fresh
kernel and then recorded; it never stops the others.

Layout (contract: ../shared/spec/contract.md, "Notebooks"):
    reports/<YYYY-MM>/index.html, province/<code>.html, district/<code>.html,
    village/<code>.html, assets/plotly.min.js, assets/report.css, render_summary.json;
    each report's tables as .xlsx in <kind>/<code>/ (the notebook's `output_dir`)
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
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable

from pipelines import config, thaifmt as tf

log = logging.getLogger("sammachip.report")
_nb_log = logging.getLogger("sammachip.report.nbclient")   # nbclient says "Executing notebook" per report
_nb_log.setLevel(logging.WARNING)

KINDS = ("province", "otop", "district", "village")  # also the order reports are rendered in
PARAMETER = {"village": "village_code", "district": "district_code", "province": "province_code",
             "otop": "province_code"}
KIND_TH = {"village": "หมู่บ้าน", "district": "อำเภอ", "province": "จังหวัด", "otop": "บัญชี OTOP จังหวัด"}
NOTEBOOK = {"village": "village", "district": "district", "province": "province", "otop": "otop_shortlist"}
SITE_DIR = Path(__file__).parent / "site"
CODE_ROOT = Path(__file__).resolve().parent.parent
CELL_TIMEOUT = 300          # seconds per cell: a province query on a slow disk, with room to spare
KERNEL_NAME = "python3"
MAX_ATTEMPTS = 2            # one retry on a fresh kernel
# What `%reset -f` does to the user namespace, without its gc.collect() passes: those cost
# 140 ms a report, a third of the time of a village. Imports come back from sys.modules.
RESET_CODE = ("[get_ipython().user_ns.pop(k) for k in "
              "[k for k in get_ipython().user_ns if k not in get_ipython().user_ns_hidden]]; "
              "get_ipython().user_ns['Out'].clear(); get_ipython().user_ns.update(_='', __='', ___='')")
# A citizen ID that slipped through unmasked: 13 digits, not part of a longer number or a decimal.
_FULL_ID = re.compile(r"(?<![\d.])(\d{13})(?![\d])")


# ----------------------------------------------------------------------------- results


@dataclass
class ReportResult:
    kind: str
    code: str
    path: str                     # the HTML file (written or intended)
    ok: bool
    seconds: float = 0.0
    attempts: int = 0
    error: str | None = None      # the error's last line, for people

    def __str__(self) -> str:
        return f"{self.kind} {self.code}: " + (self.path if self.ok else (self.error or "failed"))


@dataclass
class RenderSummary:
    month: str
    root: Path                    # reports/<YYYY-MM>/
    index: Path
    ok: list[ReportResult] = field(default_factory=list)
    failed: list[ReportResult] = field(default_factory=list)
    seconds: float = 0.0
    workers: int = 0

    @property
    def results(self) -> list[ReportResult]:
        return self.ok + self.failed


@dataclass
class Job:
    """One report to render; plain data so it crosses process boundaries."""
    kind: str
    code: str
    notebook: str
    params: dict
    out_html: str
    page: dict                    # title, crumbs, related, related_title (page shell)

    @property
    def key(self) -> str:
        return f"{self.kind}/{self.code}"


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


def _citizen_id_valid(d: str) -> bool:
    return (11 - sum(int(d[i]) * (13 - i) for i in range(12)) % 11) % 10 == int(d[12])


def mask_leaks(html_text: str) -> tuple[str, int]:
    """Last line of defence (PDPA): mask any valid 13-digit citizen ID left in a page."""
    count = 0

    def sub(m: re.Match) -> str:
        nonlocal count
        d = m[1]
        if not _citizen_id_valid(d):
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


def _jinja():
    import jinja2

    return jinja2.Environment(loader=jinja2.FileSystemLoader(str(SITE_DIR)), autoescape=True,
                              trim_blocks=False, lstrip_blocks=False)


def _body(nb) -> str:
    """The page body: every output of every code cell, no code, no prompts.

    Report notebooks show everything as HTML outputs (tables, cards, charts as an HTML div
    with its script), so this is all nbconvert's exporter did for them, at a tenth of its
    cost per report. Cells tagged `remove` are left out; stderr never reaches a page.
    """
    parts = []
    for cell in nb.cells:
        if cell.cell_type != "code" or "remove" in cell.get("metadata", {}).get("tags", []):
            continue
        for out in cell.get("outputs", []):
            if out.output_type in ("display_data", "execute_result"):
                data = out.get("data", {})
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
            parts.append(f'<div class="jp-OutputArea-output">{piece}</div>')
    return "\n".join(parts)


def _now_th() -> str:
    return tf.date_be(dt.datetime.now(), abbr=False, time=True)


class KernelRenderer:
    """One long-lived kernel and one exporter; renders reports one after another."""

    def __init__(self, cwd: Path | None = None):
        self.cwd = Path(cwd or notebooks_dir())
        self.loop = asyncio.new_event_loop()
        self.tmp = Path(tempfile.mkdtemp(prefix="smc-"))      # short: ipc socket paths are limited
        self.km = None
        self.kc = None
        self.page = _jinja().get_template("page.html.j2")
        self._notebooks: dict[str, object] = {}

    # -- kernel lifecycle

    def _env(self) -> dict:
        env = dict(os.environ)
        env["SAMMACHIP_RENDER"] = "1"                          # reportkit: the site brings its own CSS
        env["PYTHONPATH"] = _pythonpath()
        env.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
        return env

    async def _start(self) -> None:
        from jupyter_client.manager import AsyncKernelManager

        # IPC sockets in a private folder: parallel workers cannot race for TCP ports.
        km = (AsyncKernelManager(kernel_name=KERNEL_NAME, transport="ipc", ip=str(self.tmp / "k"))
              if os.name == "posix" else AsyncKernelManager(kernel_name=KERNEL_NAME))
        km.connection_file = str(self.tmp / "kernel.json")
        await km.start_kernel(cwd=str(self.cwd), env=self._env(),
                              extra_arguments=["--HistoryManager.hist_file=:memory:"])
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
            except Exception as exc:                           # noqa: BLE001 - a dead kernel is fine here
                log.debug("kernel shutdown: %s", exc)
            try:
                await km.cleanup_resources()
            except Exception:                                  # noqa: BLE001 - best effort
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
        from papermill.iorw import load_notebook_node    # also gives every cell the tags papermill expects

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
        client = NotebookClient(nb, km=self.km, timeout=CELL_TIMEOUT, kernel_name=KERNEL_NAME, allow_errors=False,
                                record_timing=False, resources={"metadata": {"path": str(self.cwd)}}, log=_nb_log)
        client.kc = self.kc                                    # reuse: nbclient neither starts nor stops it
        await client.async_execute()
        return nb

    def _export(self, nb, job: Job) -> str:
        for cell in nb.cells:                                  # warnings on stderr are not for readers
            if cell.get("outputs"):
                cell.outputs = [o for o in cell.outputs if not (o.output_type == "stream" and o.name == "stderr")]
        body = _body(nb)
        out = Path(job.out_html)
        assets = os.path.relpath(out.parent.parent / "assets", out.parent) if out.parent.name in KINDS \
            else os.path.relpath(out.parent / "assets", out.parent)
        html_text = self.page.render(body=_markup(body), assets=Path(assets).as_posix(), generated=_now_th(),
                                     **job.page)
        html_text, leaks = mask_leaks(html_text)
        if leaks:
            log.warning("%s: masked %d citizen IDs the notebook left unmasked", job.key, leaks)
        return html_text

    def render(self, job: Job) -> ReportResult:
        t0 = time.perf_counter()
        error = None
        for attempt in range(1, MAX_ATTEMPTS + 1):
            try:
                nb = self.loop.run_until_complete(self._execute(job))
                write_atomic(Path(job.out_html), self._export(nb, job))
                return ReportResult(job.kind, job.code, job.out_html, True, round(time.perf_counter() - t0, 3), attempt)
            except Exception as exc:                           # noqa: BLE001 - recorded, the batch goes on
                error = _last_line(exc)
                log.warning("%s attempt %d failed: %s", job.key, attempt, error)
                log.debug("%s", job.key, exc_info=True)
                try:
                    self.loop.run_until_complete(self._restart())
                except Exception as exc2:                      # noqa: BLE001
                    error = f"{error} (kernel restart failed: {_last_line(exc2)})"
                    break
        return ReportResult(job.kind, job.code, job.out_html, False, round(time.perf_counter() - t0, 3),
                            MAX_ATTEMPTS, error)


def _markup(text: str):
    from markupsafe import Markup

    return Markup(text)


# ----------------------------------------------------------------------------- workers


def _worker_main() -> None:
    """A worker process: one kernel for every report it is handed (JSON lines on stdin/stdout)."""
    proto = os.fdopen(os.dup(1), "w", encoding="utf-8", buffering=1)
    os.dup2(2, 1)                                  # anything else printed goes to stderr, not the protocol
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(message)s")
    cwd = Path(sys.argv[1]) if len(sys.argv) > 1 else notebooks_dir()
    renderer = KernelRenderer(cwd)
    start_error = None
    try:
        renderer.start()
    except Exception as exc:                       # noqa: BLE001 - reported with every job below
        start_error = f"kernel could not start: {_last_line(exc)}"
    proto.write(json.dumps({"ready": True}) + "\n")
    try:
        for line in sys.stdin:
            if not line.strip():
                continue
            job = Job(**json.loads(line))
            if start_error:
                res = ReportResult(job.kind, job.code, job.out_html, False, 0.0, 0, start_error)
            else:
                res = renderer.render(job)
            proto.write(json.dumps(asdict(res), ensure_ascii=False) + "\n")
    finally:
        renderer.close()


class _Worker:
    """The parent's handle on a worker process and the job it is rendering."""

    def __init__(self, cwd: Path):
        env = dict(os.environ)
        env["PYTHONPATH"] = _pythonpath()
        # A fresh interpreter, not multiprocessing: nothing depends on the caller's __main__.
        self.proc = subprocess.Popen(
            [sys.executable, "-c", "from pipelines.report import _worker_main; _worker_main()", str(cwd)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env, text=True, encoding="utf-8", bufsize=1)
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


def _run_parallel(jobs: list[Job], workers: int, cwd: Path, on_done: Callable[[ReportResult], None]) -> None:
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
            except OSError:                        # died meanwhile: its EOF arrives next
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
                if not line:                       # the worker ended
                    sel.unregister(w.proc.stdout)
                    live.remove(w)
                    code = w.proc.wait()
                    if w.job is not None:
                        on_done(ReportResult(w.job.kind, w.job.code, w.job.out_html, False, 0.0, 1,
                                             f"worker process died (exit code {code})"))
                    if todo and restarts < 3 * workers:
                        restarts += 1
                        start()
                    continue
                msg = json.loads(line)
                if not msg.get("ready"):
                    on_done(ReportResult(**msg))
                feed(w)
        for r in todo:                             # every worker gone and too many restarts
            on_done(ReportResult(r.kind, r.code, r.out_html, False, 0.0, 0, "no worker left to render"))
        clean = True
    finally:
        sel.close()
        for w in live:
            w.finish()                             # EOF: the worker stops its kernel and exits
        deadline = time.monotonic() + (60 if clean else 5)
        for w in live:
            try:
                w.proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:     # interrupted: its kernel notices the parent gone and exits
                w.proc.kill()
                w.proc.wait()


# ----------------------------------------------------------------------------- the site


def _plan(warehouse: Path, month: dt.date):
    """Which reports to render, and the names the page shells and the index need."""
    from pipelines import warehouse as wh

    fy = tf.fiscal_year(month)
    con = wh.connect(warehouse, read_only=True)
    try:
        register = con.execute(
            "SELECT village_code, village_no, village_name, subdistrict_name, district_code, district_name, "
            "province_code, province_name FROM village ORDER BY village_code").fetchall()
        with_data = {r[0] for r in con.execute(
            "SELECT village_code FROM household WHERE fiscal_year = $fy UNION "
            "SELECT village_code FROM followup WHERE fiscal_year = $fy UNION "
            "SELECT village_code FROM trainer WHERE fiscal_year = $fy", {"fy": fy}).fetchall()}
        kpis = {r[0]: r[1:] for r in con.execute(
            "SELECT village_code, households_reported, households_enrolled, practising_rate, income_change_pct, "
            "households_practising "
            "FROM village_month WHERE fiscal_year = $fy AND month = $month", {"fy": fy, "month": month}).fetchall()}
    finally:
        con.close()
    return fy, register, with_data, kpis


def _copy_assets(root: Path) -> None:
    import plotly

    assets = root / "assets"
    assets.mkdir(parents=True, exist_ok=True)
    src = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
    for s, name in ((src, "plotly.min.js"), (SITE_DIR / "report.css", "report.css")):
        dst = assets / name
        if dst.exists() and dst.stat().st_size == s.stat().st_size and dst.read_bytes() == s.read_bytes():
            continue
        tmp = dst.with_name(f".{name}.tmp")
        shutil.copyfile(s, tmp)
        os.replace(tmp, dst)


def render_reports(warehouse: Path, month: str, reports_dir: Path, villages: list[str] | None = None,
                   districts: list[str] | None = None, province: str | None = None,
                   workers: int = 2, progress: Callable[[int, int], None] | None = None) -> RenderSummary:
    """Render the month's reports into ``reports_dir/<YYYY-MM>/`` and (re)write its index.

    No selector: every village with data in the month's fiscal year (roster or follow-up),
    every district and province holding one. Selectors pick exactly those reports.
    """
    t0 = time.perf_counter()
    started = dt.datetime.now()
    m = tf.parse_month(month)
    month_key = f"{m:%Y-%m}"
    root = Path(reports_dir).resolve() / month_key
    fy, register, with_data, kpis = _plan(Path(warehouse), m)

    by_village = {r[0]: r for r in register}
    district_names = {r[4]: (r[5], r[6], r[7]) for r in register}
    province_names = {r[6]: r[7] for r in register}
    summary = RenderSummary(month_key, root, root / "index.html")

    if villages or districts or province:
        want = {"village": list(dict.fromkeys(villages or [])), "district": list(dict.fromkeys(districts or [])),
                "province": [province] if province else [], "otop": [province] if province else []}
    else:
        codes = [c for c in by_village if c in with_data]
        want = {"village": codes,
                "district": sorted({by_village[c][4] for c in codes}),
                "province": sorted({by_village[c][6] for c in codes})}
        want["otop"] = list(want["province"])        # the OTOP shortlist goes with its province report

    known = {"village": by_village, "district": district_names, "province": province_names, "otop": province_names}
    unknown = []
    for kind in KINDS:
        for code in want[kind]:
            if code not in known[kind]:
                unknown.append(ReportResult(kind, code, str(root / kind / f"{code}.html"), False, 0.0, 0,
                                            f"ไม่พบรหัส{KIND_TH[kind]} {code} ในทะเบียนหมู่บ้าน "
                                            f"(no {kind} {code} in the village register)"))
        want[kind] = [c for c in want[kind] if c in known[kind]]

    # Reports of this month that exist or will: the navigation links only to those.
    def exists(kind: str, code: str) -> bool:
        return code in want[kind] or (root / kind / f"{code}.html").exists()

    jobs = []
    for kind in KINDS:
        for code in want[kind]:
            params = {"warehouse": str(Path(warehouse).resolve()), "month": month_key, PARAMETER[kind]: code}
            if kind == "otop":
                params["fiscal_year"] = fy
            jobs.append(Job(kind, code, str(notebooks_dir() / f"{NOTEBOOK[kind]}.ipynb"), params,
                            str(root / kind / f"{code}.html"),
                            _page(kind, code, m, by_village, district_names, province_names, exists)))

    root.mkdir(parents=True, exist_ok=True)
    _copy_assets(root)
    total = len(jobs)
    done = 0
    if progress:
        progress(0, total)

    def on_done(res: ReportResult) -> None:
        nonlocal done
        done += 1
        (summary.ok if res.ok else summary.failed).append(res)
        if not res.ok:
            log.error("report %s %s failed: %s", res.kind, res.code, res.error)
        if progress:
            progress(done, total)

    n_workers = max(1, min(workers, total))
    summary.workers = n_workers if total else 0
    if total:
        _run_parallel(jobs, n_workers, notebooks_dir(), on_done)

    summary.failed = unknown + summary.failed
    order = {k: i for i, k in enumerate(KINDS)}
    summary.ok.sort(key=lambda r: (order[r.kind], r.code))
    _write_index(root, m, fy, by_village, district_names, province_names, kpis, summary.failed)
    summary.seconds = round(time.perf_counter() - t0, 2)
    write_atomic(root / "render_summary.json", json.dumps({
        "month": month_key, "fiscal_year": fy, "warehouse": str(warehouse),
        "started_at": started.isoformat(timespec="seconds"),
        "finished_at": dt.datetime.now().isoformat(timespec="seconds"),
        "seconds": summary.seconds, "workers": summary.workers,
        "counts": {"ok": len(summary.ok), "failed": len(summary.failed),
                   **{k: sum(r.kind == k for r in summary.ok) for k in KINDS}},
        "ok": [asdict(r) for r in summary.ok], "failed": [asdict(r) for r in summary.failed],
    }, ensure_ascii=False, indent=2))
    log.info("reports %s: %d written, %d failed in %.1f s", month_key, len(summary.ok), len(summary.failed),
             summary.seconds)
    return summary


def _village_label(r) -> str:
    return f"{r[2]} หมู่ที่ {r[1]}"


def _page(kind, code, month, by_village, district_names, province_names, exists) -> dict:
    """Title, breadcrumbs and links to the reports one level down, for the page shell."""
    month_th = tf.month_be(month)
    crumbs = [("หน้าหลัก", "../index.html")]
    related: list[tuple[str, str]] = []
    if kind == "village":
        r = by_village[code]
        crumbs += [(f"จังหวัด{r[7]}", f"../province/{r[6]}.html" if exists("province", r[6]) else None),
                   (f"อำเภอ{r[5]}", f"../district/{r[4]}.html" if exists("district", r[4]) else None),
                   (f"{_village_label(r)} ต.{r[3]}", None)]
        title = f"{_village_label(r)} ต.{r[3]} อ.{r[5]} — {month_th}"
        related_title = ""
    elif kind == "district":
        name, pcode, pname = district_names[code]
        crumbs += [(f"จังหวัด{pname}", f"../province/{pcode}.html" if exists("province", pcode) else None),
                   (f"อำเภอ{name}", None)]
        related = [(f"{_village_label(r)} ต.{r[3]}", f"../village/{c}.html")
                   for c, r in by_village.items() if r[4] == code and exists("village", c)]
        title = f"อำเภอ{name} จังหวัด{pname} — {month_th}"
        related_title = "รายงานหมู่บ้านในอำเภอนี้"
    else:
        name = province_names[code]
        crumbs += [(f"จังหวัด{name}", None)]
        related = [(f"อำเภอ{n}", f"../district/{d}.html")
                   for d, (n, p, _) in sorted(district_names.items()) if p == code and exists("district", d)]
        title = f"จังหวัด{name} — {month_th}"
        related_title = "รายงานอำเภอในจังหวัดนี้"
        if kind == "otop":
            crumbs[-1:] = [(f"จังหวัด{name}", f"../province/{code}.html" if exists("province", code) else None),
                           ("บัญชี OTOP", None)]
            related, related_title = [], ""
            title = f"กลุ่มอาชีพที่พร้อมเข้าสู่ OTOP จังหวัด{name} — {month_th}"
    return {"title": f"รายงานสัมมาชีพชุมชน {title}", "crumbs": crumbs, "related": related,
            "related_title": related_title}


def _write_index(root: Path, month: dt.date, fy: int, by_village, district_names, province_names, kpis,
                 failed: list[ReportResult]) -> Path:
    """index.html: every report of the month on disk, province → districts → villages."""
    on_disk = {k: {p.stem for p in (root / k).glob("*.html")} for k in KINDS}
    tree: dict[str, dict[str, list[str]]] = {}
    for c, r in by_village.items():
        if c in on_disk["village"] or r[4] in on_disk["district"] or r[6] in on_disk["province"]:
            tree.setdefault(r[6], {}).setdefault(r[4], [])
            if c in on_disk["village"]:
                tree[r[6]][r[4]].append(c)
    provinces = []
    n = {k: len(v) for k, v in on_disk.items()}
    for pcode in sorted(tree):
        districts = []
        for dcode in sorted(tree[pcode]):
            if not tree[pcode][dcode] and dcode not in on_disk["district"]:
                continue
            rows = []
            for c in tree[pcode][dcode]:
                r = by_village[c]
                k = kpis.get(c)
                rate, change = (k[2], k[3]) if k else (None, None)
                rows.append({"name": _village_label(r), "subdistrict": r[3], "href": f"village/{c}.html",
                             "reported": f"{k[0]}/{k[1]}" if k else "ยังไม่รายงาน",
                             "rate": tf.percent(rate, ratio=True), "change": tf.signed_percent(change),
                             "row_class": "muted" if not k else ("bad" if rate is not None and rate < _target() else "")})
            # The district's rate as the reports count it: summed households, not an average of rates.
            ks = [kpis[c] for c, r in by_village.items() if r[4] == dcode and c in kpis]
            reported = sum(k[0] for k in ks)
            districts.append({"name": district_names[dcode][0], "villages": rows,
                              "rate": tf.percent(sum(k[4] for k in ks) / reported, ratio=True) if reported else None,
                              "href": f"district/{dcode}.html" if dcode in on_disk["district"] else None})
        provinces.append({"name": province_names[pcode], "districts": districts,
                          "href": f"province/{pcode}.html" if pcode in on_disk["province"] else None,
                          "otop": f"otop/{pcode}.html" if pcode in on_disk["otop"] else None})
    labels = {"otop": lambda c: f"จังหวัด{province_names[c]}" if c in province_names else c,
              "village": lambda c: _village_label(by_village[c]) if c in by_village else c,
              "district": lambda c: f"อำเภอ{district_names[c][0]}" if c in district_names else c,
              "province": lambda c: f"จังหวัด{province_names[c]}" if c in province_names else c}
    html_text = _jinja().get_template("index.html.j2").render(
        month_th=tf.month_be(month), fiscal_year=fy, provinces=provinces, n=n, generated=_now_th(),
        extras=_extras(root, district_names),
        failed=[{"label": f"{KIND_TH[f.kind]} {labels[f.kind](f.code)} ({f.code})", "error": f.error} for f in failed])
    html_text, _ = mask_leaks(html_text)
    write_atomic(root / "index.html", html_text)
    return root / "index.html"


def _extras(root: Path, district_names) -> list[tuple[str, str]]:
    """Other outputs of the monthly run in the same folder, linked when they exist."""
    out = []
    if (root / "data_docs" / "index.html").exists():
        out.append(("ผลการตรวจสอบคุณภาพข้อมูล (Data Docs)", "data_docs/index.html"))
    for p in sorted(root.glob("otop_shortlist_*.xlsx")):
        out.append((f"บัญชีผลิตภัณฑ์ที่มีศักยภาพเป็น OTOP ปีงบประมาณ {p.stem.rsplit('_', 1)[-1]} (Excel)", p.name))
    for p in sorted((root / "todo").glob("*.xlsx")):
        name = district_names.get(p.stem, (p.stem,))[0]
        out.append((f"รายการข้อมูลที่ต้องแก้ไข อำเภอ{name} (Excel)", f"todo/{p.name}"))
    return out


def _target() -> float:
    return float(config.settings()["programme"]["target_practising_rate"])


def render_one(notebook: str | Path, params: dict, out_html: str | Path, title: str | None = None) -> ReportResult:
    """One report by the same machinery (a kernel of its own, started and stopped here).

    Assets go to ``assets/`` beside the report, or one level up when the report sits in a
    site folder (village/, district/, province/), so the page opens offline either way.
    """
    out = Path(out_html).resolve()
    kind = out.parent.name if out.parent.name in KINDS else Path(notebook).stem
    code = str(params.get(PARAMETER.get(kind, ""), out.stem))
    _copy_assets(out.parent.parent if out.parent.name in KINDS else out.parent)
    crumbs = [("หน้าหลัก", "../index.html")] if out.parent.name in KINDS else []
    job = Job(kind, code, str(Path(notebook).resolve()), dict(params), str(out),
              {"title": title or f"รายงานสัมมาชีพชุมชน {out.stem}", "crumbs": crumbs, "related": [],
               "related_title": ""})
    results: list[ReportResult] = []
    _run_parallel([job], 1, Path(notebook).resolve().parent, results.append)
    return results[0]
