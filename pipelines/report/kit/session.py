"""A report's session: the kernel's set-up (chart template, warnings, the stylesheet by
hand), the read-only warehouse connection, and the programme's targets from sammachip.yml."""

from __future__ import annotations

import contextlib
import os
import warnings
from pathlib import Path

from pipelines import config
from pipelines.report.kit.charts import RENDER_ENV, register_template  # RENDER_ENV: set by the batch renderer

SITE_CSS = Path(__file__).resolve().parents[1] / "templates" / "report.css"


def setup() -> None:
    """Chart template, quiet warnings; by hand in JupyterLab also the report stylesheet."""
    register_template()
    if not any(f[0] == "ignore" and f[2] is Warning for f in warnings.filters[:1]):
        warnings.simplefilter("ignore")  # once per kernel, not once per report
    if not os.environ.get(RENDER_ENV) and SITE_CSS.exists():
        from IPython.display import HTML, display

        display(HTML(f"<style>{SITE_CSS.read_text(encoding='utf-8')}</style>"))


def programme() -> dict:
    """Quotas and targets from sammachip.yml (values live there, not in notebooks)."""
    return config.settings()["programme"]


def resolve_warehouse(path: str | os.PathLike) -> Path:
    """The warehouse path as given, else relative to the notebooks folder or the project root."""
    p = Path(path)
    if p.is_absolute() or p.exists():
        return p
    for base in (config.NOTEBOOKS_DIR, config.PROJECT_ROOT):
        if (base / p).exists():
            return (base / p).resolve()
    return p  # warehouse.connect says it is missing, and what to run


_SHARED: dict = {}  # batch rendering: one open database per kernel, a fresh cursor per report


def connect(path: str | os.PathLike):
    """A read-only connection: reports never write the warehouse.

    Under the batch renderer the database stays open in the kernel between reports (opening
    it costs more than many a query) and each report gets its own cursor, so no registered
    frame or temporary table of one report is seen by the next. By hand it is a plain
    connection, closed by the notebook, so nothing keeps the file open behind a planner.
    """
    from pipelines import warehouse

    p = resolve_warehouse(path)
    if not os.environ.get(RENDER_ENV):
        return _single_thread(warehouse.connect(p, read_only=True))
    try:
        st = p.stat()
        key = (str(p.resolve()), st.st_mtime_ns, st.st_size)
    except OSError:
        key = None
    if key is None or _SHARED.get("key") != key:
        if _SHARED.get("con") is not None:
            _SHARED.pop("con").close()
        _SHARED["con"] = _single_thread(warehouse.connect(p, read_only=True))
        _SHARED["key"] = key
    return _SHARED["con"].cursor()


def _single_thread(con):
    # Report queries are small; one thread avoids waking a pool per query while other
    # reports render in parallel on the same cores.
    con.execute("SET threads TO 1")
    return con


@contextlib.contextmanager
def page(code):
    """The outputs that follow belong to report ``code``: a batch notebook renders several
    reports in one run (its parameter ``village_codes``), and the site splits its output at
    these markers. Under the renderer an error ends this report alone, its marker saying why,
    and the next report goes on; by hand it is raised as usual."""
    from IPython.display import display

    from pipelines.report.render import PAGE_MIME

    display({PAGE_MIME: {"code": str(code)}, "text/plain": ""}, raw=True)
    try:
        yield
    except Exception as exc:
        if not os.environ.get(RENDER_ENV):
            raise
        display({PAGE_MIME: {"code": str(code), "error": f"{type(exc).__name__}: {exc}"}, "text/plain": ""}, raw=True)
