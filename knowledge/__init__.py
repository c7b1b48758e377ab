"""The knowledge base for the SGI-0 process: load, check, search, draw.

Knows nothing of Rasa; the bot's actions use `load` and `KnowledgeQuery`.
"""
from .check import Problem, Report, check, load
from .entities import entity_patterns, nlu_lookups
from .errors import Errors, KnowledgeBaseError
from .model import (
    Concept, Decision, DecisionAnswer, FaqEntry, Form, KnowledgeBase, Law, LawRef, Loc,
    Party, Phase, QuickGuide, QuickGuideItem, Source, Step, Synonym,
)
from .query import Answer, Facet, Hit, KnowledgeQuery, LegalItem
from .search import SearchIndex, build_index

DEFAULT_BASE = "knowledge/base"


def render_svg(kb: KnowledgeBase, highlight: str | None = None) -> str:
    """Lazy wrapper: graphviz is only imported when a picture is drawn."""
    from .render import render_svg as _render

    return _render(kb, highlight)


__all__ = [
    "Answer", "Concept", "Decision", "DecisionAnswer", "Errors", "Facet", "FaqEntry", "Form",
    "Hit", "KnowledgeBase", "KnowledgeBaseError", "KnowledgeQuery", "Law", "LawRef",
    "LegalItem", "Loc", "Party", "Phase", "Problem", "QuickGuide", "QuickGuideItem",
    "Report", "SearchIndex", "Source", "Step", "Synonym", "build_index", "check",
    "entity_patterns", "load", "nlu_lookups", "render_svg", "DEFAULT_BASE",
]
