"""Writes the NLU synonyms and lookup tables that the knowledge base implies.

A term added to the knowledge base is then known by the bot after retraining, without
anyone editing the NLU files by hand. The output is generated and ignored by git.
"""
from __future__ import annotations

from pathlib import Path
from typing import Dict, Iterable, List, Sequence, Tuple

HEADER = (
    "# GENERERAD FIL: ändra inte för hand.\n"
    "# Skapas av `python -m bot.build` från knowledge/base/ (synonymer och uppslagslistor).\n"
)


def _block(kind: str, name: str, examples: Iterable[str]) -> List[str]:
    lines = [f"- {kind}: {name}", "  examples: |"]
    lines.extend(f"    - {example}" for example in examples)
    return lines


def _clean(values: Iterable[str]) -> List[str]:
    """Lower-cased, de-duplicated, one-line values (SpacyNLP lowercases the text it sees)."""
    seen: Dict[str, None] = {}
    for value in values:
        text = " ".join(str(value).split()).lower()
        if text:
            seen.setdefault(text, None)
    return list(seen)


def render_nlu(lookups: Dict[str, Sequence[Tuple[str, Sequence[str]]]]) -> str:
    """Rasa NLU YAML: a synonym block per knowledge-base id and a lookup table per entity."""
    lines = [HEADER.rstrip("\n"), 'version: "3.1"', "nlu:"]
    for entity in sorted(lookups):
        surface_forms: List[str] = []
        for value, synonyms in lookups[entity]:
            variants = [s for s in _clean(synonyms) if s != value.lower()]
            if variants:
                lines.extend(_block("synonym", value, variants))
            surface_forms.extend(_clean([*synonyms]))
        if surface_forms:
            lines.extend(_block("lookup", entity, _clean(surface_forms)))
    return "\n".join(lines) + "\n"


def write_generated_nlu(kb: object, target: Path) -> bool:
    """Regenerate the file; returns True when its content changed."""
    import knowledge

    text = render_nlu(knowledge.nlu_lookups(kb))
    if target.exists() and target.read_text("utf-8") == text:
        return False
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, "utf-8")
    return True
