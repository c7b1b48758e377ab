"""What every input channel does alike: limits, Swedish error texts and handing a message over."""
from __future__ import annotations

import logging
from typing import Any, Awaitable, Callable, Dict, Optional, Tuple

from rasa.core.channels.channel import OutputChannel, UserMessage

from actions.redact import redact

logger = logging.getLogger(__name__)

MAX_MESSAGE_CHARS = 2000
MAX_SENDER_CHARS = 128

ERROR_NOT_JSON = "Förfrågan måste vara JSON, till exempel {\"sender\": \"anna\", \"message\": \"hej\"}."
ERROR_SENDER = "Fältet \"sender\" måste vara en text på 1–128 tecken."
ERROR_MESSAGE = "Fältet \"message\" måste vara en text som inte är tom."
ERROR_TOO_LONG = f"Meddelandet är för långt. Skriv högst {MAX_MESSAGE_CHARS} tecken."
SORRY = "Något gick fel hos mig, så jag kunde inte svara. Försök igen om en stund."


def validate_message(body: Any) -> Tuple[Optional[str], Optional[str], Optional[str]]:
    """(sender, message, error): exactly one of the pair and the error is set."""
    if not isinstance(body, dict):
        return None, None, ERROR_NOT_JSON
    sender, message = body.get("sender"), body.get("message")
    if not isinstance(sender, str) or not sender.strip() or len(sender) > MAX_SENDER_CHARS:
        return None, None, ERROR_SENDER
    if not isinstance(message, str) or not message.strip():
        return None, None, ERROR_MESSAGE
    if len(message) > MAX_MESSAGE_CHARS:
        return None, None, ERROR_TOO_LONG
    return sender.strip(), message, None


async def deliver(
    on_new_message: Callable[[UserMessage], Awaitable[Any]],
    text: str,
    output: OutputChannel,
    sender: str,
    channel: str,
    apologise: Callable[[], Awaitable[None]],
    metadata: Optional[Dict[str, Any]] = None,
) -> None:
    """Hand a checked message to Rasa with personal data masked, so the tracker never stores it.

    If answering fails, the user still hears so (`apologise`), and the log names the channel
    but never the user's text.
    """
    message = UserMessage(redact(text), output, sender, input_channel=channel, metadata=metadata)
    try:
        await on_new_message(message)
    except Exception:  # noqa: BLE001 - the user must get an answer whatever failed
        logger.exception("%s channel: failed to handle a message (text not logged)", channel)
        await apologise()
