"""Rasa's REST channel with input checks and no raw text in the logs.

Rasa's own RestInput answers a body that is not JSON with a 500 and logs the user's text
when processing fails. Personal data (personnummer, phone numbers, e-mail addresses) is
masked before the message reaches Rasa, so it is never stored in the tracker. Here bad input gets a 400 with a Swedish explanation, and a failure
while answering still gives the user a Swedish message instead of silence.
"""
from __future__ import annotations

import json
from typing import Awaitable, Callable, Text

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels.limits import SORRY, deliver, validate_message

class RestChannel(RestInput):
    """`POST /webhooks/rest/webhook` with `{"sender": "...", "message": "..."}`."""

    @classmethod
    def name(cls) -> Text:
        return "rest"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[None]]) -> Blueprint:
        webhook = Blueprint("rest_channel_webhook", __name__)

        @webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            try:
                body = json.loads(request.body or b"null")
            except (ValueError, UnicodeDecodeError):
                body = None
            sender, text, error = validate_message(body)
            if error:
                return response.json({"error": error}, status=400)
            collector = CollectingOutputChannel()

            async def apologise() -> None:
                collector.messages.append({"recipient_id": sender, "text": SORRY})

            await deliver(on_new_message, text, collector, sender, self.name(), apologise, self.get_metadata(request))
            return response.json(collector.messages)

        return webhook
