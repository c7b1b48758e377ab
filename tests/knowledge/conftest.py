"""Shared fixtures for the knowledge package tests (fixture base only)."""
import datetime as dt
import shutil
from pathlib import Path

import pytest

from knowledge import KnowledgeQuery, load

FIXTURE_KB = Path(__file__).resolve().parents[1] / "fixtures" / "kb"
FIXTURE_QUESTIONS = Path(__file__).resolve().parents[1] / "fixtures" / "kb_questions.yml"
TODAY = dt.date(2026, 12, 1)  # fixture entries are reviewed 2026-11-25


@pytest.fixture(scope="session")
def kb():
    return load(FIXTURE_KB)


@pytest.fixture(scope="session")
def query(kb):
    return KnowledgeQuery(kb)


@pytest.fixture
def broken_kb(tmp_path):
    """Copy the fixture base; `edit(file, old, new)` changes one file and
    returns (path, line where the change starts) for asserting messages."""
    base = tmp_path / "kb"
    shutil.copytree(FIXTURE_KB, base)

    def edit(rel: str, old: str, new: str):
        path = base / rel
        text = path.read_text(encoding="utf-8")
        assert old in text, f"{old!r} not in {rel}"
        line = text[: text.index(old)].count("\n") + 1
        path.write_text(text.replace(old, new, 1), encoding="utf-8")
        return path, line

    edit.base = base
    return edit
