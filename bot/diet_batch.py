"""The input batch of one message for an entity-only DIET, built straight from its features.

Why: for one message, Rasa builds DIET's input through its training-data machinery. It
deep-copies every feature, joins the featurizers' matrices with `scipy.sparse.hstack` one
pair at a time, wraps them in `RasaModelData`, creates a batch generator and slices one
batch out of it: about 1.6 ms per message, more than DIET's TensorFlow graph itself. The
batch is eight arrays: a mask, the sentence and the token features (each as indices,
values and shape of a sparse matrix) and the number of tokens.

`message_batch` builds the same eight arrays directly, in the same order and with the same
entries in the same order (so TensorFlow sums them in the same order). It answers None
when the message or the model is not of that simple kind (dense features, no features,
another input layout), and the caller then uses Rasa's way. tests/bot/test_rasa_runtime.py
compares the arrays with Rasa's for every question in the question bank.
"""
from __future__ import annotations

from typing import Any, List, Optional, Sequence, Tuple

import numpy as np
import scipy.sparse

# DIET's input signature for text with sparse features only (Rasa sorts keys and sub-keys):
# text.mask (dense), text.sentence (sparse), text.sequence (sparse), text.sequence_lengths.
EXPECTED_LAYOUT = (("mask", False), ("sentence", True), ("sequence", True), ("sequence_lengths", False))


def has_simple_layout(signature: Any) -> bool:
    """DIET's predict signature is exactly text's mask, sentence, sequence and lengths."""
    from rasa.shared.nlu.constants import TEXT

    if list(signature) != [TEXT]:
        return False
    found = tuple((sub_key, [spec.is_sparse for spec in specs]) for sub_key, specs in signature[TEXT].items())
    return found == tuple((sub_key, [sparse]) for sub_key, sparse in EXPECTED_LAYOUT)


def side_by_side(features: Sequence[Any]) -> Tuple[Tuple[int, int], np.ndarray, np.ndarray, np.ndarray]:
    """(shape, data, row, col) of the featurizers' matrices side by side, entries in the order
    `scipy.sparse.hstack` gives (featurizer by featurizer, each in its COO order)."""
    parts = [feature.features.tocoo() for feature in features]
    offsets = np.cumsum([0] + [part.shape[1] for part in parts[:-1]])
    rows = parts[0].shape[0]
    if any(part.shape[0] != rows for part in parts):
        raise ValueError("the featurizers disagree on the number of tokens")
    data = np.concatenate([part.data for part in parts])
    row = np.concatenate([part.row for part in parts])
    col = np.concatenate([part.col + offset for part, offset in zip(parts, offsets)])
    return (rows, int(sum(part.shape[1] for part in parts))), data, row, col


def joined(features: Sequence[Any]) -> scipy.sparse.coo_matrix:
    """The featurizers' matrices side by side, entries in the order `scipy.sparse.hstack` gives."""
    shape, data, row, col = side_by_side(features)
    return scipy.sparse.coo_matrix((data, (row, col)), shape=shape)


def sparse_values(matrix: scipy.sparse.coo_matrix) -> List[np.ndarray]:
    """Indices, values and shape of a batch of one, as Rasa's batch generator writes them."""
    indices = np.vstack([np.zeros_like(matrix.row), matrix.row, matrix.col]).T
    return [
        indices.astype(np.int64),
        matrix.data.astype(np.float32),
        np.array((1, matrix.shape[0], matrix.shape[1])).astype(np.int64),
    ]


def message_features(message: Any, featurizers: Optional[Sequence[str]]) -> Optional[Tuple[List[Any], List[Any]]]:
    """The message's sparse (token, sentence) features, or None if it has dense ones or lacks one."""
    from rasa.shared.nlu.constants import TEXT

    wanted = list(featurizers or [])
    sequence, sentence = message._filter_sparse_features(TEXT, wanted)
    dense_sequence, dense_sentence = message._filter_dense_features(TEXT, wanted)
    if not sequence or not sentence or dense_sequence or dense_sentence:
        return None
    return sequence, sentence


def features_batch(sequence: Sequence[Any], sentence: Sequence[Any]) -> Tuple[np.ndarray, ...]:
    """The eight arrays of DIET's input for a message with these sparse features."""
    tokens = joined(sequence)
    return (
        np.ones((1, 1, 1), dtype=np.float32),
        *sparse_values(joined(sentence)),
        *sparse_values(tokens),
        np.array([tokens.shape[0]], dtype=np.float32),
    )


def message_batch(message: Any, featurizers: Optional[List[str]]) -> Optional[Tuple[np.ndarray, ...]]:
    """The eight arrays of DIET's input for `message`, or None where Rasa's way must decide."""
    features = message_features(message, featurizers)
    return None if features is None else features_batch(*features)
