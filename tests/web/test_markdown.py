"""The widget's Markdown subset, bundled alone and run in Chromium: safe links, no HTML."""
from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from playwright.sync_api import Page

from bot import paths

pytestmark = [pytest.mark.browser, pytest.mark.issue(6)]

WEB = paths.ROOT / "bot" / "web"


@pytest.fixture(scope="module")
def markdown_js(tmp_path_factory: pytest.TempPathFactory) -> str:
    subprocess.run(["bash", str(WEB / "build.sh")], check=True, stdout=subprocess.DEVNULL)
    out = tmp_path_factory.mktemp("md") / "markdown.js"
    subprocess.run([str(WEB / "node_modules" / ".bin" / "esbuild"), str(WEB / "src" / "markdown.js"), "--bundle",
                    "--format=iife", "--global-name=md", "--log-level=warning", f"--outfile={out}"], check=True)
    return Path(out).read_text("utf-8")


def render(page: Page, script: str, text: str) -> str:
    page.set_content("<div id=out></div>")
    page.add_script_tag(content=script)
    return page.evaluate("(t) => { const o = document.getElementById('out'); o.appendChild(md.renderMarkdown(t)); return o.innerHTML; }", text)


def test_bold_lists_and_paragraphs(page: Page, markdown_js: str) -> None:
    html = render(page, markdown_js, "**Viktigt:** gör så här\n- ett\n- två\n\n1. först\n2. sedan")
    assert html == "<p><strong>Viktigt:</strong> gör så här</p><ul><li>ett</li><li>två</li></ul><ol><li>först</li><li>sedan</li></ol>"


def test_links_open_safely_in_a_new_tab(page: Page, markdown_js: str) -> None:
    html = render(page, markdown_js, "Läs [Försäkringskassan](https://www.forsakringskassan.se/sgi).")
    assert '<a href="https://www.forsakringskassan.se/sgi" target="_blank" rel="noopener noreferrer">Försäkringskassan' in html
    assert "(öppnas i ny flik)" in html


@pytest.mark.parametrize("text", [
    "[klicka](javascript:alert(1))",
    "[klicka](data:text/html,<b>x</b>)",
    "<img src=x onerror=alert(1)>",
    "<script>alert(1)</script>",
    "**<b>fet</b>**",
])
def test_no_markup_and_no_unsafe_links(page: Page, markdown_js: str, text: str) -> None:
    html = render(page, markdown_js, text)
    assert "<a " not in html and "<img" not in html and "<script" not in html and "<b>" not in html
