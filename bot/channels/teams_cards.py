"""Turns Rasa messages into Bot Framework activities that Microsoft Teams renders well.

Rasa's botframework channel puts Rasa's button dicts straight into a hero card, which Teams
cannot click (RasaHQ/rasa#11411). Here each button becomes a card action: `messageBack`
sends the payload to the bot while the chat shows the button's title; links open as links.
"""
from __future__ import annotations

import html
import re
from typing import Any, Dict, Iterable, List

HERO_CARD = "application/vnd.microsoft.card.hero"
MAX_BUTTONS_PER_CARD = 6  # Teams shows at most six buttons on a hero card
MENTION = re.compile(r"<at\b[^>]*>.*?</at>", re.IGNORECASE | re.DOTALL)
TAG = re.compile(r"<[^>]+>")


def strip_mentions(text: Any) -> str:
    """The user's words without `<at>Bot</at>` mentions, markup or HTML entities."""
    if not isinstance(text, str):
        return ""
    plain = TAG.sub(" ", MENTION.sub(" ", text))
    return " ".join(html.unescape(plain).split())


def card_action(button: Dict[str, Any]) -> Dict[str, Any]:
    """One Rasa button as a Teams card action."""
    title = str(button.get("title") or button.get("payload") or "")
    url = button.get("url")
    if button.get("type") == "web_url" and isinstance(url, str):
        return {"type": "openUrl", "title": title, "value": url}
    payload = str(button.get("payload") or title)
    return {"type": "messageBack", "title": title, "text": payload, "displayText": title, "value": {"payload": payload}}


def hero_cards(text: str, buttons: Iterable[Dict[str, Any]]) -> List[Dict[str, Any]]:
    """Hero-card attachments: the text on the first card, buttons six per card."""
    actions = [card_action(b) for b in buttons if isinstance(b, dict)]
    chunks = [actions[i:i + MAX_BUTTONS_PER_CARD] for i in range(0, len(actions), MAX_BUTTONS_PER_CARD)] or [[]]
    cards = []
    for index, chunk in enumerate(chunks):
        content: Dict[str, Any] = {"buttons": chunk}
        if index == 0 and text:
            content["text"] = text
        cards.append({"contentType": HERO_CARD, "content": content})
    return cards


def image_card(url: str) -> Dict[str, Any]:
    return {"contentType": HERO_CARD, "content": {"images": [{"url": url}]}}
