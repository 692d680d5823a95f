"""Which files to ingest, and in which order they arrived (docs/decisions.md, "Files and arrival").

A file named on the command line is always taken (and refused with its reason if it cannot
be read). In a folder, a file is taken by what its content is, whatever its name
(tracking-workbook.md, "Files"): a workbook (zip or OLE2, with or without a password), an
HTML page with tables, an Excel 2003 XML Spreadsheet, Excel's UTF-16 "Unicode Text", or text
that holds a tracking table. A file whose name says workbook or CSV (.xlsx, .xlsm, .xls, .ods,
.csv) is taken whatever it holds, so a damaged or mis-saved one is refused with its reason
rather than left out. The rest (a Word document, a PDF, an image, a zip that is no workbook,
notes) is left out and listed, each with the reason: `discover_with_ignored`.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from pathlib import Path

from pipelines.ingest import formats
from pipelines.ingest.workbook import FileRefused, header_block, locate, read

KIND_RANK = {"trainers": 0, "households": 1, "followup": 2}
SUFFIXES = {".xlsx", ".xlsm", ".xls", ".ods", ".csv"}  # always taken from a folder
_NEVER_TEXT = {".xlsx", ".xlsm", ".xlsb", ".ods"}  # zipped formats: not worth a look for CSV text
_TABLE_TAG = re.compile(r"<\s*table[\s>]", re.IGNORECASE)
_HTML_SCAN_BYTES = 16 * 1024 * 1024  # an HTML page longer than this is taken without looking for <table>

NO_TABLE_HTML = "หน้าเว็บที่ไม่มีตาราง (an HTML page without tables)"
NO_TABLE_TEXT = "ข้อความที่ไม่มีตารางติดตาม (text without a tracking table)"


def hidden(path: Path, root: Path) -> bool:
    """Not village data: hidden or lock files, and folders starting with '.' or '_' (e.g. _truth)."""
    parts = path.relative_to(root).parts
    return path.name.startswith((".", "~$")) or any(p.startswith((".", "_")) for p in parts[:-1])


def is_register(path: Path) -> bool:
    """The province's village register CSV travels in raw/ too; it is loaded, not ingested."""
    return path.suffix.lower() == ".csv" and path.name.lower().startswith("register")


def discover(paths: Iterable[str | Path]) -> list[Path]:
    """Files named, and village files found recursively under folders named; in arrival order."""
    return discover_with_ignored(paths)[0]


def discover_with_ignored(paths: Iterable[str | Path]) -> tuple[list[Path], list[tuple[Path, str]]]:
    """discover(), and the files found in folders that are left out: (path, reason in Thai and
    English), in path order. Hidden and lock files, folders starting with '.' or '_' and the
    register CSV are left out without being listed."""
    found: list[Path] = []
    ignored: dict[Path, str] = {}
    texts: set[Path] = set()  # files known to hold text: candidates for a CSV bundle
    for p in map(Path, paths):
        if p.is_dir():
            for f in sorted(p.rglob("*")):
                if not f.is_file() or hidden(f, p) or is_register(f):
                    continue
                if f.suffix.lower() in SUFFIXES:
                    found.append(f)
                    continue
                kind, reason = _content(f)
                if reason is None:
                    found.append(f)
                    if kind == formats.TEXT:
                        texts.add(f)
                else:
                    ignored.setdefault(f, reason)
        else:
            found.append(p)
    unique = list(dict.fromkeys(found))
    taken = set(unique)
    return _arrival_order(unique, texts), [(f, why) for f, why in ignored.items() if f not in taken]


def _head(path: Path) -> bytes | None:
    try:
        with open(path, "rb") as fh:
            return fh.read(formats.HEAD_BYTES)
    except OSError:
        return None


def _content(path: Path) -> tuple[str | None, str | None]:
    """(kind, None) when a file found in a folder is taken by its content, else (kind, why not).
    A file that cannot be opened is taken: ingest refuses it with the reason."""
    head = _head(path)
    if head is None:
        return None, None
    kind, reason = formats.sniff(head)
    if kind in (formats.EMPTY, formats.OTHER):
        return kind, reason
    try:
        if kind == formats.ZIP:
            return kind, formats.inspect_zip(path)
        if kind == formats.OLE2:
            return kind, formats.inspect_ole2(path)
    except FileRefused as exc:  # a workbook with a password is one: ingest refuses it, saying so
        return kind, None if str(exc) == formats.PASSWORD else str(exc)
    if kind == formats.HTML:
        return kind, None if _has_table(path, head) else NO_TABLE_HTML
    if kind == formats.TEXT and not head.startswith((b"\xff\xfe", b"\xfe\xff")):  # UTF-16: Excel's Unicode Text
        try:
            grids = read(path)
        except FileRefused as exc:
            return kind, str(exc)
        if not any(locate(g, None) for g in grids):
            return kind, NO_TABLE_TEXT
    return kind, None


def _has_table(path: Path, head: bytes) -> bool:
    try:
        with open(path, "rb") as fh:
            data = fh.read(_HTML_SCAN_BYTES)
    except OSError:
        return True
    if len(data) == _HTML_SCAN_BYTES:
        return True
    utf16 = head.startswith((b"\xff\xfe", b"\xfe\xff"))
    return bool(_TABLE_TAG.search(data.decode("utf-16", errors="ignore") if utf16 else data.decode("latin-1")))


def _is_text(path: Path) -> bool:
    if path.suffix.lower() == ".csv":
        return True
    if path.suffix.lower() in _NEVER_TEXT:
        return False
    head = _head(path)
    return head is not None and formats.sniff(head)[0] == formats.TEXT


def _arrival_order(files: list[Path], texts: set[Path] = frozenset()) -> list[Path]:
    """By modification time then path; CSV sheets of one village-month go trainers → households → follow-up
    (CSV by content: `texts` are files known to hold text, others are looked at)."""

    def mtime(p: Path) -> int:
        try:
            return p.stat().st_mtime_ns
        except OSError:
            return 0

    ordered = sorted(files, key=lambda p: (mtime(p), str(p)))
    bundles: dict[tuple, list[int]] = {}
    kinds: dict[int, int] = {}
    for i, p in enumerate(ordered):
        if p not in texts and not _is_text(p):
            continue
        peek = _peek_csv(p)
        if peek:
            bundle, kind = peek
            bundles.setdefault((str(p.parent), bundle), []).append(i)
            kinds[i] = KIND_RANK[kind]
    for slots in bundles.values():
        members = sorted(slots, key=lambda i: kinds[i])
        for slot, member in zip(sorted(slots), [ordered[i] for i in members]):
            ordered[slot] = member
    return ordered


def _peek_csv(path: Path):
    try:
        grids = read(path)
        if len(grids) != 1:
            return None
        grid = grids[0]
        table = locate(grid, None)
    except Exception:  # an unreadable CSV is refused later, with its reason
        return None
    if table is None:
        return None
    block = header_block(grid, table.header_rows[0])
    key = tuple(sorted((k, str(v)) for k, (v, _) in block.items() if k != "reported_by"))
    return key, table.kind


def sha256(path: Path) -> str:
    with open(path, "rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()
