"""The report kit: what the report notebooks share, under one short import.

    from pipelines.report import kit as rk

Notebooks keep the SQL and the story; the kit keeps presentation, so the reports look
alike and a change of style is made once. Each concern has its module, so a change to a
chart never opens the SQL:

- ``session``: kernel set-up, the read-only warehouse connection, the programme's targets;
- ``html``: titles, sections, notes, KPI cards, tables (``Fmt``: a column's look);
- ``xlsx``: every table shown also as an .xlsx beside the report (``Downloads``);
- ``charts``: the Thai chart style and the shared figures (``show`` displays one);
- ``stats``: means with confidence intervals, household income distributions;
- ``incomes``: the income distribution on the page, the basic-needs line, who to visit;
- ``reporting``: the reporting-completeness heatmap;
- ``labels``: Thai names of the warehouse's codes;
- ``queries``: the queries the area reports share, the to-do items.

Thai formatting (``month_be``, ``baht``, ``percent``, masked IDs …) comes from
``pipelines.thai.fmt`` and is here too, as ``rk.month_be`` and so on.
"""

from pipelines.report.kit.charts import (
    COLOURS,
    FONT_FAMILY,
    PLOTLY_CONFIG,
    change_boxes,
    change_histogram,
    income_trend,
    month_labels,
    occupation_chart,
    ranking,
    rate_trend,
    register_template,
    show,
)
from pipelines.report.kit.html import (
    BAHT,
    BAHT2,
    CHANGE,
    INT,
    RATE,
    Card,
    Fmt,
    Raw,
    area_cards,
    badge,
    esc,
    kpi_cards,
    lead,
    note,
    page_href,
    section,
    show_html,
    status_of,
    subsection,
    table,
    title,
)
from pipelines.report.kit.incomes import (
    basic_needs_line,
    follow_up_reasons,
    income_cards,
    income_method_th,
    income_table,
)
from pipelines.report.kit.labels import FILE_STATUS_TH, GROUP_TH, ROLE_TH, SEVERITY_TH, STATUS_TH, check_th
from pipelines.report.kit.queries import (
    AREA_COLUMN,
    area_kpis,
    household_incomes,
    query,
    quota_breaches,
    reporting_matrix,
    todo_items,
    todo_table,
    village_labels,
)
from pipelines.report.kit.reporting import (
    HEAT,
    HEAT_LEVELS,
    Reporting,
    heat_columns,
    heat_legend,
    incomplete,
    reporting_heat,
)
from pipelines.report.kit.session import RENDER_ENV, SITE_CSS, connect, programme, resolve_warehouse, setup
from pipelines.report.kit.stats import (
    NORMAL_Z,
    IncomeSummary,
    MeanCI,
    income_summary,
    income_summary_table,
    mean_ci,
    t_critical,
)
from pipelines.report.kit.xlsx import Downloads, excel_value, write_xlsx
from pipelines.thai.fmt import (
    BE_OFFSET,
    DASH,
    baht,
    date_be,
    fiscal_months,
    fiscal_year,
    is_missing,
    mask_citizen_id,
    mask_ids,
    month_be,
    month_name,
    number,
    parse_month,
    percent,
    signed_percent,
)

__all__ = [
    "AREA_COLUMN",
    "BAHT",
    "BAHT2",
    "BE_OFFSET",
    "CHANGE",
    "COLOURS",
    "Card",
    "DASH",
    "Downloads",
    "FILE_STATUS_TH",
    "FONT_FAMILY",
    "Fmt",
    "GROUP_TH",
    "HEAT",
    "HEAT_LEVELS",
    "INT",
    "IncomeSummary",
    "MeanCI",
    "NORMAL_Z",
    "PLOTLY_CONFIG",
    "RATE",
    "RENDER_ENV",
    "ROLE_TH",
    "Raw",
    "Reporting",
    "SEVERITY_TH",
    "SITE_CSS",
    "STATUS_TH",
    "area_kpis",
    "area_cards",
    "badge",
    "baht",
    "basic_needs_line",
    "change_boxes",
    "change_histogram",
    "check_th",
    "connect",
    "date_be",
    "esc",
    "excel_value",
    "fiscal_months",
    "fiscal_year",
    "follow_up_reasons",
    "heat_columns",
    "heat_legend",
    "household_incomes",
    "income_cards",
    "income_method_th",
    "income_summary",
    "income_summary_table",
    "income_table",
    "income_trend",
    "incomplete",
    "is_missing",
    "kpi_cards",
    "lead",
    "mask_citizen_id",
    "mask_ids",
    "mean_ci",
    "month_be",
    "month_labels",
    "month_name",
    "note",
    "page_href",
    "number",
    "occupation_chart",
    "parse_month",
    "percent",
    "programme",
    "query",
    "quota_breaches",
    "ranking",
    "rate_trend",
    "register_template",
    "reporting_heat",
    "reporting_matrix",
    "resolve_warehouse",
    "section",
    "setup",
    "show",
    "show_html",
    "signed_percent",
    "status_of",
    "subsection",
    "t_critical",
    "table",
    "title",
    "todo_items",
    "todo_table",
    "village_labels",
    "write_xlsx",
]
