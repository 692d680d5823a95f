"""sammachip: village tracking workbooks → DuckDB warehouse → validation → reports."""

__version__ = "0.1.0"
