"""Records as Arrow tables, the way the writer inserts them and the workers send them:
one conversion per column for many sheets, by the fastest road pyarrow offers per type."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from pipelines.ingest import records

SCHEMAS = {
    "trainer_data": pa.schema(
        [
            ("file_id", pa.int64()),
            ("sheet", pa.string()),
            ("row_number", pa.int32()),
            ("fiscal_year", pa.int32()),
            ("village_code", pa.string()),
            ("seq", pa.int32()),
            ("title", pa.string()),
            ("full_name", pa.string()),
            ("citizen_id", pa.string()),
            ("role", pa.string()),
            ("expertise", pa.string()),
            ("phone", pa.string()),
        ]
    ),
    "household_data": pa.schema(
        [
            ("file_id", pa.int64()),
            ("sheet", pa.string()),
            ("row_number", pa.int32()),
            ("fiscal_year", pa.int32()),
            ("village_code", pa.string()),
            ("seq", pa.int32()),
            ("title", pa.string()),
            ("full_name", pa.string()),
            ("citizen_id", pa.string()),
            ("house_no", pa.string()),
            ("members", pa.int32()),
            ("trainer_citizen_id", pa.string()),
            ("occupation", pa.string()),
            ("occupation_group", pa.string()),
            ("trained_on", pa.date32()),
            ("income_before", pa.decimal128(12, 2)),
            ("expense_before", pa.decimal128(12, 2)),
            ("status", pa.string()),
            ("note", pa.string()),
        ]
    ),
    "followup_data": pa.schema(
        [
            ("file_id", pa.int64()),
            ("sheet", pa.string()),
            ("row_number", pa.int32()),
            ("fiscal_year", pa.int32()),
            ("village_code", pa.string()),
            ("citizen_id", pa.string()),
            ("month", pa.date32()),
            ("practising", pa.bool_()),
            ("income", pa.decimal128(12, 2)),
            ("expense", pa.decimal128(12, 2)),
            ("savings", pa.decimal128(12, 2)),
            ("group_name", pa.string()),
            ("product", pa.string()),
            ("otop_type", pa.string()),
            ("standards", pa.list_(pa.string())),
            ("channels", pa.list_(pa.string())),
        ]
    ),
}
TABLE_OF = {"trainers": "trainer_data", "households": "household_data", "followup": "followup_data"}


_MAP = pa.map_(pa.string(), pa.string())
# Tables written from tuples (in this column order).
ROWS = {
    "rejected": pa.schema(
        [
            ("file_id", pa.int64()),
            ("sheet", pa.string()),
            ("row_number", pa.int32()),
            ("column_name", pa.string()),
            ("value", pa.string()),
            ("reason", pa.string()),
        ]
    ),
    "file_sheet": pa.schema(
        [
            ("file_id", pa.int64()),
            ("sheet", pa.string()),
            ("kind", pa.string()),
            ("header_row", pa.int32()),
            ("columns", _MAP),
            ("rows_loaded", pa.int32()),
            ("rows_rejected", pa.int32()),
            ("rows_skipped", pa.int32()),
        ]
    ),
    "ingested_file": pa.schema(
        [
            ("file_id", pa.int64()),
            ("path", pa.string()),
            ("sha256", pa.string()),
            ("size_bytes", pa.int64()),
            ("village_code", pa.string()),
            ("fiscal_year", pa.int32()),
            ("report_month", pa.date32()),
            ("status", pa.string()),
            ("rows_loaded", pa.int32()),
            ("rows_rejected", pa.int32()),
            ("rows_skipped", pa.int32()),
            ("message", pa.string()),
            ("duplicate_of", pa.int64()),
            ("received_at", pa.timestamp("us")),
        ]
    ),
}


def tuples_table(name: str, rows: list[tuple]) -> pa.Table:
    """Tuples in ROWS[name]'s column order as one Arrow table (executemany pays per row)."""
    return arrow_rows(ROWS[name], rows)


def arrow_rows(schema: pa.Schema, rows: list[tuple]) -> pa.Table:
    return pa.Table.from_arrays(
        [
            pa.array([None if v is None else list(v.items()) for v in col], type=f.type)
            if f.type == _MAP
            else _array(list(col), f.type)
            for f, col in zip(schema, zip(*rows))
        ],
        schema=schema,
    )


def _array(values: list, kind: pa.DataType) -> pa.Array:
    """Python values as an Arrow array, by the fastest road pyarrow offers for each type:
    it converts ints to int32 one by one with range checks (25x slower than to int64, then
    a cast)."""
    if kind == pa.int32():
        return pa.array(values, pa.int64()).cast(pa.int32())
    if kind == _MONEY:
        return _money_array(values)
    return pa.array(values, kind)


_MONEY = pa.decimal128(12, 2)


def _money_array(satang: list) -> pa.Array:
    """Whole satang (int or None) as Arrow DECIMAL(12,2), built from the integers' buffer:
    pyarrow converts Decimal objects one by one, about 3 µs each (a tenth of ingest)."""
    ints = pa.array(satang, pa.int64())
    low = np.frombuffer(ints.buffers()[1], dtype=np.int64)[ints.offset : ints.offset + len(ints)]
    words = np.empty((len(low), 2), dtype=np.int64)  # two's complement, little-endian 128 bit;
    words[:, 0], words[:, 1] = low, low >> 63  # slots under a null are masked out
    return pa.Array.from_buffers(_MONEY, len(low), [ints.buffers()[0], pa.py_buffer(words)], null_count=ints.null_count)


# The data tables' columns as records carry them (file_id is the writer's to give).
_RECORDS = {name: pa.schema([f for f in schema if f.name != "file_id"]) for name, schema in SCHEMAS.items()}


def records_table(table: str, sheets: list[records.SheetResult]) -> pa.Table:
    """The records of several sheets as one Arrow table in the table's column order (without
    file_id): one conversion per column for them all, not per sheet."""
    arrays = []
    counts = [sheet.n for sheet in sheets]
    for f in _RECORDS[table]:
        if f.name in sheets[0].constants:  # one value per sheet (its name, village, year)
            arrays.append(
                pa.array([sheet.constants[f.name] for sheet in sheets], f.type).take(
                    np.repeat(np.arange(len(sheets)), counts)
                )
            )
            continue
        values: list = []
        for sheet in sheets:
            values += sheet.columns[f.name]
        arrays.append(_array(values, f.type))
    return pa.Table.from_arrays(arrays, schema=_RECORDS[table])


def batch_table(table: str, parts: list[tuple[int, records.SheetResult, pa.Table | None]]) -> pa.Table:
    """The records of a batch's sheets, with their file ids, as one Arrow table: sheets a
    worker sent as Arrow are taken as they are, the others converted together."""
    pieces, loose = [], []
    for _, sheet, arrow in parts:
        if arrow is None:
            loose.append(sheet)
            continue
        if loose:
            pieces.append(records_table(table, loose))
            loose = []
        pieces.append(arrow)
    if loose:
        pieces.append(records_table(table, loose))
    data = pa.concat_tables(pieces).combine_chunks() if len(pieces) > 1 else pieces[0]
    fids = np.repeat(np.array([fid for fid, _, _ in parts], dtype=np.int64), [sheet.n for _, sheet, _ in parts])
    return data.add_column(0, "file_id", pa.array(fids, pa.int64()))
