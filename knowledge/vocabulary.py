"""The words the knowledge base is written in, for telling domain questions from others.

The NLU sees only its training examples, so "hur gör man pannkakor" looks to it like
"hur gör man en SIP": both open with "hur gör man". What tells them apart is whether the
rest of the question uses the domain's words, and the knowledge base is the one place
that knows them. Two tiers, because the texts also hold everyday words ("tid", "boka"):

- `glossary`: the names and aliases of parties, concepts, forms and laws
  (the same list the search's domain anchor uses);
- `words`: every content word in any entry, the glossary included.

Both hold folded surfaces and folded lemmas, as produced by `knowledge.text.analyse`.
"""
from __future__ import annotations

import enum
from typing import Iterable, Mapping, Sequence

from . import model as m
from .search import ENDINGS, document_fields, domain_texts, single_deletes, within_one_edit
from .text import FOLD, analyse, is_stop_word

MIN_FUZZY_LEN = 5  # shorter words are too often another real word one letter away
MIN_PART = 3  # the shortest part of a compound ("sip", "lag")
LINKING = ("s", "e", "a", "u")  # Swedish compound joints: arbets-, sjukskrivnings-, skol-


def _all_texts(kb: m.KnowledgeBase) -> Iterable[str]:
    for _kind, _id, fields in document_fields(kb):
        for texts in fields.values():
            yield from texts
    for party in kb.parties.values():
        yield from (party.role, party.contact_role, *party.units)
    for form in kb.forms.values():
        yield form.description
    for law in kb.laws.values():
        yield from (law.name, law.short or "", law.note or "")
    for phase in kb.phases.values():
        yield from (phase.name, phase.description)
    for syn in kb.synonyms:
        yield from (syn.term, *syn.variants)
    yield from domain_texts(kb)


def _content_words(texts: Iterable[str]) -> set[str]:
    words: set[str] = set()
    for text in texts:
        for token in analyse(text):
            if not token.stop:
                words.update((token.surface, token.lemma))
    return words


def domain_vocabulary(kb: m.KnowledgeBase) -> dict[str, list[str]]:
    """{"glossary": [...], "words": [...]}, sorted so the built file is stable."""
    glossary = _content_words(domain_texts(kb))
    words = _content_words(_all_texts(kb)) | glossary
    return {"glossary": sorted(glossary), "words": sorted(words)}


class WordKind(enum.IntEnum):
    """What a word in a message is, seen from the knowledge base."""

    FUNCTION = 0  # a stop word ("hur", "ska", "man") or punctuation
    GLOSSARY = 1  # a name or alias of a party, concept, form or law
    DOMAIN = 2  # any other word the knowledge base uses
    NEAR_GLOSSARY = 3  # a misspelling or compound of glossary words ("samordnig")
    NEAR_DOMAIN = 4  # the same for the other words
    NUMBER = 5  # digits the knowledge base does not use (a form number it does is GLOSSARY)
    FOREIGN = 6  # none of the above: "pannkakor", "headsetet", a person's name


class DomainLexicon:
    """Classifies the words of a message against the knowledge base's vocabulary.

    Tolerant the way users type: å/ä/ö may be missing, one letter may be wrong, and
    Swedish glues words together ("jobbplansmötet"), so a compound of known words counts
    as known.
    """

    def __init__(self, glossary: Iterable[str], words: Iterable[str]) -> None:
        self.glossary = frozenset(glossary)
        self.words = frozenset(words) | self.glossary
        self._by_delete: dict[str, list[str]] = {}
        for word in self.words:
            if len(word) >= MIN_FUZZY_LEN:
                for key in (word, *single_deletes(word)):
                    self._by_delete.setdefault(key, []).append(word)

    @classmethod
    def from_dict(cls, data: Mapping[str, Sequence[str]]) -> "DomainLexicon":
        return cls(data.get("glossary", ()), data.get("words", ()))

    def kind(self, raw: str, raw_lemma: str = "") -> WordKind:
        """The kind of one lower-cased word, given its lemma if the tokenizer knows it."""
        raw_lemma = raw_lemma or raw
        if not any(ch.isalnum() for ch in raw):
            return WordKind.FUNCTION  # punctuation: Rasa's spaCy tokenizer keeps "?" as a token
        if raw.isdigit():
            return WordKind.GLOSSARY if raw in self.glossary else WordKind.NUMBER
        if is_stop_word(raw, raw_lemma):
            return WordKind.FUNCTION
        surface = raw.translate(FOLD)
        # Folded words have no lemma in spaCy's table ("lakarintyget"): try the stem too.
        stems = [surface[: -len(e)] for e in ENDINGS if surface.endswith(e) and len(surface) - len(e) >= MIN_PART]
        forms = (surface, raw_lemma.lower().translate(FOLD), *stems)
        if any(f in self.glossary for f in forms):
            return WordKind.GLOSSARY
        if any(f in self.words for f in forms):
            return WordKind.DOMAIN
        near = self._near(surface)
        if near is not None:
            return WordKind.NEAR_GLOSSARY if near else WordKind.NEAR_DOMAIN
        return WordKind.FOREIGN

    def _near(self, word: str) -> bool | None:
        """True/False if the word is a near-spelling or compound of glossary/other
        domain words, None if it is neither."""
        found = self._misspelt(word)
        if found is None:
            found = self._compound(word)
        return found

    def _misspelt(self, word: str) -> bool | None:
        if len(word) < MIN_FUZZY_LEN:
            return None
        candidates = {c for key in (word, *single_deletes(word)) for c in self._by_delete.get(key, ())}
        matches = [c for c in candidates if within_one_edit(word, c)]
        if not matches:
            return None
        return any(c in self.glossary for c in matches)

    def _compound(self, word: str) -> bool | None:
        for cut in range(MIN_PART, len(word) - MIN_PART + 1):
            head, tail = word[:cut], word[cut:]
            if tail not in self.words and self._misspelt(tail) is None:
                continue
            heads = [head] + [head[:-1] for ending in LINKING if head.endswith(ending)]
            if any(h in self.words for h in heads if len(h) >= MIN_PART):
                return any(h in self.glossary for h in (*heads, tail))
        return None
