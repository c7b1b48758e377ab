"""Turns knowledge-base entries into short Swedish replies with their sources.

Facts come from `knowledge`; the wording lives here and only here. Every reply ends with a
"Källa:" line, and a missing detail is said to be missing instead of being filled in.
"""
from __future__ import annotations

import json
from typing import Any, Dict, Iterable, List, Optional, Sequence

from knowledge import KnowledgeQuery
from knowledge import model as m

MAX_SOURCES = 3

FACET_INTENTS = {
    "nar": "ask_when", "vem": "ask_who", "hur": "ask_how",
    "blanketter": "ask_form", "lagrum": "ask_law", "next": "ask_next",
}
BUTTON_TITLES = {
    "next": "Nästa steg", "blanketter": "Vilken blankett?", "vem": "Vem gör det?",
    "lagrum": "Lagrum", "nar": "När?", "hur": "Hur går det till?",
}


def payload(intent: str, kind: str, entry_id: str) -> str:
    """A button payload that asks `intent` about one entry, whatever the user typed before."""
    return f"/{intent}" + json.dumps({"topic": f"{kind}:{entry_id}"}, ensure_ascii=False)


def button(title: str, intent: str, kind: str, entry_id: str) -> Dict[str, str]:
    return {"title": title, "payload": payload(intent, kind, entry_id)}


def sources_line(q: KnowledgeQuery, entries: Iterable[Any]) -> str:
    """`Källa: titel (länk); titel` for the first few distinct sources of the entries."""
    seen: Dict[str, m.Source] = {}
    for entry in entries:
        for source in q.sources_of(entry):
            seen.setdefault(source.id, source)
    parts = []
    for source in list(seen.values())[:MAX_SOURCES]:
        where = source.url or (f"dokumentet {source.file}" if source.file else "")
        parts.append(f"{source.title} ({where})" if where else source.title)
    return "Källa: " + "; ".join(parts) if parts else "Källa: saknas i kunskapsbasen."


def step_heading(q: KnowledgeQuery, step: m.Step) -> str:
    party = q.party(step.party)
    name = party.name if party else step.party
    ruta = f" (ruta {step.ruta} i 2019 års processkarta)" if step.ruta else ""
    return f"**{name}, steg {step.number}: {step.title}**{ruta}"


def contact_hint(q: KnowledgeQuery, step: m.Step) -> str:
    party = q.party(step.party)
    role = party.contact_role if party else "din samordnare på Samordningsförbundet Stockholms stad"
    return f"Fråga {role}."


def law_label(q: KnowledgeQuery, ref: m.LawRef) -> str:
    item = q.legal_item(ref)
    if item.law is None:
        return item.label
    name = f"{item.law.name} ({item.law.sfs})"
    text = f"{ref.ref} {name}" if ref.ref else name
    return f"[{text}]({item.law.url})"


def facet_text(q: KnowledgeQuery, step: m.Step, facet: str) -> List[str]:
    """The sentences that answer one facet of a step, honest about what is missing."""
    if facet == "nar":
        lines = [step.when] if step.when else ["Mina källor säger inte exakt när det här steget görs."]
        if step.time:
            lines.append(f"Tidsangivelse: {step.time}.")
        elif step.when:
            lines.append("Källorna anger ingen tidsgräns.")
        return lines
    if facet == "vem":
        return [step.who]
    if facet == "blanketter":
        return forms_text(q, step)
    if facet == "lagrum":
        if not step.legal:
            return ["Mina källor anger inget lagrum för just det här steget. " + contact_hint(q, step)]
        return ["Lagrum: " + "; ".join(law_label(q, ref) for ref in step.legal) + "."]
    lines = [step.what]
    if step.tips:
        lines.append(f"Tips: {step.tips[0]}")
    return lines


def forms_text(q: KnowledgeQuery, step: m.Step) -> List[str]:
    forms = [q.form(f) for f in step.forms if q.form(f)]
    lines = []
    for form in forms:
        number = f" ({form.number})" if form.number else ""
        lines.append(f"- {form.name}{number}: {form.description}")
    lines.extend(f"- {doc}" for doc in step.documents)
    if not lines:
        return ["Mina källor nämner ingen särskild blankett för det här steget. " + contact_hint(q, step)]
    return ["Blanketter och dokument:", *lines]


def step_reply(q: KnowledgeQuery, step: m.Step, facet: str) -> str:
    entries: List[Any] = [step, *[q.form(f) for f in step.forms if facet == "blanketter" and q.form(f)]]
    body = "\n".join(facet_text(q, step, facet))
    return f"{step_heading(q, step)}\n{body}\n{sources_line(q, entries)}"


def step_buttons(step: m.Step, answered: str) -> List[Dict[str, str]]:
    """The natural next questions about a step, without the one just answered."""
    order = ["next", "blanketter", "vem", "lagrum"] if answered != "vem" else ["next", "blanketter", "nar", "lagrum"]
    return [
        button(BUTTON_TITLES[f], FACET_INTENTS[f], "step", step.id) for f in order if f != answered
    ][:4]


def next_reply(q: KnowledgeQuery, step: m.Step) -> tuple[str, List[Dict[str, str]]]:
    """What follows a step: the decision with its answers, or the next steps, or the end."""
    head = step_heading(q, step)
    decision = step.decision
    if decision:
        buttons = [button(a.answer, "ask_how", "step", a.next) for a in decision.answers]
        text = f"{head}\nNästa steg beror på ett beslut: {decision.question}"
        return f"{text}\n{sources_line(q, [step])}", buttons
    following = q.next_steps(step.id)
    if not following:
        return f"{head}\nDet här är ett slutsteg i processen.\n{sources_line(q, [step])}", []
    names = [f"- {short_step(q, s)}" for s in following]
    text = "\n".join([head, "Efter det här steget kommer:", *names, sources_line(q, [step])])
    return text, [button(short_step(q, s), "ask_how", "step", s.id) for s in following[:4]]


def short_step(q: KnowledgeQuery, step: m.Step) -> str:
    party = q.party(step.party)
    return f"{party.short.capitalize() if party else step.party}, steg {step.number}: {step.title}"


def concept_reply(q: KnowledgeQuery, concept: m.Concept) -> tuple[str, List[Dict[str, str]]]:
    full = f" ({concept.full})" if concept.full else ""
    lines = [f"**{concept.term}**{full}: {concept.definition}"]
    if concept.legal:
        lines.append("Lagrum: " + "; ".join(law_label(q, ref) for ref in concept.legal) + ".")
    lines.append(sources_line(q, [concept]))
    buttons = [button(f"Vad är {c.term}?", "ask_definition", "concept", c.id)
               for c in (q.concept(r) for r in concept.related) if c][:2]
    buttons += [button(short_step(q, s), "ask_how", "step", s.id) for s in q.concept_steps(concept.id)[:2]]
    return "\n".join(lines), buttons


def concept_law_reply(q: KnowledgeQuery, concept: m.Concept) -> tuple[str, List[Dict[str, str]]]:
    """Only the legal basis of a concept, for "vilket lagrum?" right after its definition."""
    if concept.legal:
        law = "Lagrum för " + concept.term + ": " + "; ".join(law_label(q, ref) for ref in concept.legal) + "."
    else:
        law = f"Mina källor anger inget lagrum för {concept.term}."
    # Each step of the concept may rest on its own paragraph; a button asks for it.
    buttons = [button(short_step(q, s), "ask_law", "step", s.id) for s in q.concept_steps(concept.id)[:2]]
    return f"{law}\n{sources_line(q, [concept])}", buttons


def faq_reply(q: KnowledgeQuery, faq: m.FaqEntry) -> tuple[str, List[Dict[str, str]]]:
    lines = [f"**{faq.question}**", faq.answer]
    if faq.legal:
        lines.append("Lagrum: " + "; ".join(law_label(q, ref) for ref in faq.legal) + ".")
    lines.append(sources_line(q, [faq]))
    steps = [q.step(s) for s in faq.steps if q.step(s)]
    buttons = [button(short_step(q, s), "ask_how", "step", s.id) for s in steps[:3]]
    return "\n".join(lines), buttons


def roles_reply(q: KnowledgeQuery, party: Optional[m.Party]) -> tuple[str, List[Dict[str, str]]]:
    """One party's role and first steps, or all six parties in a line each."""
    if party:
        steps = q.party_steps(party.id)
        lines = [f"**{party.name}**: {party.role}"]
        if steps:
            lines.append("Stegen i kunskapsbasen: " + ", ".join(f"{s.number}. {s.title}" for s in steps[:8]) + ".")
        lines.append(sources_line(q, [party]))
        return "\n".join(lines), [button(short_step(q, s), "ask_how", "step", s.id) for s in q.start_steps(party.id)[:3]]
    parties = q.kb.parties_in_order()
    lines = ["Sex parter arbetar tillsammans i Stockholmsmodellen:"]
    lines += [f"- **{p.name}**: {first_sentence(p.role)}" for p in parties]
    lines.append(sources_line(q, parties))
    return "\n".join(lines), []


def first_sentence(text: str) -> str:
    head, dot, _ = text.partition(". ")
    return head + "." if dot else text


def alternatives_reply(q: KnowledgeQuery, intent: str, hits: Sequence[Any]) -> tuple[str, List[Dict[str, str]]]:
    buttons = [button(hit_title(q, h.kind, h.entry), intent, h.kind, h.id) for h in hits[:3]]
    return "Menar du något av det här?", buttons


def hit_title(q: KnowledgeQuery, kind: str, entry: Any) -> str:
    if kind == "step":
        return short_step(q, entry)
    if kind == "concept":
        return f"Vad är {entry.term}?"
    return entry.question


NO_ANSWER = (
    "Det hittar jag inget säkert svar på i mina källor, så jag vill inte gissa. "
    "Fråga gärna din samordnare på Samordningsförbundet Stockholms stad, eller välj ett område jag kan:"
)
