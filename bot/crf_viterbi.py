"""Rasa's CRF decoding (`rasa.utils.tensorflow.crf.crf_decode`, as `CRF.call` uses it) in NumPy.

Why: in DIET's compiled graph the decoding is a Keras RNN and two `tf.scan` loops, a
TensorFlow while-loop with some 120 operations per token. For one short message that is
most of DIET's graph time, while the arithmetic itself is a few dozen additions per token.
bot/rasa_server/diet.py (adjustment 6) lets TensorFlow compute DIET's tag potentials and decodes
them here.

The results are Rasa's, quirks included:
- the sequence is decoded over its `length` tokens; later positions (padding and the
  sentence position DIET appends) get tag 0 and confidence 0, as `CRF.call` masks them;
- the confidence of the last token is the highest softmax of the final Viterbi scores;
  for every earlier token Rasa's backward `tf.scan` looks the confidence up with the
  *previous confidence* cast to an integer as tag index (0, or 1 when the previous
  confidence is exactly 1.0), not with the decoded tag. That is reproduced as it is, so
  that entity confidences stay the ones Rasa reports.
The additions and maxima are exact in float32; the softmax is TensorFlow's own kernel, called
once per message (see `softmax`). Tags and confidences are therefore Rasa's to the bit:
tests/bot/test_crf_viterbi.py compares them with Rasa's CRF layer, and
tests/bot/test_rasa_runtime.py the parses of the whole question bank.
"""
from __future__ import annotations

from typing import Tuple

import numpy as np


def softmax_maxima(rows: np.ndarray) -> np.ndarray:
    """The largest softmax value of each row of a [rows, tags] array, by TensorFlow's kernel.

    TensorFlow's kernel, the one in Rasa's graph, not NumPy: sums rounded in another order can
    give exactly 1.0 where TensorFlow gives 0.99999976, and Rasa's decoding turns a confidence
    of 1.0 into another tag index (see above), so a difference in the last bit could change a
    reported confidence by far more. One call per message, since each call costs ~0.15 ms.
    """
    import tensorflow as tf

    return tf.raw_ops.Softmax(logits=rows).numpy().max(axis=1)


def decode_sequence(potentials: np.ndarray, transitions: np.ndarray, length: int) -> Tuple[np.ndarray, np.ndarray]:
    """Tag ids (int32) and confidences (float32) for one sequence, as `CRF.call` returns them.

    `potentials` is [positions, tags] (float32); `transitions` is [tags, tags]; `length` is
    the number of real tokens, which may be smaller than `positions`.
    """
    positions = potentials.shape[0]
    tags = np.zeros(positions, dtype=np.int32)
    confidences = np.zeros(positions, dtype=np.float32)
    if length <= 0:
        return tags, confidences
    if positions == 1:
        tags[0] = int(potentials[0].argmax())
        confidences[0] = softmax_maxima(potentials[:1])[0]
        return tags, confidences

    # Forward: Viterbi scores (additions and maxima, exact in float32) and back-pointers.
    state = potentials[0]
    backpointers, transition_scores = [], []
    for position in range(1, length):
        scores = state[:, None] + transitions
        transition_scores.append(scores.T)  # row j: the scores of reaching tag j from each tag
        backpointers.append(scores.argmax(axis=0))
        state = potentials[position] + scores.max(axis=0)
    tag = int(state.argmax())

    # Rasa's confidences: per step and next tag, the largest softmax over the previous tag;
    # for the last token, the largest softmax of the final scores. One softmax call for all.
    tag_count = transitions.shape[0]
    maxima = softmax_maxima(np.concatenate([*transition_scores, state[None, :]]))
    step_confidences = maxima[:-1].reshape(len(transition_scores), tag_count)
    tags[length - 1] = tag
    confidences[length - 1] = maxima[-1]
    score_index = tag
    for position in range(length - 2, -1, -1):
        tag = int(backpointers[position][tag])
        confidence = step_confidences[position][score_index]
        tags[position] = tag
        confidences[position] = confidence
        score_index = int(confidence)  # Rasa's scan: the previous output is the next index
    return tags, confidences


def decode_batch(
    potentials: np.ndarray, transitions: np.ndarray, lengths: np.ndarray
) -> Tuple[np.ndarray, np.ndarray]:
    """`CRF.call` for a [batch, positions, tags] array: ([batch, positions] int32, float32)."""
    decoded = [decode_sequence(row, transitions, int(n)) for row, n in zip(potentials, lengths)]
    return (
        np.stack([tags for tags, _ in decoded]).astype(np.int32),
        np.stack([confidences for _, confidences in decoded]).astype(np.float32),
    )
