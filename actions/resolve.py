"""Decides which knowledge-base entry a message is about.

In order: a button's explicit topic, an entity the spaCy entity ruler found, a follow-up to
the entry just discussed, then free-text search. Search below its threshold means "no good
answer", and two close hits mean "ask which one", never a guess.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Sequence

from knowledge import KnowledgeQuery
from knowledge.text import analyse

# Words that only say *what* is asked, not *about what*: a message made of these alone
# ("vilken blankett?", "och sen då?", "vem gör det?") refers to the current topic.
FOLLOW_UP_WORDS = set(
    """och sen sedan da då vad hander händer nasta nästa steg steget vilken vilka vilket blankett blanketten
    blanketter blanketterna formular formulär formuläret dokument papper behovs behövs vem vems gor gör gors görs
    det den detta dar där nar när hur lagrum lagrummet lag lagen paragraf paragrafen lagstod lagstöd lagstodet
    lagstödet menar du med om ar är ska man jag efter tidsgrans tidsgräns lange länge gar går till galler gäller
    ansvarar for för anvanda använda anvands används anvander använder behover behöver kommer stod stöd pa på
    i a sa så nu mer typ alltsa alltså eller finns nagon någon nagot något sker skall kan""".split()
)
# Words that ask to be told about something without saying what about it ("berätta om
# Jobbtorg", "hur funkar FK?"): with a party's name alone, the party's role is the answer.
TELL_ME_WORDS = set(
    """berätta beratta berättar beskriv förklara forklara info information lite mer kort om
    hur vad funkar fungerar jobbar arbetar gör gor är ar tell me about du kan""".split()
)
STEP_FACETS = {"nar", "vem", "blanketter", "lagrum", "next"}
# Facets that some entries answer and others don't ("hur" and "definition" every entry answers).
ANSWERED_FACETS = {"nar", "vem", "blanketter", "lagrum"}
# How far below the best hit an entry that answers the asked facet may score and still win.
FACET_MARGIN = 0.1
# Lemmas (folded) that name the kind of answer asked for, not its subject. The knowledge
# base uses them as content too ("I ruta 14 står vilken blankett …"), so in a question they
# can pull an entry that mentions forms above the one the question is about.
FACET_WORDS = {
    "blanketter": {"blankett", "formular", "dokument", "papper"},
    "lagrum": {"lagrum", "paragraf", "lagstod", "lagstodet", "lag", "lagtext"},
}


@dataclass
class Target:
    kind: str
    id: str
    entry: Any


@dataclass
class Resolution:
    target: Optional[Target] = None
    alternatives: List[Any] = field(default_factory=list)
    near_misses: List[Any] = field(default_factory=list)


def is_follow_up(text: str) -> bool:
    """True when the message names no subject of its own."""
    words = re.findall(r"\w+", text.lower())
    return bool(words) and all(w in FOLLOW_UP_WORDS or w.isdigit() for w in words)


def only_party_named(q: KnowledgeQuery, text: str, entities: Sequence[Dict[str, Any]]) -> bool:
    """True when the message names one party and nothing else it could be about.

    A party whose name is also a concept's ("Finsam") is left to the concept.
    """
    if len(entity_ids(q, entities, "party")) != 1 or any(e.get("entity") != "party" for e in entities):
        return False
    if _concepts_named_otherwise(q, entities):
        return False
    rest = text
    for e in sorted(entities, key=lambda e: -(e.get("start") or 0)):
        if isinstance(e.get("start"), int) and isinstance(e.get("end"), int):
            rest = rest[: e["start"]] + " " + rest[e["end"] :]
    return all(w in TELL_ME_WORDS for w in re.findall(r"\w+", rest.lower()))


def parse_topic(q: KnowledgeQuery, value: Optional[str]) -> Optional[Target]:
    """`"step:soc-sip"` → the entry, if it still exists."""
    if not value or ":" not in value:
        return None
    kind, entry_id = value.split(":", 1)
    entry = q.get(kind, entry_id)
    return Target(kind, entry_id, entry) if entry is not None and kind in {"step", "concept", "faq"} else None


def entity_ids(q: KnowledgeQuery, entities: Sequence[Dict[str, Any]], kind: str) -> set:
    """The knowledge-base ids of the entities of one kind, inflected names included."""
    ids = (q.entry_id(kind, str(e.get("value"))) for e in entities if e.get("entity") == kind)
    return {i for i in ids if i is not None}


def entity_target(q: KnowledgeQuery, entities: Sequence[Dict[str, Any]], facet: str) -> Optional[Target]:
    """A single step (or, for definitions, concept) named by the entity ruler."""
    order = ["concept", "step"] if facet == "definition" else ["step"]
    for kind in order:
        found = [q.get(kind, i) for i in entity_ids(q, entities, kind)]
        if len(found) == 1:
            return Target(kind, found[0].id, found[0])
    return None


def resolve(
    q: KnowledgeQuery, text: str, facet: str, entities: Sequence[Dict[str, Any]], current: Optional[str]
) -> Resolution:
    explicit = next((e.get("value") for e in entities if e.get("entity") == "topic"), None)
    target = parse_topic(q, explicit) or entity_target(q, entities, facet)
    if target:
        return Resolution(target)
    current_target = parse_topic(q, current)
    if current_target and is_follow_up(text):
        return Resolution(current_target)
    answer = q.search_answer(text)
    if not answer.confident:
        return Resolution(near_misses=q.search(text, k=2))
    preferred = facet_hit(q, answer.hits, facet) or subject_hit(q, text, facet, answer.hits)
    if preferred is not None:
        return Resolution(on_subject(q, preferred, text, entities, facet))
    if answer.ambiguous:
        asking = faq_asking(q, answer.alternatives, facet)
        if asking is not None:
            return Resolution(Target(asking.kind, asking.id, asking.entry))
        named = named_concept(q, answer.alternatives, entities)
        if named is not None:
            return Resolution(Target("concept", named.id, named))
        return Resolution(alternatives=answer.alternatives[:3])
    return Resolution(on_subject(q, answer.best, text, entities, facet))


def on_subject(q: KnowledgeQuery, hit: Any, text: str, entities: Sequence[Dict[str, Any]], facet: str) -> Target:
    """For a law question, the named concept's own legal basis rather than an entry about
    something else.

    "Vilket lagrum gäller för SIP?" finds a general FAQ entry on the new social services
    act first; SIP has its own legal basis, and that is what was asked for. An entry that
    cites a law the question names ("vad säger socialtjänstlagen om …") still answers.
    """
    found = Target(hit.kind, hit.id, hit.entry)
    concept = _one_named_concept(q, entities) if facet == "lagrum" else None
    if concept is None or not concept.legal or _subjects(hit) & {concept.id, *concept.steps}:
        return found
    cited = {ref.law for ref in getattr(hit.entry, "legal", ())}
    return found if cited & q.laws_named(text) else Target("concept", concept.id, concept)


def facet_hit(q: KnowledgeQuery, hits: Sequence[Any], facet: str) -> Optional[Any]:
    """A close runner-up that answers the asked facet, when the best hit does not.

    "När ska jag ansöka …?" should get the FAQ entry that says when, not the concept
    that scores a little higher and then has to say "my sources don't say when".
    """
    if facet not in ANSWERED_FACETS or not hits or q.answers_facet(hits[0], facet):
        return None
    floor = hits[0].score - FACET_MARGIN
    return next((h for h in hits[1:] if h.score >= floor and q.answers_facet(h, facet)), None)


def subject_hit(q: KnowledgeQuery, text: str, facet: str, hits: Sequence[Any]) -> Optional[Any]:
    """The entry about the question's subject, found without the words that name the facet.

    "Vilken blankett använder läkaren?" asks for forms about the doctor's work. Searched
    whole, the FAQ entry on calling a SIP wins because it mentions "blankett"; searched
    as "använder läkaren" the entry on which läkarintyg to use wins, and it answers the
    facet. Used only when the best whole-text hit does not answer the facet.
    """
    words = FACET_WORDS.get(facet)
    if not words or not hits or q.answers_facet(hits[0], facet):
        return None
    every = re.findall(r"\w+", text)
    subject = " ".join(w for w in every if not _names_facet(w, words))
    if len(subject.split()) == len(every) or all(t.stop for t in analyse(subject)):
        return None  # no facet word to drop, or nothing but the facet was asked
    answer = q.search_answer(subject)
    if not answer.confident:
        return None
    floor = answer.hits[0].score - FACET_MARGIN
    return next((h for h in answer.hits if h.score >= floor and q.answers_facet(h, facet)), None)


def _names_facet(word: str, words: set) -> bool:
    return any(t.lemma in words or t.surface in words for t in analyse(word))


def faq_asking(q: KnowledgeQuery, hits: Sequence[Any], facet: str) -> Optional[Any]:
    """Among entries too close to choose between, the one FAQ entry that asks this very facet.

    "vem ansöker om samordning?" scores the step and the FAQ entry "Vem ansöker om
    samordning …?" alike; the entry written as that question is the answer, not a
    "Menar du …?".
    """
    if facet not in ANSWERED_FACETS:
        return None
    asking = [h for h in hits if h.kind == "faq" and q.answers_facet(h, facet)]
    if len(asking) != 1:
        return None
    # Only an entry about the same subject as the others: a general FAQ entry that
    # happens to ask "vilken lag …" is no answer to "vilken lag gäller för SIP?".
    others = set().union(*(_subjects(h) for h in hits if h is not asking[0]))
    return asking[0] if _subjects(asking[0]) & others else None


def named_concept(q: KnowledgeQuery, hits: Sequence[Any], entities: Sequence[Dict[str, Any]]) -> Optional[Any]:
    """The one concept the message names, when the close hits include parts of it.

    "Vilken lag gäller för SIP?" scores an FAQ entry about SIP and a general one about
    the social services act alike. The user named SIP, so the answer is SIP's own (its
    legal basis, or its step that answers the question) rather than a "Menar du …?".
    """
    concept = _one_named_concept(q, entities)
    if concept is None:
        return None
    parts = {concept.id, *concept.steps}
    return concept if any(_subjects(h) & parts for h in hits) else None


def _one_named_concept(q: KnowledgeQuery, entities: Sequence[Dict[str, Any]]) -> Optional[Any]:
    ids = entity_ids(q, entities, "concept") or _concepts_named_otherwise(q, entities)
    return q.concept(ids.pop()) if len(ids) == 1 else None


def _concepts_named_otherwise(q: KnowledgeQuery, entities: Sequence[Dict[str, Any]]) -> set:
    """Concepts named by a party entity: "Finsam" is a party and a concept."""
    ids = (q.entry_id("concept", str(e.get("value"))) for e in entities if e.get("entity") == "party")
    return {i for i in ids if i is not None}


def _subjects(hit: Any) -> set:
    """The steps and concepts an entry is about."""
    if hit.kind == "step":
        return {hit.id}
    if hit.kind == "concept":
        return {hit.id, *hit.entry.steps}
    return {*hit.entry.steps, *hit.entry.concepts}


def step_for_facet(q: KnowledgeQuery, target: Target, facet: str, text: str = "") -> Optional[Target]:
    """Questions about *when/who/forms/law/next* of a concept or FAQ entry are about its step.

    Of a concept's steps, the one the question's words fit best comes first: "vem skriver
    läkarintyget?" is about the step where the doctor writes it, not the concept's first
    step (the social services checking that a certificate exists).
    """
    if target.kind == "faq" and facet == "next" and target.entry.steps and q.step(target.entry.steps[0]):
        step = q.step(target.entry.steps[0])
        return Target("step", step.id, step)
    if target.kind != "concept" or facet not in STEP_FACETS:
        return target
    steps = q.concept_steps(target.id)
    if facet == "lagrum" and len(steps) > 1:
        return target  # the concept's law answer covers all its steps
    if text and len(steps) > 1:
        rank = {h.id: i for i, h in enumerate(q.search(text, k=len(steps) + 10, kinds={"step"}))}
        steps.sort(key=lambda s: rank.get(s.id, len(rank)))
    if facet in ANSWERED_FACETS:  # a step that answers the facet first
        answering = {s.id for s in q.facet_steps(target.id, facet)}
        steps.sort(key=lambda s: s.id not in answering)
    return Target("step", steps[0].id, steps[0]) if steps else target
