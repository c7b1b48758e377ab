"""Validate a knowledge base and build the model from it.

Checking and building are one pass: the same walk over the YAML that finds
problems also produces the frozen entries, so the rules cannot drift apart
from what the bot actually loads. `load` refuses a base with errors.
"""
from __future__ import annotations

import datetime as dt
import re
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Optional

from . import model as m
from .errors import Errors, KnowledgeBaseError
from .loader import LocDict, LocList, RawEntry, read_base

SECTIONS = (
    "sources", "laws", "parties", "phases", "forms", "steps",
    "concepts", "faq", "quickguides", "synonyms",
)
LABELS = {
    "sources": "källa", "laws": "lag", "parties": "part", "phases": "fas",
    "forms": "blankett", "steps": "steg", "concepts": "begrepp", "faq": "fråga",
    "quickguides": "snabbguide", "synonyms": "synonym",
}
PARTY_PREFIX = {
    "socialtjansten": "soc-", "varden": "vard-", "fk": "fk-",
    "af": "af-", "jobbtorg": "jt-", "finsam": "fs-",
}
SHAPES = ("start", "stopp", "en_flera", "ja_nej", "processkoppling")
ID_RE = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
SFS_RE = re.compile(r"^\d{4}:\d+$")
LAW_REF_RE = re.compile(
    r"^(\d+ kap\. \d+( ?[a-z])? §|\d+ kap\. \d+–\d+ §§|\d+ kap\.|\d+( ?[a-z])? §|\d+–\d+ §§)$"
)
REVIEW_MAX_AGE = dt.timedelta(days=365)

# Field specs: "!" = required. Types: id, str, int, bool, date, datestr, url, sfs,
# strs (list of str), ids:<section>, ref:<section>, lawrefs, decision, items,
# enum:<a,b>, number.
_COMMON = {"source": "!sources", "reviewed": "!date"}
SPECS: dict[str, dict[str, str]] = {
    "sources": {
        "id": "!id", "title": "!str", "kind": "!enum:seed,web,law", "file": "str",
        "url": "url", "publisher": "str", "date": "datestr", "reviewed": "!date",
    },
    "laws": {
        "id": "!id", "name": "!str", "short": "str", "sfs": "!sfs", "url": "!url",
        "note": "str", **_COMMON,
    },
    "parties": {
        "id": "!enum:" + ",".join(PARTY_PREFIX), "name": "!str", "short": "!str",
        "order": "!int", "aliases": "!strs", "role": "!str", "units": "strs",
        "contact_role": "!str", **_COMMON,
    },
    "phases": {
        "id": "!id", "order": "!int", "name": "!str", "description": "!str",
        "official": "bool", **_COMMON,
    },
    "forms": {
        "id": "!id", "name": "!str", "number": "number", "issuer": "!str",
        "description": "!str", "url": "url", "aliases": "strs", **_COMMON,
    },
    "steps": {
        "id": "!id", "party": "!ref:parties", "number": "!int", "ruta": "int",
        "title": "!str", "shape": "!enum:" + ",".join(SHAPES), "phase": "!ref:phases",
        "what": "!str", "who": "!str", "when": "str", "time": "str",
        "forms": "ids:forms", "documents": "strs", "legal": "lawrefs", "tips": "strs",
        "next": "ids:steps", "decision": "decision", "handover": "ids:steps",
        "end": "bool", "keywords": "strs", **_COMMON,
    },
    "concepts": {
        "id": "!id", "term": "!str", "full": "str", "aliases": "!strs",
        "definition": "!str", "legal": "lawrefs", "related": "ids:concepts",
        "steps": "ids:steps", **_COMMON,
    },
    "faq": {
        "id": "!id", "question": "!str", "variants": "strs", "answer": "!str",
        "steps": "ids:steps", "concepts": "ids:concepts", "legal": "lawrefs", **_COMMON,
    },
    "quickguides": {
        "id": "!id", "title": "!str", "intro": "!str", "items": "!items", **_COMMON,
    },
    "synonyms": {"term": "!str", "variants": "!strs", "source": "sources", "reviewed": "!date"},
}


@dataclass(frozen=True)
class Problem:
    file: str
    line: int
    code: str
    message: str
    severity: str = "error"

    def __str__(self) -> str:
        prefix = "varning: " if self.severity == "warning" else ""
        return f"{self.file}:{self.line}: {prefix}{self.message}"


@dataclass
class Report:
    """Everything the check found, plus the base built from the valid parts."""

    base_dir: str
    problems: list[Problem] = field(default_factory=list)
    kb: Optional[m.KnowledgeBase] = None

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]

    @property
    def ok(self) -> bool:
        return not self.errors


def check(base_dir: str | Path, today: Optional[dt.date] = None) -> Report:
    """Check every rule in docs/kb-schema.md and build what is valid."""
    raw = read_base(base_dir, SECTIONS)
    report = Report(base_dir=str(base_dir))
    for file, line, code, message in raw.problems:
        report.problems.append(Problem(file, line, code, message))
    builder = _Builder(report, today or dt.date.today())
    for entry in raw.entries:
        builder.add(entry)
    builder.check_references()
    kb = builder.knowledge_base(raw.base_dir, tuple(raw.files), raw.meta)
    _check_graph(kb, builder)
    report.kb = kb
    report.problems.sort(key=lambda p: (p.file, p.line, p.code))
    return report


def load(base_dir: str | Path) -> m.KnowledgeBase:
    """Load a base for the bot; raise KnowledgeBaseError if it has errors."""
    report = check(base_dir)
    if report.errors:
        raise KnowledgeBaseError(report.errors)
    assert report.kb is not None
    return report.kb


# --------------------------------------------------------------------------- #
# Field validation


@dataclass
class _Ctx:
    """Where we are, so every message names the entry and its line."""

    entry: RawEntry
    label: str

    def line(self, key: Optional[str] = None) -> int:
        data = self.entry.data
        if key is not None and isinstance(data, LocDict):
            return data.line_of(key)
        return self.entry.line


class _Builder:
    def __init__(self, report: Report, today: dt.date) -> None:
        self.report = report
        self.today = today
        self.built: dict[str, dict[str, Any]] = {s: {} for s in SECTIONS}
        self.synonyms: list[m.Synonym] = []
        # (ctx, field, value, line, target section) for the reference pass
        self.refs: list[tuple[_Ctx, str, str, int, str]] = []

    # -- reporting
    def error(self, ctx: _Ctx, line: int, code: str, reason: str, severity: str = "error") -> None:
        msg = f"{ctx.label}: {reason}" if ctx.label else reason
        self.report.problems.append(Problem(ctx.entry.file, line, code, msg, severity))

    # -- entries
    def add(self, entry: RawEntry) -> None:
        section, data = entry.section, entry.data
        label = LABELS[section]
        if not isinstance(data, dict):
            ctx = _Ctx(entry, label)
            self.error(ctx, entry.line, "E005", Errors.E005.format(found=_type_name(data)))
            return
        key = data.get("term") if section == "synonyms" else data.get("id")
        ctx = _Ctx(entry, f'{label} "{key}"' if isinstance(key, str) else label)
        values = self._fields(ctx, SPECS[section], data)
        if section == "synonyms":
            self.synonyms.append(_make(m.Synonym, values, entry, data))
            return
        ident = values.get("id")
        if not ident:
            return
        seen = self.built[section].get(ident)
        if seen is not None:
            self.error(ctx, ctx.line("id"), "E020", Errors.E020.format(id=ident, other=str(seen.loc)))
            return
        self.built[section][ident] = _make(_CLASSES[section], values, entry, data)

    def _fields(self, ctx: _Ctx, spec: dict[str, str], data: LocDict) -> dict[str, Any]:
        for key, line in getattr(data, "duplicates", []):
            self.error(ctx, line, "E020", Errors.E020.format(id=key, other="samma post"))
        for key in data:
            if key not in spec:
                self.error(ctx, ctx.line(key), "E010", Errors.E010.format(field=key))
        values: dict[str, Any] = {}
        for name, kind in spec.items():
            required = kind.startswith("!")
            kind = kind.lstrip("!")
            if name not in data or data[name] is None:
                if required and name == "source":
                    self.error(ctx, ctx.line(), "E043", Errors.E043)
                elif required:
                    self.error(ctx, ctx.line(), "E011", Errors.E011.format(field=name))
                continue
            value = self._value(ctx, name, kind, data[name], ctx.line(name))
            if value is not None:
                values[name] = value
        self._extra_rules(ctx, data, values)
        return values

    def _extra_rules(self, ctx: _Ctx, data: LocDict, values: dict[str, Any]) -> None:
        if ctx.entry.section == "sources":
            kind = values.get("kind")
            needed = "file" if kind == "seed" else "url" if kind in ("web", "law") else None
            if needed and needed not in values:
                self.error(ctx, ctx.line(), "E044", Errors.E044.format(kind=kind, field=needed))
        reviewed = values.get("reviewed")
        if isinstance(reviewed, dt.date):
            if self.today - reviewed > REVIEW_MAX_AGE:
                self.error(ctx, ctx.line("reviewed"), "W001",
                           Errors.W001.format(reviewed=reviewed), "warning")
            elif reviewed > self.today:
                self.error(ctx, ctx.line("reviewed"), "W002",
                           Errors.W002.format(reviewed=reviewed), "warning")

    def _value(self, ctx: _Ctx, name: str, kind: str, value: Any, line: int) -> Any:
        kind, _, arg = kind.partition(":")
        check = _SCALARS.get(kind)
        if check is not None:
            return check(self, ctx, name, value, line, arg)
        if kind in ("strs", "ids", "sources"):
            return self._list(ctx, name, kind, arg, value, line)
        if kind == "lawrefs":
            return self._lawrefs(ctx, name, value, line)
        if kind == "decision":
            return self._decision(ctx, name, value, line)
        if kind == "items":
            return self._items(ctx, name, value, line)
        raise ValueError(f"unknown field kind {kind}")  # programming error

    def wrong_type(self, ctx: _Ctx, name: str, expected: str, value: Any, line: int) -> None:
        found = _type_name(value)
        self.error(ctx, line, "E012", Errors.E012.format(field=name, expected=expected, found=found))

    def _list(self, ctx: _Ctx, name: str, kind: str, target: str, value: Any, line: int):
        if not isinstance(value, list):
            self.wrong_type(ctx, name, "en lista", value, line)
            return None
        if kind == "sources" and not value:
            self.error(ctx, line, "E043", Errors.E043)
        items = []
        for index, item in enumerate(value):
            item_line = value.line_of(index) if isinstance(value, LocList) else line
            if isinstance(item, (int, float)) and not isinstance(item, bool) and kind == "strs":
                item = str(item)
            if not isinstance(item, str) or not item.strip():
                self.wrong_type(ctx, f"{name}[{index + 1}]", "en text", item, item_line)
                continue
            items.append(item.strip())
            if kind == "ids":
                self.refs.append((ctx, name, item, item_line, target))
            elif kind == "sources":
                self.refs.append((ctx, name, item, item_line, "sources"))
        return tuple(items)

    def _lawrefs(self, ctx: _Ctx, name: str, value: Any, line: int):
        if not isinstance(value, list):
            self.wrong_type(ctx, name, "en lista av {law:, ref:}", value, line)
            return None
        refs = []
        for index, item in enumerate(value):
            item_line = value.line_of(index) if isinstance(value, LocList) else line
            if not isinstance(item, dict) or not isinstance(item.get("law"), str):
                self.wrong_type(ctx, f"{name}[{index + 1}]", "{law: <lag-id>, ref: ...}", item, item_line)
                continue
            for key in item:
                if key not in ("law", "ref"):
                    self.error(ctx, item.line_of(key), "E010", Errors.E010.format(field=f"{name}.{key}"))
            ref = item.get("ref")
            if ref is not None and (not isinstance(ref, str) or not LAW_REF_RE.match(ref)):
                self.error(ctx, item.line_of("ref"), "E040", Errors.E040.format(ref=ref))
                ref = None
            self.refs.append((ctx, f"{name}.law", item["law"], item.line_of("law"), "laws"))
            refs.append(m.LawRef(law=item["law"], ref=ref))
        return tuple(refs)

    def _decision(self, ctx: _Ctx, name: str, value: Any, line: int):
        if not isinstance(value, dict):
            self.wrong_type(ctx, name, "en mappning {question:, answers:}", value, line)
            return None
        for key in value:
            if key not in ("question", "answers"):
                self.error(ctx, value.line_of(key), "E010", Errors.E010.format(field=f"{name}.{key}"))
        question = value.get("question")
        if not isinstance(question, str) or not question.strip():
            self.error(ctx, value.line, "E011", Errors.E011.format(field=f"{name}.question"))
            question = ""
        answers = value.get("answers")
        if not isinstance(answers, list):
            self.wrong_type(ctx, f"{name}.answers", "en lista", answers, value.line_of("answers"))
            answers = []
        built = []
        for index, item in enumerate(answers):
            item_line = answers.line_of(index) if isinstance(answers, LocList) else line
            if not isinstance(item, dict) or not isinstance(item.get("answer"), str) \
                    or not isinstance(item.get("next"), str):
                self.wrong_type(ctx, f"{name}.answers[{index + 1}]", "{answer: ..., next: <steg-id>}",
                                item, item_line)
                continue
            self.refs.append((ctx, f"{name}.answers.next", item["next"], item.line_of("next"), "steps"))
            built.append(m.DecisionAnswer(answer=item["answer"], next=item["next"]))
        return m.Decision(question=question, answers=tuple(built))

    def _items(self, ctx: _Ctx, name: str, value: Any, line: int):
        if not isinstance(value, list):
            self.wrong_type(ctx, name, "en lista", value, line)
            return None
        built = []
        for index, item in enumerate(value):
            item_line = value.line_of(index) if isinstance(value, LocList) else line
            if not isinstance(item, dict) or not isinstance(item.get("step"), str) \
                    or not isinstance(item.get("text"), str):
                self.wrong_type(ctx, f"{name}[{index + 1}]", "{step: <steg-id>, text: ...}", item, item_line)
                continue
            self.refs.append((ctx, f"{name}.step", item["step"], item.line_of("step"), "steps"))
            built.append(m.QuickGuideItem(step=item["step"], text=item["text"]))
        return tuple(built)

    # -- references
    def check_references(self) -> None:
        for ctx, name, ref, line, target in self.refs:
            if ref not in self.built[target]:
                kind = LABELS[target]
                self.error(ctx, line, "E030", Errors.E030.format(field=name, kind=kind, ref=ref))

    def knowledge_base(self, base_dir: str, files: tuple[str, ...], meta: dict) -> m.KnowledgeBase:
        b = self.built
        return m.KnowledgeBase(
            base_dir=base_dir, files=files, sources=b["sources"], laws=b["laws"],
            parties=b["parties"], phases=b["phases"], forms=b["forms"], steps=b["steps"],
            concepts=b["concepts"], faq=b["faq"], quickguides=b["quickguides"],
            synonyms=tuple(self.synonyms), meta=dict(meta),
        )


def _type_name(value: Any) -> str:
    names = {str: "text", int: "heltal", float: "decimaltal", bool: "sant/falskt",
             list: "lista", dict: "mappning", LocList: "lista", LocDict: "mappning",
             type(None): "tomt", dt.date: "datum"}
    return names.get(type(value), type(value).__name__)


# Scalar checks return the converted value or None after reporting.
def _str(b: _Builder, ctx: _Ctx, name: str, value: Any, line: int, _: str):
    if not isinstance(value, str):
        b.wrong_type(ctx, name, "en text", value, line)
        return None
    if not value.strip():
        b.error(ctx, line, "E014", Errors.E014.format(field=name))
        return None
    return value.strip()


def _id(b: _Builder, ctx: _Ctx, name: str, value: Any, line: int, _: str):
    text = _str(b, ctx, name, value, line, _)
    if text is not None and not ID_RE.match(text):
        b.error(ctx, line, "E021", Errors.E021.format(id=text))
    return text


def _int(b: _Builder, ctx: _Ctx, name: str, value: Any, line: int, _: str):
    if isinstance(value, bool) or not isinstance(value, int):
        b.wrong_type(ctx, name, "ett heltal", value, line)
        return None
    return value


def _bool(b: _Builder, ctx: _Ctx, name: str, value: Any, line: int, _: str):
    if not isinstance(value, bool):
        b.wrong_type(ctx, name, "true eller false", value, line)
        return None
    return value


def _date(b: _Builder, ctx: _Ctx, name: str, value: Any, line: int, _: str):
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        b.error(ctx, line, "E045", Errors.E045.format(value=value))
        return None


def _datestr(b: _Builder, ctx: _Ctx, name: str, value: Any, line: int, _: str):
    return value.isoformat() if isinstance(value, dt.date) else str(value)


def _url(b: _Builder, ctx: _Ctx, name: str, value: Any, line: int, _: str):
    text = _str(b, ctx, name, value, line, _)
    if text is not None and not re.match(r"^https://[^\s/]+\.[^\s]+$", text):
        b.error(ctx, line, "E042", Errors.E042.format(value=text))
    return text


def _sfs(b: _Builder, ctx: _Ctx, name: str, value: Any, line: int, _: str):
    text = str(value) if not isinstance(value, (list, dict)) else None
    if text is None or not SFS_RE.match(text):
        b.error(ctx, line, "E041", Errors.E041.format(value=value))
    return text


def _number(b: _Builder, ctx: _Ctx, name: str, value: Any, line: int, _: str):
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        b.wrong_type(ctx, name, "ett nummer eller en text", value, line)
        return None
    return str(value)


def _enum(b: _Builder, ctx: _Ctx, name: str, value: Any, line: int, allowed: str):
    options = allowed.split(",")
    if value not in options:
        b.error(ctx, line, "E013", Errors.E013.format(field=name, value=value, allowed=", ".join(options)))
        return value if isinstance(value, str) and name == "id" else None
    return value


def _ref(b: _Builder, ctx: _Ctx, name: str, value: Any, line: int, target: str):
    text = _str(b, ctx, name, value, line, target)
    if text is not None:
        b.refs.append((ctx, name, text, line, target))
    return text


_SCALARS: dict[str, Callable] = {
    "id": _id, "str": _str, "int": _int, "bool": _bool, "date": _date,
    "datestr": _datestr, "url": _url, "sfs": _sfs, "number": _number,
    "enum": _enum, "ref": _ref,
}

_CLASSES = {
    "sources": m.Source, "laws": m.Law, "parties": m.Party, "phases": m.Phase,
    "forms": m.Form, "steps": m.Step, "concepts": m.Concept, "faq": m.FaqEntry,
    "quickguides": m.QuickGuide,
}

_DEFAULTS = {"id": "", "str": "", "int": 0, "sfs": "", "url": "", "strs": (), "items": (),
             "ref": "", "enum": "", "date": None, "sources": ()}


def _make(cls: type, values: dict[str, Any], entry: RawEntry, data: LocDict):
    """Build a frozen entry; missing required fields get neutral fallbacks
    (they are already reported) so references can still be checked."""
    spec = SPECS[entry.section]
    for name, kind in spec.items():
        if name not in values and kind.startswith("!"):
            values[name] = _DEFAULTS.get(kind.lstrip("!").split(":")[0])
    lines = dict(getattr(data, "key_lines", {}))
    return cls(**values, loc=m.Loc(entry.file, entry.line), lines=lines)


# --------------------------------------------------------------------------- #
# Graph rules


def _step_ctx(step: m.Step) -> _Ctx:
    fake = RawEntry("steps", step.loc.file, step.loc.line, None)
    return _Ctx(fake, f'steg "{step.id}"')


def _check_graph(kb: m.KnowledgeBase, b: _Builder) -> None:
    numbers: dict[tuple[str, int], str] = {}
    for step in kb.steps.values():
        ctx = _step_ctx(step)
        line = lambda key: step.lines.get(key, step.loc.line)  # noqa: E731
        prefix = PARTY_PREFIX.get(step.party)
        if prefix and not step.id.startswith(prefix):
            b.error(ctx, line("id"), "E022", Errors.E022.format(id=step.id, prefix=prefix, party=step.party))
        if step.shape == "ja_nej":
            if step.decision is None or len(step.decision.answers) < 2:
                b.error(ctx, line("decision"), "E032", Errors.E032)
            if step.next:
                b.error(ctx, line("next"), "E033", Errors.E033)
        elif step.decision is not None:
            b.error(ctx, line("decision"), "E034", Errors.E034)
        for target in step.handover:
            other = kb.steps.get(target)
            if other is not None and other.party == step.party:
                b.error(ctx, line("handover"), "W003",
                        Errors.W003.format(ref=target, party=step.party), "warning")
        if not step.successors and not step.is_end:
            b.error(ctx, line("id"), "E035", Errors.E035)
        key = (step.party, step.number)
        if step.number and key in numbers:
            other = numbers[key]
            b.error(ctx, line("number"), "E031",
                    Errors.E031.format(number=step.number, party=step.party, other=other))
        numbers.setdefault(key, step.id)
    for step_id in sorted(set(kb.steps) - reachable_steps(kb)):
        step = kb.steps[step_id]
        b.error(_step_ctx(step), step.lines.get("id", step.loc.line), "E036", Errors.E036)


def reachable_steps(kb: m.KnowledgeBase) -> set[str]:
    """Steps reachable from any start step along next, decisions and hand-overs."""
    seen = {s.id for s in kb.steps.values() if s.shape == "start"}
    queue = deque(seen)
    while queue:
        step = kb.steps[queue.popleft()]
        for target in step.successors:
            if target in kb.steps and target not in seen:
                seen.add(target)
                queue.append(target)
    return seen
