"""Rasa's Socket.IO channel, made safe for the web widget and the intranet page.

Rasa 3.6's own `SocketIOInput` has three problems we fix here:
- it calls `sio.enter_room` without `await`; since python-socketio 5.10 that is a coroutine,
  so the socket never joins its session's room and the bot's replies go nowhere
  (RasaHQ/rasa#13027);
- it trusts any `session_id` a client sends, so anyone who guesses or sees an id can read
  and write someone else's conversation;
- custom JSON is spread into `emit(**json)` and crashes on any unknown key (#8445).

Session ids are therefore issued by the server as HMAC-signed tokens. The tracker's sender
id is only the random part; the signature never reaches the database or the logs. The
secret comes from `BOT_SOCKETIO_SECRET`, or is created once in `var/`, so a restart keeps
the sessions that browsers still hold valid.
"""
from __future__ import annotations

import hashlib
import hmac
import logging
import os
import secrets
from pathlib import Path
from typing import Any, Awaitable, Callable, Dict, Optional, Text

from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from rasa.core.channels.socketio import SocketBlueprint, SocketIOInput, SocketIOOutput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from socketio import AsyncServer

from bot import paths
from bot.channels.limits import ERROR_TOO_LONG, MAX_MESSAGE_CHARS, SORRY, deliver

logger = logging.getLogger(__name__)

SECRET_ENV = "BOT_SOCKETIO_SECRET"
SECRET_FILE = paths.VAR / "socketio-secret"
ERROR_NOT_TEXT = "Jag kan bara ta emot meddelanden som är text. Skriv din fråga och försök igen."
ERROR_NO_SESSION = "Chatten tappade sin session. Ladda om sidan och försök igen."

_ID_BYTES = 16
_SIG_CHARS = 32


def load_secret(path: Path = SECRET_FILE) -> bytes:
    """The signing secret: from the environment, else a random one kept in var/ across restarts."""
    from_env = os.environ.get(SECRET_ENV, "")
    if from_env:
        return from_env.encode("utf-8")
    if path.exists():
        return path.read_bytes().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    value = secrets.token_hex(32).encode("ascii")
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process created it first: use theirs
        return path.read_bytes().strip()
    with os.fdopen(fd, "wb") as handle:
        handle.write(value)
    return value


class SessionTokens:
    """Issues `<id>.<signature>` tokens and turns a genuine token back into its sender id."""

    def __init__(self, secret: bytes) -> None:
        self._secret = secret

    def _sign(self, sender: str) -> str:
        return hmac.new(self._secret, sender.encode("ascii"), hashlib.sha256).hexdigest()[:_SIG_CHARS]

    def issue(self) -> str:
        sender = secrets.token_hex(_ID_BYTES)
        return f"{sender}.{self._sign(sender)}"

    def sender_of(self, token: Any) -> Optional[str]:
        """The sender id if the server issued this token, otherwise None (never an exception)."""
        if not isinstance(token, str) or len(token) != 2 * _ID_BYTES + 1 + _SIG_CHARS:
            return None
        sender, _, signature = token.partition(".")
        if not all(c in "0123456789abcdef" for c in sender):
            return None
        return sender if hmac.compare_digest(signature, self._sign(sender)) else None


class SafeSocketIOOutput(SocketIOOutput):
    """Sends custom JSON as one `{"custom": {...}}` message, e.g. `{"kb_step": "..."}`."""

    async def send_custom_json(self, recipient_id: Text, json_message: Dict[Text, Any], **kwargs: Any) -> None:
        if isinstance(json_message, dict):
            await self._send_message(recipient_id, {"custom": json_message})


class SocketIOChannel(SocketIOInput):
    """`/socket.io` with server-issued sessions that survive reloads and restarts."""

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> InputChannel:
        credentials = credentials or {}
        return cls(
            credentials.get("user_message_evt", "user_uttered"),
            credentials.get("bot_message_evt", "bot_uttered"),
            credentials.get("namespace"),
            True,
            credentials.get("socketio_path", "/socket.io"),
        )

    def __init__(self, *args: Any, tokens: Optional[SessionTokens] = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.session_persistence = True
        self.tokens = tokens or SessionTokens(load_secret())

    def get_output_channel(self) -> Optional[OutputChannel]:
        return SafeSocketIOOutput(self.sio, self.bot_message_evt) if self.sio else None

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        # CORS is left to Rasa's `--cors`; [] stops engine.io from adding its own headers.
        sio = AsyncServer(async_mode="sanic", cors_allowed_origins=[])
        self.sio = sio
        webhook = SocketBlueprint(sio, self.socketio_path, "socketio_webhook", __name__)

        @webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        sio.on("session_request", namespace=self.namespace)(self._session_request)

        @sio.on(self.user_message_evt, namespace=self.namespace)
        async def user_message(sid: str, data: Any) -> None:
            await self._user_message(sid, data, on_new_message)

        return webhook

    async def _join(self, sid: str, sender: str) -> None:
        """Puts the socket in its sender's room: Rasa's replies are emitted to that room."""
        async with self.sio.session(sid, namespace=self.namespace) as session:
            old = session.get("sender")
            session["sender"] = sender
        if old and old != sender:
            await self.sio.leave_room(sid, old, namespace=self.namespace)
        await self.sio.enter_room(sid, sender, namespace=self.namespace)

    async def _session_request(self, sid: str, data: Any) -> None:
        token = data.get("session_id") if isinstance(data, dict) else None
        sender = self.tokens.sender_of(token)
        if sender is None:
            token = self.tokens.issue()
            sender = self.tokens.sender_of(token)
        await self._join(sid, sender)
        await self.sio.emit("session_confirm", token, room=sid, namespace=self.namespace)

    async def _sender_for(self, sid: str, data: Dict[str, Any]) -> Optional[str]:
        """The token in the message wins (it may arrive before the session request after a
        reconnect); else the session this socket was given."""
        sender = self.tokens.sender_of(data.get("session_id"))
        if sender is not None:
            await self._join(sid, sender)
            return sender
        session = await self.sio.get_session(sid, namespace=self.namespace)
        return session.get("sender")

    async def _reply(self, room: str, text: str) -> None:
        await self.sio.emit(self.bot_message_evt, {"text": text}, room=room, namespace=self.namespace)

    async def _user_message(
        self, sid: str, data: Any, on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> None:
        data = data if isinstance(data, dict) else {}
        sender = await self._sender_for(sid, data)
        if sender is None:
            return await self._reply(sid, ERROR_NO_SESSION)
        text = data.get("message")
        if not isinstance(text, str) or not text.strip():
            return await self._reply(sid, ERROR_NOT_TEXT)
        if len(text) > MAX_MESSAGE_CHARS:
            return await self._reply(sid, ERROR_TOO_LONG)
        metadata = data.get(self.metadata_key)
        output = SafeSocketIOOutput(self.sio, self.bot_message_evt)
        await deliver(
            on_new_message, text, output, sender, self.name(), lambda: self._reply(sender, SORRY),
            metadata if isinstance(metadata, dict) else {},
        )
