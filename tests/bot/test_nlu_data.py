"""The NLU training data: written as the model will see messages live."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from rasa.shared.nlu.training_data.loading import load_data

from actions.redact import redact
from bot import paths


@pytest.fixture(scope="module")
def examples() -> list:
    data = load_data(str(paths.DATA / "nlu"))
    return [m.get("text") for m in data.training_examples if m.get("text")]


def test_examples_hold_no_personal_data_the_channels_would_mask(examples: list) -> None:
    # Every channel masks personnummer, phone numbers and e-mail addresses before Rasa sees
    # a message, so an example with a real number would teach the model text it never gets.
    unmasked = [text for text in examples if redact(text) != text]
    assert unmasked == []


def test_the_personnummer_feature_matches_what_the_channels_send() -> None:
    data = load_data(str(Path(paths.DATA / "nlu" / "out_of_scope.yml")))
    pattern = {r["name"]: r["pattern"] for r in data.regex_features}["personal_identity_number"]
    for live in ("kolla 19850101-1234", "kan du slå upp 850101-1234 åt mig", "sök 198501011234"):
        assert re.search(pattern, redact(live))
    assert not re.search(pattern, "vad betyder personnummer")
