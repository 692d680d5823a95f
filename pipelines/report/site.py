"""The report site of a month: which reports to render, their page shells (title,
breadcrumbs, links one level down), the index, and the assets that make it open offline.

Layout (contract: ../shared/spec/contract.md, "Notebooks"):
    reports/<YYYY-MM>/index.html, province/<code>.html, district/<code>.html,
    village/<code>.html, otop/<code>.html, assets/plotly.min.js, assets/report.css,
    render_summary.json; each report's tables as .xlsx in <kind>/<code>/ (the notebook's
    `output_dir`)
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import re
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from functools import cache
from pathlib import Path

from pipelines import config
from pipelines.report.render import (
    KINDS,
    PARAMETER,
    PROVINCE_KINDS,
    SITE_DIR,
    Job,
    ReportResult,
    jinja,
    mask_leaks,
    notebooks_dir,
    now_th,
    run_parallel,
    write_atomic,
)
from pipelines.thai import fmt as tf

log = logging.getLogger("sammachip.report")

NOTEBOOK = {
    "village": "village",
    "district": "district",
    "province": "province",
    "quality": "quality",
    "otop": "otop_shortlist",
}
KIND_TH = {
    "village": "หมู่บ้าน",
    "district": "อำเภอ",
    "province": "จังหวัด",
    "quality": "คุณภาพข้อมูล จังหวัด",
    "otop": "บัญชี OTOP จังหวัด",
}


@dataclass
class RenderSummary:
    month: str
    root: Path  # reports/<YYYY-MM>/
    index: Path
    ok: list[ReportResult] = field(default_factory=list)
    failed: list[ReportResult] = field(default_factory=list)
    seconds: float = 0.0
    workers: int = 0

    @property
    def results(self) -> list[ReportResult]:
        return self.ok + self.failed


# ----------------------------------------------------------------------------- the site


def _plan(warehouse: Path, month: dt.date):
    """Which reports to render, and the names the page shells and the index need."""
    from pipelines import warehouse as wh

    fy = tf.fiscal_year(month)
    con = wh.connect(warehouse, read_only=True)
    try:
        register = con.execute(
            "SELECT village_code, village_no, village_name, subdistrict_name, district_code, district_name, "
            "province_code, province_name FROM village ORDER BY village_code"
        ).fetchall()
        with_data = {
            r[0]
            for r in con.execute(
                "SELECT village_code FROM household WHERE fiscal_year = $fy UNION "
                "SELECT village_code FROM followup WHERE fiscal_year = $fy UNION "
                "SELECT village_code FROM trainer WHERE fiscal_year = $fy",
                {"fy": fy},
            ).fetchall()
        }
        kpis = {
            r[0]: r[1:]
            for r in con.execute(
                "SELECT village_code, households_reported, households_enrolled, practising_rate, income_change_pct, "
                "households_practising "
                "FROM village_month WHERE fiscal_year = $fy AND month = $month",
                {"fy": fy, "month": month},
            ).fetchall()
        }
    finally:
        con.close()
    return fy, register, with_data, kpis


def _copy_assets(root: Path) -> None:
    """assets/: plotly.js, the DataTables bundle (sortable, filterable tables) and the stylesheet,
    once per site; a file already there with the same bytes is left alone."""
    import plotly

    assets = root / "assets"
    assets.mkdir(parents=True, exist_ok=True)
    files = {
        "plotly.min.js": (Path(plotly.__file__).parent / "package_data" / "plotly.min.js").read_bytes(),
        "tables.js": tables_js().encode(),
        "tables.css": (_itables_dir() / "dt_bundle.css").read_bytes(),
        "report.css": (SITE_DIR / "report.css").read_bytes(),
    }
    for name, data in files.items():
        dst = assets / name
        if dst.exists() and dst.stat().st_size == len(data) and dst.read_bytes() == data:
            continue
        tmp = dst.with_name(f".{name}.tmp")
        tmp.write_bytes(data)
        os.replace(tmp, dst)


def _itables_dir() -> Path:
    import itables

    return Path(itables.__file__).parent / "html"


_EXPORT = re.compile(r"export\{([^}]*)\};?")


@cache
def tables_js() -> str:
    """itables' DataTables bundle (jQuery, DataTables and its extensions in one file) as a
    classic script: it ships as an ES module, and Chromium refuses module scripts from file://
    pages, where the site is read offline. Its exports become ``window.sammachipTables``."""
    src = (_itables_dir() / "dt_bundle.js").read_text(encoding="utf-8")
    found = list(_EXPORT.finditer(src))
    if not found:
        raise RuntimeError("itables' dt_bundle.js has no export list: its format changed")
    m = found[-1]
    pairs = [part.strip().split(" as ") for part in m[1].split(",")]  # "local as exported", or "name"
    exports = ",".join(f"{pair[-1]}:{pair[0]}" for pair in pairs)
    return src[: m.start()] + "window.sammachipTables={" + exports + "};" + src[m.end() :]


def render_reports(
    warehouse: Path,
    month: str,
    reports_dir: Path,
    villages: list[str] | None = None,
    districts: list[str] | None = None,
    province: str | None = None,
    workers: int = 2,
    progress: Callable[[int, int], None] | None = None,
) -> RenderSummary:
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
        want = {
            "village": list(dict.fromkeys(villages or [])),
            "district": list(dict.fromkeys(districts or [])),
            "province": [province] if province else [],
            **{k: [province] if province else [] for k in PROVINCE_KINDS},
        }
    else:
        codes = [c for c in by_village if c in with_data]
        want = {
            "village": codes,
            "district": sorted({by_village[c][4] for c in codes}),
            "province": sorted({by_village[c][6] for c in codes}),
        }
        for k in PROVINCE_KINDS:  # the quality page and the OTOP shortlist go with their province report
            want[k] = list(want["province"])

    known = {
        "village": by_village,
        "district": district_names,
        **dict.fromkeys(("province", *PROVINCE_KINDS), province_names),
    }
    unknown = []
    for kind in KINDS:
        for code in want[kind]:
            if code not in known[kind]:
                unknown.append(
                    ReportResult(
                        kind,
                        code,
                        str(root / kind / f"{code}.html"),
                        False,
                        0.0,
                        0,
                        f"ไม่พบรหัส{KIND_TH[kind]} {code} ในทะเบียนหมู่บ้าน (no {kind} {code} in the village register)",
                    )
                )
        want[kind] = [c for c in want[kind] if c in known[kind]]

    # Reports of this month that exist or will: the navigation links only to those.
    def exists(kind: str, code: str) -> bool:
        return code in want.get(kind, ()) or (root / kind / f"{code}.html").exists()

    jobs = []
    for kind in KINDS:
        if kind == "village":
            continue
        for code in want[kind]:
            params = {"warehouse": str(Path(warehouse).resolve()), "month": month_key, PARAMETER[kind]: code}
            if kind == "otop":
                params["fiscal_year"] = fy
            jobs.append(
                Job(
                    kind,
                    code,
                    str(notebooks_dir() / f"{NOTEBOOK[kind]}.ipynb"),
                    params,
                    str(root / kind / f"{code}.html"),
                    _page(kind, code, m, by_village, district_names, province_names, exists),
                )
            )
    jobs += _village_batches(
        want["village"],
        root,
        month_key,
        warehouse,
        by_village,
        workers,
        lambda c: _page("village", c, m, by_village, district_names, province_names, exists),
    )

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
        run_parallel(jobs, n_workers, notebooks_dir(), on_done)

    summary.failed = unknown + summary.failed
    order = {k: i for i, k in enumerate(KINDS)}
    summary.ok.sort(key=lambda r: (order[r.kind], r.code))
    _write_index(root, m, fy, by_village, district_names, province_names, kpis, summary.failed)
    summary.seconds = round(time.perf_counter() - t0, 2)
    write_atomic(
        root / "render_summary.json",
        json.dumps(
            {
                "month": month_key,
                "fiscal_year": fy,
                "warehouse": str(warehouse),
                "started_at": started.isoformat(timespec="seconds"),
                "finished_at": dt.datetime.now().isoformat(timespec="seconds"),
                "seconds": summary.seconds,
                "workers": summary.workers,
                "counts": {
                    "ok": len(summary.ok),
                    "failed": len(summary.failed),
                    **{k: sum(r.kind == k for r in summary.ok) for k in KINDS},
                },
                "ok": [asdict(r) for r in summary.ok],
                "failed": [asdict(r) for r in summary.failed],
            },
            ensure_ascii=False,
            indent=2,
        ),
    )
    log.info(
        "reports %s: %d written, %d failed in %.1f s", month_key, len(summary.ok), len(summary.failed), summary.seconds
    )
    return summary


BATCH_MAX = 200  # village reports per run of the notebook (docs/decisions.md: village reports in batches)


def _village_batches(codes, root: Path, month_key: str, warehouse, by_village, workers: int, page) -> list[Job]:
    """The village reports as batches: consecutive villages (so a district's stay together) per
    run of the notebook, which queries them all at once; two batches a worker, so the workers
    finish together, and a village report costs a fraction of one rendered on its own."""
    ordered = sorted(codes, key=lambda c: (by_village[c][4], c))
    size = max(1, min(BATCH_MAX, -(-len(ordered) // max(1, 2 * workers))))
    jobs = []
    for i in range(0, len(ordered), size):
        chunk = ordered[i : i + size]
        reports = [{"code": c, "out_html": str(root / "village" / f"{c}.html"), "page": page(c)} for c in chunk]
        params = {
            "warehouse": str(Path(warehouse).resolve()),
            "month": month_key,
            "village_code": chunk[0],
            "village_codes": chunk,
        }
        notebook = str(notebooks_dir() / f"{NOTEBOOK['village']}.ipynb")
        key = f"{chunk[0]}..{chunk[-1]}" if len(chunk) > 1 else chunk[0]
        jobs.append(Job("village", key, notebook, params, reports[0]["out_html"], reports[0]["page"], batch=reports))
    return jobs


def _village_label(r) -> str:
    return f"{r[2]} หมู่ที่ {r[1]}"


def _page(kind, code, month, by_village, district_names, province_names, exists) -> dict:
    """Title, breadcrumbs and links to the reports one level down, for the page shell."""
    month_th = tf.month_be(month)
    crumbs = [("หน้าหลัก", "../index.html")]
    related: list[tuple[str, str]] = []
    if kind == "village":
        r = by_village[code]
        crumbs += [
            (f"จังหวัด{r[7]}", f"../province/{r[6]}.html" if exists("province", r[6]) else None),
            (f"อำเภอ{r[5]}", f"../district/{r[4]}.html" if exists("district", r[4]) else None),
            (f"{_village_label(r)} ต.{r[3]}", None),
        ]
        title = f"{_village_label(r)} ต.{r[3]} อ.{r[5]} — {month_th}"
        related_title = ""
    elif kind == "district":
        name, pcode, pname = district_names[code]
        crumbs += [
            (f"จังหวัด{pname}", f"../province/{pcode}.html" if exists("province", pcode) else None),
            (f"อำเภอ{name}", None),
        ]
        related = [
            (f"{_village_label(r)} ต.{r[3]}", f"../village/{c}.html")
            for c, r in by_village.items()
            if r[4] == code and exists("village", c)
        ]
        title = f"อำเภอ{name} จังหวัด{pname} — {month_th}"
        related_title = "รายงานหมู่บ้านในอำเภอนี้"
    else:
        name = province_names[code]
        crumbs += [(f"จังหวัด{name}", None)]
        related = [
            (f"อำเภอ{n}", f"../district/{d}.html")
            for d, (n, p, _) in sorted(district_names.items())
            if p == code and exists("district", d)
        ]
        title = f"จังหวัด{name} — {month_th}"
        related_title = "รายงานอำเภอในจังหวัดนี้"
        if kind in PROVINCE_KINDS:
            here = {"otop": "บัญชี OTOP", "quality": "คุณภาพข้อมูล"}[kind]
            crumbs[-1:] = [
                (f"จังหวัด{name}", f"../province/{code}.html" if exists("province", code) else None),
                (here, None),
            ]
            related, related_title = [], ""
            title = (
                f"กลุ่มอาชีพที่พร้อมเข้าสู่ OTOP จังหวัด{name} — {month_th}"
                if kind == "otop"
                else f"คุณภาพข้อมูล จังหวัด{name} — {month_th}"
            )
    return {
        "title": f"รายงานสัมมาชีพชุมชน {title}",
        "crumbs": crumbs,
        "related": related,
        "related_title": related_title,
        "links": _site_links(
            kind,
            by_village[code][6] if kind == "village" else district_names[code][1] if kind == "district" else code,
            exists,
        ),
    }


def _site_links(kind: str, province: str, exists) -> list[tuple[str, str]]:
    """The province's pages every page links to (a page does not link to itself)."""
    out = []
    for k, label in (("otop", "บัญชี OTOP"), ("quality", "คุณภาพข้อมูล")):
        if k != kind and exists(k, province):
            out.append((label, f"../{k}/{province}.html"))
    return out


def _write_index(
    root: Path, month: dt.date, fy: int, by_village, district_names, province_names, kpis, failed: list[ReportResult]
) -> Path:
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
                rows.append(
                    {
                        "name": _village_label(r),
                        "subdistrict": r[3],
                        "href": f"village/{c}.html",
                        "reported": f"{k[0]}/{k[1]}" if k else "ยังไม่รายงาน",
                        "rate": tf.percent(rate, ratio=True),
                        "change": tf.signed_percent(change),
                        "row_class": "muted" if not k else ("bad" if rate is not None and rate < _target() else ""),
                    }
                )
            # The district's rate as the reports count it: summed households, not an average of rates.
            ks = [kpis[c] for c, r in by_village.items() if r[4] == dcode and c in kpis]
            reported = sum(k[0] for k in ks)
            districts.append(
                {
                    "name": district_names[dcode][0],
                    "villages": rows,
                    "rate": tf.percent(sum(k[4] for k in ks) / reported, ratio=True) if reported else None,
                    "href": f"district/{dcode}.html" if dcode in on_disk["district"] else None,
                }
            )
        provinces.append(
            {
                "name": province_names[pcode],
                "districts": districts,
                "href": f"province/{pcode}.html" if pcode in on_disk["province"] else None,
                "otop": f"otop/{pcode}.html" if pcode in on_disk["otop"] else None,
                "quality": f"quality/{pcode}.html" if pcode in on_disk["quality"] else None,
                "todo": [
                    (f"อ.{district_names[d][0]}", f"todo/{d}.xlsx")
                    for d in sorted(tree[pcode])
                    if (root / "todo" / f"{d}.xlsx").exists()
                ],
            }
        )
    search = [
        {"name": _village_label(r), "subdistrict": r[3], "district": r[5], "code": c, "href": f"village/{c}.html"}
        for c, r in by_village.items()
        if c in on_disk["village"]
    ]
    labels = {
        "otop": lambda c: f"จังหวัด{province_names[c]}" if c in province_names else c,
        "quality": lambda c: f"จังหวัด{province_names[c]}" if c in province_names else c,
        "village": lambda c: _village_label(by_village[c]) if c in by_village else c,
        "district": lambda c: f"อำเภอ{district_names[c][0]}" if c in district_names else c,
        "province": lambda c: f"จังหวัด{province_names[c]}" if c in province_names else c,
    }
    html_text = (
        jinja()
        .get_template("index.html.j2")
        .render(
            month_th=tf.month_be(month),
            fiscal_year=fy,
            provinces=provinces,
            search=search,
            n=n,
            generated=now_th(),
            extras=_extras(root, district_names),
            failed=[
                {"label": f"{KIND_TH[f.kind]} {labels[f.kind](f.code)} ({f.code})", "error": f.error} for f in failed
            ],
        )
    )
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
    job = Job(
        kind,
        code,
        str(Path(notebook).resolve()),
        dict(params),
        str(out),
        {"title": title or f"รายงานสัมมาชีพชุมชน {out.stem}", "crumbs": crumbs, "related": [], "related_title": ""},
    )
    results: list[ReportResult] = []
    run_parallel([job], 1, Path(notebook).resolve().parent, results.append)
    return results[0]
