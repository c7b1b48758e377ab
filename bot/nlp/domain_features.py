"""A Rasa featurizer that tells DIET which words of a message the knowledge base uses.

Why: with only its training examples, DIET learns that "hur …" is `ask_how` and
"vem …" is `ask_who`, so "hur gör man pannkakor" and "vem skrev röda rummet" were
answered as process questions. These were the largest group of errors in the 5-fold
cross-validation (about a third). Whether the rest of the question is made of the
domain's words is what tells the two apart, and that is knowledge the knowledge base
has and the training examples do not. See `knowledge.vocabulary` for the word kinds.

Each token gets a one-hot `WordKind`; the sentence gets which kinds occur plus a few
facts about the whole message (no domain word at all, only words foreign to the
domain, …). The vocabulary is read from `build/domain-vocabulary.json` (written by
`python -m bot.build`) when the model is trained and stored in the model, so a
trained model does not depend on the build folder.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Text, Type

import numpy as np
import scipy.sparse
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import TOKENS_NAMES
from rasa.nlu.featurizers.sparse_featurizer.sparse_featurizer import SparseFeaturizer
from rasa.nlu.tokenizers.tokenizer import Token, Tokenizer
from rasa.shared.exceptions import InvalidConfigException
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from knowledge.vocabulary import DomainLexicon, WordKind

VOCABULARY_KEY = "vocabulary"
STORED_NAME = "domain-vocabulary.json"

KINDS = len(WordKind)
# Sentence-only columns, after the word kinds.
NO_DOMAIN_NAME = KINDS  # neither a glossary word nor a near-spelling of one
FOREIGN_ONLY = KINDS + 1  # content words, none of them the knowledge base's
NO_CONTENT = KINDS + 2  # only function words ("vad händer sen")
SEVERAL_FOREIGN = KINDS + 3  # two or more foreign words
WIDTH = KINDS + 4

DOMAIN_KINDS = frozenset({WordKind.GLOSSARY, WordKind.NEAR_GLOSSARY})
KNOWN_KINDS = frozenset({WordKind.GLOSSARY, WordKind.DOMAIN, WordKind.NEAR_GLOSSARY, WordKind.NEAR_DOMAIN})


def sentence_columns(kinds: Sequence[WordKind]) -> List[int]:
    """The sentence-level columns that are 1 for a message whose words are `kinds`."""
    present = set(kinds)
    columns = sorted(int(k) for k in present)
    if not present & DOMAIN_KINDS:
        columns.append(NO_DOMAIN_NAME)
    if WordKind.FOREIGN in present and not present & KNOWN_KINDS:
        columns.append(FOREIGN_ONLY)
    if present <= {WordKind.FUNCTION}:
        columns.append(NO_CONTENT)
    if sum(1 for k in kinds if k is WordKind.FOREIGN) >= 2:
        columns.append(SEVERAL_FOREIGN)
    return columns


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=True)
class DomainVocabularyFeaturizer(SparseFeaturizer, GraphComponent):
    """Named in config.yml as `bot.nlp.domain_features.DomainVocabularyFeaturizer`."""

    @classmethod
    def required_components(cls) -> List[Type]:
        return [Tokenizer]

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {**SparseFeaturizer.get_default_config(), VOCABULARY_KEY: "build/domain-vocabulary.json"}

    @classmethod
    def validate_config(cls, config: Dict[Text, Any]) -> None:
        if not config.get(VOCABULARY_KEY):
            raise InvalidConfigException(f"{cls.__name__} behöver `{VOCABULARY_KEY}`: sökvägen till ordlistan.")

    def __init__(
        self,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        vocabulary: Optional[Dict[str, List[str]]] = None,
    ) -> None:
        super().__init__(execution_context.node_name, config)
        self._model_storage = model_storage
        self._resource = resource
        self._lexicon = DomainLexicon.from_dict(vocabulary) if vocabulary else None

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> DomainVocabularyFeaturizer:
        return cls(config, model_storage, resource, execution_context)

    def train(self, training_data: TrainingData) -> Resource:
        """Reads the vocabulary the build wrote and stores it with the model."""
        path = Path(self._config[VOCABULARY_KEY])
        try:
            vocabulary = json.loads(path.read_text("utf-8"))
        except (OSError, ValueError) as exc:
            raise InvalidConfigException(
                f"Ordlistan {path} saknas eller är trasig ({exc}). Kör `python -m bot.build` först."
            ) from None
        self._lexicon = DomainLexicon.from_dict(vocabulary)
        with self._model_storage.write_to(self._resource) as directory:
            (directory / STORED_NAME).write_text(json.dumps(vocabulary, ensure_ascii=False), "utf-8")
        return self._resource

    @classmethod
    def load(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> DomainVocabularyFeaturizer:
        with model_storage.read_from(resource) as directory:
            vocabulary = json.loads((directory / STORED_NAME).read_text("utf-8"))
        return cls(config, model_storage, resource, execution_context, vocabulary)

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        self.process(training_data.training_examples)
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            self._featurize(message)
        return messages

    def _featurize(self, message: Message) -> None:
        tokens: Optional[List[Token]] = message.get(TOKENS_NAMES[TEXT])
        if not tokens or self._lexicon is None:
            return
        kinds = [self._lexicon.kind(t.text.lower(), (t.lemma or "").lower()) for t in tokens]
        sequence = scipy.sparse.coo_matrix(
            (np.ones(len(kinds)), (np.arange(len(kinds)), [int(k) for k in kinds])),
            shape=(len(kinds), WIDTH),
        )
        columns = sentence_columns(kinds)
        sentence = scipy.sparse.coo_matrix(
            (np.ones(len(columns)), (np.zeros(len(columns), dtype=int), columns)), shape=(1, WIDTH)
        )
        self.add_features_to_message(sequence=sequence, sentence=sentence, attribute=TEXT, message=message)
