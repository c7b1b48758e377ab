"""A small BM25F index over steps, concepts and FAQ entries.

Why not a vector model: the base is ~100 entries of sourced Swedish text and
editors need to understand why a question hit an entry. Field weights make a
title or alias match count more than a word deep in a description; aliases,
abbreviations and the `synonyms` section are mapped to shared canonical
terms on both sides, so "FK" meets "Försäkringskassan". Per-term scores are
precomputed at build time, so a query is a few dict look-ups.

The index holds only strings and numbers (no kb objects), so it pickles
small and can be cached on disk keyed by the base's fingerprint.
"""
from __future__ import annotations

import heapq
import math
import pickle
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Optional

from . import model as m
from .text import analyse, fold, has_lemma

INDEX_VERSION = 1
K1 = 1.2
B = 0.75
TYPO_FACTOR = 0.8
UNKNOWN_IDF_SHARE = 0.5
MIN_FUZZY_LEN = 5
SQUASH = math.log(5)

# field -> weight; titles, terms and question variants weigh most
WEIGHTS = {
    "title": 3.0, "term": 3.0, "question": 3.0,
    "keywords": 2.5, "aliases": 2.5, "variants": 2.5,
    "decision": 1.5, "what": 1.0, "definition": 1.0, "answer": 0.8,
    "party": 0.8, "forms": 1.0, "who": 0.7, "extra": 0.5,
}
TOP_WEIGHT = max(WEIGHTS.values())


@dataclass(frozen=True)
class RawHit:
    kind: str
    id: str
    score: float
    matched: tuple[str, ...]


def _saturate(tf: float) -> float:
    return tf / (K1 + tf)


def _deletes(word: str) -> set[str]:
    return {word[:i] + word[i + 1:] for i in range(len(word))}


def _within_one_edit(a: str, b: str) -> bool:
    """Damerau-Levenshtein distance <= 1 (one insert, delete, change or swap)."""
    if a == b:
        return True
    la, lb = len(a), len(b)
    if abs(la - lb) > 1:
        return False
    if la == lb:
        diff = [i for i in range(la) if a[i] != b[i]]
        if len(diff) == 1:
            return True
        return len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]] \
            and a[diff[1]] == b[diff[0]]
    short, long_ = (a, b) if la < lb else (b, a)
    return any(long_[:i] + long_[i + 1:] == short for i in range(len(long_)))


class PhraseMap:
    """Maps word sequences (aliases, abbreviations) to canonical terms."""

    def __init__(self) -> None:
        self.by_first: dict[str, list[tuple[tuple[str, ...], str]]] = defaultdict(list)

    def add(self, phrase: str, canon: str) -> None:
        lemmas = tuple(t.lemma for t in analyse(phrase))
        if lemmas and (lemmas, canon) not in self.by_first[lemmas[0]]:
            self.by_first[lemmas[0]].append((lemmas, canon))

    def canon_terms(self, lemmas: list[str]) -> list[str]:
        found = []
        for i, word in enumerate(lemmas):
            for phrase, canon in self.by_first.get(word, ()):
                if tuple(lemmas[i:i + len(phrase)]) == phrase and canon not in found:
                    found.append(canon)
        return found


def build_phrases(kb: m.KnowledgeBase) -> PhraseMap:
    phrases = PhraseMap()
    for party in kb.parties.values():
        for text in (party.name, party.short, party.id, *party.aliases):
            phrases.add(text, f"@party:{party.id}")
    for concept in kb.concepts.values():
        for text in (concept.term, concept.full or "", *concept.aliases):
            phrases.add(text, f"@concept:{concept.id}")
    for form in kb.forms.values():
        for text in (form.name, form.number or "", *form.aliases):
            phrases.add(text, f"@form:{form.id}")
    for syn in kb.synonyms:
        for text in (syn.term, *syn.variants):
            phrases.add(text, f"@syn:{fold(syn.term)}")
    return phrases


def document_fields(kb: m.KnowledgeBase) -> Iterable[tuple[str, str, dict[str, list[str]]]]:
    """(kind, id, {field: [texts]}) for every searchable entry."""
    for step in kb.steps.values():
        party = kb.parties.get(step.party)
        forms = [kb.forms[f] for f in step.forms if f in kb.forms]
        yield "step", step.id, {
            "title": [step.title], "keywords": list(step.keywords),
            "what": [step.what], "who": [step.who],
            "decision": [step.decision.question] if step.decision else [],
            "party": [party.name, party.short, *party.aliases] if party else [],
            "forms": [t for f in forms for t in (f.name, f.number or "", *f.aliases)],
            "extra": [step.when or "", step.time or "", *step.tips, *step.documents],
        }
    for concept in kb.concepts.values():
        yield "concept", concept.id, {
            "term": [concept.term], "aliases": [concept.full or "", *concept.aliases],
            "definition": [concept.definition],
        }
    for faq in kb.faq.values():
        yield "faq", faq.id, {
            "question": [faq.question], "variants": list(faq.variants), "answer": [faq.answer],
        }


class SearchIndex:
    """Field-weighted BM25 with alias canonicalisation and typo tolerance."""

    def __init__(self, kb: m.KnowledgeBase) -> None:
        self.version = INDEX_VERSION
        self.fingerprint = kb.fingerprint()
        self.phrases = build_phrases(kb)
        self.docs: list[tuple[str, str]] = []
        self.surface_map: dict[str, str] = {}
        self._build(kb)

    # -- build
    def _field_terms(self, texts: list[str]) -> list[str]:
        terms: list[str] = []
        for text in texts:
            tokens = analyse(text)
            for tok in tokens:
                if not tok.stop:
                    self.surface_map.setdefault(tok.surface, tok.lemma)
                    terms.append(tok.lemma)
                    if tok.surface != tok.lemma:
                        terms.append(tok.surface)
            terms.extend(self.phrases.canon_terms([t.lemma for t in tokens]))
        return terms

    def _build(self, kb: m.KnowledgeBase) -> None:
        field_tf: list[dict[str, dict[str, int]]] = []
        lengths: dict[str, list[int]] = defaultdict(list)
        for kind, ident, fields in document_fields(kb):
            self.docs.append((kind, ident))
            per_field = {}
            for name, texts in fields.items():
                terms = self._field_terms([t for t in texts if t])
                counts: dict[str, int] = defaultdict(int)
                for term in terms:
                    counts[term] += 1
                per_field[name] = dict(counts)
                lengths[name].append(len(terms))
            field_tf.append(per_field)
        avg = {name: (sum(v) / len(v) if v and sum(v) else 1.0) for name, v in lengths.items()}
        doc_freq: dict[str, int] = defaultdict(int)
        weighted: list[dict[str, float]] = []
        for per_field in field_tf:
            tfw: dict[str, float] = defaultdict(float)
            for name, counts in per_field.items():
                length = sum(counts.values())
                norm = 1 - B + B * length / avg[name]
                for term, tf in counts.items():
                    tfw[term] += WEIGHTS[name] * tf / norm
            for term in tfw:
                doc_freq[term] += 1
            weighted.append(tfw)
        n = max(len(self.docs), 1)
        self.idf = {t: math.log(1 + (n - df + 0.5) / (df + 0.5)) for t, df in doc_freq.items()}
        self.max_idf = math.log(1 + (n + 0.5) / 0.5)
        self.postings: dict[str, list[tuple[int, float]]] = defaultdict(list)
        for index, tfw in enumerate(weighted):
            for term, value in tfw.items():
                self.postings[term].append((index, self.idf[term] * _saturate(value)))
        self.postings = dict(self.postings)
        self.fuzzy: dict[str, set[str]] = defaultdict(set)
        for word in set(self.idf) | set(self.surface_map):
            if len(word) >= MIN_FUZZY_LEN - 1 and not word.startswith("@"):
                self.fuzzy[word].add(word)
                for key in _deletes(word):
                    self.fuzzy[key].add(word)
        self.fuzzy = dict(self.fuzzy)

    # -- query
    def _resolve(self, surface: str, lemma_: str) -> list[tuple[str, float]]:
        """Map one query word to index terms with a confidence factor."""
        mapped = self.surface_map.get(surface)
        if lemma_ == surface and mapped in self.idf and mapped != surface:
            # no lemma for the typed form (often missing å/ä/ö): use the lemma
            # the same folded form got in the documents
            return [(mapped, 1.0), (surface, 1.0)]
        if lemma_ in self.idf:
            return [(lemma_, 1.0)]
        if mapped in self.idf:
            return [(mapped, 1.0)]
        if len(surface) < MIN_FUZZY_LEN or has_lemma(surface):
            return [(lemma_, 1.0)]
        candidates = set(self.fuzzy.get(surface, ()))
        for key in _deletes(surface):
            candidates |= self.fuzzy.get(key, set())
        found = []
        for word in sorted(candidates):
            if _within_one_edit(surface, word):
                term = word if word in self.idf else self.surface_map.get(word, word)
                if term in self.idf and term not in (t for t, _ in found):
                    found.append((term, TYPO_FACTOR))
        return found[:3] or [(lemma_, 1.0)]

    def query_slots(self, question: str) -> list[list[tuple[str, float]]]:
        """One slot per content word or matched alias: alternatives (term, factor).

        A slot scores its best alternative, so a word's lemma and its own form
        do not count twice; unknown words stay as slots and lower the score.
        """
        tokens = analyse(question)
        slots: list[list[tuple[str, float]]] = []
        seen: set[str] = set()
        lemmas: list[str] = []
        for tok in tokens:
            if tok.stop:
                lemmas.append(tok.lemma)
                continue
            resolved = self._resolve(tok.surface, tok.lemma)
            if tok.surface != tok.lemma and tok.surface in self.idf:
                resolved.append((tok.surface, 1.0))
            lemmas.append(resolved[0][0])
            key = "|".join(sorted(t for t, _ in resolved))
            if key not in seen:
                seen.add(key)
                slots.append(resolved)
        for canon in self.phrases.canon_terms(lemmas):
            slots.append([(canon, 1.0)])
        return slots

    def search(self, question: str, k: int = 5, kinds: Optional[set[str]] = None,
               boosts: Optional[dict[str, float]] = None) -> list[RawHit]:
        """Best entries for a question; `boosts` multiplies scores per kind."""
        slots = self.query_slots(question)
        ideal = 0.0
        scores: dict[int, float] = defaultdict(float)
        matched: dict[int, list[str]] = defaultdict(list)
        for slot in slots:
            known = [(t, f) for t, f in slot if t in self.idf]
            if not known:
                if not slot[0][0].startswith("@"):
                    ideal += UNKNOWN_IDF_SHARE * self.max_idf * _saturate(TOP_WEIGHT)
                continue
            ideal += max(self.idf[t] * f for t, f in known) * _saturate(TOP_WEIGHT)
            best: dict[int, tuple[float, str]] = {}
            for term, factor in known:
                for doc, value in self.postings[term]:
                    if doc not in best or factor * value > best[doc][0]:
                        best[doc] = (factor * value, term)
            for doc, (value, term) in best.items():
                scores[doc] += value
                matched[doc].append(term)
        if not scores or not ideal:
            return []
        for doc in scores:
            scores[doc] *= (boosts or {}).get(self.docs[doc][0], 1.0)
        if kinds:
            scores = {d: v for d, v in scores.items() if self.docs[d][0] in kinds}
        ranked = heapq.nsmallest(k, scores.items(), key=lambda item: (-item[1], item[0]))
        hits = []
        for doc, score in ranked:
            kind, ident = self.docs[doc]
            hits.append(RawHit(kind, ident, round(_squash(score / ideal), 4), tuple(matched[doc])))
            if len(hits) >= k:
                break
        return hits


def _squash(ratio: float) -> float:
    """Map score/ideal (0..~2) into 0..1 keeping order: 1.0 -> 0.8, 0.5 -> 0.55."""
    return 1.0 - math.exp(-SQUASH * ratio)


def build_index(kb: m.KnowledgeBase, cache_dir: Optional[str | Path] = None) -> SearchIndex:
    """Build the index, or reuse a pickled one for the same fingerprint."""
    if cache_dir is None:
        return SearchIndex(kb)
    path = Path(cache_dir) / f"kb-index-{kb.fingerprint()}-v{INDEX_VERSION}.pickle"
    if path.exists():
        try:
            with path.open("rb") as handle:
                index = pickle.load(handle)
            if isinstance(index, SearchIndex) and index.version == INDEX_VERSION:
                return index
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError):
            pass
    index = SearchIndex(kb)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    with tmp.open("wb") as handle:
        pickle.dump(index, handle, protocol=pickle.HIGHEST_PROTOCOL)
    tmp.replace(path)
    return index
