"""The question-aware fallback: Rasa's FallbackClassifier, with process questions pooled."""
from __future__ import annotations

from typing import Dict, List

import pytest
from rasa.shared.exceptions import InvalidConfigException
from rasa.shared.nlu.training_data.message import Message

from bot.nlp.fallback import QuestionAwareFallbackClassifier, pooled_confidences

QUESTIONS = ["ask_when", "ask_how", "ask_form"]


def _classified(ranking: Dict[str, float]) -> Message:
    rows: List[Dict] = [{"name": n, "confidence": c} for n, c in sorted(ranking.items(), key=lambda x: -x[1])]
    return Message(data={"text": "x", "intent": dict(rows[0]), "intent_ranking": rows})


def _intent(ranking: Dict[str, float], **config) -> str:
    component = QuestionAwareFallbackClassifier(
        {"threshold": 0.5, "ambiguity_threshold": 0.1, "question_intents": QUESTIONS, **config}
    )
    message = _classified(ranking)
    component.process([message])
    return message.get("intent")["name"]


def test_a_question_split_between_kinds_is_answered_as_its_top_kind() -> None:
    # Rasa's classifier falls back: 0.40 is below the threshold, and 0.40 − 0.35 below the ambiguity.
    assert _intent({"ask_form": 0.40, "ask_when": 0.35, "greet": 0.25}) == "ask_form"


def test_without_a_group_it_is_rasas_fallback() -> None:
    assert _intent({"ask_form": 0.40, "ask_when": 0.35, "greet": 0.25}, question_intents=[]) == "nlu_fallback"


@pytest.mark.parametrize(
    "ranking",
    [
        {"ask_form": 0.46, "ask_individual_case": 0.45, "ask_when": 0.05, "greet": 0.04},  # too close to a non-question
        {"ask_form": 0.25, "ask_when": 0.20, "greet": 0.15, "thank": 0.15, "deny": 0.25},  # questions sum below 0.5
        {"ask_individual_case": 0.45, "ask_form": 0.30, "ask_when": 0.25},  # the top intent is no question
    ],
)
def test_anything_else_unsure_still_falls_back(ranking: Dict[str, float]) -> None:
    assert _intent(ranking) == "nlu_fallback"


def test_sure_predictions_are_left_alone() -> None:
    assert _intent({"greet": 0.9, "ask_form": 0.1}) == "greet"
    assert _intent({"ask_when": 0.9, "ask_form": 0.1}) == "ask_when"


def test_pooled_confidences() -> None:
    ranking = [{"name": "ask_form", "confidence": 0.4}, {"name": "greet", "confidence": 0.3}, {"name": "ask_when", "confidence": 0.2}]
    assert pooled_confidences(ranking, frozenset(QUESTIONS)) == pytest.approx((0.6, 0.3))


def test_a_bad_group_gets_a_swedish_message() -> None:
    with pytest.raises(InvalidConfigException, match="ska vara en lista"):
        QuestionAwareFallbackClassifier({"question_intents": "ask_when"})


def test_the_pooled_intents_are_the_ones_the_answering_action_answers() -> None:
    """config.yml (Rasa server) and actions/answering.py (action server) name the same group."""
    import yaml

    from actions.answering import QUESTION_INTENTS
    from bot import paths

    pipeline = yaml.safe_load(paths.CONFIG.read_text("utf-8"))["pipeline"]
    (fallback,) = [c for c in pipeline if c["name"].endswith("QuestionAwareFallbackClassifier")]
    assert set(fallback["question_intents"]) == set(QUESTION_INTENTS)
