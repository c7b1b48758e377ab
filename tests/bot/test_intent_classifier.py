"""The linear intent classifier: trained, stored and loaded as Rasa does, on real featurizers."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Callable, Tuple

import numpy as np
import pytest
import scipy.sparse
from rasa.engine.graph import ExecutionContext
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.nlu.featurizers.sparse_featurizer.count_vectors_featurizer import CountVectorsFeaturizer
from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
from rasa.shared.exceptions import InvalidConfigException
from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, INTENT, TEXT
from rasa.shared.nlu.training_data.features import Features
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlp.intent_classifier import (
    BLOCKS_FILE,
    LinearIntentClassifier,
    inverse_document_frequency,
    tf_idf,
)

EXAMPLES = {
    "ask_when": ["när ska jag ansöka om samordning", "när ska ansökan skickas", "när kallar man till sip"],
    "ask_who": ["vem kallar till sip", "vem ansvarar för ansökan", "vem skickar läkarintyget"],
    "thank": ["tack för hjälpen", "stort tack", "tack så mycket"],
}


def _context(name: str) -> ExecutionContext:
    return ExecutionContext(node_name=name, graph_schema=None)  # type: ignore[arg-type]


def _featurized(tmp_path: Path, dense: bool) -> Tuple[TrainingData, Callable[[str], Message]]:
    """Training data run through Rasa's tokenizer and count-vectors featurizer (and a dense block)."""
    (tmp_path / "featurizers").mkdir(exist_ok=True)
    storage = LocalModelStorage(tmp_path / "featurizers")
    tokenizer = WhitespaceTokenizer.create(WhitespaceTokenizer.get_default_config(), storage, Resource("tok"), _context("tok"))
    counts = CountVectorsFeaturizer.create(
        CountVectorsFeaturizer.get_default_config(), storage, Resource("cvf"), _context("cvf")
    )
    data = TrainingData([Message(data={TEXT: t, INTENT: i}) for i, texts in EXAMPLES.items() for t in texts])
    tokenizer.process_training_data(data)
    counts.train(data)
    counts.process_training_data(data)

    def featurize(text: str) -> Message:
        message = Message(data={TEXT: text})
        tokenizer.process([message])
        counts.process([message])
        if dense:
            _add_dense(message)
        return message

    if dense:
        for message in data.training_examples:
            _add_dense(message)
    return data, featurize


def _add_dense(message: Message) -> None:
    # A stand-in for the sentence encoder: one column per intent-ish cue, so the test is exact.
    text = message.get(TEXT)
    vector = np.array([[float("när" in text), float("vem" in text), float("tack" in text)]])
    message.add_features(Features(vector, FEATURE_TYPE_SENTENCE, TEXT, "encoder"))


def _classifier(tmp_path: Path, **config) -> Tuple[LinearIntentClassifier, tuple]:
    (tmp_path / "classifier").mkdir(exist_ok=True)
    storage = LocalModelStorage(tmp_path / "classifier")
    args = ({**LinearIntentClassifier.get_default_config(), **config}, storage, Resource("intents"), _context("intents"))
    return LinearIntentClassifier.create(*args), args


def _predict(component: LinearIntentClassifier, message: Message) -> Message:
    component.process([message])
    return message


@pytest.mark.parametrize("dense", [False, True])
def test_trains_stores_loads_and_predicts(tmp_path: Path, dense: bool) -> None:
    data, featurize = _featurized(tmp_path, dense)
    component, args = _classifier(tmp_path)
    component.train(data)
    loaded = LinearIntentClassifier.load(*args)
    for text, intent in [("när ska jag skicka ansökan", "ask_when"), ("vem skickar den", "ask_who"), ("tack!", "thank")]:
        message = _predict(loaded, featurize(text))
        assert message.get(INTENT)["name"] == intent, text
        ranking = message.get("intent_ranking")
        assert [r["name"] for r in ranking][0] == intent
        assert sum(r["confidence"] for r in ranking) == pytest.approx(1.0)
        assert ranking == sorted(ranking, key=lambda r: -r["confidence"])
    # The loaded model predicts exactly what the trained one does.
    message = featurize("när vem tack")
    assert np.allclose(component.probabilities([message]), loaded.probabilities([message]))


def test_stored_model_is_plain_data(tmp_path: Path) -> None:
    data, _ = _featurized(tmp_path, dense=True)
    component, args = _classifier(tmp_path)
    component.train(data)
    with args[1].read_from(args[2]) as directory:
        stored = json.loads((directory / BLOCKS_FILE).read_text("utf-8"))
        assert stored["labels"] == sorted(EXAMPLES)
        assert [b["origin"] for b in stored["blocks"]] == sorted(b["origin"] for b in stored["blocks"])
        assert {b["sparse"] for b in stored["blocks"]} == {True, False}
        # np.load refuses pickled objects by default: nothing in the file can run code.
        with np.load(directory / "classifier.npz", allow_pickle=False) as arrays:
            assert arrays["weights"].shape[0] == len(EXAMPLES)


def test_two_intents_give_two_probabilities(tmp_path: Path) -> None:
    data, featurize = _featurized(tmp_path, dense=False)
    data = TrainingData([m for m in data.training_examples if m.get(INTENT) != "thank"])
    component, _ = _classifier(tmp_path)
    component.train(data)
    (row,) = component.probabilities([featurize("vem kallar")])
    assert row.shape == (2,) and row.sum() == pytest.approx(1.0)
    assert component.labels[int(row.argmax())] == "ask_who"


def test_message_without_text_is_left_alone(tmp_path: Path) -> None:
    data, _ = _featurized(tmp_path, dense=False)
    component, _ = _classifier(tmp_path)
    component.train(data)
    message = Message(data={TEXT: ""})
    component.process([message])
    assert message.get(INTENT) is None


def test_features_of_another_width_ask_for_retraining(tmp_path: Path) -> None:
    data, _ = _featurized(tmp_path, dense=True)
    component, _ = _classifier(tmp_path)
    component.train(data)
    message = Message(data={TEXT: "vem"})
    message.add_features(Features(np.zeros((1, 7)), FEATURE_TYPE_SENTENCE, TEXT, "encoder"))
    with pytest.raises(InvalidConfigException, match="Träna om"):
        component.process([message])


def test_untrained_or_misconfigured_component_says_so_in_swedish(tmp_path: Path) -> None:
    component, _ = _classifier(tmp_path)
    with pytest.raises(InvalidConfigException, match="inte tränad"):
        component.probabilities([Message(data={TEXT: "hej"})])
    with pytest.raises(InvalidConfigException, match="`C`"):
        _classifier(tmp_path, C=0)
    with pytest.raises(InvalidConfigException, match="`max_iter`"):
        _classifier(tmp_path, max_iter=1.5)
    one_intent = TrainingData([Message(data={TEXT: "hej", INTENT: "greet"})])
    with pytest.raises(InvalidConfigException, match="minst två"):
        _classifier(tmp_path)[0].train(one_intent)


def test_weighting_helpers() -> None:
    counts = scipy.sparse.csr_matrix(np.array([[1.0, 0.0, 10.0], [0.0, 0.0, 1.0]]))
    # Smoothed idf: a column in every row weighs 1, an unseen column the most.
    assert np.allclose(inverse_document_frequency(counts), [np.log(3 / 2) + 1, np.log(3) + 1, 1.0])
    # Sublinear counts times idf, at unit length.
    weighted = tf_idf(np.array([1.0, 10.0]), np.array([2.0, 1.0]))
    expected = np.array([2.0, 1.0 + np.log(10.0)])
    assert np.allclose(weighted, expected / np.linalg.norm(expected))
    assert np.allclose(tf_idf(np.zeros(0), np.zeros(0)), [])


def test_prediction_matches_the_trained_scikit_learn_model(tmp_path: Path) -> None:
    """The fast per-block prediction gives what the fitted model gives on the full matrix."""
    data, featurize = _featurized(tmp_path, dense=True)
    component, _ = _classifier(tmp_path)
    component.train(data)
    messages = [featurize(t) for t in ["när vem tack", "vem kallar till sip", "okänd ord här"]]
    matrix = component._matrix(messages)
    logits = matrix @ component._weights.T + component._bias
    expected = np.exp(logits - logits.max(axis=1, keepdims=True))
    assert np.allclose(component.probabilities(messages), expected / expected.sum(axis=1, keepdims=True))
