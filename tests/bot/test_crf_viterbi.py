"""The NumPy CRF decoding gives Rasa's tags and confidences (bot/crf_viterbi.py)."""
from __future__ import annotations

import numpy as np
import pytest
import tensorflow as tf
from rasa.utils.tensorflow.layers import CRF

from bot.crf_viterbi import decode_batch


def rasas_decoding(potentials: np.ndarray, transitions: np.ndarray, lengths: np.ndarray):
    """Rasa's own `CRF.call` (the layer DIET decodes with), run eagerly on the same numbers."""
    layer = CRF(num_tags=transitions.shape[0], reg_lambda=0.0, scale_loss=False)
    layer.build(tf.TensorShape(potentials.shape))
    layer.transition_params.assign(transitions)
    ids, scores = layer(tf.constant(potentials), tf.constant(lengths))
    return ids.numpy(), scores.numpy()


@pytest.mark.parametrize("seed", range(40))
def test_tags_and_confidences_are_rasas(seed: int) -> None:
    rng = np.random.default_rng(seed)
    tags = int(rng.choice([2, 5, 17]))
    batch = int(rng.integers(1, 4))
    positions = int(rng.integers(1, 14))
    # Wide potentials saturate the softmax, so confidences of exactly 1.0 occur too.
    spread = float(rng.choice([1.0, 8.0, 40.0]))
    potentials = (rng.standard_normal((batch, positions, tags)) * spread).astype(np.float32)
    transitions = (rng.standard_normal((tags, tags)) * spread / 2).astype(np.float32)
    lengths = rng.integers(0, positions + 1, size=batch).astype(np.int64)
    if positions > 1:
        lengths[0] = positions - 1  # DIET's case: one position more than tokens

    expected_ids, expected_scores = rasas_decoding(potentials, transitions, lengths)
    ids, scores = decode_batch(potentials, transitions, lengths)

    assert ids.dtype == expected_ids.dtype and scores.dtype == expected_scores.dtype
    np.testing.assert_array_equal(ids, expected_ids)
    np.testing.assert_array_equal(scores, expected_scores)


def test_a_saturated_confidence_changes_the_index_like_rasa() -> None:
    # Token 2 is certain (confidence 1.0), so Rasa looks up token 1's confidence at tag 1.
    transitions = np.array([[0.0, 0.0], [0.0, 0.0]], dtype=np.float32)
    potentials = np.array([[[0.0, 3.0], [1.0, 0.0], [0.0, 200.0], [0.0, 0.0]]], dtype=np.float32)
    lengths = np.array([3])
    expected = rasas_decoding(potentials, transitions, lengths)
    ids, scores = decode_batch(potentials, transitions, lengths)
    np.testing.assert_array_equal(ids, expected[0])
    np.testing.assert_array_equal(scores, expected[1])
    assert scores[0, 2] == 1.0
