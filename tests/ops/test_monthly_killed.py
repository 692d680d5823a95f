"""The unattended monthly run killed midway (kill -9 of the run and its kernels, as systemd or
a power cut would), then run again: it ends exactly as a run that was never interrupted.

Marked slow: each run ingests, validates with GX and renders a small site with kernels.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import monthly_run as mr
import pytest

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def raw(tmp_path_factory) -> Path:
    return mr.province(tmp_path_factory.mktemp("monthly") / "raw")


@pytest.fixture(scope="module")
def uninterrupted(raw, tmp_path_factory) -> tuple[Path, int]:
    root = tmp_path_factory.mktemp("straight")
    code = mr.run(root, raw)
    return root, code


@pytest.mark.parametrize("when", ["ingest", "report"])
def test_a_run_killed_midway_then_rerun_ends_as_an_uninterrupted_one(raw, uninterrupted, tmp_path, when):
    straight, straight_code = uninterrupted
    # Small ingest batches, so "mid-ingest" is after some commits and before others.
    proc = subprocess.Popen(
        mr.cmd(tmp_path, raw),
        env=mr.env(tmp_path, batch=2),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    # Kill the whole process group (the run and its kernels), as systemd or a power cut would.
    deadline = time.monotonic() + 300
    log = tmp_path / "logs" / "sammachip.log"
    while time.monotonic() < deadline and proc.poll() is None:
        text = log.read_text(encoding="utf-8") if log.exists() else ""
        if (when == "ingest" and "ingest 3/" in text) or (when == "report" and "report 2/" in text):
            break
        time.sleep(0.05)
    assert proc.poll() is None, "the run finished before it could be killed"
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    assert not (tmp_path / "reports" / mr.MONTH / "manifest.json").exists()

    code = mr.run(tmp_path, raw)
    assert code == straight_code
    assert mr.state(tmp_path) == mr.state(straight)
    assert mr.pages(tmp_path) == mr.pages(straight)
