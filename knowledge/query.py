"""The question-answering API the bot's actions call.

It returns entries and small structured facets, never phrased replies:
wording belongs to the bot, facts and their sources belong here.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional, Union

from . import model as m
from .search import SearchIndex, build_index
from .text import analyse, fold

CONFIDENCE_THRESHOLD = 0.45
AMBIGUITY_MARGIN = 0.05
DEFINITION_BOOST = 1.3
# Matched against the folded question, so "vad ar" works like "vad är"; the
# definition may be asked first ("vad är SGI") or last ("SGI, vad är det?").
DEFINITION_RE = re.compile(
    r"^\s*(vad (ar|betyder|innebar|menas med|star|ingar i)|forklara|vad.{0,8}\bfor (nagot|nat))\b"
    r"|\b(vad (ar|betyder|innebar) (det|detta|det for nagot|det for nat)|vad ingar( i det)?|betydelse"
    r"|definition)\W*$",
    re.IGNORECASE)
FACETS = ("nar", "vem", "hur", "blanketter", "lagrum")
# Which facet an FAQ entry's question asks, read from its first words (folded, so
# "När" and "Nar" match alike). An entry whose question asks nothing listed here
# answers none of the step facets, only itself.
FAQ_FACET_RES = {
    "nar": re.compile(r"^(nar|hur (snabbt|lange|lang tid|tidigt|snart)|inom hur)\b"),
    "vem": re.compile(r"^vem\b"),
    "blanketter": re.compile(
        r"^(finns det (en|nagon) blankett|(vilken|vilka|vilket) (blankett|blanketter|intyg|lakarintyg|formular)"
        r"|behovs (ett )?lakarintyg)\b"),
    "lagrum": re.compile(r"^((vilken|vilka) (\w*lag|lagar|paragraf)|vilket lagrum|vad sager lagen)\b"),
}

Searchable = Union[m.Step, m.Concept, m.FaqEntry]


@dataclass(frozen=True)
class Hit:
    kind: str  # "step", "concept" or "faq"
    id: str
    score: float  # 0..1, comparable between questions
    entry: Searchable
    matched: tuple[str, ...] = ()


@dataclass(frozen=True)
class Answer:
    """Search result with the bot's two decisions made for it."""

    hits: list[Hit]
    confident: bool
    ambiguous: bool = False

    @property
    def best(self) -> Optional[Hit]:
        return self.hits[0] if self.hits else None

    @property
    def alternatives(self) -> list[Hit]:
        """The hits close enough to the best to offer as "Menar du …?"."""
        if not self.hits:
            return []
        top = self.hits[0].score
        return [h for h in self.hits if top - h.score <= AMBIGUITY_MARGIN]


@dataclass(frozen=True)
class LegalItem:
    ref: m.LawRef
    law: Optional[m.Law]
    label: str  # "27 kap. 2 § SFB"


@dataclass(frozen=True)
class Facet:
    """One aspect of a step (när/vem/hur/blanketter/lagrum) with its sources."""

    step_id: str
    name: str
    text: Optional[str] = None
    items: tuple = ()
    sources: tuple[m.Source, ...] = field(default_factory=tuple)

    @property
    def empty(self) -> bool:
        return not self.text and not self.items


class KnowledgeQuery:
    """Read-only queries over one loaded knowledge base."""

    def __init__(self, kb: m.KnowledgeBase, index: Optional[SearchIndex] = None,
                 cache_dir: Optional[str | Path] = None) -> None:
        self.kb = kb
        self.index = index or build_index(kb, cache_dir)
        self._previous = _predecessors(kb)

    # -- by id
    def step(self, step_id: str) -> Optional[m.Step]:
        return self.kb.steps.get(step_id)

    def concept(self, concept_id: str) -> Optional[m.Concept]:
        return self.kb.concepts.get(concept_id)

    def faq(self, faq_id: str) -> Optional[m.FaqEntry]:
        return self.kb.faq.get(faq_id)

    def form(self, form_id: str) -> Optional[m.Form]:
        return self.kb.forms.get(form_id)

    def party(self, party_id: str) -> Optional[m.Party]:
        return self.kb.parties.get(party_id)

    def law(self, law_id: str) -> Optional[m.Law]:
        return self.kb.laws.get(law_id)

    def source(self, source_id: str) -> Optional[m.Source]:
        return self.kb.sources.get(source_id)

    def phase(self, phase_id: str) -> Optional[m.Phase]:
        return self.kb.phases.get(phase_id)

    def get(self, kind: str, entry_id: str):
        """Any entry by kind name ("step", "concept", ...) — handy for slot values."""
        table = {"step": self.kb.steps, "concept": self.kb.concepts, "faq": self.kb.faq,
                 "form": self.kb.forms, "party": self.kb.parties, "law": self.kb.laws,
                 "source": self.kb.sources, "phase": self.kb.phases,
                 "quickguide": self.kb.quickguides}.get(kind, {})
        return table.get(entry_id)

    def entry_id(self, kind: str, name: str) -> Optional[str]:
        """The id of the one party, concept or form a name means, in any inflection.

        The NLU's synonyms know the names as the knowledge base writes them, so an
        inflected "läkarintyget" or "arbetsträningen" reaches the actions unmapped;
        the search index's lemma-based phrase map still knows which entry it is.
        """
        if self.get(kind, name) is not None:
            return name
        prefix = f"@{kind}:"
        lemmas = [t.lemma for t in analyse(name)]
        ids = {c[len(prefix):] for c in self.index.phrases.canon_terms(lemmas) if c.startswith(prefix)}
        return ids.pop() if len(ids) == 1 else None

    def sources_of(self, entry) -> tuple[m.Source, ...]:
        return tuple(self.kb.sources[s] for s in getattr(entry, "source", ()) if s in self.kb.sources)

    # -- process navigation
    def party_steps(self, party_id: str) -> list[m.Step]:
        steps = [s for s in self.kb.steps.values() if s.party == party_id]
        return sorted(steps, key=lambda s: (s.number, s.id))

    def start_steps(self, party_id: Optional[str] = None) -> list[m.Step]:
        steps = [s for s in self.kb.steps.values()
                 if s.shape == "start" and (party_id is None or s.party == party_id)]
        order = {p.id: p.order for p in self.kb.parties.values()}
        return sorted(steps, key=lambda s: (order.get(s.party, 99), s.number))

    def next_steps(self, step_id: str, include_handover: bool = True) -> list[m.Step]:
        """Steps after this one; for a decision, every answer's target."""
        step = self._step(step_id)
        answers = tuple(a.next for a in step.decision.answers) if step.decision else ()
        handover = step.handover if include_handover else ()
        return _unique_steps(self.kb, step.next + answers + handover)

    def handovers(self, step_id: str) -> list[m.Step]:
        return _unique_steps(self.kb, self._step(step_id).handover)

    def decision(self, step_id: str) -> Optional[m.Decision]:
        return self._step(step_id).decision

    def previous_steps(self, step_id: str) -> list[m.Step]:
        """Steps that lead here (for "tillbaka"), own party first."""
        step = self._step(step_id)
        steps = _unique_steps(self.kb, self._previous.get(step_id, ()))
        return sorted(steps, key=lambda s: (s.party != step.party, s.number))

    # -- facets
    def facet(self, step_id: str, name: str) -> Facet:
        builders = {"nar": self.when, "vem": self.who, "hur": self.how,
                    "blanketter": self.forms_of, "lagrum": self.legal_of}
        if name not in builders:
            raise ValueError(f"okänd aspekt {name!r}; välj bland {', '.join(FACETS)}")
        return builders[name](step_id)

    def when(self, step_id: str) -> Facet:
        step = self._step(step_id)
        items = (step.time,) if step.time else ()
        return Facet(step.id, "nar", step.when, items, self.sources_of(step))

    def who(self, step_id: str) -> Facet:
        step = self._step(step_id)
        party = self.kb.parties.get(step.party)
        items = (party,) if party else ()
        return Facet(step.id, "vem", step.who, items, self.sources_of(step))

    def how(self, step_id: str) -> Facet:
        step = self._step(step_id)
        return Facet(step.id, "hur", step.what, step.tips, self.sources_of(step))

    def forms_of(self, step_id: str) -> Facet:
        """Sourced forms, then free-text documents (as plain strings)."""
        step = self._step(step_id)
        forms = tuple(self.kb.forms[f] for f in step.forms if f in self.kb.forms)
        sources = _merge_sources(self.sources_of(step), *(self.sources_of(f) for f in forms))
        return Facet(step.id, "blanketter", None, forms + step.documents, sources)

    def legal_of(self, step_id: str) -> Facet:
        step = self._step(step_id)
        items = tuple(self.legal_item(ref) for ref in step.legal)
        laws = [i.law for i in items if i.law]
        sources = _merge_sources(self.sources_of(step), *(self.sources_of(law) for law in laws))
        return Facet(step.id, "lagrum", None, items, sources)

    def legal_item(self, ref: m.LawRef) -> LegalItem:
        return LegalItem(ref, self.kb.laws.get(ref.law), ref.label(self.kb.laws))

    # -- other content
    def quickguide(self, guide_id: Optional[str] = None) -> Optional[m.QuickGuide]:
        if guide_id is None:
            return next(iter(self.kb.quickguides.values()), None)
        return self.kb.quickguides.get(guide_id)

    def concept_steps(self, concept_id: str) -> list[m.Step]:
        concept = self.kb.concepts.get(concept_id)
        return _unique_steps(self.kb, concept.steps) if concept else []

    def facet_steps(self, concept_id: str, facet: str) -> list[m.Step]:
        """The concept's steps that have something to say about `facet`, in the concept's order."""
        return [s for s in self.concept_steps(concept_id) if not self.facet(s.id, facet).empty]

    def answers_facet(self, hit: Hit, facet: str) -> bool:
        """Whether an entry answers one facet of a question ("när …", "vilken blankett …").

        Why: the best-scoring entry for "när ska jag ansöka om samordnad rehabilitering?"
        is the concept, whose steps give no time, while an FAQ entry a little further
        down answers exactly that. The caller prefers an entry that answers the facet.
        """
        if hit.kind == "step":
            return not self.facet(hit.id, facet).empty
        if hit.kind == "concept":  # a concept's own legal basis answers "vilken lag …"
            return bool(self.facet_steps(hit.id, facet)) or (facet == "lagrum" and bool(hit.entry.legal))
        pattern = FAQ_FACET_RES.get(facet)
        return bool(pattern and pattern.search(fold(hit.entry.question)))

    def laws_named(self, text: str) -> set[str]:
        """The laws a question names, by short name ("SoL") or by the word that is the law's
        name ("socialtjänstlagen", "socialförsäkringsbalken"), in any case and without å/ä/ö."""
        tokens = re.findall(r"\w+", fold(text))
        words, padded = set(tokens), f" {' '.join(tokens)} "
        named = set()
        for law in self.kb.laws.values():
            short = " ".join(re.findall(r"\w+", fold(law.short or "")))
            own = {w for w in re.findall(r"\w+", fold(law.name)) if w.endswith(("lagen", "balken")) and w != "lagen"}
            if (short and f" {short} " in padded) or own & words:
                named.add(law.id)
        return named

    # -- free text
    def search(self, question: str, k: int = 5, kinds: Optional[set[str]] = None) -> list[Hit]:
        """Ranked steps, concepts and FAQ entries for a Swedish question."""
        boosts = {"concept": DEFINITION_BOOST} if DEFINITION_RE.search(fold(question)) else None
        raw = self.index.search(question, k=k, kinds=kinds, boosts=boosts)
        return [Hit(h.kind, h.id, h.score, self.get(h.kind, h.id), h.matched) for h in raw]

    def search_answer(self, question: str, k: int = 5, threshold: float = CONFIDENCE_THRESHOLD,
                      kinds: Optional[set[str]] = None) -> Answer:
        """Like search, but says "no good answer" instead of guessing."""
        hits = self.search(question, k=k, kinds=kinds)
        if not hits or hits[0].score < threshold:
            return Answer(hits=[], confident=False)
        ambiguous = len(hits) > 1 and hits[0].score - hits[1].score <= AMBIGUITY_MARGIN
        return Answer(hits=hits, confident=True, ambiguous=ambiguous)

    def _step(self, step_id: str) -> m.Step:
        step = self.kb.steps.get(step_id)
        if step is None:
            raise KeyError(f'steget "{step_id}" finns inte')
        return step


def _unique_steps(kb: m.KnowledgeBase, ids) -> list[m.Step]:
    seen, out = set(), []
    for step_id in ids:
        if step_id in kb.steps and step_id not in seen:
            seen.add(step_id)
            out.append(kb.steps[step_id])
    return out


def _predecessors(kb: m.KnowledgeBase) -> dict[str, list[str]]:
    previous: dict[str, list[str]] = {}
    for step in kb.steps.values():
        for target in step.successors:
            previous.setdefault(target, []).append(step.id)
    return previous


def _merge_sources(*groups: tuple[m.Source, ...]) -> tuple[m.Source, ...]:
    seen: dict[str, m.Source] = {}
    for group in groups:
        for source in group:
            seen.setdefault(source.id, source)
    return tuple(seen.values())
