"""YAML loading that remembers where every entry and field was written.

PyYAML throws positions away once it has built Python objects, but the check
must tell an editor the file and line of each problem. A SafeLoader subclass
builds `LocDict`/`LocList` that carry the line of the node and of each key.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .errors import Errors


class LocDict(dict):
    """A mapping that knows its own line and the line of each key."""

    line: int = 0
    key_lines: dict
    duplicates: list

    def line_of(self, key: str) -> int:
        return self.key_lines.get(key, self.line) if hasattr(self, "key_lines") else self.line


class LocList(list):
    """A sequence that knows its own line and the line of each item."""

    line: int = 0
    item_lines: list

    def line_of(self, index: int) -> int:
        lines = getattr(self, "item_lines", [])
        return lines[index] if index < len(lines) else self.line


class LineLoader(yaml.SafeLoader):
    """SafeLoader whose mappings and sequences carry 1-based line numbers."""


def _construct_map(loader: LineLoader, node: yaml.MappingNode):
    data = LocDict()
    data.line = node.start_mark.line + 1
    data.key_lines = {}
    data.duplicates = []
    yield data
    loader.flatten_mapping(node)
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if key in data.key_lines:
            data.duplicates.append((key, key_node.start_mark.line + 1))
        data.key_lines[key] = key_node.start_mark.line + 1
        data[key] = loader.construct_object(value_node, deep=True)


def _construct_seq(loader: LineLoader, node: yaml.SequenceNode):
    data = LocList()
    data.line = node.start_mark.line + 1
    data.item_lines = [child.start_mark.line + 1 for child in node.value]
    yield data
    data.extend(loader.construct_object(child, deep=True) for child in node.value)


LineLoader.add_constructor("tag:yaml.org,2002:map", _construct_map)
LineLoader.add_constructor("tag:yaml.org,2002:seq", _construct_seq)


@dataclass(frozen=True)
class RawEntry:
    """One list item of a section, still as loaded YAML."""

    section: str
    file: str
    line: int
    data: Any


@dataclass
class RawBase:
    base_dir: str
    files: list[str] = field(default_factory=list)
    entries: list[RawEntry] = field(default_factory=list)
    meta: dict = field(default_factory=dict)
    # (file, line, message) for problems found while reading
    problems: list[tuple[str, int, str, str]] = field(default_factory=list)


def display_path(path: Path) -> str:
    """Path as editors see it: relative to the working directory when possible."""
    try:
        rel = os.path.relpath(path)
    except ValueError:
        return str(path)
    return str(path) if rel.startswith("..") else rel


def find_files(base_dir: str | Path) -> list[Path]:
    base = Path(base_dir)
    files = [p for p in base.rglob("*") if p.suffix in (".yml", ".yaml") and p.is_file()]
    return sorted(files)


def parse_file(path: Path) -> Any:
    """Parse one YAML file with line tracking; raises yaml.YAMLError."""
    with path.open(encoding="utf-8") as handle:
        return yaml.load(handle, Loader=LineLoader)


def read_base(base_dir: str | Path, sections: tuple[str, ...]) -> RawBase:
    """Read every YAML file under base_dir into section entries.

    Problems here are only those that stop us from seeing entries at all
    (syntax errors, a file that is not a mapping, an unknown section).
    """
    base = Path(base_dir)
    raw = RawBase(base_dir=str(base))
    for path in find_files(base):
        rel = path.relative_to(base).as_posix()
        raw.files.append(rel)
        shown = display_path(path)
        try:
            doc = parse_file(path)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
            line = mark.line + 1 if mark else 1
            what = getattr(exc, "problem", None) or str(exc).splitlines()[0]
            raw.problems.append((shown, line, "E001", Errors.E001.format(what=what)))
            continue
        if doc is None:
            continue
        if not isinstance(doc, dict):
            found = type(doc).__name__
            raw.problems.append((shown, 1, "E002", Errors.E002.format(found=found)))
            continue
        _collect_sections(raw, doc, shown, sections)
    return raw


def _collect_sections(raw: RawBase, doc: LocDict, shown: str, sections: tuple[str, ...]) -> None:
    for name, value in doc.items():
        line = doc.line_of(name)
        if name == "meta":
            if isinstance(value, dict):
                raw.meta.update(value)
            continue
        if name not in sections:
            allowed = ", ".join(sections + ("meta",))
            msg = Errors.E003.format(section=name, allowed=allowed)
            raw.problems.append((shown, line, "E003", msg))
            continue
        if value is None:
            continue
        if not isinstance(value, list):
            raw.problems.append((shown, line, "E004", Errors.E004.format(section=name)))
            continue
        for index, item in enumerate(value):
            item_line = getattr(item, "line", None) or value.line_of(index)
            raw.entries.append(RawEntry(name, shown, item_line, item))
