"""The action server's single, lazily loaded view of the knowledge base.

Loading and indexing happen once per process, on first use, never per message and never
at import time (importing the actions must stay cheap for rasa-sdk's discovery).
"""
from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

import knowledge

BASE_ENV = "BOT_KNOWLEDGE_BASE"
DEFAULT_BASE = Path(__file__).resolve().parent.parent / "knowledge" / "base"


@lru_cache(maxsize=1)
def get_query() -> "knowledge.KnowledgeQuery":
    """The query API over the configured base (BOT_KNOWLEDGE_BASE points tests at a fixture)."""
    base = Path(os.environ.get(BASE_ENV, DEFAULT_BASE))
    return knowledge.KnowledgeQuery(knowledge.load(base))
