"""Over the real knowledge base: the guide can take every edge and every walk ends."""
from __future__ import annotations

from pathlib import Path
from typing import List

import pytest

import knowledge
from actions import guide_state as gs

REAL_KB = Path(__file__).resolve().parents[2] / "knowledge" / "base"


@pytest.fixture(scope="module")
def q() -> knowledge.KnowledgeQuery:
    return knowledge.KnowledgeQuery(knowledge.load(REAL_KB))


def test_every_edge_can_be_taken_by_a_typed_answer_or_a_button(q) -> None:
    for step in q.kb.steps.values():
        opts = gs.options(q, step)
        assert {o.step_id for o in opts} == set(step.successors), step.id
        for number, opt in enumerate(opts, 1):
            assert gs.choose_option(str(number), opts) == opt
            if step.decision:
                assert gs.choose_option(opt.label, opts) == opt, (step.id, opt.label)


def test_every_path_from_every_start_reaches_an_end_within_a_bound(q) -> None:
    bound = len(q.kb.steps)
    for start in q.start_steps():
        stack: List[tuple] = [(start.id, (start.id,))]
        while stack:
            step_id, path = stack.pop()
            step = q.step(step_id)
            assert len(path) <= bound, f"path from {start.id} longer than {bound}"
            opts = [o.step_id for o in gs.options(q, step) if o.step_id not in path]
            if not opts:
                assert step.is_end or any(o.step_id in path for o in gs.options(q, step)), step_id
                continue
            stack.extend((nxt, path + (nxt,)) for nxt in opts)
