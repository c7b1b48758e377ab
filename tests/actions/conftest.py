"""Action tests run against the small fixture knowledge base in tests/fixtures/kb."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, Iterable, Iterator, Optional

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import knowledge_access

FIXTURE_KB = Path(__file__).resolve().parents[1] / "fixtures" / "kb"


@pytest.fixture(autouse=True)
def fixture_kb(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    monkeypatch.setenv(knowledge_access.BASE_ENV, str(FIXTURE_KB))
    monkeypatch.setenv("BOT_UNANSWERED_LOG", str(tmp_path / "unanswered.jsonl"))
    knowledge_access.get_query.cache_clear()
    yield
    knowledge_access.get_query.cache_clear()


def make_tracker(
    text: str, intent: str, entities: Iterable[Dict[str, Any]] = (), slots: Optional[Dict[str, Any]] = None,
    sender: str = "tester", active_loop: Optional[str] = None,
) -> Tracker:
    return Tracker(
        sender_id=sender,
        slots=dict(slots or {}),
        latest_message={"text": text, "intent": {"name": intent, "confidence": 1.0}, "entities": list(entities)},
        events=[],
        paused=False,
        followup_action=None,
        active_loop={"name": active_loop} if active_loop else {},
        latest_action_name="action_listen",
    )


def texts(dispatcher: CollectingDispatcher) -> str:
    return "\n".join(m.get("text") or "" for m in dispatcher.messages)


def button_titles(dispatcher: CollectingDispatcher) -> list:
    return [b["title"] for m in dispatcher.messages for b in m.get("buttons", [])]


def slot_events(events: Iterable[Dict[str, Any]]) -> Dict[str, Any]:
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}
