"""The guided walk's logic, free of Rasa: what a typed or clicked answer means at a step.

The walk is computed from the knowledge-base graph: the options at a step are its decision
answers, or its next steps and hand-overs. A new step or branch in the YAML changes the
walk with no code change.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import List, Optional, Sequence

from knowledge import KnowledgeQuery
from knowledge import model as m
from knowledge.text import fold

BACK = {"tillbaka", "bakat", "backa", "foregaende", "forra", "ga tillbaka"}
STOP = {"sluta", "avsluta", "avbryt", "stopp", "stop", "klar", "avsluta guiden", "nej tack", "nej, avsluta"}
NEXT = {"nasta", "fortsatt", "vidare", "ok", "okej", "nasta steg", "ja, fortsatt", "fortsatt guiden"}
YES = {"ja", "japp", "jo", "yes", "absolut", "garna", "ja tack", "visst"}
NO = {"nej", "na", "no", "nej det"}
FORMS = {"blankett", "blanketter", "visa blankett", "visa blanketter", "vilken blankett"}
SUMMARY = {"sammanfattning", "sammanfatta", "visa sammanfattning"}
STEP_NUMBER = re.compile(r"\bsteg\s*(?:nummer\s*|nr\.?\s*)?(\d{1,3})\b")


@dataclass(frozen=True)
class Option:
    """One way on from a step: a decision answer or a following step."""

    label: str
    step_id: str


def normalise(text: str) -> str:
    return " ".join(re.findall(r"[\wåäö]+", fold(text or "")))


def _normalised(words: set) -> set:
    return {normalise(w) for w in words}


def options(q: KnowledgeQuery, step: m.Step) -> List[Option]:
    """The decision's answers, else next steps then hand-overs, as they stand in the YAML."""
    if step.decision:
        return [Option(a.answer, a.next) for a in step.decision.answers if q.step(a.next)]
    return [Option(step_label(q, s), s.id) for s in q.next_steps(step.id)]


def step_label(q: KnowledgeQuery, step: m.Step) -> str:
    party = q.party(step.party)
    short = party.short if party else step.party
    return f"{short[:1].upper()}{short[1:]}, steg {step.number}: {step.title}"


def choose_option(text: str, opts: Sequence[Option]) -> Optional[Option]:
    """A typed answer to the options: a number, the answer's words, ja/nej, or "nästa" when only one."""
    said = normalise(text)
    if not said or not opts:
        return None
    if said.isdigit() and 1 <= int(said) <= len(opts):
        return opts[int(said) - 1]
    for opt in opts:
        label = normalise(opt.label)
        if said == label or (len(said) > 2 and label.startswith(said)):
            return opt
    for words, prefix in ((YES, "ja"), (NO, "nej")):
        if said in _normalised(words):
            return next((o for o in opts if normalise(o.label).startswith(prefix)), None)
    if said in _normalised(NEXT) and len(opts) == 1:
        return opts[0]
    return None


def command(text: str) -> Optional[str]:
    """back / stop / forms / summary / next, when the text is only that."""
    said = normalise(text)
    for name, words in (("back", BACK), ("stop", STOP), ("forms", FORMS), ("summary", SUMMARY), ("next", NEXT)):
        if said in _normalised(words):
            return name
    return None


def find_party(q: KnowledgeQuery, text: str, entities: Sequence[dict]) -> Optional[m.Party]:
    """The party the user works for: an entity, a button number 1–6, or a name or alias."""
    ids = [e.get("value") for e in entities if e.get("entity") == "party"]
    if len(set(ids)) == 1 and q.party(str(ids[0])):
        return q.party(str(ids[0]))
    parties = q.kb.parties_in_order()
    said = normalise(text)
    if said.isdigit() and 1 <= int(said) <= len(parties):
        return parties[int(said) - 1]
    for party in parties:
        names = [party.id, party.name, party.short, *party.aliases]
        if any(normalise(n) and re.search(rf"\b{re.escape(normalise(n))}\b", said) for n in names):
            return party
    return None


GUIDE_WORDS = set(
    """guida guide guiden mig hjalp hjalpa steg for vad ska jag gora nu genom igenom processen process ta kan du
    visa starta borja oss vi med en ett till om i och da hur gar man arbetar jobbar pa som""".split()
)


def has_situation(text: str, party: Optional[m.Party] = None) -> bool:
    """Whether a start message says more than "guide me (I work at X)": a step number or a situation."""
    said = normalise(text)
    ignore = set(GUIDE_WORDS)
    if party:
        for name in (party.id, party.name, party.short, *party.aliases):
            ignore.update(normalise(name).split())
    return bool(STEP_NUMBER.search(said)) or any(w not in ignore and len(w) > 2 for w in said.split())


def find_position(q: KnowledgeQuery, text: str, party_id: Optional[str]) -> Optional[m.Step]:
    """Where the individual stands: "steg 7" in the user's party, or the step a situation describes."""
    match = STEP_NUMBER.search(normalise(text))
    if match and party_id:
        number = int(match.group(1))
        return next((s for s in q.party_steps(party_id) if s.number == number), None)
    answer = q.search_answer(text, kinds={"step"})
    if not answer.confident:
        return None
    own = [h for h in answer.hits if h.entry.party == party_id and answer.hits[0].score - h.score < 0.15]
    return (own[0] if own else answer.hits[0]).entry


def concept_for(q: KnowledgeQuery, step: m.Step) -> Optional[m.Concept]:
    """The first concept that names this step, for the "Vad betyder …?" button."""
    return next((c for c in q.kb.concepts.values() if step.id in c.steps), None)


def summary_lines(q: KnowledgeQuery, history: Sequence[str]) -> List[str]:
    """The walked steps and the forms they need, as plain text without personal data."""
    steps = [q.step(s) for s in history if q.step(s)]
    lines = ["Sammanfattning av guiden:"]
    lines += [f"{i}. {step_label(q, s)}" for i, s in enumerate(steps, 1)]
    forms: List[str] = []
    for step in steps:
        for form in (q.form(f) for f in step.forms):
            if form and form.name not in forms:
                forms.append(form.name + (f" ({form.number})" if form.number else ""))
        forms.extend(d for d in step.documents if d not in forms)
    lines.append("Blanketter och dokument: " + ("; ".join(forms) if forms else "inga som källorna nämner") + ".")
    return lines
