"""A warehouse written before `carried` existed (each row marked superseded_by) is brought up
to date on connect: the same rows, the same history, and ingest carries on from there."""

import duckdb

from pipelines import ingest, warehouse
from pipelines.ingest import register
from pipelines.synth import generate

VIEWS = [
    "trainer_row",
    "household_row",
    "followup_row",
    "trainer",
    "household",
    "followup",
    "trainer_history",
    "household_history",
    "followup_history",
    "source_file",
]


def _legacy_copy(current_path, legacy_path) -> None:
    """The warehouse as the earlier layout held it: row tables with superseded_by, no carried."""
    con = duckdb.connect(str(legacy_path))
    con.execute(f"ATTACH '{current_path}' AS cur (READ_ONLY)")
    tables = [
        t
        for (t,) in con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE database_name = 'cur' AND schema_name = 'main'"
        ).fetchall()
    ]
    for t in tables:
        if t.endswith(("_data", "_current")) or t == "carried":
            continue
        con.execute(f"CREATE TABLE {t} AS SELECT * FROM cur.{t}")
    for t in ("trainer", "household", "followup"):
        con.execute(f"CREATE TABLE {t}_row AS SELECT * FROM cur.{t}_row")
    last = con.execute("SELECT max(file_id) FROM cur.ingested_file").fetchone()[0]
    con.execute(f"CREATE SEQUENCE file_id_seq START {last + 1}")
    con.close()


def _snapshot(con) -> dict:
    return {
        v: con.execute(
            f"SELECT * EXCLUDE (ingested_at) FROM {v} ORDER BY ALL"
            if v.endswith("history") or v == "source_file"
            else f"SELECT * FROM {v} ORDER BY ALL"
        ).fetchall()
        for v in VIEWS
    }


def test_an_older_warehouse_is_migrated_and_ingest_carries_on(tmp_path):
    raw = tmp_path / "raw"
    generate(raw, villages=3, months=3, mess=1, seed=7)
    files = ingest.discover([raw])
    early = [f for f in files if not f.stem.endswith("2025-12")]
    late = [f for f in files if f.stem.endswith("2025-12")]
    assert early and late

    current = warehouse.connect(tmp_path / "current.duckdb")
    register.load_register(current, raw / "register.csv")
    ingest.ingest(current, early)
    assert current.execute("SELECT count(*) FROM followup_row WHERE superseded_by IS NOT NULL").fetchone()[0] > 0
    before = _snapshot(current)
    current.close()

    _legacy_copy(tmp_path / "current.duckdb", tmp_path / "legacy.duckdb")
    legacy = warehouse.connect(tmp_path / "legacy.duckdb")
    assert _snapshot(legacy) == before
    layout = dict(legacy.execute("SELECT table_name, table_type FROM information_schema.tables").fetchall())
    assert layout["trainer_row"] == "VIEW" and layout["trainer_data"] == "BASE TABLE"
    assert "superseded_by" not in {
        c
        for (c,) in legacy.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = 'followup_data'"
        ).fetchall()
    }

    # From here both warehouses take the same later files and must stay equal.
    current = warehouse.connect(tmp_path / "current.duckdb")
    for con in (current, legacy):
        outcomes = ingest.ingest(con, late)
        assert {o.status for o in outcomes} <= {"loaded", "replaced"}
        assert any(o.status == "replaced" for o in outcomes)
    assert _snapshot(legacy) == _snapshot(current)
    # Connecting again changes nothing.
    legacy.close()
    legacy = warehouse.connect(tmp_path / "legacy.duckdb")
    assert _snapshot(legacy) == _snapshot(current)


def test_a_warehouse_from_before_the_current_tables_gets_them_on_connect(tmp_path):
    """The layout before *_current (rows and carried only): the current rows are built once,
    the views show the same rows, and ingest keeps them from there."""
    raw = tmp_path / "raw"
    generate(raw, villages=3, months=3, mess=1, seed=7)
    files = ingest.discover([raw])
    early = [f for f in files if not f.stem.endswith("2025-12")]
    late = [f for f in files if f.stem.endswith("2025-12")]
    con = warehouse.connect(tmp_path / "w.duckdb")
    register.load_register(con, raw / "register.csv")
    ingest.ingest(con, early)
    before = _snapshot(con)
    for t in ("trainer", "household", "followup"):
        con.execute(f"DROP VIEW {t}")  # the views read the table about to go
        con.execute(f"DROP TABLE {t}_current")
    con.close()

    con = warehouse.connect(tmp_path / "w.duckdb")
    assert _snapshot(con) == before
    ingest.ingest(con, late)
    for t, kind in (("trainer", "trainers"), ("household", "households"), ("followup", "followup")):
        month = " AND c.month = d.month" if kind == "followup" else ""
        history = con.execute(
            f"SELECT d.* FROM {t}_data d JOIN carried c ON c.file_id = d.file_id AND c.kind = '{kind}'{month} "
            "WHERE c.superseded_by IS NULL ORDER BY ALL"
        ).fetchall()
        assert con.execute(f"SELECT * FROM {t}_current ORDER BY ALL").fetchall() == history
    con.close()
