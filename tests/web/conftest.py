"""Fixtures for the web widget: a Stack with the web server, and headless Chromium.

One session-wide Stack serves every web test (Rasa takes ~30 s to start). Each browser test
gets a fresh context, so sessionStorage starts empty.
"""
from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Iterator

import pytest

from bot import paths
from bot.run import Stack
from tests.server_stack import free_port, make_stack

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
ARTIFACTS = paths.ROOT / "test-artifacts"
AXE = paths.ROOT / "bot" / "web" / "node_modules" / "axe-core" / "axe.min.js"


@pytest.fixture(scope="session")
def web_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """Action server, Rasa and the web server (bot/web), with a freshly built widget."""
    subprocess.run(["bash", str(paths.ROOT / "bot" / "web" / "build.sh")], check=True)
    running = make_stack(tmp_path_factory.mktemp("web-stack"))
    running.web_port = free_port()
    running.start()
    yield running
    running.stop()


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not CHROMIUM.exists():
        pytest.skip("Chromium saknas: kör `bash bot/scripts/setup.sh --test`.")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture()
def page(browser: object) -> Iterator[object]:
    """A fresh tab; bypass_csp only so the tests can inject axe-core."""
    context = browser.new_context(viewport={"width": 1280, "height": 860}, locale="sv-SE", bypass_csp=True)
    tab = context.new_page()
    tab.set_default_timeout(30_000)
    yield tab
    context.close()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
