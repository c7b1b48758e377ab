"""The Socket.IO channel's parts without a server: tokens, the secret, custom payloads."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, List

import pytest

from tests.web.test_socketio_channel import run_in_thread
from bot.channels.socketio import SafeSocketIOOutput, SessionTokens, load_secret

pytestmark = pytest.mark.issue(6)


def test_issued_tokens_are_unique_and_verify_to_their_sender() -> None:
    tokens = SessionTokens(b"secret")
    issued = {tokens.issue() for _ in range(50)}
    assert len(issued) == 50
    for token in issued:
        assert tokens.sender_of(token) == token.split(".")[0]


@pytest.mark.parametrize("token", [None, 42, "", "abc", "x" * 65, "0" * 32 + "." + "0" * 32, "G" * 32 + "." + "0" * 32])
def test_anything_not_issued_is_refused(token: Any) -> None:
    assert SessionTokens(b"secret").sender_of(token) is None


def test_a_token_from_another_secret_is_refused() -> None:
    assert SessionTokens(b"other").sender_of(SessionTokens(b"secret").issue()) is None


def test_secret_is_created_once_and_kept(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("BOT_SOCKETIO_SECRET", raising=False)
    path = tmp_path / "var" / "socketio-secret"
    first = load_secret(path)
    assert len(first) == 64 and load_secret(path) == first
    assert path.stat().st_mode & 0o077 == 0


def test_secret_from_the_environment_wins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BOT_SOCKETIO_SECRET", "från-miljön")
    assert load_secret(tmp_path / "unused") == "från-miljön".encode()
    assert not (tmp_path / "unused").exists()


class FakeSio:
    def __init__(self) -> None:
        self.emitted: List[Dict[str, Any]] = []

    async def emit(self, event: str, data: Any = None, **kwargs: Any) -> None:
        self.emitted.append({"event": event, "data": data, **kwargs})


def test_custom_json_is_sent_whole_under_custom() -> None:
    sio = FakeSio()
    output = SafeSocketIOOutput(sio, "bot_uttered")
    run_in_thread(output.send_custom_json("room-1", {"kb_step": "fk-avslut", "anything": [1, 2]}))
    assert sio.emitted == [{"event": "bot_uttered", "data": {"custom": {"kb_step": "fk-avslut", "anything": [1, 2]}}, "room": "room-1"}]
