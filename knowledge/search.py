"""A small BM25F index over steps, concepts and FAQ entries.

Why not a vector model: the base is ~100 entries of sourced Swedish text and
editors need to understand why a question hit an entry. Field weights make a
title or alias match count more than a word deep in a description; aliases,
abbreviations and the `synonyms` section are mapped to shared canonical
terms on both sides, so "FK" meets "Försäkringskassan". Per-term scores are
precomputed at build time and kept per term as numpy arrays (an inverted
index): a query only touches the entries that share one of its terms, with
a few vector operations per term, so it stays fast at 100 times the base.
Query words the index does not know are mapped by inflection ending, typo
(one edit) or compound split; a known word also reaches compounds it heads.

The index holds only strings and numbers (no kb objects), so it pickles
small and can be cached on disk keyed by the base's fingerprint.
"""
from __future__ import annotations

import math
import pickle
import re
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Optional

import numpy as np

from . import model as m
from .text import TOKEN_RE, analyse, fold, has_lemma, question_form

INDEX_VERSION = 5
K1 = 1.2
B = 0.75
TYPO_FACTOR = 0.8
UNKNOWN_IDF_SHARE = 0.5
MIN_FUZZY_LEN = 5
MIN_FUZZY_KNOWN = 8  # a real word this long but unknown to the index is probably a typo
HEAD_FACTOR = 0.6  # "intyg" meeting "läkarintyg"
COMPOUND_FACTOR = 0.9  # each part of an unknown compound
MIN_PART = 3
MIN_HEAD = 4
MAX_HEAD_COMPOUNDS = 8
ENDINGS = ("arnas", "ernas", "ornas", "arna", "erna", "orna", "ande", "ende", "et", "en",
           "na", "ar", "er", "or", "n", "t", "s", "a", "e")
# Calibrates scores against the bot's answer threshold (0.45 at ratio 0.3):
# a word asked once counts once, plus DOMAIN_EXTRA for a domain name (see
# _analyse_query), so ratios are lower than when an alias and its word both
# scored in full.
SQUASH = 2.0
# A word that names a party, concept or form ("FK", "SGI", "SIP") is asked once
# as a word and counts half again as the entity it names: the entity matters
# more than the everyday words around it ("vad står SGI för"), but not twice
# as much. Everyday synonyms ("klient" -> individ, "ringa" -> kontakt) get no
# such extra weight.
DOMAIN_EXTRA = 0.5

# field -> weight; titles, terms and question variants weigh most
WEIGHTS = {
    "title": 3.0, "term": 3.0, "question": 3.0,
    "keywords": 2.5, "aliases": 2.5, "variants": 2.5,
    "decision": 1.5, "what": 1.0, "definition": 1.0, "answer": 0.8,
    "party": 0.8, "forms": 1.0, "who": 0.7, "extra": 0.5,
}
TOP_WEIGHT = max(WEIGHTS.values())
PHRASE_WEIGHT = 0.5  # a question that is one of an entry's names scores up to 1.5x
RERANK_DEPTH = 15  # entries whose names are compared with the question
FORM_BONUS = 0.1  # a FAQ asked the same way as the question ("kan ...?", "vem ...?")
# An entry that meets none of the question's domain words (names of parties,
# concepts, forms, laws) only shares everyday words with it ("boka", "tid"):
# it ranks below entries that meet a domain word, and a question with no
# domain word at all ("kan du boka en tid hos frisören") scores below the
# bot's answer threshold instead of being answered with a guess.
UNANCHORED_FACTOR = 0.6
DOMAIN_CANONS = ("@party:", "@concept:", "@form:")
# "vårdens del i SIP", "FK:s beslut": a party named in the genitive owns what is
# asked about, so the other parties' versions of the same step rank lower. A
# party named otherwise ("skicka till jobbtorg", "soc vill att jag ...") is as
# often the other side of a hand-over, so it gets no such weight.
OTHER_PARTY_FACTOR = 0.8
GENITIVE_RE = re.compile(r"(\w+):s\b")

# "ej beviljad" in a keyword must not answer "beviljad samordning": in the
# fields that name an entry, a word right after a negator is indexed as
# "!word", which only a negated query word meets. "utan" is left out on
# purpose: "utan SGI" is the whole domain, not a negation of it.
NEGATORS = frozenset({"ej", "inte", "ingen", "inget", "inga", "icke"})
NEGATION_FIELDS = frozenset({"title", "keywords", "question", "variants", "term", "aliases"})
NEG = "!"

Unit = tuple[frozenset, float]  # a name word's terms and idf
QueryUnit = tuple[dict, float]  # a query word's terms with factors, and its weight
Name = tuple[tuple[Unit, ...], frozenset, float]  # units, all their terms, total weight


@dataclass(frozen=True)
class RawHit:
    kind: str
    id: str
    score: float
    matched: tuple[str, ...]


def _saturate(tf: float) -> float:
    return tf / (K1 + tf)


def single_deletes(word: str) -> set[str]:
    return {word[:i] + word[i + 1:] for i in range(len(word))}


def within_one_edit(a: str, b: str) -> bool:
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
        return [canon for group in self.canon_groups(lemmas) for canon in group]

    def canon_groups(self, lemmas: list[str]) -> list[list[str]]:
        """Canonical terms per phrase found, grouped by the words they came from.

        One phrase may name several entries ("försörjningsstöd" is a concept and an
        alias of socialtjänsten); grouping lets the query treat them as alternatives
        for one slot, so the concept is not buried under the party's many steps.
        """
        return [canons for _, _, canons in self.canon_spans(lemmas)]

    def canon_spans(self, lemmas: list[str]) -> list[tuple[int, int, list[str]]]:
        """(first word, end, canonical terms) per phrase found; the span lets the
        coverage measure tie "FK" and "@party:fk" to the same word.

        Stop words take part: "klient" is filler as a word but the synonyms
        section maps it to "individ". A stop word whose lookup lemma is another
        word ("ska" -> "skola", "vart" -> "vårda") is fixed in text.LEMMA_FIXES.
        """
        found: list[tuple[int, int, str]] = []
        for i, word in enumerate(lemmas):
            for phrase, canon in self.by_first.get(word, ()):
                if tuple(lemmas[i:i + len(phrase)]) == phrase:
                    found.append((i, i + len(phrase), canon))
        # "sip möte" names SIP as a whole: drop the shorter "sip" inside it
        spans_of: dict[str, list[tuple[int, int]]] = {}
        for a, b, c in found:
            spans_of.setdefault(c, []).append((a, b))
        found = [(a, b, c) for a, b, c in found
                 if not any(a2 <= a and b <= b2 and b2 - a2 > b - a for a2, b2 in spans_of[c])]
        groups: dict[tuple[int, int], list[str]] = {}
        for start, end, canon in found:
            group = groups.setdefault((start, end), [])
            if canon not in group:
                group.append(canon)
        return [(start, end, canons) for (start, end), canons in groups.items()]


def glossary_names(kb: m.KnowledgeBase) -> Iterable[tuple[str, str]]:
    """(text, canonical term) for every name and alias of a party, concept and form:
    the one list both the phrase map and the domain words are made from."""
    for party in kb.parties.values():
        for text in (party.name, party.short, *party.aliases):
            yield text, f"@party:{party.id}"
    for concept in kb.concepts.values():
        for text in (concept.term, concept.full or "", *concept.aliases):
            yield text, f"@concept:{concept.id}"
    for form in kb.forms.values():
        for text in (form.name, form.number or "", *form.aliases):
            yield text, f"@form:{form.id}"


def build_phrases(kb: m.KnowledgeBase) -> PhraseMap:
    phrases = PhraseMap()
    for text, canon in glossary_names(kb):
        phrases.add(text, canon)
    for party in kb.parties.values():
        phrases.add(party.id, f"@party:{party.id}")
    for syn in kb.synonyms:
        for text in (syn.term, *syn.variants):
            phrases.add(text, f"@syn:{fold(syn.term)}")
    return phrases


def domain_texts(kb: m.KnowledgeBase) -> list[str]:
    """The glossary's names plus the laws' names. Their words are the domain words;
    step titles, keywords and the synonyms section also hold everyday words
    ("boka", "tid", "ringa", "ny")."""
    texts = [text for text, _ in glossary_names(kb)]
    for law in kb.laws.values():
        texts += [law.name, law.short or ""]
    return [t for t in texts if t]


def name_texts(kb: m.KnowledgeBase) -> dict[tuple[str, str], list[str]]:
    """The short texts that name each entry: a FAQ's question and variants, a
    step's title and keywords, a concept's term and aliases. A question that is
    almost one of these should beat an entry that only shares one word."""
    names: dict[tuple[str, str], list[str]] = {}
    for step in kb.steps.values():
        names[("step", step.id)] = [step.title, *step.keywords, *_ruta_names(step)]
    for concept in kb.concepts.values():
        names[("concept", concept.id)] = [concept.term, concept.full or "", *concept.aliases]
    for faq in kb.faq.values():
        names[("faq", faq.id)] = [faq.question, *faq.variants]
    return {key: [t for t in texts if t] for key, texts in names.items()}


def _ruta_names(step: m.Step) -> list[str]:
    """"ruta 14": users quote the box number of the official 2019 map."""
    name = f"ruta {step.ruta}" if step.ruta else ""
    return [name] if name and name not in step.keywords else []


def document_fields(kb: m.KnowledgeBase) -> Iterable[tuple[str, str, dict[str, list[str]]]]:
    """(kind, id, {field: [texts]}) for every searchable entry."""
    for step in kb.steps.values():
        party = kb.parties.get(step.party)
        forms = [kb.forms[f] for f in step.forms if f in kb.forms]
        yield "step", step.id, {
            "title": [step.title], "keywords": [*step.keywords, *_ruta_names(step)],
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
    def _field_terms(self, texts: list[str], negate: bool = False) -> list[str]:
        terms: list[str] = []
        for text in texts:
            tokens = analyse(text)
            negated = _negated(tokens) if negate else [False] * len(tokens)
            for tok, neg in zip(tokens, negated):
                if not tok.stop:
                    self.surface_map.setdefault(tok.surface, tok.lemma)
                    prefix = NEG if neg else ""
                    terms.append(prefix + tok.lemma)
                    if tok.surface != tok.lemma:
                        terms.append(prefix + tok.surface)
            for start, _, canons in self.phrases.canon_spans([t.lemma for t in tokens]):
                terms.extend(NEG + c if negated[start] else c for c in canons)
        return terms

    def _build(self, kb: m.KnowledgeBase) -> None:
        field_tf: list[dict[str, dict[str, int]]] = []
        lengths: dict[str, list[int]] = defaultdict(list)
        for kind, ident, fields in document_fields(kb):
            self.docs.append((kind, ident))
            per_field = {}
            for name, texts in fields.items():
                terms = self._field_terms([t for t in texts if t], name in NEGATION_FIELDS)
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
        self.postings = _inverted(weighted, self.idf)
        # forward index: only read for the k entries returned, to say what matched
        self.doc_terms = [{t: self.idf[t] * _saturate(v) for t, v in tfw.items()} for tfw in weighted]
        kind_of = {kind: code for code, kind in enumerate(sorted({k for k, _ in self.docs}))}
        self.kind_codes = kind_of
        self.doc_kinds = np.array([kind_of[k] for k, _ in self.docs], dtype=np.int8)
        fuzzy: dict[str, set[str]] = defaultdict(set)
        for word in set(self.idf) | set(self.surface_map):
            if len(word) >= MIN_FUZZY_LEN - 1 and not word.startswith("@"):
                fuzzy[word].add(word)
                for key in single_deletes(word):
                    fuzzy[key].add(word)
        self.heads = _compound_heads(self.idf)
        self.forms = _question_forms(kb, self.docs)
        self.domain = self._domain_terms(kb)
        self.party_codes = {f"@party:{p}": i for i, p in enumerate(sorted(kb.parties))}
        self.doc_party = np.array([self.party_codes.get(f"@party:{kb.steps[i].party}", -1)
                                   if k == "step" else -1 for k, i in self.docs], dtype=np.int16)
        all_names = name_texts(kb)
        self.names = [tuple(self._name(t) for t in all_names.get(doc, ())) for doc in self.docs]
        # tuples of strings are not tracked by the garbage collector, sets are
        self.fuzzy = {key: tuple(sorted(words)) for key, words in fuzzy.items()}

    def _domain_terms(self, kb: m.KnowledgeBase) -> frozenset:
        """Index terms that are domain words (see UNANCHORED_FACTOR)."""
        words = {form for text in domain_texts(kb) for tok in analyse(text) if not tok.stop
                 for form in (tok.lemma, tok.surface)}
        return frozenset(t for t in self.idf if t in words or t.startswith(DOMAIN_CANONS))

    def _name(self, text: str) -> Name:
        """A name text's units, all their terms and its total weight (for coverage)."""
        units = self._name_units(text)
        terms = frozenset().union(*(t for t, _ in units))
        return units, terms, sum(w for _, w in units) or 1.0

    def _name_units(self, text: str) -> tuple[Unit, ...]:
        """One unit per content word of a name text: its terms (lemma, own form and
        the canonical terms of phrases over it) and its idf."""
        tokens = analyse(text)
        terms = [set() if tok.stop else ({NEG + tok.lemma, NEG + tok.surface} if neg else {tok.lemma, tok.surface})
                 for tok, neg in zip(tokens, _negated(tokens))]
        for start, end, canons in self.phrases.canon_spans([t.lemma for t in tokens]):
            for unit in terms[start:end]:
                unit.update(canons)
        units = []
        for tok, unit in zip(tokens, terms):
            known = [self.idf[t] for t in unit if t in self.idf]
            if not tok.stop and known:
                words = [self.idf[t] for t in unit if t in self.idf and not t.startswith("@")]
                units.append((frozenset(unit), max(words or known)))
        return tuple(units)

    # -- query
    def _resolve(self, surface: str, lemma_: str) -> list[list[tuple[str, float]]]:
        """Map one query word to slots of index terms with confidence factors.

        Usually one slot; an unknown compound ("samordningsansökan") becomes one
        slot per part. A known word also reaches compounds it is the head of
        ("intyg" -> "läkarintyg"), at a discount.
        """
        mapped = self.surface_map.get(surface)
        real = _is_word(surface, lemma_)
        if lemma_ == surface and mapped in self.idf and mapped != surface:
            # no lemma for the typed form (often missing å/ä/ö): use the lemma
            # the same folded form got in the documents
            return [self._with_compounds([(mapped, 1.0), (surface, 1.0)], real)]
        if lemma_ in self.idf:
            return [self._with_compounds([(lemma_, 1.0)], real)]
        if mapped in self.idf:
            return [self._with_compounds([(mapped, 1.0)], real)]
        stem = _strip_ending(surface, self.idf)
        if stem:
            return [self._with_compounds([(stem, 1.0)], real)]
        if len(surface) < MIN_FUZZY_LEN or (real and len(surface) < MIN_FUZZY_KNOWN):
            return [[(lemma_, 1.0)]]
        found = self._typos(surface)
        if found:
            return [found]
        parts = _split_compound(surface, self.idf)
        return [[(part, COMPOUND_FACTOR)] for part in parts] if parts else [[(lemma_, 1.0)]]

    def _typos(self, surface: str) -> list[tuple[str, float]]:
        """Index terms one edit away from a word the index does not know."""
        candidates = set(self.fuzzy.get(surface, ()))
        for key in single_deletes(surface):
            candidates.update(self.fuzzy.get(key, ()))
        found: list[tuple[str, float]] = []
        for word in sorted(candidates):
            if within_one_edit(surface, word):
                term = word if word in self.idf else self.surface_map.get(word, word)
                if term in self.idf and term not in (t for t, _ in found):
                    found.append((term, TYPO_FACTOR))
        return found[:3]

    def _with_compounds(self, slot: list[tuple[str, float]], real: bool = False) -> list[tuple[str, float]]:
        """Add the base form of an inflected word ("försörjningsstödet" -> "försörjningsstöd")
        and the compounds whose head it is, so "intyg" partly meets "läkarintyg".

        A word the lemma table knows (`real`) already has its base form: cutting
        an ending off it again makes another word ("klara" -> "klar").
        """
        stem = None if real else _strip_ending(slot[0][0], self.idf)
        if stem and stem not in (t for t, _ in slot):
            slot = [slot[0], (stem, 1.0), *slot[1:]]
        extra = [(c, HEAD_FACTOR) for term, _ in slot for c in self.heads.get(term, ())]
        known = {t for t, _ in slot}
        return slot + [(t, f) for t, f in extra if t not in known]

    def query_slots(self, question: str) -> list[list[tuple[str, float]]]:
        """One slot per content word or matched alias: alternatives (term, factor).

        A slot scores its best alternative, so a word's lemma and its own form
        do not count twice; unknown words stay as slots and lower the score.
        """
        return self._analyse_query(question)[0]

    def _analyse_query(self, question: str) -> tuple[list[list[tuple[str, float]]], list[QueryUnit]]:
        """Slots for scoring, and per content word a unit for the coverage measure.

        An alias joins the slots of the words it spans as an alternative: each
        word is asked once, so an entry that writes both "FK" and
        "Försäkringskassan" does not score it twice, and the "möte" of "SIP-möte"
        is met by an entry about SIP. The name of a party, concept or form
        also gets a slot of its own at DOMAIN_EXTRA weight. A phrase of stop
        words only ("vad händer sen", "klient") gets a slot of its own.
        """
        tokens = analyse(question)
        slots: list[list[tuple[str, float]]] = []
        slot_at: list[Optional[int]] = []  # parallel to lemmas: the word's slot
        units: list[Optional[dict[str, float]]] = []  # parallel to lemmas; None for stop words
        seen: dict[str, int] = {}
        lemmas: list[str] = []
        bases: list[str] = []  # base forms of inflected words, for aliases
        negs: list[bool] = []  # parallel to lemmas
        for tok, neg in zip(tokens, _negated(tokens)):
            if tok.stop:
                negs.append(False)
                lemmas.append(tok.lemma)
                bases.append(tok.lemma)
                units.append(None)
                slot_at.append(None)
                continue
            resolved = self._resolve(tok.surface, tok.lemma)
            if tok.surface != tok.lemma and tok.surface in self.idf:
                resolved[0].append((tok.surface, 1.0))
            if neg:
                resolved[0] = self._with_negated(resolved[0])
            for slot in resolved:
                negs.append(neg)
                lemmas.append(slot[0][0])
                stemmed = len(slot) > 1 and slot[0][0].startswith(slot[1][0])
                bases.append(slot[1][0] if stemmed else slot[0][0])
                key = "|".join(sorted(t for t, _ in slot))
                units.append(None if key in seen else dict(slot))
                if key not in seen:
                    seen[key] = len(slots)
                    slots.append(slot)
                slot_at.append(seen[key])
        spans = self.phrases.canon_spans(lemmas)
        if bases != lemmas:
            taken = {c for _, _, g in spans for c in g}
            spans += [(a, b, [c for c in g if c not in taken]) for a, b, g in self.phrases.canon_spans(bases)]
        for start, end, group in spans:
            if group:
                slot = [(canon, 1.0) for canon in group]
                slot = self._with_negated(slot) if negs[start] else slot
                own = {slot_at[i] for i in range(start, end) if slot_at[i] is not None}
                for index in own:
                    slots[index].extend(alt for alt in slot if alt not in slots[index])
                if not own:
                    slots.append(slot)
                extra = [(t, f * DOMAIN_EXTRA) for t, f in slot if t.lstrip(NEG).startswith(DOMAIN_CANONS)]
                if own and extra and DOMAIN_EXTRA:
                    slots.append(extra)
            for unit in units[start:end]:
                if unit is not None:
                    unit.update((canon, 1.0) for canon in group)
        return slots, [self._query_unit(u) for u in units if u is not None]

    def _with_negated(self, slot: list[tuple[str, float]]) -> list[tuple[str, float]]:
        """A negated query word also meets the entries' negated terms ("inte beviljad"
        -> "!beviljad"), and still its plain form, since most text states facts."""
        negated = [(NEG + t, f) for t, f in slot if NEG + t in self.idf]
        return slot[:1] + negated + slot[1:]

    def _query_unit(self, alternatives: dict[str, float]) -> QueryUnit:
        """A query word's terms with factors, weighted by idf; unknown words weigh
        like the unknown share of the ideal so nonsense stays uncovered."""
        words = [self.idf[t] * f for t, f in alternatives.items() if t in self.idf and not t.startswith("@")]
        canons = [self.idf[t] for t in alternatives if t in self.idf and t.startswith("@")]
        weight = max(words or canons or [UNKNOWN_IDF_SHARE * self.max_idf])
        return alternatives, weight

    def _coverage(self, doc: int, units: list[QueryUnit]) -> float:
        """How well one of the entry's name texts and the question cover each other.

        (share of the question's weight the name covers) x (share of the name's
        weight the question covers), best over the entry's names: 1.0 when the
        question is the FAQ question in other inflections, low when the entry
        only shares one word of a long question or the question one word of a
        long title.
        """
        total_q = sum(w for _, w in units) or 1.0
        factors: dict[str, float] = {}
        for alternatives, _ in units:
            for term, factor in alternatives.items():
                factors[term] = max(factor, factors.get(term, 0.0))
        best = 0.0
        for name_units, name_terms, total_n in self.names[doc]:
            if not factors.keys() & name_terms:
                continue
            covered_q = sum(w * max(alts[t] for t in common)
                            for alts, w in units if (common := alts.keys() & name_terms))
            covered_n = sum(w * max(factors[t] for t in common)
                            for terms, w in name_units if (common := terms & factors.keys()))
            best = max(best, (covered_q / total_q) * (covered_n / total_n))
        return best

    def search(self, question: str, k: int = 5, kinds: Optional[set[str]] = None,
               boosts: Optional[dict[str, float]] = None) -> list[RawHit]:
        """Best entries for a question; `boosts` multiplies scores per kind.

        Only entries in the posting lists of the query's terms are touched
        (the inverted index is the candidate pruning): scores accumulate in
        one array over the entries, so a query costs a few vector operations
        per term, not a Python loop per posting, and allocates almost nothing
        the garbage collector has to walk.
        """
        raw_slots, units = self._analyse_query(question)
        slots = [[(t, f) for t, f in slot if t in self.idf] or slot for slot in raw_slots]
        ideal = sum(self._slot_ideal(slot) for slot in slots)
        known = [slot for slot in slots if slot[0][0] in self.idf]
        if not known or not ideal:
            return []
        scores = np.zeros(len(self.docs))
        anchor = np.zeros(len(self.docs))
        for slot in known:
            slot_scores = self._slot_scores(slot)
            scores += slot_scores
            if any(t.lstrip(NEG) in self.domain for t, _ in slot):
                anchor += slot_scores
        scores[anchor == 0] *= UNANCHORED_FACTOR
        owners = self._genitive_parties(question)
        if len(owners) == 1:
            scores[(self.doc_party >= 0) & (self.doc_party != owners.pop())] *= OTHER_PARTY_FACTOR
        candidates = np.flatnonzero(scores)
        candidates = self._filter_and_boost(candidates, scores, kinds, boosts)
        shortlist = _top_k(candidates, scores, max(k, RERANK_DEPTH))
        form = question_form(question)
        final = {doc: scores[doc] / ideal * (1 + PHRASE_WEIGHT * self._coverage(doc, units)) / (1 + PHRASE_WEIGHT)
                 * (1 + FORM_BONUS * (form in self.forms[doc])) for doc in shortlist}
        ranked = sorted(shortlist, key=lambda d: (-final[d], d))[:k]
        return [RawHit(*self.docs[doc], round(_squash(final[doc]), 4),
                       self._matched(doc, known)) for doc in ranked]

    def _genitive_parties(self, question: str) -> set[int]:
        """Parties named in the genitive: "vårdens", "socialtjänstens", "FK:s"."""
        text = question.lower()
        words = GENITIVE_RE.findall(text)
        words += [w[:-1] for w in TOKEN_RE.findall(text) if len(w) > 3 and w.endswith("s")]
        owners = set()
        for word in words:
            tokens = analyse(word)
            mapped = [self.surface_map.get(t.surface, t.lemma) for t in tokens]  # typed without å/ä/ö
            for forms in ([t.lemma for t in tokens], [t.surface for t in tokens], mapped):
                owners.update(self.party_codes[c] for c in self.phrases.canon_terms(forms)
                              if c in self.party_codes)
        return owners

    def _slot_ideal(self, slot: list[tuple[str, float]]) -> float:
        """What a perfect title match of this slot would add; unknown words count too."""
        if slot[0][0] not in self.idf:
            return 0.0 if slot[0][0].startswith("@") else \
                UNKNOWN_IDF_SHARE * self.max_idf * _saturate(TOP_WEIGHT)
        return max(self.idf[t] * f for t, f in slot) * _saturate(TOP_WEIGHT)

    def _slot_scores(self, slot: list[tuple[str, float]]) -> np.ndarray:
        """Per-entry score of one slot: the best of its alternatives, not their sum."""
        best = np.zeros(len(self.docs))
        for term, factor in slot:
            ids, values = self.postings[term]
            best[ids] = np.maximum(best[ids], factor * values)
        return best

    def _filter_and_boost(self, candidates: np.ndarray, scores: np.ndarray,
                          kinds: Optional[set[str]], boosts: Optional[dict[str, float]]) -> np.ndarray:
        codes = self.doc_kinds[candidates]
        for kind, factor in (boosts or {}).items():
            if kind in self.kind_codes:
                chosen = candidates[codes == self.kind_codes[kind]]
                scores[chosen] *= factor
        if kinds:
            wanted = [self.kind_codes[k] for k in kinds if k in self.kind_codes]
            candidates = candidates[np.isin(codes, wanted)]
        return candidates

    def _matched(self, doc: int, slots: list[list[tuple[str, float]]]) -> tuple[str, ...]:
        """The index term that scored each slot for this entry (for editors' debugging)."""
        terms = self.doc_terms[doc]
        out = []
        for slot in slots:
            best = max(((f * terms[t], t) for t, f in slot if t in terms), default=None)
            if best:
                out.append(best[1])
        return tuple(out)


def _question_forms(kb: m.KnowledgeBase, docs: list[tuple[str, str]]) -> list[frozenset]:
    """Per entry, the kinds of question its FAQ question and variants are (empty for
    steps and concepts): a tie-breaker between a FAQ and a step on the same words."""
    forms = []
    for kind, ident in docs:
        faq = kb.faq.get(ident) if kind == "faq" else None
        texts = (faq.question, *faq.variants) if faq else ()
        forms.append(frozenset(f for f in map(question_form, texts) if f))
    return forms


def _negated(tokens: list) -> list[bool]:
    """Per token: does it come right after a negator ("ej", "inte", "ingen")?"""
    return [i > 0 and tokens[i - 1].surface in NEGATORS for i in range(len(tokens))]


def _inverted(weighted: list[dict[str, float]], idf: dict[str, float]) -> dict[str, tuple]:
    """term -> (entry numbers ascending, BM25 values) as compact arrays."""
    lists: dict[str, tuple[list[int], list[float]]] = defaultdict(lambda: ([], []))
    for index, tfw in enumerate(weighted):
        for term, value in tfw.items():
            ids, values = lists[term]
            ids.append(index)
            values.append(idf[term] * _saturate(value))
    return {term: (np.array(ids, dtype=np.int32), np.array(values))
            for term, (ids, values) in lists.items()}


def _top_k(candidates: np.ndarray, scores: np.ndarray, k: int) -> list[int]:
    """The k best entries, ties broken by entry order so results are stable."""
    if len(candidates) > 4 * k:
        part = np.argpartition(-scores[candidates], k)[:k]
        cut = scores[candidates[part]].min()
        candidates = candidates[scores[candidates] >= cut]
    order = sorted(candidates.tolist(), key=lambda d: (-scores[d], d))
    return order[:k]


def _is_word(surface: str, lemma_: str) -> bool:
    """A real Swedish word (it has a lemma), so a near miss is less likely a typo."""
    return lemma_ != surface or has_lemma(surface)


def _strip_ending(word: str, vocabulary: dict[str, float]) -> Optional[str]:
    """The word without a Swedish inflection ending, if that form is in the index.

    The lookup table lacks many definite and plural forms of domain compounds
    ("försörjningsstödet", "samordningsansökningarna"); stripping the ending
    finds the base form the documents use.
    """
    for ending in ENDINGS:
        stem = word[: -len(ending)]
        if len(stem) >= 4 and word.endswith(ending) and stem in vocabulary:
            return stem
    return None


def _split_compound(word: str, vocabulary: dict[str, float]) -> list[str]:
    """Split an unknown compound into two index terms (with an optional linking s).

    The longest head wins: "ansokningsblankett" -> ["ansokning", "blankett"].
    """
    for cut in range(MIN_PART, len(word) - MIN_PART + 1):
        head = word[cut:]
        head = head if head in vocabulary else _strip_ending(head, vocabulary)
        if not head:
            continue
        modifier = word[:cut]
        for candidate in (modifier, modifier[:-1] if modifier.endswith("s") else None):
            if candidate and len(candidate) >= MIN_PART:
                known = candidate if candidate in vocabulary else _strip_ending(candidate, vocabulary)
                if known:
                    return [known, head]
    return []


def _compound_heads(vocabulary: dict[str, float]) -> dict[str, tuple[str, ...]]:
    """word -> index terms that end in it as a compound head ("intyg" -> "lakarintyg")."""
    heads: dict[str, list[str]] = defaultdict(list)
    for term in vocabulary:
        if term.startswith("@") or len(term) < 2 * MIN_PART + 1:
            continue
        for cut in range(MIN_PART, len(term) - MIN_HEAD + 1):
            head = term[cut:]
            if head in vocabulary and not head.startswith("@"):
                heads[head].append(term)
    return {head: tuple(sorted(terms, key=lambda t: -vocabulary[t])[:MAX_HEAD_COMPOUNDS])
            for head, terms in heads.items()}


def _squash(ratio: float) -> float:
    """Map score/ideal (0..~2) into 0..1 keeping order: 1.0 -> 0.86, 0.5 -> 0.63."""
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
