"""JupyterLab in a real browser: open the widening-participation notebook, Run All
Cells through the menu, and check that every cell ran without an error.

Drives Debian's Chromium (``scripts/ensure-chromium``) with Playwright. Without
/usr/bin/chromium the test is skipped, except in CI (``CI`` set), where it fails.
Until notebooks/01_widening_participation.ipynb exists, a temporary project with
the passing fixture notebook under that name stands in for it. A second case runs
the failing fixture and checks that the error is seen, so the check itself can fail.
The screenshot of the real notebook's run goes to reports/browser/jupyterlab.png.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from lcanalysis.report.pdf import CHROMIUM
from tests.fixtures.chromium import require_chromium

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[2]
BIN = REPO / ".venv" / "bin"
FIXTURES = REPO / "tests" / "fixtures" / "notebooks"
REAL = "notebooks/01_widening_participation.ipynb"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def stand_in_project(root: Path, fixture: str) -> Path:
    """A project with ``fixture`` as notebooks/01_widening_participation.ipynb."""
    (root / "notebooks").mkdir(parents=True)
    shutil.copy(FIXTURES / fixture, root / REAL)
    shutil.copytree(REPO / "config", root / "config", ignore=shutil.ignore_patterns("pipeline.yaml"))
    (root / "data" / "raw" / "demo").mkdir(parents=True)
    (root / "data" / "raw" / "demo" / "SYNTHETIC.json").write_text("{}")
    return root


def ensure_processed(root: Path) -> None:
    """The notebook reads data/processed: clean the demo world first when it is empty."""
    processed = root / "data" / "processed"
    if (processed / "cleaning_report.json").is_file():
        return
    env = {**os.environ, "LCANALYSIS_ROOT": str(root)}
    if not (root / "data" / "raw" / "demo" / "SYNTHETIC.json").is_file():
        subprocess.run([str(BIN / "lcanalysis"), "demo-data"], env=env, check=True, capture_output=True)
    subprocess.run([str(BIN / "lcanalysis"), "clean"], env=env, check=True, capture_output=True)


def start_lab(root: Path, home: Path):
    port, token = free_port(), secrets.token_hex(16)
    env = {**os.environ, "LCANALYSIS_ROOT": str(root), "JUPYTER_RUNTIME_DIR": str(home / "runtime"),
           "JUPYTERLAB_WORKSPACES_DIR": str(home / "workspaces")}
    log = open(home / "lab.log", "wb")  # noqa: SIM115 - closed with the server
    server = subprocess.Popen(
        [str(BIN / "jupyter"), "lab", "--no-browser", "--ip=127.0.0.1", f"--port={port}", "--allow-root",
         f"--ServerApp.token={token}", f"--notebook-dir={root}"],
        env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/api/status?token={token}", timeout=2) as response:
                if response.status == 200:
                    return server, log, url, token
        except OSError:
            time.sleep(0.3)
    server.terminate()
    log.close()
    pytest.fail(f"JupyterLab did not start within 90 s; see {home / 'lab.log'}")


def run_all_cells(url: str, token: str, notebook: str, screenshot: Path | None) -> list[str]:
    """Open ``notebook`` in Lab, run all cells from the Run menu and return the error texts shown."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.goto(f"{url}/lab/tree/{notebook}?reset&token={token}", timeout=90_000)
            page.locator(".jp-Notebook .jp-Cell").first.wait_for(timeout=90_000)
            accept = page.locator(".jp-Dialog .jp-mod-accept")  # "Select Kernel" when none is recorded
            try:
                accept.wait_for(timeout=5_000)
                accept.click()
            except PlaywrightTimeout:
                pass
            indicator = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook-ExecutionIndicator")
            indicator.and_(page.locator('[data-status="idle"]')).wait_for(timeout=90_000)
            page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(r"^Run$")).click()
            page.locator(".lm-Menu-itemLabel", has_text=re.compile(r"^Run All Cells$")).click()
            prompts = page.locator(".jp-Notebook .jp-CodeCell .jp-InputPrompt")
            deadline = time.monotonic() + 240
            while time.monotonic() < deadline:
                texts = [t.strip() for t in prompts.all_text_contents()]  # off-screen cells too
                ran = all(re.fullmatch(r"\[\d+\]:", t) for t in texts)
                numbered = any(re.fullmatch(r"\[\d+\]:", t) for t in texts)
                stopped = numbered and not any("*" in t for t in texts)  # Run All stops at an error
                if texts and (ran or stopped) and indicator.get_attribute("data-status") == "idle":
                    break
                time.sleep(0.5)
            else:
                pytest.fail(f"the notebook did not finish within 240 s; prompts: {texts}")
            if screenshot is not None:
                screenshot.parent.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(screenshot), full_page=True)
            stderr = page.locator('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]')
            errors = [t for t in stderr.all_text_contents() if "Traceback" in t or re.search(r"\w+Error\b", t)]
            if not ran and not errors:
                errors.append(f"not every code cell ran: {texts}")
            return errors
        finally:
            browser.close()


CASES = [
    pytest.param(REAL, True, id="01_widening_participation"),
    pytest.param("failing.ipynb", False, id="failing-fixture-is-caught"),
]


@pytest.mark.parametrize(("notebook", "should_pass"), CASES)
def test_run_all_cells_in_jupyterlab(notebook, should_pass, tmp_path):
    require_chromium("the browser test")
    if notebook == REAL and (REPO / REAL).is_file():
        root = REPO
    else:
        root = stand_in_project(tmp_path / "project", "passing.ipynb" if notebook == REAL else notebook)
    ensure_processed(root)
    server, log, url, token = start_lab(root, tmp_path)
    try:
        screenshot = REPO / "reports" / "browser" / "jupyterlab.png" if should_pass else None
        errors = run_all_cells(url, token, REAL, screenshot)
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()
    if should_pass:
        assert errors == [], errors
        assert screenshot.stat().st_size > 10_000
    else:
        assert any("planted failure in the fixture" in e for e in errors), errors
