"""The guide through the running bot (REST), over the real knowledge base.

Walks every party's main path to an end state, takes both ways at every decision, goes
back, and resumes after a side question: what a handläggare does, turn by turn.
"""
from __future__ import annotations

import itertools
from typing import Any, Dict, List, Optional

import pytest

import knowledge
from actions import guide_state as gs
from bot import paths
from bot.run import Stack
from tests.server_stack import say

pytestmark = pytest.mark.server
_ids = itertools.count()


@pytest.fixture(scope="module")
def q() -> knowledge.KnowledgeQuery:
    return knowledge.KnowledgeQuery(knowledge.load(paths.KNOWLEDGE_BASE))


def shown_step(replies: List[Dict[str, Any]]) -> Optional[str]:
    steps = [r["custom"]["kb_step"] for r in replies if isinstance(r.get("custom"), dict) and "kb_step" in r["custom"]]
    return steps[-1] if steps else None


def start_at(stack: Stack, q: knowledge.KnowledgeQuery, step_id: str) -> str:
    step = q.step(step_id)
    sender = f"guide-{next(_ids)}"
    say(stack, sender, "guida mig")
    say(stack, sender, q.party(step.party).name)
    replies = say(stack, sender, f"steg {step.number}")
    assert shown_step(replies) == step_id, [r.get("text") for r in replies]
    return sender


def test_every_party_main_path_reaches_an_end(stack: Stack, q: knowledge.KnowledgeQuery) -> None:
    for party in q.kb.parties_in_order():
        start = q.start_steps(party.id)[0]
        sender = start_at(stack, q, start.id)
        current, seen = start, {start.id}
        while not current.is_end and len(seen) <= len(q.kb.steps):
            options = [o for o in gs.options(q, current) if o.step_id not in seen] or gs.options(q, current)
            replies = say(stack, sender, "1" if current.decision else options[0].step_id)
            current = q.step(shown_step(replies) or "")
            assert current is not None, f"{party.id}: the walk lost its step"
            seen.add(current.id)
        replies = say(stack, sender, "avsluta")
        assert "Sammanfattning av guiden:" in replies[0]["text"], party.id


def test_every_decision_branches_every_way(stack: Stack, q: knowledge.KnowledgeQuery) -> None:
    decisions = [s for s in q.kb.steps.values() if s.decision]
    assert decisions
    for step in decisions:
        for answer in step.decision.answers:
            sender = start_at(stack, q, step.id)
            replies = say(stack, sender, answer.answer)
            assert shown_step(replies) == answer.next, (step.id, answer.answer)


def test_back_and_resume_after_a_side_question(stack: Stack, q: knowledge.KnowledgeQuery) -> None:
    start = q.start_steps("fk")[0]
    sender = start_at(stack, q, start.id)
    second = say(stack, sender, "nästa")
    assert shown_step(second) == q.next_steps(start.id)[0].id
    assert shown_step(say(stack, sender, "tillbaka")) == start.id
    side = say(stack, sender, "vad betyder SGI?")
    texts = [r.get("text") or "" for r in side]
    assert texts[0].startswith("**SGI**")
    assert texts[-1].startswith("Vill du fortsätta med Försäkringskassan, steg 1")
    assert shown_step(say(stack, sender, "ja")) == start.id
