"""The Socket.IO channel against the real Rasa server: sessions persist, forged ids don't work.

Rasa 3.6's own channel lost every reply with python-socketio >= 5.10 (RasaHQ/rasa#13027)
and accepted any session id from the client; these tests pin both fixes.
"""
from __future__ import annotations

import asyncio
import concurrent.futures
import functools
from typing import Any, Awaitable, Callable, Dict, List, Optional

import pytest
import socketio

from bot.run import Stack
from tests.server_stack import user_texts

pytestmark = [pytest.mark.server, pytest.mark.issue(6)]


class Chat:
    """A Socket.IO client as the widget uses it: session_request, then user_uttered.

    Long-polling, because python-engineio's websocket client needs a newer aiohttp than Rasa pins;
    the browser tests cover the websocket transport."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.sio = socketio.AsyncClient(reconnection=False)
        self.token: Optional[str] = None
        self.replies: List[Dict[str, Any]] = []
        self._confirmed = asyncio.Event()
        self.sio.on("session_confirm", self._on_confirm)
        self.sio.on("bot_uttered", self._on_reply)

    async def _on_confirm(self, token: str) -> None:
        self.token = token
        self._confirmed.set()

    async def _on_reply(self, message: Dict[str, Any]) -> None:
        self.replies.append(message)

    async def open(self, token: Optional[str] = None) -> str:
        await self.sio.connect(self.url, transports=["polling"], socketio_path="/socket.io")
        await self.sio.emit("session_request", {"session_id": token})
        await asyncio.wait_for(self._confirmed.wait(), 20)
        return self.token

    async def say(self, message: Any, token: Optional[str] = "own", wait_for: int = 1) -> List[Dict[str, Any]]:
        start = len(self.replies)
        await self.sio.emit("user_uttered", {"message": message, "session_id": self.token if token == "own" else token})
        for _ in range(600):
            if len(self.replies) - start >= wait_for:
                break
            await asyncio.sleep(0.05)
        return self.replies[start:]

    async def close(self) -> None:
        await self.sio.disconnect()


def run_in_thread(coroutine: Awaitable[Any]) -> Any:
    """Runs a coroutine on its own loop in a thread: Playwright's sync API (browser tests in
    the same session) keeps an event loop on the main thread, where asyncio.run would fail."""
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def in_thread(coroutine_function: Callable[..., Awaitable[None]]) -> Callable[..., None]:
    """An async test, run with run_in_thread."""

    @functools.wraps(coroutine_function)
    def run(*args: Any, **kwargs: Any) -> None:
        run_in_thread(coroutine_function(*args, **kwargs))

    return run


def rasa_url(stack: Stack) -> str:
    return f"http://127.0.0.1:{stack.rasa_port}"


@in_thread
async def test_reconnect_with_the_token_keeps_the_same_conversation(web_stack: Stack) -> None:
    first = Chat(rasa_url(web_stack))
    token = await first.open()
    replies = await first.say("hej")
    assert replies and replies[0]["text"].startswith("Hej!")
    await first.close()

    second = Chat(rasa_url(web_stack))
    assert await second.open(token) == token
    replies = await second.say("tack")
    await second.close()
    assert replies and replies[0]["text"].startswith("Varsågod")
    sender = token.split(".")[0]
    assert user_texts(web_stack.tracker_db, sender) == ["hej", "tack"]
    assert user_texts(web_stack.tracker_db, token) == []  # the signature never reaches the tracker


@pytest.mark.parametrize("forged", [
    "victim-session",
    "0" * 32 + "." + "f" * 32,
    None,  # replaced by a real sender id with a wrong signature
])
@in_thread
async def test_a_forged_session_id_gets_a_new_session(web_stack: Stack, forged: Optional[str]) -> None:
    victim = Chat(rasa_url(web_stack))
    victim_token = await victim.open()
    await victim.say("hej")
    await victim.close()
    victim_sender = victim_token.split(".")[0]
    if forged is None:
        forged = victim_sender + "." + "0" * 32

    attacker = Chat(rasa_url(web_stack))
    issued = await attacker.open(forged)
    assert issued not in (forged, victim_token)
    # A forged id inside the message does not reach the victim's conversation either.
    await attacker.say("tack", token=forged)
    await attacker.close()
    assert user_texts(web_stack.tracker_db, victim_sender) == ["hej"]
    assert user_texts(web_stack.tracker_db, issued.split(".")[0]) == ["tack"]


@pytest.mark.parametrize("message, fragment", [
    ("a" * 2001, "för långt"),
    (42, "text"),
    ({"text": "hej"}, "text"),
    ("   ", "text"),
])
@in_thread
async def test_bad_messages_get_a_swedish_error_not_a_crash(web_stack: Stack, message: Any, fragment: str) -> None:
    chat = Chat(rasa_url(web_stack))
    await chat.open()
    replies = await chat.say(message)
    assert replies and fragment in replies[0]["text"]
    replies = await chat.say("hej")  # the connection still works
    await chat.close()
    assert replies and replies[0]["text"].startswith("Hej!")


@in_thread
async def test_sessions_survive_a_rasa_restart(web_stack: Stack) -> None:
    chat = Chat(rasa_url(web_stack))
    token = await chat.open()
    await chat.say("hej")
    await chat.close()
    web_stack.stop_one("rasa")
    web_stack.start_rasa()
    again = Chat(rasa_url(web_stack))
    assert await again.open(token) == token
    replies = await again.say("tack")
    await again.close()
    assert replies and replies[0]["text"].startswith("Varsågod")
