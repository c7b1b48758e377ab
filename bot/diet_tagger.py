"""DIET's entity tagger, up to its CRF layer, computed in NumPy from DIET's trained weights.

Why: for one message the arithmetic of config.yml's DIET is tiny (two sparse lookups into
128 columns, one 128 x 128 layer, one 128 x 17 layer), but calling it as a TensorFlow graph
costs about 1.1 ms per message in fixed overhead, and converting the eight input arrays to
tensors another 0.3 ms: most of DIET's time per message once its decoding runs in NumPy
(bot/crf_viterbi.py). bot/rasa_server/diet.py (adjustment 10) computes the same layers here.

The layers are DIET's as Rasa 3.6 builds them for text with sparse features only and no
transformer layer (rasa/utils/tensorflow/rasa_layers.py and layers.py):
1. sequence and sentence features each through their `DenseForSparse` layer (sparse matrix
   times kernel, plus bias);
2. the sentence row appended after the token rows (`_concat_sequence_sentence_features`);
3. the feed-forward layers (`Ffnn`: kernel times its connection mask, bias, exact GELU);
4. the entity logits (`Embed`: kernel, bias).
Dropout is off at prediction. `tagger_weights` returns None for any DIET of another shape.

The numbers are TensorFlow's up to rounding: the sparse products add the same terms in the
same order, but the dense products and the error function round differently in the last
bits (largest difference in the potentials 1e-5 over 5,843 messages, December 2026). The
decoded tags were the same for every one of those messages, and the confidences within 4e-6.
tests/bot/test_rasa_runtime.py compares them with TensorFlow's on the whole question bank.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Optional, Sequence, Tuple

import numpy as np
import scipy.sparse
import scipy.special

from bot.diet_batch import side_by_side

SQRT_2 = np.float32(1.4142135)  # the constant in TensorFlow's exact GELU, as float32


@dataclass(frozen=True)
class Dense:
    """One dense layer's weights: `inputs @ kernel + bias`, float32."""

    kernel: np.ndarray
    bias: np.ndarray

    def __call__(self, inputs: Any) -> np.ndarray:
        return inputs @ self.kernel + self.bias


@dataclass(frozen=True)
class TaggerWeights:
    """What DIET's entity tagger needs for prediction, copied out of its Keras layers once."""

    sequence: Dense  # DenseForSparse for the token rows
    sentence: Dense  # DenseForSparse for the sentence row
    hidden: Tuple[Dense, ...]  # the feed-forward layers, each followed by GELU
    logits: Dense  # one logit per entity tag


def gelu(values: np.ndarray) -> np.ndarray:
    """TensorFlow's exact GELU, step by step as in its graph: 0.5 x (1 + erf(x / sqrt 2))."""
    return (np.float32(0.5) * values) * (np.float32(1.0) + scipy.special.erf(values / SQRT_2))


def potentials(weights: TaggerWeights, sequence: Sequence[Any], sentence: Sequence[Any]) -> Tuple[np.ndarray, np.ndarray]:
    """(hidden [tokens + 1, units], potentials [tokens + 1, tags]) for one message.

    `sequence` and `sentence` are the message's sparse features (Rasa `Features`, one per
    featurizer), one row per token and one row.
    """
    rows = [weights.sequence(float32_rows(sequence)), weights.sentence(float32_rows(sentence))]
    hidden = np.concatenate(rows).astype(np.float32, copy=False)
    for layer in weights.hidden:
        hidden = gelu(layer(hidden))
    return hidden, weights.logits(hidden)


def float32_rows(features: Sequence[Any]) -> scipy.sparse.csr_matrix:
    """The featurizers' matrices side by side as one float32 CSR matrix, built directly.

    Each row keeps its entries in the order of the featurizers and of their COO matrices, the
    order in which TensorFlow's sparse product adds them for DIET (bot/diet_batch.py builds
    the same entries for TensorFlow). About 0.1 ms cheaper per matrix than a COO matrix
    converted with `astype` and `tocsr`, which also re-sorts the entries of each row.
    """
    shape, data, row, col = side_by_side(features)
    order = np.argsort(row, kind="stable")
    indptr = np.zeros(shape[0] + 1, dtype=np.int64)
    np.cumsum(np.bincount(row, minlength=shape[0]), out=indptr[1:])
    return scipy.sparse.csr_matrix((data[order].astype(np.float32), col[order], indptr), shape=shape)


def tagger_weights(model: Any) -> Optional[TaggerWeights]:
    """The weights of an entity-only DIET of the shape described above, else None.

    The caller has checked that `model` tags entity types only and gets sparse text features
    only (bot/diet_batch.py `has_simple_layout`); this checks the layers between.
    """
    from rasa.shared.nlu.constants import ENTITY_ATTRIBUTE_TYPE
    from rasa.utils.tensorflow.constants import NUM_TRANSFORMER_LAYERS

    layers = model._tf_layers
    sequence_layer = layers.get(f"sequence_layer.{model.text_name}")
    logits = layers.get(f"embed.{ENTITY_ATTRIBUTE_TYPE}.logits")
    if sequence_layer is None or logits is None or _transformer_layers(model.config[NUM_TRANSFORMER_LAYERS]):
        return None
    combining = sequence_layer._tf_layers.get("feature_combining")
    if combining is None or set(combining._tf_layers) != {"sparse_dense.sequence", "sparse_dense.sentence"}:
        return None  # dense features or layers that unify dimensions: not this shape
    sparse_to_dense = [_sparse_to_dense(combining._tf_layers[f"sparse_dense.{kind}"]) for kind in ("sequence", "sentence")]
    hidden = _hidden_layers(sequence_layer._tf_layers.get("ffnn"))
    if None in sparse_to_dense or hidden is None or not _is_linear(logits._dense):
        return None
    return TaggerWeights(sparse_to_dense[0], sparse_to_dense[1], hidden, _dense(logits._dense))


def _transformer_layers(setting: Any) -> int:
    """DIET's `number_of_transformer_layers` for text (a number, or a number per attribute)."""
    from rasa.shared.nlu.constants import TEXT

    return int(setting.get(TEXT, 0) if isinstance(setting, dict) else setting)


def _sparse_to_dense(concatenate: Any) -> Optional[Dense]:
    """The `DenseForSparse` layer of a ConcatenateSparseDenseFeatures layer (dropouts aside)."""
    found = {name: layer for name, layer in concatenate._tf_layers.items() if "dropout" not in name}
    layer = found.get("sparse_to_dense")
    if set(found) != {"sparse_to_dense"} or not _is_linear(layer):
        return None
    return _dense(layer)


def _hidden_layers(ffnn: Any) -> Optional[Tuple[Dense, ...]]:
    """The dense layers of DIET's `Ffnn` (each with GELU; the dropouts are off at prediction)."""
    import tensorflow as tf
    from rasa.utils.tensorflow.layers import RandomlyConnectedDense

    if ffnn is None:
        return None
    found = []
    for layer in ffnn._ffn_layers:
        if isinstance(layer, tf.keras.layers.Dropout):
            continue
        if not isinstance(layer, RandomlyConnectedDense) or layer.activation is not tf.nn.gelu or not layer.use_bias:
            return None
        kernel = layer.kernel.numpy()
        if layer.kernel_mask is not None:
            kernel = kernel * layer.kernel_mask.numpy()  # what `RandomlyConnectedDense.call` assigns
        found.append(Dense(kernel, layer.bias.numpy()))
    return tuple(found)


def _is_linear(layer: Any) -> bool:
    import tensorflow as tf

    return layer is not None and layer.use_bias and layer.activation is tf.keras.activations.linear


def _dense(layer: Any) -> Dense:
    return Dense(np.asarray(layer.kernel.numpy(), dtype=np.float32), np.asarray(layer.bias.numpy(), dtype=np.float32))
