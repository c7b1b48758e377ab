"""The running bot through its REST channel, as a user or the förbund's IT staff meet it."""
from __future__ import annotations

import os
import socket
import sqlite3
import subprocess
import sys

import pytest

from bot import paths
from bot.run import Stack
from tests.server_stack import post_json, say, user_texts

pytestmark = pytest.mark.server


def test_greeting_is_swedish_and_says_what_the_bot_can_do(stack: Stack) -> None:
    replies = say(stack, "greeting-user", "hej")
    text = " ".join(r.get("text", "") for r in replies)
    assert text.startswith("Hej!")
    assert "sjukpenninggrundande inkomst" in text and "blanketter" in text


def test_gibberish_gets_a_clear_swedish_reply_that_says_what_the_bot_is_for(stack: Stack) -> None:
    """Gibberish lands either below the NLU threshold (honest fallback) or in out_of_scope,
    depending on the trained model; both replies must say what the bot can help with."""
    replies = say(stack, "fallback-user", "xqzv blorp fnurg")
    assert replies, "the bot must never be silent"
    text = replies[0]["text"]
    assert "inte svara på utifrån mina källor" in text or "inte hjälpa till med" in text
    assert "sjukpenninggrundande inkomst" in text


@pytest.mark.parametrize(
    "body, fragment",
    [
        (b"inte json", "JSON"),
        ({"message": "hej"}, "sender"),
        ({"sender": "x", "message": ""}, "message"),
        ({"sender": "x", "message": 42}, "message"),
        ({"sender": "x", "message": "a" * 2001}, "för långt"),
        ([1, 2], "JSON"),
    ],
)
def test_bad_requests_get_a_swedish_400(stack: Stack, body: object, fragment: str) -> None:
    status, answer = post_json(stack.rest_url, body)
    assert status == 400
    assert fragment in answer["error"]


def test_conversation_survives_a_restart(stack: Stack) -> None:
    say(stack, "restart-user", "hej")
    stack.stop_one("rasa")
    stack.start_rasa()
    replies = say(stack, "restart-user", "tack")
    assert replies and replies[0]["text"].startswith("Varsågod")
    assert user_texts(stack.tracker_db, "restart-user") == ["hej", "tack"]


def test_conversations_are_stored_by_the_projects_sqlite_store(stack: Stack) -> None:
    """Rasa silently falls back to memory when a custom store fails to import; WAL mode proves ours ran."""
    say(stack, "store-user", "hej")
    with sqlite3.connect(stack.tracker_db) as connection:
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_port_in_use_gives_one_clear_line() -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        env = dict(os.environ, BOT_RASA_PORT=str(port), PYTHONPATH=str(paths.ROOT))
        result = subprocess.run(
            [sys.executable, "-m", "bot.run"], cwd=paths.ROOT, env=env, capture_output=True, text=True, timeout=120
        )
    assert result.returncode == 1
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert f"Port {port} används redan" in lines[0] and "BOT_RASA_PORT" in lines[0]


def test_personal_data_is_masked_before_it_is_stored(stack: Stack) -> None:
    replies = say(stack, "pii-user", "min klient 19850312-1234 ring 070-123 45 67")
    assert replies
    stored = " ".join(user_texts(stack.tracker_db, "pii-user"))
    assert "19850312-1234" not in stored and "070-123 45 67" not in stored
    assert "[personnummer]" in stored and "[telefonnummer]" in stored
