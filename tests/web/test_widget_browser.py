"""The widget and the intranet page in headless Chromium against the real bot.

Screenshots go to test-artifacts/ so a person can look at how it renders.
"""
from __future__ import annotations

import json
import re
from pathlib import Path
from typing import List

import pytest
from playwright.sync_api import Page, expect

from bot.run import Stack
from tests.server_stack import user_texts
from tests.web.conftest import AXE

pytestmark = [pytest.mark.browser, pytest.mark.server, pytest.mark.issue(6)]

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def ask(page: Page, text: str) -> None:
    box = page.locator("#sgi-input")
    box.fill(text)
    box.press("Enter")


def last_bot(page: Page):
    return page.locator(".msg.bot").last


def open_intranet(page: Page, stack: Stack) -> None:
    page.goto(stack.web_url)
    expect(page.locator("#sgi-input")).to_be_visible()


def session_sender(page: Page) -> str:
    state = json.loads(page.evaluate("sessionStorage.getItem('sgiChat.v1')"))
    return state["token"].split(".")[0]


def axe_violations(page: Page) -> List[dict]:
    page.add_script_tag(content=AXE.read_text("utf-8"))
    result = page.evaluate(
        "async (tags) => (await axe.run(document, {runOnly: {type: 'tag', values: tags}})).violations",
        WCAG_TAGS,
    )
    return [{"id": v["id"], "help": v["help"], "nodes": [n["target"] for n in v["nodes"]]} for v in result]


def test_a_question_gets_the_swedish_greeting(page: Page, web_stack: Stack, artifacts: Path) -> None:
    open_intranet(page, web_stack)
    ask(page, "hej")
    expect(page.locator(".msg.user").last).to_have_text("Du: hej")
    expect(last_bot(page)).to_contain_text("Hej! Jag är en chattbot")
    page.screenshot(path=str(artifacts / "intranet-greeting.png"), full_page=True)


def test_a_quick_reply_click_shows_the_help_text(page: Page, web_stack: Stack, artifacts: Path) -> None:
    open_intranet(page, web_stack)
    ask(page, "xqzv blorp fnurg")
    button = page.get_by_role("button", name="Vad kan du svara på?")
    expect(button).to_be_visible()
    page.screenshot(path=str(artifacts / "intranet-quick-reply.png"))
    button.click()
    expect(page.locator(".msg.user").last).to_have_text("Du: Vad kan du svara på?")
    expect(last_bot(page)).to_contain_text("Jag kan svara på frågor om arbetet")
    expect(button).to_have_count(0)


def test_history_and_server_session_survive_a_reload(page: Page, web_stack: Stack) -> None:
    open_intranet(page, web_stack)
    ask(page, "hej")
    expect(last_bot(page)).to_contain_text("Hej!")
    sender = session_sender(page)
    page.reload()
    expect(page.locator(".msg.user").first).to_have_text("Du: hej")
    expect(page.locator(".msg.bot").first).to_contain_text("Hej! Jag är en chattbot")
    ask(page, "tack")
    expect(last_bot(page)).to_contain_text("Varsågod")
    assert session_sender(page) == sender
    assert user_texts(web_stack.tracker_db, sender) == ["hej", "tack"]


@pytest.mark.parametrize("attack", ["<img src=x onerror=alert(1)>", "<script>alert(1)</script>"])
def test_markup_in_messages_is_shown_as_text_and_never_runs(page: Page, web_stack: Stack, attack: str) -> None:
    dialogs: List[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    open_intranet(page, web_stack)
    ask(page, attack)
    expect(page.locator(".msg.user").last).to_have_text("Du: " + attack)
    expect(last_bot(page)).to_be_visible()
    page.wait_for_timeout(500)
    assert dialogs == []
    assert page.locator("#sgi-chat .log img, #sgi-chat .log script").count() == 0
    assert page.locator("body img, body > script:not([src])").count() == 0


def test_intranet_page_has_no_wcag_violations(page: Page, web_stack: Stack, artifacts: Path) -> None:
    open_intranet(page, web_stack)
    ask(page, "xqzv blorp fnurg")
    expect(page.get_by_role("button", name="Vad kan du svara på?")).to_be_visible()
    assert axe_violations(page) == []


def test_demo_widget_open_has_no_wcag_violations(page: Page, web_stack: Stack, artifacts: Path) -> None:
    page.goto(web_stack.web_url + "demo.html")
    page.get_by_role("button", name="Chatta med SGI-boten").click()
    ask(page, "hej")
    expect(last_bot(page)).to_contain_text("Hej!")
    page.screenshot(path=str(artifacts / "demo-open.png"))
    assert axe_violations(page) == []


def test_keyboard_opens_focuses_and_escape_closes(page: Page, web_stack: Stack) -> None:
    page.goto(web_stack.web_url + "demo.html")
    launcher = page.get_by_role("button", name="Chatta med SGI-boten")
    launcher.focus()
    page.keyboard.press("Enter")
    expect(page.locator("#sgi-input")).to_be_focused()
    expect(launcher).to_have_attribute("aria-expanded", "true")
    page.keyboard.press("Escape")
    expect(page.locator("#sgi-panel")).to_be_hidden()
    expect(launcher).to_be_focused()


def test_the_log_is_announced_politely(page: Page, web_stack: Stack) -> None:
    open_intranet(page, web_stack)
    log = page.locator("#sgi-chat [role=log]")
    expect(log).to_have_attribute("aria-live", "polite")
    assert page.evaluate("document.documentElement.lang") == "sv"


@pytest.mark.parametrize("path", ["demo.html", ""])
def test_phone_width_has_no_horizontal_overflow(browser, web_stack: Stack, artifacts: Path, path: str) -> None:
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="sv-SE", has_touch=True)
    page = context.new_page()
    try:
        page.goto(web_stack.web_url + path)
        if path:
            page.get_by_role("button", name="Chatta med SGI-boten").click()
        ask(page, "xqzv blorp fnurg")
        expect(page.get_by_role("button", name="Vad kan du svara på?")).to_be_visible()
        name = path.replace(".html", "") or "intranet"
        page.screenshot(path=str(artifacts / f"phone-360-{name}.png"))
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        box = page.locator("#sgi-panel").bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 360
    finally:
        context.close()


def test_clear_history_starts_a_new_session(page: Page, web_stack: Stack) -> None:
    open_intranet(page, web_stack)
    ask(page, "hej")
    expect(last_bot(page)).to_contain_text("Hej!")
    before = session_sender(page)
    page.get_by_role("button", name="Rensa historiken och börja om").click()
    expect(page.locator(".msg")).to_have_count(0)
    expect(page.locator("#sgi-chat [role=status]")).to_contain_text("Historiken är rensad")
    ask(page, "tack")
    expect(last_bot(page)).to_contain_text("Varsågod")
    assert session_sender(page) != before


def test_a_step_event_highlights_the_process_map(page: Page, web_stack: Stack, artifacts: Path) -> None:
    open_intranet(page, web_stack)
    step_ids = page.evaluate("[...document.querySelectorAll('#map [id^=\"step-\"]')].map(n => n.id.slice(5))")
    if not step_ids:
        expect(page.locator(".map-note")).to_contain_text("Processkartan kan inte visas")
        pytest.skip("processkartan kunde inte ritas på den här datorn")
    page.evaluate("(s) => window.dispatchEvent(new CustomEvent('sgichat:step', {detail: {step: s}}))", step_ids[0])
    expect(page.locator(f"[id='step-{step_ids[0]}']")).to_have_class(re.compile(r"\bis-current\b"))
    expect(page.locator("#map-status")).to_contain_text("Kartan visar nu:")
    page.screenshot(path=str(artifacts / "intranet-step-highlight.png"), full_page=True)


def test_the_widget_says_it_is_reconnecting_after_a_drop(page: Page, web_stack: Stack) -> None:
    """Last in the file: it restarts Rasa."""
    open_intranet(page, web_stack)
    ask(page, "hej")
    expect(last_bot(page)).to_contain_text("Hej!")
    status = page.locator("#sgi-chat [role=status]")
    web_stack.stop_one("rasa")
    expect(status).to_contain_text("Försöker ansluta igen", timeout=20_000)
    web_stack.start_rasa()
    expect(status).to_contain_text("Ansluten igen", timeout=60_000)
    ask(page, "tack")
    expect(last_bot(page)).to_contain_text("Varsågod")
    assert user_texts(web_stack.tracker_db, session_sender(page)) == ["hej", "tack"]
