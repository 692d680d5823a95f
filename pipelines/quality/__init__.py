"""Quality: Great Expectations suites over frames aggregated in DuckDB (`validate`), the
offline Data Docs (`datadocs`), and a to-do workbook per district office (`todo`)."""
