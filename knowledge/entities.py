"""Exports for the bot's build: EntityRuler patterns and NLU lookup tables.

The knowledge base is the single place where names and aliases live; the
bot's NLU data is generated from it so the two never disagree.
"""
from __future__ import annotations

from . import model as m
from .text import fold

# Labels are the bot's entity names, so the entity ruler's output needs no mapping.
LABELS = {"party": "party", "concept": "concept", "form": "form", "step": "step"}


def _names(kb: m.KnowledgeBase) -> dict[str, list[tuple[str, list[str]]]]:
    """entity -> [(kb id, [names users may type])] — the shared source of both exports.

    A spelling belongs to one entry only (parties, then concepts, forms, steps), so that
    the entity ruler and Rasa's synonyms never disagree about what a word means.
    """
    raw = {
        "party": [(p.id, [p.name, p.short, *p.aliases]) for p in kb.parties_in_order()],
        "concept": [(c.id, [c.term, *([c.full] if c.full else []), *c.aliases])
                    for c in kb.concepts.values()],
        "form": [(f.id, [f.name, *([f.number] if f.number else []), *f.aliases])
                 for f in kb.forms.values()],
        "step": [(s.id, [s.title, *s.keywords]) for s in kb.steps.values()],
    }
    taken: set[str] = set()
    out: dict[str, list[tuple[str, list[str]]]] = {}
    for entity, entries in raw.items():
        rows = []
        for entry_id, names in entries:
            own = [n for n in names if n.strip() and fold(n.lower()) not in taken]
            taken.update(fold(n.lower()) for n in own)
            rows.append((entry_id, own))
        out[entity] = rows
    return out


def entity_patterns(kb: m.KnowledgeBase) -> list[dict]:
    """spaCy EntityRuler patterns; `id` is the kb id.

    Each name is given as written, in lower case and without å/ä/ö, because
    string patterns match exact token text.
    """
    patterns, seen = [], set()
    for entity, entries in _names(kb).items():
        label = LABELS[entity]
        for entry_id, names in entries:
            for name in names:
                for variant in (name, name.lower(), fold(name)):
                    key = (label, variant, entry_id)
                    if variant.strip() and key not in seen:
                        seen.add(key)
                        patterns.append({"label": label, "pattern": variant, "id": entry_id})
    return patterns


def nlu_lookups(kb: m.KnowledgeBase) -> dict[str, list[tuple[str, list[str]]]]:
    """entity -> [(value, synonyms)] for Rasa synonyms and lookup tables.

    The value is the kb id, so a filled slot can be passed straight to
    KnowledgeQuery; synonyms include lower-case and folded spellings.
    """
    out: dict[str, list[tuple[str, list[str]]]] = {}
    for entity, entries in _names(kb).items():
        rows = []
        for entry_id, names in entries:
            variants: list[str] = []
            for name in names:
                for variant in (name, name.lower(), fold(name)):
                    if variant.strip() and variant not in variants and variant != entry_id:
                        variants.append(variant)
            rows.append((entry_id, variants))
        out[entity] = rows
    return out
