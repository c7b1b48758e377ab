"""Measure search quality and speed against a labelled question set.

The labelled set is the contract between editors and the search: when an
editor adds an alias or a FAQ variant, top-1/top-3 should move, and the
latency numbers show whether the index still fits the bot's turn budget.
"""
from __future__ import annotations

import dataclasses
import random
import statistics
import time
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from . import model as m
from .query import KnowledgeQuery
from .search import SearchIndex


@dataclass(frozen=True)
class Miss:
    question: str
    expected: tuple[str, ...]
    got: tuple[str, ...]


@dataclass
class EvalResult:
    total: int
    top1: float
    top3: float
    misses: list[Miss] = field(default_factory=list)
    p50_ms: float = 0.0
    p95_ms: float = 0.0
    scaling: list[tuple[int, float, float]] = field(default_factory=list)  # (entries, p50, p95)


def read_questions(path: str | Path) -> list[tuple[str, tuple[str, ...]]]:
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or []
    out = []
    for item in data:
        expect = item["expect"]
        out.append((item["q"], tuple(expect) if isinstance(expect, list) else (expect,)))
    return out


def _latencies(search, questions: list[str], repeat: int = 3) -> list[float]:
    times = []
    for _ in range(repeat):
        for question in questions:
            start = time.perf_counter()
            search(question)
            times.append((time.perf_counter() - start) * 1000)
    return times


def _percentiles(times: list[float]) -> tuple[float, float]:
    ordered = sorted(times)
    p95 = ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]
    return statistics.median(ordered), p95


def evaluate(query: KnowledgeQuery, questions: list[tuple[str, tuple[str, ...]]],
             scale: tuple[int, ...] = (10, 100)) -> EvalResult:
    top1 = top3 = 0
    misses = []
    for question, expected in questions:
        got = tuple(f"{h.kind}:{h.id}" for h in query.search(question, k=3))
        top1 += bool(got[:1]) and got[0] in expected
        top3 += any(g in expected for g in got)
        if not got[:1] or got[0] not in expected:
            misses.append(Miss(question, expected, got))
    n = max(len(questions), 1)
    texts = [q for q, _ in questions]
    p50, p95 = _percentiles(_latencies(query.search, texts))
    result = EvalResult(len(questions), top1 / n, top3 / n, misses, p50, p95)
    for factor in scale:
        big = synthetic_kb(query.kb, factor)
        index = SearchIndex(big)
        s50, s95 = _percentiles(_latencies(lambda q: index.search(q, k=5), texts, repeat=1))
        result.scaling.append((len(index.docs), s50, s95))
    return result


def synthetic_kb(kb: m.KnowledgeBase, factor: int, seed: int = 7) -> m.KnowledgeBase:
    """A base `factor` times larger: copies of steps/concepts/FAQ with words
    borrowed from other entries, so the vocabulary and posting lists grow too."""
    rng = random.Random(seed)
    words = " ".join(s.what for s in kb.steps.values()).split() or ["ord"]
    def vary(text: str) -> str:
        extra = " ".join(rng.choice(words) for _ in range(6))
        return f"{text} {extra} syntord{rng.randrange(10 * factor * 100)}"
    steps = dict(kb.steps)
    concepts = dict(kb.concepts)
    faq = dict(kb.faq)
    for copy in range(1, factor):
        for step in kb.steps.values():
            new_id = f"{step.id}-x{copy}"
            steps[new_id] = dataclasses.replace(step, id=new_id, title=vary(step.title), what=vary(step.what))
        for concept in kb.concepts.values():
            new_id = f"{concept.id}-x{copy}"
            concepts[new_id] = dataclasses.replace(concept, id=new_id, definition=vary(concept.definition))
        for entry in kb.faq.values():
            new_id = f"{entry.id}-x{copy}"
            faq[new_id] = dataclasses.replace(entry, id=new_id, question=vary(entry.question))
    return dataclasses.replace(kb, steps=steps, concepts=concepts, faq=faq)


def format_result(result: EvalResult) -> str:
    lines = [
        f"Frågor: {result.total}",
        f"Träff först (top-1): {result.top1:.1%}",
        f"Träff bland tre första (top-3): {result.top3:.1%}",
        f"Svarstid: p50 {result.p50_ms:.2f} ms, p95 {result.p95_ms:.2f} ms",
    ]
    for entries, p50, p95 in result.scaling:
        lines.append(f"  syntetisk bas med {entries} poster: p50 {p50:.2f} ms, p95 {p95:.2f} ms")
    if result.misses:
        lines.append(f"Missar ({len(result.misses)}):")
        for miss in result.misses:
            got = ", ".join(miss.got) or "inget svar"
            lines.append(f'  "{miss.question}" väntat {" eller ".join(miss.expected)}, fick {got}')
    return "\n".join(lines)
