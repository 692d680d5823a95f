"""Report: the parameterised notebooks executed into a Thai HTML site that opens offline.

`site` plans a month's reports and writes the index and assets; `render` runs the notebooks
on a pool of long-lived kernels; `kit` is what the notebooks import (`from pipelines.report
import kit as rk`); `templates/` holds the page shells and the stylesheet.
"""

from pipelines.report.render import ReportResult
from pipelines.report.site import RenderSummary, render_one, render_reports

__all__ = ["RenderSummary", "ReportResult", "render_one", "render_reports"]
