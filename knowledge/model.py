"""Frozen value objects for the knowledge base.

Entries are immutable so the bot, the index and the renderer can share one
loaded base without defensive copies. Every entry keeps where it was written
(`loc`, and `lines` per field) so later checks can point editors to a line.
"""
from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping, Optional, Union


@dataclass(frozen=True)
class Loc:
    file: str
    line: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}"


NO_LOC = Loc("<okänd>", 0)


def _loc_field() -> Loc:
    return field(default=NO_LOC, compare=False, repr=False)


def _lines_field() -> Mapping[str, int]:
    return field(default_factory=dict, compare=False, repr=False)


@dataclass(frozen=True)
class Source:
    id: str
    title: str
    kind: str
    file: Optional[str] = None
    url: Optional[str] = None
    publisher: Optional[str] = None
    date: Optional[str] = None
    reviewed: Optional[dt.date] = None
    loc: Loc = _loc_field()
    lines: Mapping[str, int] = _lines_field()


@dataclass(frozen=True)
class Law:
    id: str
    name: str
    sfs: str
    url: str
    short: Optional[str] = None
    note: Optional[str] = None
    source: tuple[str, ...] = ()
    reviewed: Optional[dt.date] = None
    loc: Loc = _loc_field()
    lines: Mapping[str, int] = _lines_field()


@dataclass(frozen=True)
class LawRef:
    law: str
    ref: Optional[str] = None

    def label(self, laws: Mapping[str, Law]) -> str:
        """Human text like "30 kap. 10 § SFB"; falls back to the law name."""
        law = laws.get(self.law)
        name = (law.short or law.name) if law else self.law
        return f"{self.ref} {name}" if self.ref else name


@dataclass(frozen=True)
class Party:
    id: str
    name: str
    short: str
    order: int
    aliases: tuple[str, ...]
    role: str
    contact_role: str
    units: tuple[str, ...] = ()
    source: tuple[str, ...] = ()
    reviewed: Optional[dt.date] = None
    loc: Loc = _loc_field()
    lines: Mapping[str, int] = _lines_field()


@dataclass(frozen=True)
class Phase:
    id: str
    order: int
    name: str
    description: str
    official: bool = False
    source: tuple[str, ...] = ()
    reviewed: Optional[dt.date] = None
    loc: Loc = _loc_field()
    lines: Mapping[str, int] = _lines_field()


@dataclass(frozen=True)
class Form:
    id: str
    name: str
    issuer: str
    description: str
    number: Optional[str] = None
    url: Optional[str] = None
    aliases: tuple[str, ...] = ()
    source: tuple[str, ...] = ()
    reviewed: Optional[dt.date] = None
    loc: Loc = _loc_field()
    lines: Mapping[str, int] = _lines_field()


@dataclass(frozen=True)
class DecisionAnswer:
    answer: str
    next: str


@dataclass(frozen=True)
class Decision:
    question: str
    answers: tuple[DecisionAnswer, ...]


@dataclass(frozen=True)
class Step:
    id: str
    party: str
    number: int
    title: str
    shape: str
    phase: str
    what: str
    who: str
    ruta: Optional[int] = None
    when: Optional[str] = None
    time: Optional[str] = None
    forms: tuple[str, ...] = ()
    documents: tuple[str, ...] = ()
    legal: tuple[LawRef, ...] = ()
    tips: tuple[str, ...] = ()
    next: tuple[str, ...] = ()
    decision: Optional[Decision] = None
    handover: tuple[str, ...] = ()
    end: bool = False
    keywords: tuple[str, ...] = ()
    source: tuple[str, ...] = ()
    reviewed: Optional[dt.date] = None
    loc: Loc = _loc_field()
    lines: Mapping[str, int] = _lines_field()

    @property
    def is_end(self) -> bool:
        return self.end or self.shape == "stopp"

    @property
    def successors(self) -> tuple[str, ...]:
        """All outgoing step ids: next, decision answers, then hand-overs."""
        answers = tuple(a.next for a in self.decision.answers) if self.decision else ()
        return self.next + answers + self.handover


@dataclass(frozen=True)
class Concept:
    id: str
    term: str
    aliases: tuple[str, ...]
    definition: str
    full: Optional[str] = None
    legal: tuple[LawRef, ...] = ()
    related: tuple[str, ...] = ()
    steps: tuple[str, ...] = ()
    source: tuple[str, ...] = ()
    reviewed: Optional[dt.date] = None
    loc: Loc = _loc_field()
    lines: Mapping[str, int] = _lines_field()


@dataclass(frozen=True)
class FaqEntry:
    id: str
    question: str
    answer: str
    variants: tuple[str, ...] = ()
    steps: tuple[str, ...] = ()
    concepts: tuple[str, ...] = ()
    legal: tuple[LawRef, ...] = ()
    source: tuple[str, ...] = ()
    reviewed: Optional[dt.date] = None
    loc: Loc = _loc_field()
    lines: Mapping[str, int] = _lines_field()


@dataclass(frozen=True)
class QuickGuideItem:
    step: str
    text: str


@dataclass(frozen=True)
class QuickGuide:
    id: str
    title: str
    intro: str
    items: tuple[QuickGuideItem, ...]
    source: tuple[str, ...] = ()
    reviewed: Optional[dt.date] = None
    loc: Loc = _loc_field()
    lines: Mapping[str, int] = _lines_field()


@dataclass(frozen=True)
class Synonym:
    term: str
    variants: tuple[str, ...]
    source: tuple[str, ...] = ()
    reviewed: Optional[dt.date] = None
    loc: Loc = _loc_field()
    lines: Mapping[str, int] = _lines_field()


Entry = Union[Source, Law, Party, Phase, Form, Step, Concept, FaqEntry, QuickGuide]


@dataclass(frozen=True)
class KnowledgeBase:
    """The whole base, keyed by id. Dicts keep file order."""

    base_dir: str
    files: tuple[str, ...]
    sources: Mapping[str, Source] = field(default_factory=dict)
    laws: Mapping[str, Law] = field(default_factory=dict)
    parties: Mapping[str, Party] = field(default_factory=dict)
    phases: Mapping[str, Phase] = field(default_factory=dict)
    forms: Mapping[str, Form] = field(default_factory=dict)
    steps: Mapping[str, Step] = field(default_factory=dict)
    concepts: Mapping[str, Concept] = field(default_factory=dict)
    faq: Mapping[str, FaqEntry] = field(default_factory=dict)
    quickguides: Mapping[str, QuickGuide] = field(default_factory=dict)
    synonyms: tuple[Synonym, ...] = ()
    meta: Mapping[str, object] = field(default_factory=dict)

    def fingerprint(self) -> str:
        """Hash of the source files' names and bytes, for build caches."""
        return fingerprint_files(self.base_dir, self.files)

    def parties_in_order(self) -> list[Party]:
        return sorted(self.parties.values(), key=lambda p: (p.order, p.id))

    def phases_in_order(self) -> list[Phase]:
        return sorted(self.phases.values(), key=lambda p: (p.order, p.id))


def fingerprint_files(base_dir: str, files: tuple[str, ...]) -> str:
    digest = hashlib.sha256()
    base = Path(base_dir)
    for name in sorted(files):
        digest.update(name.encode("utf-8") + b"\0")
        digest.update((base / name).read_bytes() + b"\0")
    return digest.hexdigest()[:16]
