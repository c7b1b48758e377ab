"""Finds broken YAML before anything is trained, and says where it is broken.

Rasa's own loader reports a broken file deep inside a training traceback; an editor of the
knowledge base or the NLU data needs the file, the line and the reason instead.
"""
from __future__ import annotations

from pathlib import Path
from typing import Iterable, List

import yaml

from bot import paths


def training_yaml_files() -> List[Path]:
    """Every YAML file that training or the knowledge base reads."""
    files: List[Path] = [paths.CONFIG, paths.ENDPOINTS, paths.CREDENTIALS]
    for folder in (paths.DOMAIN, paths.DATA, paths.KNOWLEDGE_BASE):
        files.extend(sorted(folder.rglob("*.yml")))
    return [f for f in files if f.exists()]


def yaml_problems(files: Iterable[Path]) -> List[str]:
    """One Swedish line per broken file: `fil:rad:kolumn: vad som är fel`."""
    problems = []
    for path in files:
        rel = path.relative_to(paths.ROOT) if path.is_relative_to(paths.ROOT) else path
        try:
            text = path.read_text("utf-8")
        except UnicodeDecodeError as exc:
            problems.append(f"{rel}: filen är inte UTF-8 ({exc.reason}).")
            continue
        try:
            yaml.safe_load(text)
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            where = f"{rel}:{mark.line + 1}:{mark.column + 1}" if mark else str(rel)
            reason = " ".join(filter(None, [exc.context, exc.problem]))
            problems.append(f"{where}: trasig YAML: {reason}.")
        except yaml.YAMLError as exc:
            problems.append(f"{rel}: trasig YAML: {exc}.")
    return problems
