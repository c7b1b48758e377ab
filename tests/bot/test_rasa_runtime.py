"""The two start-up helpers around Rasa and rasa-sdk: the compiled reply check and the SQLite store."""
from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any, Dict, Iterator

import pytest
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot import rasa_server
from bot.stores import SQLiteTrackerStore

VALID_REPLIES = [
    {"events": [], "responses": []},
    {"events": [{"event": "slot", "name": "topic", "value": "step:fk-beslut-samordning"}],
     "responses": [{"text": "Hej", "buttons": [{"title": "Nästa steg", "payload": "/ask_next"}]}]},
    {},
]
INVALID_REPLIES = [
    {"events": "inte en lista"},
    {"events": [{"event": "slot"}]},
    {"responses": ["text utan objekt"]},
]


@pytest.fixture
def remote_action() -> Iterator[RemoteAction]:
    original = RemoteAction._validate_action_result
    yield RemoteAction("action_answer", None)
    RemoteAction._validate_action_result = original


@pytest.mark.parametrize("reply", VALID_REPLIES)
def test_compiled_check_accepts_what_rasa_accepts(remote_action: RemoteAction, reply: Dict[str, Any]) -> None:
    assert remote_action._validate_action_result(reply)
    rasa_server.install()
    assert remote_action._validate_action_result(reply)


@pytest.mark.parametrize("reply", INVALID_REPLIES)
def test_compiled_check_rejects_what_rasa_rejects_with_the_same_error(
    remote_action: RemoteAction, reply: Dict[str, Any]
) -> None:
    with pytest.raises(ValidationError) as rasa_error:
        remote_action._validate_action_result(reply)
    rasa_server.install()
    assert RemoteAction._validate_action_result is rasa_server.validate_action_result
    with pytest.raises(ValidationError) as ours:
        remote_action._validate_action_result(reply)
    assert ours.value.message == rasa_error.value.message


async def test_sqlite_store_keeps_conversations_in_wal_mode(tmp_path: Path) -> None:
    db = tmp_path / "rasa.db"
    store = SQLiteTrackerStore(domain=Domain.empty(), db=str(db), host=None, dialect="sqlite")
    tracker = DialogueStateTracker.from_events("anna", [UserUttered("hej", {"name": "greet"})])
    await store.save(tracker)

    reopened = SQLiteTrackerStore(domain=Domain.empty(), db=str(db))
    restored = await reopened.retrieve("anna")
    assert restored is not None and restored.latest_message.text == "hej"
    with sqlite3.connect(db) as connection:
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
