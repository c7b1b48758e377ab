"""Microsoft Teams channel: `POST /webhooks/teams/webhook` (the Azure Bot's messaging endpoint).

Built on Rasa's botframework channel, but with what that channel lacks (see
docs in bot/channels/botframework_auth.py): full token validation before anything reaches
the bot, non-blocking HTTP, replies in the same thread, buttons as clickable cards, a
greeting when the bot is added, 400 for bad bodies and no user text in the logs.

The app id and secret come from the environment (MICROSOFT_APP_ID, MICROSOFT_APP_PASSWORD),
never from the repository. Without them the channel still loads and answers 401.
"""
from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass
from typing import Any, Awaitable, Callable, Dict, List, Optional, Text
from urllib.parse import quote

import aiohttp
import yarl
from rasa.core.channels.botframework import BotFrameworkInput
from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels import botframework_auth as auth
from bot.channels.limits import ERROR_TOO_LONG, MAX_MESSAGE_CHARS, SORRY, deliver
from bot.channels.teams_cards import hero_cards, image_card, strip_mentions

logger = logging.getLogger(__name__)

GREET_PAYLOAD = "/greet"
UNAUTHORIZED = "Förfrågan saknar giltig inloggning från Microsoft Bot Framework."
BAD_BODY = "Förfrågan måste vara en Bot Framework-aktivitet i JSON."
UNAVAILABLE = "Inloggningen kunde inte kontrolleras just nu. Försök igen om en stund."


@dataclass(frozen=True)
class TeamsSettings:
    """Where the channel talks to, and as whom. Environment variables win over credentials.yml."""

    app_id: str
    app_password: str
    openid_metadata_url: str = auth.DEFAULT_OPENID_METADATA_URL
    token_url: str = auth.DEFAULT_TOKEN_URL
    api_base: str = auth.DEFAULT_API_BASE

    @property
    def configured(self) -> bool:
        return bool(self.app_id and self.app_password)

    @property
    def token_scope(self) -> str:
        return f"{self.api_base.rstrip('/')}/.default"

    @classmethod
    def load(cls, credentials: Optional[Dict[str, Any]], env: Optional[Dict[str, str]] = None) -> "TeamsSettings":
        """Read the secrets from the environment only; Rasa's `${VAR}` fails when a variable is unset."""
        env = dict(os.environ) if env is None else env
        creds = credentials or {}

        def pick(env_name: str, key: str, default: str) -> str:
            return (env.get(env_name) or str(creds.get(key) or "") or default).strip()

        tenant = env.get("MICROSOFT_APP_TENANT_ID", "").strip()
        token_default = (
            f"https://login.microsoftonline.com/{tenant}/oauth2/v2.0/token" if tenant else auth.DEFAULT_TOKEN_URL
        )
        return cls(
            app_id=env.get("MICROSOFT_APP_ID", "").strip(),
            app_password=env.get("MICROSOFT_APP_PASSWORD", "").strip(),
            openid_metadata_url=pick("TEAMS_OPENID_METADATA_URL", "openid_metadata_url", auth.DEFAULT_OPENID_METADATA_URL),
            token_url=pick("TEAMS_TOKEN_URL", "token_url", token_default),
            api_base=pick("TEAMS_API_BASE", "api_base", auth.DEFAULT_API_BASE),
        )


def parse_activity(body: bytes) -> Optional[Dict[str, Any]]:
    """The activity if the body is one we can answer, else None (→ 400)."""
    try:
        activity = json.loads(body or b"null")
    except (ValueError, UnicodeDecodeError):
        return None
    if not isinstance(activity, dict) or not isinstance(activity.get("type"), str):
        return None
    if not isinstance(activity.get("serviceUrl"), str):
        return None
    for part in ("conversation", "from", "recipient"):
        value = activity.get(part)
        if not isinstance(value, dict) or not isinstance(value.get("id"), str) or not value["id"]:
            return None
    return activity


def bot_was_added(activity: Dict[str, Any]) -> bool:
    """True for the conversationUpdate Teams sends when the bot joins a chat or team."""
    members = activity.get("membersAdded")
    if activity.get("type") != "conversationUpdate" or not isinstance(members, list):
        return False
    bot_id = activity["recipient"]["id"]
    return any(isinstance(m, dict) and m.get("id") == bot_id for m in members)


class TeamsOutput(OutputChannel):
    """Replies to one incoming activity, in the same conversation and thread."""

    def __init__(self, channel: "TeamsInput", activity: Dict[str, Any]) -> None:
        self.channel = channel
        self.activity = activity

    @classmethod
    def name(cls) -> Text:
        return "teams"

    def reply_url(self) -> yarl.URL:
        """Ids are percent-encoded (Teams ids hold ':', '@', ';') and kept so by yarl."""
        return yarl.URL(self._reply_path(), encoded=True)

    def _reply_path(self) -> str:
        base = self.activity["serviceUrl"].rstrip("/")
        conversation = quote(self.activity["conversation"]["id"], safe="")
        activity_id = self.activity.get("id")
        if isinstance(activity_id, str) and activity_id:
            return f"{base}/v3/conversations/{conversation}/activities/{quote(activity_id, safe='')}"
        return f"{base}/v3/conversations/{conversation}/activities"

    def reply(self, **fields: Any) -> Dict[str, Any]:
        message = {
            "type": "message",
            "from": self.activity["recipient"],
            "recipient": self.activity["from"],
            "conversation": {"id": self.activity["conversation"]["id"]},
            "textFormat": "markdown",
        }
        if self.activity.get("id"):
            message["replyToId"] = self.activity["id"]
        message.update(fields)
        return message

    async def post(self, message: Dict[str, Any]) -> None:
        """Send one activity; failures are logged (without content), not raised into Rasa."""
        try:
            token = await self.channel.tokens.token()
            async with self.channel.http().post(
                self.reply_url(), json=message, headers={"Authorization": f"Bearer {token}"}, timeout=auth.HTTP_TIMEOUT
            ) as resp:
                if resp.status >= 300:
                    logger.error("teams: reply rejected by the Bot Framework (HTTP %s)", resp.status)
        except (auth.UpstreamError, aiohttp.ClientError, OSError) as exc:
            logger.error("teams: could not send a reply: %s", type(exc).__name__)

    async def send_text_message(self, recipient_id: Text, text: Text, **kwargs: Any) -> None:
        await self.post(self.reply(text=text))

    async def send_text_with_buttons(
        self, recipient_id: Text, text: Text, buttons: List[Dict[str, Any]], **kwargs: Any
    ) -> None:
        await self.post(self.reply(text="", attachments=hero_cards(text, buttons)))

    async def send_image_url(self, recipient_id: Text, image: Text, **kwargs: Any) -> None:
        await self.post(self.reply(attachments=[image_card(image)]))

    async def send_custom_json(self, recipient_id: Text, json_message: Dict[str, Any], **kwargs: Any) -> None:
        """Only custom payloads meant for Teams are sent: `{"teams": {partial activity}}`.

        Actions also attach custom data for other channels (e.g. `kb_step` for the web
        widget); sending that here would show the user an empty message.
        """
        activity = json_message.get("teams") if isinstance(json_message, dict) else None
        if isinstance(activity, dict) and activity:
            await self.post(self.reply(**activity))


class TeamsInput(BotFrameworkInput):
    """Receives Teams activities; see the module docstring."""

    @classmethod
    def name(cls) -> Text:
        return "teams"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> InputChannel:
        return cls(TeamsSettings.load(credentials))

    def __init__(self, settings: TeamsSettings) -> None:
        # super().__init__ is not called: it fetches the keys with blocking requests.
        self.settings = settings
        self.app_id = settings.app_id
        self.app_password = settings.app_password
        self._session: Optional[aiohttp.ClientSession] = None
        keys = auth.SigningKeys(self.http, settings.openid_metadata_url)
        self.validator = auth.TokenValidator(settings.app_id, settings.api_base.rstrip("/"), keys)
        self.tokens = auth.BotTokens(
            self.http, settings.token_url, settings.app_id, settings.app_password, settings.token_scope
        )
        if not settings.configured:
            logger.warning(
                "Teams channel: MICROSOFT_APP_ID or MICROSOFT_APP_PASSWORD is not set, so every request gets 401."
            )

    def http(self) -> aiohttp.ClientSession:
        """One shared client session, created inside the server's event loop on first use."""
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession()
        return self._session

    async def authenticate(self, request: Request, activity: Optional[Dict[str, Any]]) -> Optional[HTTPResponse]:
        """None when the request is genuine; otherwise the response to give (401/400/503)."""
        if not self.settings.configured:
            return response.json({"error": UNAUTHORIZED}, status=401)
        try:
            claims = await self.validator.validate(
                request.headers.get("Authorization"), activity.get("channelId") if activity else None
            )
            if activity is None:
                return response.json({"error": BAD_BODY}, status=400)
            auth.check_service_url(claims, activity.get("serviceUrl"))
        except auth.AuthError as exc:
            logger.info("teams: request refused (401): %s", exc)
            return response.json({"error": UNAUTHORIZED}, status=401)
        except auth.UpstreamError as exc:
            logger.error("teams: cannot check tokens, Bot Framework keys unavailable: %s", exc)
            return response.json({"error": UNAVAILABLE}, status=503)
        return None

    async def handle(self, activity: Dict[str, Any], on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> None:
        out = TeamsOutput(self, activity)
        sender = activity["from"]["id"]
        if bot_was_added(activity):
            await on_new_message(UserMessage(GREET_PAYLOAD, out, sender, input_channel=self.name()))
            return
        if activity["type"] != "message":
            return
        text = strip_mentions(activity.get("text"))
        if not text:
            return
        if len(text) > MAX_MESSAGE_CHARS:
            await out.send_text_message(sender, ERROR_TOO_LONG)
            return
        await deliver(on_new_message, text, out, sender, self.name(), lambda: out.send_text_message(sender, SORRY))

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webhook = Blueprint("teams_webhook", __name__)

        @webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            activity = parse_activity(request.body)
            refused = await self.authenticate(request, activity)
            if refused is not None:
                return refused
            assert activity is not None
            try:
                await self.handle(activity, on_new_message)
            except Exception:  # noqa: BLE001 - never a 5xx for an accepted activity
                logger.exception("teams: failed to handle an activity of type %s", activity.get("type"))
            return response.json({}, status=200)

        @webhook.listener("after_server_stop")
        async def close_session(*_: Any) -> None:
            if self._session is not None:
                await self._session.close()

        return webhook
