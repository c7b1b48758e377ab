"""`python -m bot.rasa_server run …`: Rasa's own command line, with its action-response check compiled once.

Why: Rasa 3.6 checks every reply from the action server with `jsonschema.validate`, which
first re-checks the response schema itself against the JSON Schema meta-schema. For this
bot, whose questions are answered by a custom action, that re-check was about 30 % of the
Rasa server's CPU time per answered question (py-spy, `make bench`). Here the schema is
checked once, at start, and the compiled validator is reused. Replies are still validated,
and an invalid one fails exactly as before, with Rasa's own error message.
"""
from __future__ import annotations

from functools import lru_cache
from typing import Any, Dict, Text

from jsonschema import exceptions, validators
from rasa.core.actions.action import RemoteAction
from rasa.shared.constants import DOCS_BASE_URL


@lru_cache(maxsize=1)
def _response_validator() -> Any:
    """The validator for the action server's reply, built (and its schema checked) once."""
    schema = RemoteAction.action_response_format_spec()
    validator_class = validators.validator_for(schema)
    validator_class.check_schema(schema)
    return validator_class(schema)


def validate_action_result(self: RemoteAction, result: Dict[Text, Any]) -> bool:
    """Same contract as `RemoteAction._validate_action_result`, without the per-call schema check."""
    error = exceptions.best_match(_response_validator().iter_errors(result))
    if error is None:
        return True
    error.message += (
        ". Failed to validate Action server response from API, "
        "make sure your response from the Action endpoint is valid. "
        f"For more information about the format visit {DOCS_BASE_URL}/custom-actions"
    )
    raise error


def install() -> None:
    """Replace Rasa's per-call check with the compiled one; called before Rasa starts."""
    _response_validator()
    RemoteAction._validate_action_result = validate_action_result  # type: ignore[assignment]


def main() -> None:
    install()
    from rasa.__main__ import main as rasa_main

    rasa_main()


if __name__ == "__main__":
    main()
