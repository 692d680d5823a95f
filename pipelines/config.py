"""Every path the project uses, derived once from the project root (cookiecutter-style)."""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path

import yaml

PROJECT_ROOT = Path(os.environ.get("SAMMACHIP_HOME", Path(__file__).resolve().parent.parent))

RAW_DIR = PROJECT_ROOT / "raw"
WAREHOUSE_DIR = PROJECT_ROOT / "warehouse"
SCHEMA_DIR = WAREHOUSE_DIR / "schema"
VIEWS_DIR = WAREHOUSE_DIR / "views"
DEFAULT_WAREHOUSE = WAREHOUSE_DIR / "sammachip.duckdb"
EXPECTATIONS_DIR = PROJECT_ROOT / "expectations"
NOTEBOOKS_DIR = PROJECT_ROOT / "notebooks"
REPORTS_DIR = PROJECT_ROOT / "reports"
LOG_DIR = Path(os.environ.get("SAMMACHIP_LOG_DIR", PROJECT_ROOT / "logs"))
CONFIG_FILE = PROJECT_ROOT / "sammachip.yml"


@cache
def settings() -> dict:
    """Programme settings (targets, thresholds) from sammachip.yml at the project root."""
    with open(CONFIG_FILE, encoding="utf-8") as fh:
        return yaml.safe_load(fh) or {}
