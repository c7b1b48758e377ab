"""The domain-vocabulary featurizer: which words of a message the knowledge base uses.

The lexicon is tested on the fixture knowledge base; the Rasa component is trained,
stored, loaded and run the way `rasa train` and the server do, on a small vocabulary.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import List

import pytest
from rasa.engine.graph import ExecutionContext
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
from rasa.shared.exceptions import InvalidConfigException
from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, FEATURE_TYPE_SEQUENCE, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.build import write_vocabulary
from bot.nlp.domain_features import (
    FOREIGN_ONLY, NO_CONTENT, NO_DOMAIN_NAME, SEVERAL_FOREIGN, WIDTH, DomainVocabularyFeaturizer,
    sentence_columns,
)
from knowledge import load
from knowledge.vocabulary import DomainLexicon, WordKind, domain_vocabulary

FIXTURE_KB = Path(__file__).resolve().parents[1] / "fixtures" / "kb"


@pytest.fixture(scope="module")
def lexicon() -> DomainLexicon:
    return DomainLexicon.from_dict(domain_vocabulary(load(FIXTURE_KB)))


def test_vocabulary_is_made_from_the_knowledge_base() -> None:
    vocabulary = domain_vocabulary(load(FIXTURE_KB))
    # Party names and aliases, concepts and form numbers are the glossary ...
    assert {"forsakringskassan", "fk", "sip", "sgi", "7804"} <= set(vocabulary["glossary"])
    # ... step texts add everyday words, which are not glossary words.
    assert "utred" in vocabulary["words"] and "utred" not in vocabulary["glossary"]
    assert set(vocabulary["glossary"]) <= set(vocabulary["words"])
    assert vocabulary["words"] == sorted(vocabulary["words"])


@pytest.mark.parametrize(
    ("word", "kind"),
    [
        ("hur", WordKind.FUNCTION),
        ("ska", WordKind.FUNCTION),
        ("?", WordKind.FUNCTION),  # punctuation says nothing about the topic
        ("sip", WordKind.GLOSSARY),
        ("försäkringskassan", WordKind.GLOSSARY),
        ("forsakringskassan", WordKind.GLOSSARY),  # typed without å/ä/ö
        ("läkarintyget", WordKind.GLOSSARY),  # an inflected form of a glossary name
        ("7804", WordKind.GLOSSARY),  # a form number
        ("1234", WordKind.NUMBER),
        ("utred", WordKind.DOMAIN),
        ("forsakringskasan", WordKind.NEAR_GLOSSARY),  # one letter missing
        ("sipmötet", WordKind.NEAR_GLOSSARY),  # a compound of known words
        ("pannkakor", WordKind.FOREIGN),
        ("headsetet", WordKind.FOREIGN),
    ],
)
def test_word_kinds(lexicon: DomainLexicon, word: str, kind: WordKind) -> None:
    assert lexicon.kind(word) is kind


def test_sentence_columns_describe_the_whole_message() -> None:
    off_topic = sentence_columns([WordKind.FUNCTION, WordKind.FUNCTION, WordKind.FOREIGN, WordKind.FOREIGN])
    assert {NO_DOMAIN_NAME, FOREIGN_ONLY, SEVERAL_FOREIGN} <= set(off_topic)
    domain = sentence_columns([WordKind.FUNCTION, WordKind.GLOSSARY, WordKind.FOREIGN])
    assert NO_DOMAIN_NAME not in domain and FOREIGN_ONLY not in domain
    follow_up = sentence_columns([WordKind.FUNCTION, WordKind.FUNCTION])
    assert {NO_DOMAIN_NAME, NO_CONTENT} <= set(follow_up) and FOREIGN_ONLY not in follow_up


def _tokenized(text: str) -> Message:
    message = Message(data={TEXT: text})
    WhitespaceTokenizer(WhitespaceTokenizer.get_default_config()).process([message])
    return message


def _features(message: Message) -> tuple:
    sequence = [f for f in message.features if f.type == FEATURE_TYPE_SEQUENCE]
    sentence = [f for f in message.features if f.type == FEATURE_TYPE_SENTENCE]
    assert len(sequence) == 1 and len(sentence) == 1
    return sequence[0].features.toarray(), sentence[0].features.toarray()


def _component(tmp_path: Path, vocabulary_path: Path) -> tuple:
    (tmp_path / "storage").mkdir(exist_ok=True)
    storage = LocalModelStorage(tmp_path / "storage")
    resource = Resource("domain_vocabulary")
    context = ExecutionContext(node_name="domain_vocabulary", graph_schema=None)  # type: ignore[arg-type]
    config = {**DomainVocabularyFeaturizer.get_default_config(), "vocabulary": str(vocabulary_path)}
    return DomainVocabularyFeaturizer.create(config, storage, resource, context), (config, storage, resource, context)


def test_component_trains_stores_loads_and_featurizes(tmp_path: Path) -> None:
    vocabulary_path = tmp_path / "vocabulary.json"
    write_vocabulary({"glossary": ["sip"], "words": ["kalla", "sip"]}, vocabulary_path)
    component, args = _component(tmp_path, vocabulary_path)
    component.train(TrainingData([]))
    vocabulary_path.unlink()  # the trained model keeps its own copy

    loaded = DomainVocabularyFeaturizer.load(*args)
    message = _tokenized("hur gör man pannkakor")
    loaded.process([message])
    sequence, sentence = _features(message)
    assert sequence.shape == (4, WIDTH) and sentence.shape == (1, WIDTH)
    kinds: List[int] = sequence.argmax(axis=1).tolist()
    assert kinds == [WordKind.FUNCTION, WordKind.FUNCTION, WordKind.FUNCTION, WordKind.FOREIGN]
    assert sentence[0, FOREIGN_ONLY] == 1 and sentence[0, NO_DOMAIN_NAME] == 1

    domain = _tokenized("vem ska kalla till sip")
    loaded.process([domain])
    _, sentence = _features(domain)
    assert sentence[0, WordKind.GLOSSARY] == 1 and sentence[0, NO_DOMAIN_NAME] == 0


def test_missing_vocabulary_says_how_to_build_it(tmp_path: Path) -> None:
    component, _ = _component(tmp_path, tmp_path / "saknas.json")
    with pytest.raises(InvalidConfigException, match="python -m bot.build"):
        component.train(TrainingData([]))


def test_vocabulary_file_is_stable(tmp_path: Path) -> None:
    target = tmp_path / "v.json"
    first = write_vocabulary({"glossary": ["a"], "words": ["a", "b"]}, target)
    assert write_vocabulary({"words": ["a", "b"], "glossary": ["a"]}, target) == first
    assert json.loads(target.read_text("utf-8"))["words"] == ["a", "b"]
