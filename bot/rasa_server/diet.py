"""Adjustments 5, 6 and 7: DIET's prediction for one message, with Rasa's results to the bit.

5. DIET's compiled TensorFlow graph is called directly.
6. For a DIET that only tags entities, its CRF decoding runs in NumPy (bot/crf_viterbi.py).
7. DIET's input batch for one message is built straight from the message (bot/diet_batch.py).
10. For an entity-only DIET without transformer layers, its layers up to the CRF are computed in
    NumPy (bot/diet_tagger.py), once the first message has shown them to agree with TensorFlow.
Why and how much: see the package docstring (bot/rasa_server/__init__.py).
"""
from __future__ import annotations

import logging
import weakref
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Dict, List, Optional, Text, Tuple

from bot.rasa_server.sources import expect_source, original, replace_method

logger = logging.getLogger(__name__)

# --- 5. DIET's compiled graph called directly --------------------------------------------

_concrete_predict_steps: "weakref.WeakKeyDictionary[Any, Any]" = weakref.WeakKeyDictionary()


def call_concrete(concrete: Any, specs: Any, tensors: List[Any]) -> Any:
    """`concrete(tensors)` for a graph whose one argument is the list `specs` describes.

    A concrete function's call first matches its arguments against the signature, checks them
    and flattens them (`ConcreteFunction._call_with_structured_signature`), about 0.4 ms per
    message here. The tensors are already made with the specs' dtypes, in the specs' order,
    which is the flat order; their shapes are checked here. The graph then runs through the
    same `_call_flat`. Anything else goes through the full call and gets its errors.
    """
    if len(tensors) == len(specs) and all(spec.is_compatible_with(t) for spec, t in zip(specs, tensors)):
        return concrete._call_flat(tensors, captured_inputs=concrete.captured_inputs)
    return concrete(tensors)


def rasa_predict_concrete(self: Any, batch_in: Tuple[Any, ...]) -> Dict[Text, Any]:
    """`RasaModel._rasa_predict` once its `tf.function` exists: same graph, same outputs, fewer steps."""
    import tensorflow as tf
    from keras.utils import tf_utils
    from rasa.shared.constants import DIAGNOSTIC_DATA

    function = self._tf_predict_step
    if function is None or self._run_eagerly or not self.prepared_for_prediction:
        return original(rasa_predict_concrete)(self, batch_in)

    self._training = False
    if _tags_entities_only(self):
        return _predict_with_numpy_crf(self, batch_in)
    concrete = _concrete_predict_steps.get(function)
    if concrete is None:
        concrete = _concrete_predict_steps[function] = function.get_concrete_function()
    specs = function.input_signature[0]
    if len(batch_in) != len(specs):
        return original(rasa_predict_concrete)(self, batch_in)  # let Rasa/TensorFlow report the mismatch
    tensors = [tf.convert_to_tensor(value, spec.dtype) for value, spec in zip(batch_in, specs)]
    outputs = tf_utils.sync_to_numpy_or_python_type(call_concrete(concrete, specs, tensors))
    if DIAGNOSTIC_DATA in outputs:
        outputs[DIAGNOSTIC_DATA] = self._empty_lists_to_none_in_dict(outputs[DIAGNOSTIC_DATA])
    return outputs


def install_concrete_predict() -> None:
    from rasa.utils.tensorflow.models import RasaModel
    from tensorflow.python.eager.polymorphic_function.monomorphic_function import ConcreteFunction

    # TensorFlow 2.12: the call that `call_concrete` shortens, and the flat call it makes.
    replace_method(RasaModel, "_rasa_predict", rasa_predict_concrete,
                   ConcreteFunction._call_with_structured_signature, ConcreteFunction._call_flat)


# --- 6. DIET's CRF decoded in NumPy ------------------------------------------------------

@dataclass(frozen=True)
class _EntityTagger:
    """One DIET model's graph up to its CRF layer, and the layer's transition weights."""

    potentials: Any  # concrete TensorFlow function: batch -> potentials, lengths, diagnostics
    transitions: Any  # numpy [tags, tags], float32


_entity_taggers: "weakref.WeakKeyDictionary[Any, _EntityTagger]" = weakref.WeakKeyDictionary()


def _tags_entities_only(model: Any) -> bool:
    """A DIET that classifies no intents and tags only entity types (no roles, no groups)."""
    from rasa.nlu.classifiers.diet_classifier import DIET
    from rasa.shared.nlu.constants import ENTITY_ATTRIBUTE_TYPE
    from rasa.utils.tensorflow.constants import ENTITY_RECOGNITION, INTENT_CLASSIFICATION

    return (
        type(model) is DIET
        and not model.config[INTENT_CLASSIFICATION]
        and model.config[ENTITY_RECOGNITION]
        and [spec.tag_name for spec in model._entity_tag_specs if spec.num_tags > 0] == [ENTITY_ATTRIBUTE_TYPE]
    )


@lru_cache(maxsize=1)
def _check_diet_sources() -> None:
    """The DIET and CRF code that adjustment 6 repeats must be the code it was written for (checked once)."""
    from rasa.nlu.classifiers.diet_classifier import DIET
    from rasa.utils.tensorflow import crf
    from rasa.utils.tensorflow.layers import CRF

    for function in (DIET.batch_predict, DIET._batch_predict_entities, CRF.call, crf.crf_decode,
                     crf.crf_decode_forward, crf.crf_decode_backward, crf.CrfDecodeForwardRnnCell.call):
        expect_source(function)


def _crf_transitions(model: Any) -> Any:
    """The transition weights of DIET's CRF layer for entity types, as a NumPy array."""
    from rasa.shared.nlu.constants import ENTITY_ATTRIBUTE_TYPE

    return model._tf_layers[f"crf.{ENTITY_ATTRIBUTE_TYPE}"].transition_params.numpy()


def _decoded(model: Any, potentials: Any, transitions: Any, lengths: Any, diagnostics: Dict[Text, Any]) -> Dict[Text, Any]:
    """What DIET's predict step returns for an entity-only DIET: diagnostics, tag ids, confidences."""
    from rasa.shared.constants import DIAGNOSTIC_DATA
    from rasa.shared.nlu.constants import ENTITY_ATTRIBUTE_TYPE

    from bot.crf_viterbi import decode_batch

    ids, confidences = decode_batch(potentials, transitions, lengths)
    return {
        DIAGNOSTIC_DATA: model._empty_lists_to_none_in_dict(diagnostics),
        f"e_{ENTITY_ATTRIBUTE_TYPE}_ids": ids,
        f"e_{ENTITY_ATTRIBUTE_TYPE}_scores": confidences,
    }


def _entity_tagger(model: Any) -> _EntityTagger:
    """`DIET.batch_predict` for entities, stopped before `CRF.call`: its inputs, traced once per model."""
    import tensorflow as tf
    from rasa.shared.nlu.constants import ENTITY_ATTRIBUTE_TYPE, TEXT
    from rasa.utils.tensorflow.constants import SENTENCE, SEQUENCE

    tagger = _entity_taggers.get(model)
    if tagger is not None:
        return tagger
    _check_diet_sources()

    def potentials(batch_in: Tuple[Any, ...]) -> Dict[Text, Any]:
        data = model.batch_to_model_data_format(batch_in, model.predict_data_signature)
        lengths = model._get_sequence_feature_lengths(data, TEXT)
        text_transformed, _, _, _, _, attention_weights = model._tf_layers[f"sequence_layer.{model.text_name}"](
            (data[TEXT][SEQUENCE], data[TEXT][SENTENCE], lengths), training=False
        )
        return {
            "potentials": model._tf_layers[f"embed.{ENTITY_ATTRIBUTE_TYPE}.logits"](text_transformed),
            "lengths": lengths,
            "attention_weights": attention_weights,
            "text_transformed": text_transformed,
        }

    signature = model._tf_predict_step.input_signature
    tagger = _entity_taggers[model] = _EntityTagger(
        potentials=tf.function(potentials, input_signature=signature).get_concrete_function(),
        transitions=_crf_transitions(model),
    )
    return tagger


def _predict_with_numpy_crf(model: Any, batch_in: Tuple[Any, ...]) -> Dict[Text, Any]:
    """What DIET's predict step returns for an entity-only DIET, with the CRF decoded in NumPy."""
    import tensorflow as tf
    from keras.utils import tf_utils

    tagger = _entity_tagger(model)
    specs = model._tf_predict_step.input_signature[0]
    if len(batch_in) != len(specs):
        return original(rasa_predict_concrete)(model, batch_in)  # let Rasa/TensorFlow report the mismatch
    tensors = [tf.convert_to_tensor(value, spec.dtype) for value, spec in zip(batch_in, specs)]
    found = tf_utils.sync_to_numpy_or_python_type(call_concrete(tagger.potentials, specs, tensors))
    diagnostics = {"attention_weights": found["attention_weights"], "text_transformed": found["text_transformed"]}
    return _decoded(model, found["potentials"], tagger.transitions, found["lengths"], diagnostics)


# --- 7. DIET's input batch built straight from the message ------------------------------
# --- 10. and, where DIET's shape allows, its tag potentials computed in NumPy -------------

@dataclass(frozen=True)
class _NumpyTagger:
    """One DIET model's layers up to its CRF layer as NumPy weights, and the CRF's transitions."""

    weights: Any  # bot.diet_tagger.TaggerWeights
    transitions: Any  # numpy [tags, tags], float32


_UNCHECKED = object()
# Per DIET model: its NumPy tagger, or None where TensorFlow computes (another shape, or
# the check on the first message failed). A model not in here has not met a message yet.
_numpy_taggers: "weakref.WeakKeyDictionary[Any, Optional[_NumpyTagger]]" = weakref.WeakKeyDictionary()

# How far NumPy's numbers may stray from TensorFlow's on the first message (they differ by
# rounding only: up to 1e-5 in the potentials, 4e-6 in the confidences; bot/diet_tagger.py).
AGREEMENT_TOLERANCE = 1e-4


def diet_predict_direct(self: Any, message: Any) -> Any:
    """`DIETClassifier._predict` with the batch of one message built by bot/diet_batch.py, or with
    DIET's layers computed by bot/diet_tagger.py once the first message has checked them."""
    from rasa.utils.tensorflow.constants import FEATURIZERS

    from bot.diet_batch import features_batch, has_simple_layout, message_features

    model = self.model
    if model is not None and has_simple_layout(model.predict_data_signature):
        features = message_features(message, self.component_config.get(FEATURIZERS))
        if features is not None:
            tagger = _numpy_taggers.get(model, _UNCHECKED)
            if isinstance(tagger, _NumpyTagger):
                return _predict_in_numpy(model, tagger, *features)
            # Rasa's run_inference returns the one batch's output as it is.
            outputs = model._rasa_predict(features_batch(*features))
            if tagger is _UNCHECKED:
                _numpy_taggers[model] = _checked_numpy_tagger(model, features, outputs)
            return outputs
    return original(diet_predict_direct)(self, message)


def _checked_numpy_tagger(model: Any, features: Tuple[List[Any], List[Any]], expected: Dict[Text, Any]) -> Optional[_NumpyTagger]:
    """The model's NumPy tagger if its shape allows one and it gives TensorFlow's `expected`
    outputs for this message (same tags; confidences and hidden values within the tolerance)."""
    from bot.diet_tagger import tagger_weights

    if not model.prepared_for_prediction or model._run_eagerly or not _tags_entities_only(model):
        return None
    weights = tagger_weights(model)
    if weights is None:
        return None
    tagger = _NumpyTagger(weights, _crf_transitions(model))
    found = _predict_in_numpy(model, tagger, *features)
    if _agrees(found, expected):
        return tagger
    logger.warning("DIET's layers in NumPy disagreed with TensorFlow on the first message; "
                   "this model is computed with TensorFlow.")
    return None


def _agrees(found: Dict[Text, Any], expected: Dict[Text, Any]) -> bool:
    import numpy as np
    from rasa.shared.constants import DIAGNOSTIC_DATA

    hidden, expected_hidden = (outputs[DIAGNOSTIC_DATA]["text_transformed"] for outputs in (found, expected))
    return (
        set(found) == set(expected)
        and all(np.shape(found[key]) == np.shape(expected[key]) for key in found if key != DIAGNOSTIC_DATA)
        and all(np.array_equal(found[key], expected[key]) for key in found if key.endswith("_ids"))
        and all(np.allclose(found[key], expected[key], rtol=0, atol=AGREEMENT_TOLERANCE) for key in found if key.endswith("_scores"))
        and np.shape(hidden) == np.shape(expected_hidden)
        and np.allclose(hidden, expected_hidden, rtol=0, atol=AGREEMENT_TOLERANCE)
    )


def _predict_in_numpy(model: Any, tagger: _NumpyTagger, sequence: List[Any], sentence: List[Any]) -> Dict[Text, Any]:
    """What `_predict_with_numpy_crf` returns, with the potentials from bot/diet_tagger.py."""
    import numpy as np

    from bot.diet_tagger import potentials

    hidden, found = potentials(tagger.weights, sequence, sentence)
    tokens = hidden.shape[0] - 1  # the last row is the sentence's
    # DIET without transformer layers reports no attention weights (an empty array, then None).
    diagnostics = {"attention_weights": np.zeros((0,), dtype=np.float32), "text_transformed": hidden[None]}
    return _decoded(model, found[None], tagger.transitions, np.array([tokens]), diagnostics)


def install_direct_diet_batch() -> None:
    from rasa.nlu.classifiers.diet_classifier import DIETClassifier
    from rasa.utils.tensorflow import layers, rasa_layers

    # The layers that bot/diet_tagger.py repeats, up to DIET's entity logits.
    combining = rasa_layers.RasaFeatureCombiningLayer
    replace_method(
        DIETClassifier, "_predict", diet_predict_direct,
        rasa_layers.RasaSequenceLayer.call, combining.call, combining._combine_sequence_level_features,
        combining._combine_sentence_level_features, combining._concat_sequence_sentence_features,
        rasa_layers.ConcatenateSparseDenseFeatures.call, rasa_layers.ConcatenateSparseDenseFeatures._process_sparse_feature,
        layers.DenseForSparse.call, layers.RandomlyConnectedDense.call, layers.Ffnn.call, layers.Embed.call,
    )
