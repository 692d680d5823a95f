"""Headless Chromium for the tests: open a local page with no network, return what it drew.

No new dependency: one Chromium process per page with ``--dump-dom`` (the DOM after the
scripts ran, within a virtual-time budget), the console on stderr, and a NetLog that records
every request the page tried to make over the network. The network is unreachable on
purpose (a resolver that resolves nothing and a proxy on a closed port), so a page that
needs a CDN shows up twice: its chart or table is missing, and the NetLog names the URL.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import tempfile
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import pytest

CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
IN_CI = os.environ.get("CI", "").lower() == "true"
THAI = re.compile(r"[\u0E00-\u0E7F]")
_CONSOLE = re.compile(r'CONSOLE[:(]?\d*\)?\]\s*"(?P<msg>.*)", source: (?P<src>\S*) \((?P<line>\d+)\)')


def find_chromium() -> str | None:
    for name in CANDIDATES:
        path = shutil.which(name)
        if path:
            return path
    return None


def require_chromium() -> str:
    """The browser, or a skip; in CI (CI=true) a failure, so CI cannot pass without looking."""
    path = find_chromium()
    if path:
        return path
    reason = (
        "no headless Chromium found (looked for " + ", ".join(CANDIDATES) + "); "
        "install it with: apt-get install -y chromium fonts-thai-tlwg"
    )
    if IN_CI:
        pytest.fail(f"CI=true but {reason}", pytrace=False)
    pytest.skip(reason)


def thai_fonts() -> list[str]:
    """Font families fontconfig offers for Thai (Chromium on Linux falls back through these)."""
    if not shutil.which("fc-list"):
        return []
    out = subprocess.run(["fc-list", ":lang=th", "family"], capture_output=True, text=True, timeout=30).stdout
    return sorted({line.split(",")[0].strip() for line in out.splitlines() if line.strip()})


# ----------------------------------------------------------------------------- the DOM


@dataclass
class Plot:
    id: str
    classes: list[str]
    main_svgs: int = 0  # <svg class="main-svg">: Plotly drew the figure's layers
    traces: int = 0  # <g class="trace ...">: and its data

    @property
    def drawn(self) -> bool:
        return "js-plotly-plot" in self.classes and self.main_svgs > 0 and self.traces > 0


class Dom(HTMLParser):
    """What the tests ask of a page: its title, headings, text, plots and resource references."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.title = ""
        self.headings: list[tuple[str, str]] = []  # (h1|h2|h3, text)
        self.plots: dict[str, Plot] = {}
        self.scripts: list[str] = []  # <script src>
        self.stylesheets: list[str] = []  # <link rel=stylesheet href>
        self.images: list[str] = []  # <img src>
        self.links: list[str] = []  # <a href>
        self.tables = 0
        self._text: list[str] = []
        self._skip = 0  # inside <script>/<style>
        self._plot: Plot | None = None
        self._plot_depth = 0
        self._heading: list[str] | None = None
        self._heading_tag = ""
        self._in_title = False
        self.feed(html)
        self.close()

    @property
    def text(self) -> str:
        return re.sub(r"\s+", " ", " ".join(self._text)).strip()

    def handle_starttag(self, tag, attrs):
        a = {k: (v or "") for k, v in attrs}
        cls = a.get("class", "").split()
        if tag in ("script", "style"):
            self._skip += 1
            if tag == "script" and a.get("src"):
                self.scripts.append(a["src"])
        elif tag == "link" and "stylesheet" in a.get("rel", "").lower().split():
            self.stylesheets.append(a.get("href", ""))
        elif tag == "img" and a.get("src"):
            self.images.append(a["src"])
        elif tag == "a" and "href" in a:
            self.links.append(a["href"])
        elif tag == "table":
            self.tables += 1
        elif tag == "title":
            self._in_title = True
        elif tag in ("h1", "h2", "h3"):
            self._heading, self._heading_tag = [], tag
        if tag == "div":
            if self._plot is None and "plotly-graph-div" in cls:
                self._plot = self.plots.setdefault(a.get("id", f"#{len(self.plots)}"), Plot(a.get("id", ""), cls))
                self._plot_depth = 0
            if self._plot is not None:
                self._plot_depth += 1
        elif self._plot is not None:
            if tag == "svg" and "main-svg" in cls:
                self._plot.main_svgs += 1
            elif tag == "g" and "trace" in cls:
                self._plot.traces += 1

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._skip = max(0, self._skip - 1)
        elif tag == "title":
            self._in_title = False
        elif tag == self._heading_tag and self._heading is not None:
            self.headings.append((tag, re.sub(r"\s+", " ", "".join(self._heading)).strip()))
            self._heading = None
        elif tag == "div" and self._plot is not None:
            self._plot_depth -= 1
            if self._plot_depth == 0:
                self._plot = None

    def handle_data(self, data):
        if self._in_title:
            self.title += data
        if self._skip:
            return
        self._text.append(data)
        if self._heading is not None:
            self._heading.append(data)


# ----------------------------------------------------------------------------- one page


@dataclass
class Page:
    url: str
    html: str  # the DOM after the scripts ran
    console: list[str] = field(default_factory=list)
    network: list[str] = field(default_factory=list)  # http(s)/ws URLs the page asked for
    returncode: int = 0
    stderr: str = ""

    @property
    def dom(self) -> Dom:
        if not hasattr(self, "_dom"):
            self._dom = Dom(self.html)
        return self._dom

    @property
    def errors(self) -> list[str]:
        return [m for m in self.console if m.startswith("Uncaught") or "Error" in m.split(":")[0]]


def _flags(profile: Path, netlog: Path, budget_ms: int) -> list[str]:
    return [
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--no-first-run",
        "--no-default-browser-check",
        "--disable-extensions",
        "--disable-sync",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-default-apps",
        "--disable-domain-reliability",
        "--no-pings",
        "--mute-audio",
        "--hide-scrollbars",
        f"--user-data-dir={profile}",
        "--window-size=1280,1024",
        "--lang=th",
        # No network: nothing resolves, and everything goes to a proxy on a closed port.
        "--host-resolver-rules=MAP * ~NOTFOUND",
        "--proxy-server=127.0.0.1:9",
        f"--log-net-log={netlog}",
        "--enable-logging=stderr",
        "--v=0",
        f"--virtual-time-budget={budget_ms}",
    ]


def _requests(netlog: Path) -> list[str]:
    """URLs the page (a file:// origin) asked the network for, from Chromium's NetLog.

    file:// loads never reach the network stack; Chromium's own background requests carry
    another origin (or none), so they are left out.
    """
    try:
        raw = netlog.read_text(encoding="utf-8", errors="replace").rstrip()
    except FileNotFoundError:
        return []
    try:
        log = json.loads(raw)
    except json.JSONDecodeError:  # a log cut short: close it and try again
        log = json.loads(raw.rstrip(",") + "]}")
    types = log.get("constants", {}).get("logEventTypes", {})
    wanted = {types.get("URL_REQUEST_START_JOB"), types.get("REQUEST_ALIVE")} - {None}
    urls = []
    for ev in log.get("events", []):
        p = ev.get("params") or {}
        url = p.get("url", "")
        if ev.get("type") not in wanted or not re.match(r"(https?|wss?)://", url):
            continue
        origin = " ".join(str(p.get(k, "")) for k in ("initiator", "network_isolation_key", "site_for_cookies"))
        if p.get("initiator") == "null" or "file://" in origin:
            urls.append(url)
    return list(dict.fromkeys(urls))


def open_page(
    target: str | Path,
    chromium: str | None = None,
    budget_ms: int = 10_000,
    timeout: float = 90,
    screenshot: Path | None = None,
) -> Page:
    """Open a local file (or URL) in a fresh headless Chromium; the DOM once scripts ran."""
    chromium = chromium or require_chromium()
    url = Path(target).resolve().as_uri() if not str(target).startswith(("file:", "http:", "https:")) else str(target)
    last: Page | None = None
    for _attempt in range(2):  # a browser that failed to start gets one more go
        with tempfile.TemporaryDirectory(prefix="smc-chromium-") as tmp:
            netlog = Path(tmp) / "net.json"
            args = [chromium, *_flags(Path(tmp) / "profile", netlog, budget_ms)]
            args += [f"--screenshot={screenshot}"] if screenshot else ["--dump-dom"]
            proc = subprocess.Popen(
                args + [url],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
            try:
                out, err = proc.communicate(timeout=timeout)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)  # the browser and its helpers, nothing else
                out, err = proc.communicate()
                raise AssertionError(f"Chromium did not finish {url} within {timeout} s") from None
            stderr = err.decode("utf-8", "replace")
            console = [m["msg"] for m in _CONSOLE.finditer(stderr)]
            last = Page(url, out.decode("utf-8", "replace"), console, _requests(netlog), proc.returncode, stderr)
        if last.returncode == 0 and (screenshot or last.html.strip()):
            return last
    raise AssertionError(f"Chromium failed on {url} (exit code {last.returncode}):\n{last.stderr[-3000:]}")


def local_target(page_file: Path, ref: str) -> Path | None:
    """The file a relative reference of a page points at; None for remote, data: and anchors."""
    if not ref or ref.startswith(("#", "data:", "javascript:", "mailto:")) or re.match(r"([a-z]+:)?//", ref, re.I):
        return None
    path = ref.split("#", 1)[0].split("?", 1)[0]
    if not path:
        return None
    from urllib.parse import unquote

    return (page_file.parent / unquote(path)).resolve()


def remote_refs(html: str) -> list[str]:
    """Resources a page would load from the internet (a CDN, a tracker): tags and CSS url()s.

    Plain <a href="https://..."> links are not loads and are left alone.
    """
    refs = re.findall(
        r"<(?:script|link|img|iframe|source|video|audio)\b[^>]*?\b(?:src|href)\s*=\s*[\"']?((?:https?:)?//[^\"'\s>]+)",
        html,
        re.IGNORECASE,
    )
    refs += re.findall(r"@import\s+(?:url\()?[\"']?((?:https?:)?//[^\"')\s]+)", html, re.IGNORECASE)
    refs += re.findall(r"url\(\s*[\"']?((?:https?:)?//[^\"')\s]+)", html, re.IGNORECASE)
    return refs
