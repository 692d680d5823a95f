"""Ingest: village files as received → the warehouse, each row with its file, sheet and cell.

The stage reads in this order (docs/architecture.md): `discover` finds the files and their
arrival order; `workbook` reads any format into grids and locates the tables; `records`
turns rows into typed records and refusals; `register` resolves the village; `village_file`
does all of that for one file without the warehouse; `workers` do it in parallel ahead of
the `loader`, which writes batches, supersedes what a file replaces and keeps the lineage.
"""

from pipelines.ingest.discover import discover, discover_with_ignored, hidden, is_register, sha256
from pipelines.ingest.loader import Ingestor, Outcome, ingest
from pipelines.ingest.register import Register, RegisterError, load_register
from pipelines.ingest.workers import WorkerDied

__all__ = [
    "Ingestor",
    "Outcome",
    "Register",
    "RegisterError",
    "WorkerDied",
    "discover",
    "discover_with_ignored",
    "hidden",
    "ingest",
    "is_register",
    "load_register",
    "sha256",
]
