"""The guide's Swedish texts and buttons: one step per turn, the decision as buttons."""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Tuple

from actions import guide_state as gs
from actions import replies
from knowledge import KnowledgeQuery
from knowledge import model as m

Reply = Tuple[str, List[Dict[str, str]]]


def _b(title: str, payload: Optional[str] = None) -> Dict[str, str]:
    return {"title": title, "payload": payload or title}


def party_prompt(q: KnowledgeQuery) -> Reply:
    text = "Vi går igenom processen steg för steg. Vilken part arbetar du för?"
    return text, [_b(p.name, p.name) for p in q.kb.parties_in_order()]


def position_prompt(q: KnowledgeQuery, party: Optional[m.Party]) -> Reply:
    name = party.name if party else "din part"
    text = (
        f"Var står personen i processen hos {name}? Välj \"Nytt ärende\" för att börja från början, "
        "skriv ett stegnummer (till exempel \"steg 3\") eller skriv vad som har hänt "
        "(till exempel \"vi har haft SIP-möte\")."
    )
    starts = q.start_steps(party.id) if party else []
    buttons = [_b("Nytt ärende", "nytt ärende")] if starts else []
    buttons += [_b(gs.step_label(q, s), s.id) for s in starts[1:3]]
    return text, buttons + [_b("Avsluta guiden", "avsluta")]


def step_card(q: KnowledgeQuery, step: m.Step) -> Reply:
    """What to do, who, when, forms and law, then the ways on as buttons."""
    lines = [replies.step_heading(q, step), step.what, f"Vem: {step.who}"]
    when = " ".join(filter(None, [step.when, f"Tid: {step.time}." if step.time else None]))
    if when:
        lines.append(f"När: {when}")
    forms = [f for f in (q.form(i) for i in step.forms) if f]
    if forms or step.documents:
        lines.append("Blanketter och dokument: " + "; ".join([f.name for f in forms] + list(step.documents)) + ".")
    if step.legal:
        lines.append("Lagrum: " + "; ".join(replies.law_label(q, r) for r in step.legal) + ".")
    if step.tips:
        lines.append(f"Tips: {step.tips[0]}")
    options = gs.options(q, step)
    if step.decision:
        lines.append(f"**{step.decision.question}**")
    elif step.is_end:
        lines.append("Det här är ett slutsteg. Skriv \"avsluta\" för att få en sammanfattning.")
    lines.append(replies.sources_line(q, [step, *forms]))
    return "\n".join(lines), _step_buttons(q, step, options)


def _step_buttons(q: KnowledgeQuery, step: m.Step, options: List[gs.Option]) -> List[Dict[str, str]]:
    if step.decision:
        buttons = [_b(o.label, o.label) for o in options]
    elif len(options) == 1:
        buttons = [_b("Nästa", "nästa")]
    else:
        buttons = [_b(o.label, o.step_id) for o in options[:3]]
    buttons.append(_b("Tillbaka", "tillbaka"))
    if step.forms or step.documents:
        buttons.append(_b("Visa blankett", "visa blankett"))
    concept = gs.concept_for(q, step)
    if concept:
        buttons.append(_b(f"Vad betyder {concept.term}?", f"vad betyder {concept.term}?"))
    buttons.append(_b("Avsluta guiden", "avsluta"))
    return buttons


def resume_prompt(q: KnowledgeQuery, step: m.Step) -> Reply:
    return f"Vill du fortsätta med {gs.step_label(q, step)}?", [_b("Ja, fortsätt", "ja"), _b("Avsluta guiden", "avsluta")]


def quickguide_reply(q: KnowledgeQuery) -> Reply:
    guide = q.quickguide()
    if guide is None:
        return "Det finns ingen snabbguide i kunskapsbasen ännu.", []
    lines = [f"**{guide.title}**", guide.intro]
    lines += [f"{i}. {item.text}" for i, item in enumerate(guide.items, 1)]
    lines.append(replies.sources_line(q, [guide]))
    return "\n".join(lines), []
