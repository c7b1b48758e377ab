"""A Rasa intent classifier: linear SVMs over the featurizers' sentence features, in two stages.

Why not DIET's own intent head: on the same examples and the same seeded folds, DIET reached
intent macro-F1 0.925 and a linear model over these features 0.949. DIET's hidden layer fitted
the training examples by their character n-grams and then read an unseen wording by its
letters, not its meaning: "du är ett skämt" became out_of_scope with confidence 1.00. A
logistic regression and this linear SVM score the same there (0.949 both, December 2026).

Two stages, because the sentence encoder (bot/nlp/sentence_encoder.py) costs about 15 ms of
the 24 ms a parse took with it, and most short messages do not need it:
1. the *word stage* reads only the word features (lemmas, words and word pairs, character
   n-grams, lookup and domain flags). When its confidence is at least `encoder_gate`, its
   answer stands;
2. otherwise the *meaning stage* reads the same features plus the encoder's vector of the
   message, mixed with the vote of the training messages nearest to it in the encoder's
   space (bot/nlp/neighbours.py; the mix is chosen on held-out training messages), and its
   answer is the one given.
The two stages alone gave intent macro-F1 0.949 in Rasa's 5-fold cross-validation; with the
neighbours the same folds give 0.953 (docs/nlu-korsvalidering.md). Longer questions about
content need the encoder more often: the word stage decided 40 % of the questions in
tests/kb_questions*.yml.

Every block of sentence features keeps its featurizer's meaning:
- sparse blocks get sublinear term frequency, the inverse document frequency learnt from the
  training examples, and unit length per block, so a long message does not outweigh a short
  one and no featurizer outweighs another by its width;
- dense blocks (the encoder's centred vector) are multiplied by `dense_scale`.

An SVM gives scores, not probabilities. Its confidence is a softmax of the scores times a
temperature, fitted on scores of training examples the SVM had not seen (3 internal folds),
so that the fallback thresholds keep their meaning: of messages like the training examples
answered with confidence 0.9, about nine in ten should be right. The word stage's gate is
such a confidence too.

The model is stored as plain arrays (numpy's .npz without pickle): loading a model file never
runs code from it.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Sequence, Text, Tuple, Type

import numpy as np
import scipy.sparse
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.nlu.featurizers.featurizer import Featurizer
from rasa.shared.exceptions import InvalidConfigException
from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, INTENT, INTENT_NAME_KEY, TEXT
from rasa.shared.nlu.training_data.features import Features
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from scipy.optimize import minimize_scalar
from sklearn.model_selection import StratifiedKFold
from sklearn.svm import LinearSVC

from bot.nlp.neighbours import Neighbours, fit_neighbours
from bot.nlp.sentence_encoder import CentredEncoder, encoder_version

C_KEY = "C"
DENSE_SCALE_KEY = "dense_scale"
MAX_ITER_KEY = "max_iter"
RANKING_KEY = "ranking_length"
ENCODER_KEY = "sentence_encoder"
GATE_KEY = "encoder_gate"
THREADS_KEY = "encoder_threads"
NEIGHBOURS_KEY = "neighbours"
ARRAYS_FILE = "classifier.npz"
BLOCKS_FILE = "blocks.json"
# The encoder's vector is one more dense block of the meaning stage, under this name.
ENCODER_BLOCK = "sentence_encoder"
WORD_STAGE, MEANING_STAGE = "words", "meaning"
CALIBRATION_FOLDS = 3

_NO_COLUMNS = np.zeros(0, dtype=np.int32)
_NO_VALUES = np.zeros(0)

Row = Dict[str, Tuple[np.ndarray, np.ndarray]]


@dataclass(frozen=True)
class Block:
    """One featurizer's sentence features: where they come from, how wide, which kind."""

    origin: str
    width: int
    sparse: bool


@dataclass
class Stage:
    """One linear model: weights per block, bias, and the temperature of its confidence."""

    blocks: List[Block]
    weights: np.ndarray  # (intents, total width); one row when there are two intents
    bias: np.ndarray
    temperature: float
    _by_block: List[np.ndarray] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        # Each block's columns as (block width, intents): a message's few non-zero features
        # pick their rows, so a prediction never builds the wide matrix.
        ends = np.cumsum([block.width for block in self.blocks])
        self._by_block = [np.ascontiguousarray(part.T) for part in np.split(self.weights, ends[:-1], axis=1)]

    def probabilities(self, row: Row) -> np.ndarray:
        scores = self.bias.copy()
        for block, weights in zip(self.blocks, self._by_block):
            index, value = row[block.origin]
            scores += value @ (weights[index] if block.sparse else weights)
        return calibrated(scores.reshape(1, -1), self.temperature)[0]


def _origin(feature: Features) -> str:
    origin = feature.origin
    return origin if isinstance(origin, str) else "+".join(origin)


def sentence_blocks(message: Message) -> Dict[str, Features]:
    """The message's sentence-level text features, by the featurizer that made them."""
    return {
        _origin(f): f
        for f in message.features
        if f.type == FEATURE_TYPE_SENTENCE and f.attribute == TEXT
    }


def tf_idf(counts: np.ndarray, idf: np.ndarray) -> np.ndarray:
    """Sublinear counts times idf, at unit length.

    1 + log(count): the tenth "vem" adds little to the first. Unit length: a long message
    does not outweigh a short one, and no featurizer outweighs another by its width.
    """
    values = (1.0 + np.log(np.maximum(counts, 1e-12))) * idf
    norm = float(np.sqrt(values @ values))
    return values / norm if norm > 0 else values


def inverse_document_frequency(matrix: scipy.sparse.csr_matrix) -> np.ndarray:
    """scikit-learn's smoothed idf: log((1 + n) / (1 + df)) + 1."""
    documents = matrix.shape[0]
    frequency = np.bincount(matrix.tocsr().indices, minlength=matrix.shape[1])
    return np.log((1.0 + documents) / (1.0 + frequency)) + 1.0


def calibrated(scores: np.ndarray, temperature: float) -> np.ndarray:
    """Softmax of scores times the temperature; one column of scores means two intents."""
    if scores.shape[1] == 1:
        # scikit-learn keeps one row of weights for two classes: the score of the second.
        scores = np.hstack([np.zeros_like(scores), scores])
    logits = scores * temperature
    shifted = np.exp(logits - logits.max(axis=1, keepdims=True))
    return shifted / shifted.sum(axis=1, keepdims=True)


def fit_temperature(scores: np.ndarray, truth: np.ndarray) -> float:
    """The temperature that gives held-out scores the highest likelihood of the true intent."""

    def loss(log_t: float) -> float:
        p = calibrated(scores, float(np.exp(log_t)))
        return float(-np.log(p[np.arange(len(truth)), truth] + 1e-12).mean())

    return float(np.exp(minimize_scalar(loss, bounds=(-4.0, 6.0), method="bounded").x))


@dataclass
class HeldOut:
    """Each training example's calibrated probabilities from a model that did not see it."""

    probabilities: np.ndarray
    truth: np.ndarray
    splits: List[Tuple[np.ndarray, np.ndarray]]


def fit_stage(
    blocks: List[Block], matrix: scipy.sparse.csr_matrix, labels: np.ndarray, config: Dict
) -> Tuple[Stage, Optional[HeldOut]]:
    """A linear SVM on all examples, its temperature from scores of held-out examples.

    The held-out probabilities are returned too (None with too few examples per intent), so
    that the meaning stage's neighbours can be mixed in on the same internal folds.
    """

    def svm() -> LinearSVC:
        return LinearSVC(C=config[C_KEY], max_iter=config[MAX_ITER_KEY])

    classes, truth = np.unique(labels, return_inverse=True)
    folds = min(CALIBRATION_FOLDS, int(np.bincount(truth).min()))
    temperature, held = 1.0, None
    if folds >= 2:
        scores = np.zeros((len(labels), 1 if len(classes) == 2 else len(classes)))
        splits = list(StratifiedKFold(folds, shuffle=True, random_state=0).split(matrix, truth))
        for train, test in splits:
            scores[test] = svm().fit(matrix[train], truth[train]).decision_function(matrix[test]).reshape(len(test), -1)
        temperature = fit_temperature(scores, truth)
        held = HeldOut(calibrated(scores, temperature), truth, splits)
    model = svm().fit(matrix, truth)
    return Stage(blocks, model.coef_.astype(np.float64), model.intercept_.astype(np.float64), temperature), held


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class LinearIntentClassifier(IntentClassifier, GraphComponent):
    """Named in config.yml as `bot.nlp.intent_classifier.LinearIntentClassifier`."""

    @classmethod
    def required_components(cls) -> List[Type]:
        return [Featurizer]

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {
            C_KEY: 1.0,
            DENSE_SCALE_KEY: 0.05,
            MAX_ITER_KEY: 10000,
            RANKING_KEY: 10,
            ENCODER_KEY: True,
            GATE_KEY: 0.9,
            THREADS_KEY: 1,
            NEIGHBOURS_KEY: 10,
        }

    @classmethod
    def validate_config(cls, config: Dict[Text, Any]) -> None:
        for key in (C_KEY, DENSE_SCALE_KEY, GATE_KEY):
            value = config.get(key)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
                raise InvalidConfigException(f"{cls.__name__}: `{key}` ska vara ett tal större än 0.")
        if config[GATE_KEY] > 1:
            raise InvalidConfigException(f"{cls.__name__}: `{GATE_KEY}` ska vara högst 1.")
        for key in (MAX_ITER_KEY, RANKING_KEY, THREADS_KEY):
            value = config.get(key)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise InvalidConfigException(f"{cls.__name__}: `{key}` ska vara ett heltal, minst 1.")
        value = config.get(NEIGHBOURS_KEY)
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise InvalidConfigException(f"{cls.__name__}: `{NEIGHBOURS_KEY}` ska vara ett heltal, minst 0 (0 stänger av).")
        if not isinstance(config.get(ENCODER_KEY), bool):
            raise InvalidConfigException(f"{cls.__name__}: `{ENCODER_KEY}` ska vara true eller false.")

    def __init__(
        self,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        idf: Optional[Dict[str, np.ndarray]] = None,
        stages: Optional[Dict[str, Stage]] = None,
        labels: Sequence[str] = (),
        encoder: Optional[CentredEncoder] = None,
        neighbours: Optional[Neighbours] = None,
    ) -> None:
        self._config = {**self.get_default_config(), **config}
        self.validate_config(self._config)
        self._model_storage = model_storage
        self._resource = resource
        self._idf = idf or {}
        self._stages = stages or {}
        self._labels = list(labels)
        self._encoder = encoder
        self._neighbours = neighbours

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> LinearIntentClassifier:
        return cls(config, model_storage, resource)

    # --- features -----------------------------------------------------------------------

    def _block_row(self, block: Block, feature: Optional[Features]) -> Tuple[np.ndarray, np.ndarray]:
        """The message's weighted features in one featurizer's block: columns and values.

        Training and prediction both go through here, so the model always sees features
        weighted the same way. A featurizer that gave nothing gives an empty row.
        """
        if feature is None:
            return (_NO_COLUMNS, _NO_VALUES) if block.sparse else (_NO_COLUMNS, np.zeros(block.width))
        values = feature.features
        if values.shape[-1] != block.width:
            raise InvalidConfigException(
                f"Avsiktsklassificeraren fick {values.shape[-1]} särdrag från {block.origin}, "
                f"men tränades med {block.width}. Träna om med `make train`."
            )
        if not block.sparse:
            return _NO_COLUMNS, self._dense(values)
        # Rasa's sparse featurizers give one-row COO matrices without repeated columns; any
        # other sparse format is converted (CSR sums repeats).
        row = values if scipy.sparse.isspmatrix_coo(values) else scipy.sparse.csr_matrix(values).tocoo()
        return row.col, tf_idf(row.data.astype(np.float64), self._idf[block.origin][row.col])

    def _dense(self, values: Any) -> np.ndarray:
        return np.asarray(values, dtype=np.float64).ravel() * self._config[DENSE_SCALE_KEY]

    def _row(self, blocks: Sequence[Block], message: Message) -> Row:
        found = sentence_blocks(message)
        return {b.origin: self._block_row(b, found.get(b.origin)) for b in blocks if b.origin != ENCODER_BLOCK}

    def _matrix(self, blocks: Sequence[Block], rows: Sequence[Row]) -> scipy.sparse.csr_matrix:
        """Rows of weighted features, blocks side by side (for training)."""
        offsets = np.concatenate([[0], np.cumsum([block.width for block in blocks])])
        columns: List[np.ndarray] = []
        values: List[np.ndarray] = []
        pointers = [0]
        for row in rows:
            filled = pointers[-1]
            for block, offset in zip(blocks, offsets):
                index, value = row[block.origin]
                columns.append(offset + (index if block.sparse else np.arange(block.width)))
                values.append(value)
                filled += len(value)
            pointers.append(filled)
        return scipy.sparse.csr_matrix(
            (np.concatenate(values), np.concatenate(columns), pointers), shape=(len(rows), offsets[-1])
        )

    # --- training -----------------------------------------------------------------------

    def train(self, training_data: TrainingData) -> Resource:
        examples = [m for m in training_data.intent_examples if m.get(INTENT) and m.get(TEXT)]
        labels = np.array([m.get(INTENT) for m in examples])
        if len(set(labels)) < 2:
            raise InvalidConfigException("Avsiktsklassificeraren behöver exempel för minst två avsikter.")
        words = self._blocks_of(examples)
        self._idf = {b.origin: self._learn_idf(b, examples) for b in words if b.sparse}
        rows = [self._row(words, m) for m in examples]
        self._stages = {WORD_STAGE: fit_stage(words, self._matrix(words, rows), labels, self._config)[0]}
        self._encoder, self._neighbours = None, None
        if self._config[ENCODER_KEY]:
            texts = [m.get(TEXT) for m in examples]
            self._encoder = CentredEncoder.fit(self._config[THREADS_KEY], texts)
            vectors = self._encoder.training_vectors(texts)
            for row, vector in zip(rows, vectors):
                row[ENCODER_BLOCK] = (_NO_COLUMNS, self._dense(vector))
            meaning = [*words, Block(ENCODER_BLOCK, len(self._encoder.centre[0]), False)]
            self._stages[MEANING_STAGE], held = fit_stage(meaning, self._matrix(meaning, rows), labels, self._config)
            if held is not None and self._config[NEIGHBOURS_KEY] > 0:
                self._neighbours = fit_neighbours(
                    vectors, held.truth, held.probabilities, held.splits, self._config[NEIGHBOURS_KEY]
                )
        self._labels = [str(label) for label in np.unique(labels)]
        self._persist()
        return self._resource

    @staticmethod
    def _learn_idf(block: Block, examples: Sequence[Message]) -> np.ndarray:
        counts = []
        for message in examples:
            feature = sentence_blocks(message).get(block.origin)
            counts.append(scipy.sparse.csr_matrix((1, block.width) if feature is None else feature.features))
        return inverse_document_frequency(scipy.sparse.vstack(counts, format="csr"))

    @staticmethod
    def _blocks_of(examples: Sequence[Message]) -> List[Block]:
        """Every featurizer that gave sentence features, in a fixed order."""
        found: Dict[str, Block] = {}
        for message in examples:
            for origin, feature in sentence_blocks(message).items():
                found.setdefault(origin, Block(origin, int(feature.features.shape[-1]), feature.is_sparse()))
        if not found:
            raise InvalidConfigException(
                "Avsiktsklassificeraren fick inga särdrag för hela meningar. Lägg en featurizer före den i config.yml."
            )
        return [found[origin] for origin in sorted(found)]

    def _persist(self) -> None:
        words = self._stages[WORD_STAGE].blocks
        arrays = {f"idf_{i}": self._idf[b.origin] for i, b in enumerate(words) if b.sparse}
        stored: Dict[str, Any] = {"labels": self._labels, "stages": {}}
        for name, stage in self._stages.items():
            arrays[f"{name}_weights"], arrays[f"{name}_bias"] = stage.weights, stage.bias
            stored["stages"][name] = {"blocks": [vars(b) for b in stage.blocks], "temperature": stage.temperature}
        if self._encoder is not None:
            arrays["encoder_centre"] = self._encoder.centre
            stored["encoder"] = encoder_version()
        if self._neighbours is not None:
            arrays["neighbour_vectors"], arrays["neighbour_labels"] = self._neighbours.vectors, self._neighbours.labels
            stored["neighbours"] = {
                key: getattr(self._neighbours, key) for key in ("intents", "k", "weight", "sharpness")
            }
        with self._model_storage.write_to(self._resource) as directory:
            np.savez(directory / ARRAYS_FILE, **arrays)
            (directory / BLOCKS_FILE).write_text(json.dumps(stored, ensure_ascii=False), "utf-8")

    @classmethod
    def load(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> LinearIntentClassifier:
        with model_storage.read_from(resource) as directory:
            stored = json.loads((directory / BLOCKS_FILE).read_text("utf-8"))
            with np.load(directory / ARRAYS_FILE, allow_pickle=False) as arrays:
                stages = {
                    name: Stage(
                        [Block(**b) for b in spec["blocks"]],
                        arrays[f"{name}_weights"],
                        arrays[f"{name}_bias"],
                        float(spec["temperature"]),
                    )
                    for name, spec in stored["stages"].items()
                }
                words = stages[WORD_STAGE].blocks
                idf = {b.origin: arrays[f"idf_{i}"] for i, b in enumerate(words) if b.sparse}
                centre = arrays["encoder_centre"] if "encoder" in stored else None
                neighbours = (
                    Neighbours(arrays["neighbour_vectors"], arrays["neighbour_labels"], **stored["neighbours"])
                    if "neighbours" in stored and centre is not None
                    else None
                )
        encoder = None
        if centre is not None:
            if stored["encoder"] != encoder_version():
                raise InvalidConfigException(
                    f"Modellen tränades med {stored['encoder']}, men {encoder_version()} är installerat. "
                    "Träna om med `make train`."
                )
            encoder = CentredEncoder({**cls.get_default_config(), **config}[THREADS_KEY], centre)
        return cls(config, model_storage, resource, idf, stages, stored["labels"], encoder, neighbours)

    # --- prediction ---------------------------------------------------------------------

    def probabilities(self, messages: Sequence[Message]) -> np.ndarray:
        """One row per message: the probability of each intent, in `labels` order."""
        return np.stack([self._decide(m)[1] for m in messages]) if messages else np.zeros((0, len(self._labels)))

    def _decide(self, message: Message) -> Tuple[str, np.ndarray]:
        """Which stage decided, and its probabilities: the word stage when it is sure enough."""
        if WORD_STAGE not in self._stages:
            raise InvalidConfigException("Avsiktsklassificeraren är inte tränad. Träna om med `make train`.")
        words = self._stages[WORD_STAGE]
        row = self._row(words.blocks, message)
        sure = words.probabilities(row)
        if self._encoder is None or sure.max() >= self._config[GATE_KEY]:
            return WORD_STAGE, sure
        vector = self._encoder.vector(message.get(TEXT))
        row[ENCODER_BLOCK] = (_NO_COLUMNS, self._dense(vector))
        meaning = self._stages[MEANING_STAGE].probabilities(row)
        return MEANING_STAGE, meaning if self._neighbours is None else self._neighbours.mixed(meaning, vector)

    @property
    def labels(self) -> List[str]:
        return list(self._labels)

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            if not message.get(TEXT):
                continue
            _, row = self._decide(message)
            ranking = self._ranking(row)
            message.set(INTENT, ranking[0], add_to_output=True)
            message.set("intent_ranking", ranking[: self._config[RANKING_KEY]], add_to_output=True)
        return messages

    def _ranking(self, row: np.ndarray) -> List[Dict[str, Any]]:
        order = np.argsort(-row, kind="stable")
        return [{INTENT_NAME_KEY: self._labels[i], "confidence": float(row[i])} for i in order]
