"""Limits and Swedish error texts shared by the input channels."""
from __future__ import annotations

from typing import Any, Optional, Tuple

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
