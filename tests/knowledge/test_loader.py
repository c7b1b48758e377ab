from pathlib import Path

from knowledge.loader import LocDict, parse_file, read_base
from knowledge.check import SECTIONS

from conftest import FIXTURE_KB


def test_mappings_and_lists_carry_lines():
    doc = parse_file(FIXTURE_KB / "steg" / "socialtjansten.yml")
    assert isinstance(doc, LocDict)
    steps = doc["steps"]
    text = (FIXTURE_KB / "steg" / "socialtjansten.yml").read_text(encoding="utf-8").splitlines()
    first = steps[0]
    assert text[first.line - 1].strip() == "- id: soc-ansokan"
    assert text[first.line_of("forms") - 1].strip().startswith("forms:")
    assert steps.line_of(1) == steps[1].line


def test_model_entries_keep_file_and_field_lines(kb):
    step = kb.steps["soc-sip"]
    assert step.loc.file.endswith("steg/socialtjansten.yml")
    lines = Path(step.loc.file).read_text(encoding="utf-8").splitlines()
    assert lines[step.lines["handover"] - 1].strip() == "handover: [vard-sip]"


def test_read_base_collects_every_section():
    raw = read_base(FIXTURE_KB, SECTIONS)
    assert not raw.problems
    assert {e.section for e in raw.entries} == set(SECTIONS)


def test_fingerprint_changes_with_content(kb, broken_kb):
    broken_kb("faq.yml", "Vem betalar läkarintyget?", "Vem betalar intyget?")
    from knowledge import check
    other = check(broken_kb.base).kb
    assert kb.fingerprint() != other.fingerprint()
    assert kb.fingerprint() == check(FIXTURE_KB).kb.fingerprint()
