"""Which Rasa code the start-up adjustments were written for, and the check that refuses any other.

Every adjustment in this package replaces or repeats a Rasa 3.6.21 function. Its source is
hashed here; at start-up the installed function's source must hash the same, or the server
refuses to start instead of running a patch written for other code.
"""
from __future__ import annotations

import hashlib
import inspect
from typing import Callable, Dict

# sha256 (first 16 hex digits) of `inspect.getsource` of each function patched or repeated here
# (Rasa 3.6.21 unless marked).
EXPECTED_SOURCES = {
    "RemoteAction._validate_action_result": "f8cdb4be68123961",
    "EndpointConfig.request": "ccdb778aed8208e2",
    "EndpointConfig.session": "e55aa13d9d4fb4bc",
    "AvailableEndpoints.read_endpoints": "9fa059bcb05cc08a",
    "close_resources": "bc3d36e8149e84cd",
    "DaskGraphRunner.run": "45f0f52f574f3aa9",
    "RasaModel._rasa_predict": "7f745b0f9cb647c9",
    # Not patched, but repeated by adjustment 6 (DIET up to its CRF layer, and the decoding).
    "DIET.batch_predict": "3892283de8939525",
    "DIET._batch_predict_entities": "2cb1598ea7e85510",
    "CRF.call": "89f85c20c33a855b",
    "crf_decode": "1cd02fc4499156c5",
    "crf_decode_forward": "0bb52c2bb66d6a3d",
    "crf_decode_backward": "cb277a0599f65d79",
    "CrfDecodeForwardRnnCell.call": "a2e213f2124ba5c0",
    "DIETClassifier._predict": "228b5091ebd1894b",
    # Not patched, but repeated by adjustment 10 (DIET's layers up to its entity logits).
    "RasaSequenceLayer.call": "3217207e10e361d8",
    "RasaFeatureCombiningLayer.call": "43596eec16258ce0",
    "RasaFeatureCombiningLayer._combine_sequence_level_features": "e9763f1853073a9c",
    "RasaFeatureCombiningLayer._combine_sentence_level_features": "92f2a7e869a3ad63",
    "RasaFeatureCombiningLayer._concat_sequence_sentence_features": "88d0459fbe18f9d4",
    "ConcatenateSparseDenseFeatures.call": "c1424885600a6269",
    "ConcatenateSparseDenseFeatures._process_sparse_feature": "3b2e18fc65af17c5",
    "DenseForSparse.call": "99a7e5e30148b563",
    "RandomlyConnectedDense.call": "a2feec784642a241",
    "Ffnn.call": "1f891971d24d1af4",
    "Embed.call": "453572475f9509fd",
    "CountVectorsFeaturizer._create_features": "d841f50f6649704a",
    # scikit-learn 1.1.3: not patched, but repeated by adjustment 8.
    "CountVectorizer.transform": "7a42f9ec6f2e82aa",
    "CountVectorizer._count_vocab": "7302a9c343e514c9",
    "Domain.is_empty": "884be90ef485f1d2",
    # TensorFlow 2.12: the structured call that adjustment 5 shortens, and the call it makes.
    "ConcreteFunction._call_with_structured_signature": "a7faee3cda37de2a",
    "ConcreteFunction._call_flat": "227de9e319ab2b74",
}
EXPECTED_DASK_VERSION = "2022.10.2"


class RasaVersionError(RuntimeError):
    """A patched Rasa function is not the one the patch was written for."""


def source_digest(function: Callable) -> str:
    return hashlib.sha256(inspect.getsource(function).encode()).hexdigest()[:16]


def expect_source(function: Callable) -> None:
    """Refuse to patch a function whose source differs from the one measured and tested."""
    name = function.__qualname__
    if source_digest(function) != EXPECTED_SOURCES[name]:
        import rasa

        raise RasaVersionError(
            f"bot/rasa_server was written for Rasa 3.6.21 (with scikit-learn 1.1.3 and "
            f"TensorFlow 2.12.0), but {name} differs in the installed code (Rasa "
            f"{rasa.__version__}). Check the patch against the new code and update EXPECTED_SOURCES."
        )


_originals: Dict[Callable, Callable] = {}


def replace_method(owner: type, name: str, replacement: Callable, *repeated: Callable) -> None:
    """Put `replacement` in place of `owner.name` once its source is checked (and the source of
    every function in `repeated`, whose code the replacement repeats). Installing twice is a
    no-op; `original(replacement)` is the function it replaced."""
    current = getattr(owner, name)
    if current is replacement:
        return
    for function in (current, *repeated):
        expect_source(function)
    _originals[replacement] = current
    setattr(owner, name, replacement)


def original(replacement: Callable) -> Callable:
    """The Rasa function that `replacement` was put in place of."""
    return _originals[replacement]
