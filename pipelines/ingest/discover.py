"""Which files to ingest, and in which order they arrived (docs/decisions.md, "Files and arrival")."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from pathlib import Path

from pipelines.ingest.workbook import header_block, locate, read

KIND_RANK = {"trainers": 0, "households": 1, "followup": 2}
SUFFIXES = {".xlsx", ".xlsm", ".xls", ".ods", ".csv"}


def hidden(path: Path, root: Path) -> bool:
    """Not village data: hidden or lock files, and folders starting with '.' or '_' (e.g. _truth)."""
    parts = path.relative_to(root).parts
    return path.name.startswith((".", "~$")) or any(p.startswith((".", "_")) for p in parts[:-1])


def is_register(path: Path) -> bool:
    """The province's village register CSV travels in raw/ too; it is loaded, not ingested."""
    return path.suffix.lower() == ".csv" and path.name.lower().startswith("register")


def discover(paths: Iterable[str | Path]) -> list[Path]:
    """Files named, and village files found recursively under folders named; in arrival order."""
    found: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            for f in sorted(p.rglob("*")):
                if f.is_file() and f.suffix.lower() in SUFFIXES and not hidden(f, p) and not is_register(f):
                    found.append(f)
        else:
            found.append(p)
    unique = list(dict.fromkeys(found))
    return _arrival_order(unique)


def _arrival_order(files: list[Path]) -> list[Path]:
    """By modification time then path; CSV sheets of one village-month go trainers → households → follow-up."""

    def mtime(p: Path) -> int:
        try:
            return p.stat().st_mtime_ns
        except OSError:
            return 0

    ordered = sorted(files, key=lambda p: (mtime(p), str(p)))
    bundles: dict[tuple, list[int]] = {}
    kinds: dict[int, int] = {}
    for i, p in enumerate(ordered):
        if p.suffix.lower() != ".csv":
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
        grid = read(path)[0]
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
