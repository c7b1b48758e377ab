"""Every check rule, each on a deliberately broken copy of the fixture base."""
import datetime as dt

import pytest

from knowledge import KnowledgeBaseError, check, load

from conftest import FIXTURE_KB, TODAY


def problems(base, code):
    report = check(base, today=TODAY)
    return [p for p in report.problems if p.code == code], report


def assert_problem(base, code, path, line, text):
    found, report = problems(base, code)
    assert found, f"no {code}; got {[str(p) for p in report.problems]}"
    match = [p for p in found if p.file.endswith(str(path.relative_to(base))) and p.line == line]
    assert match, f"{code} not at {path}:{line}; got {[str(p) for p in found]}"
    assert text in match[0].message
    return match[0]


def test_fixture_is_valid():
    report = check(FIXTURE_KB, today=TODAY)
    assert report.problems == []
    assert len(report.kb.steps) == 11


def test_yaml_syntax_error(broken_kb):
    path, line = broken_kb("faq.yml", "    steps: [soc-utreda]", "    steps: [soc-utreda")
    found, report = problems(broken_kb.base, "E001")
    assert found and found[0].file.endswith("faq.yml")
    assert "YAML-fel" in found[0].message and found[0].line >= line
    with pytest.raises(KnowledgeBaseError):
        load(broken_kb.base)


def test_unknown_field(broken_kb):
    path, line = broken_kb("steg/fk.yml", "    who: handläggare på Försäkringskassan\n    forms",
                           "    who: handläggare på Försäkringskassan\n    vem: x\n    forms")
    assert_problem(broken_kb.base, "E010", path, line + 1, 'okänt fält "vem"')


def test_missing_field(broken_kb):
    path, line = broken_kb("steg/af.yml", "    who: arbetsförmedlare\n", "")
    p = assert_problem(broken_kb.base, "E011", path, 2, 'fältet "who" saknas')
    assert str(p).endswith('steg "af-inskrivning": fältet "who" saknas')


def test_wrong_type(broken_kb):
    path, line = broken_kb("steg/af.yml", "    number: 1", "    number: ett")
    assert_problem(broken_kb.base, "E012", path, line, 'fältet "number" ska vara ett heltal')


def test_next_points_nowhere(broken_kb):
    path, line = broken_kb("steg/fk.yml", "    next: [fk-beslut]", "    next: [fk-x]")
    p = assert_problem(broken_kb.base, "E030", path, line, 'next pekar på steg "fk-x" som inte finns')
    assert str(p) == f'{p.file}:{line}: steg "fk-sjukpenning": next pekar på steg "fk-x" som inte finns'


def test_decision_and_handover_point_nowhere(broken_kb):
    path, line = broken_kb("steg/socialtjansten.yml", '{answer: "Nej", next: soc-sip}',
                           '{answer: "Nej", next: soc-nope}')
    assert_problem(broken_kb.base, "E030", path, line, '"soc-nope" som inte finns')
    path, line = broken_kb("steg/socialtjansten.yml", "handover: [vard-sip]", "handover: [vard-x]")
    assert_problem(broken_kb.base, "E030", path, line, 'handover pekar på steg "vard-x"')


def test_unreachable_step(broken_kb):
    broken_kb("steg/varden.yml", "    handover: [af-inskrivning]\n", "    end: true\n")
    assert_problem(broken_kb.base, "E036", broken_kb.base / "steg/af.yml", 2, "kan inte nås")


def test_dead_end_not_marked(broken_kb):
    path, _ = broken_kb("steg/af.yml", "    end: true\n", "")
    assert_problem(broken_kb.base, "E035", path, 2, "leder ingenstans")


def test_ja_nej_rules(broken_kb):
    path, line = broken_kb("steg/socialtjansten.yml", '        - {answer: "Nej", next: soc-sip}\n', "")
    found, _ = problems(broken_kb.base, "E032")
    assert found and found[0].file.endswith("socialtjansten.yml")
    path, line = broken_kb("steg/fk.yml", "    next: [fk-beslut]",
                           "    next: [fk-beslut]\n    decision: {question: 'X?', answers: []}")
    assert_problem(broken_kb.base, "E034", path, line + 1, "bara tillåtet")


def test_duplicate_id(broken_kb):
    path, line = broken_kb("steg/fk.yml", "  - id: fk-beslut", "  - id: fk-sjukpenning")
    assert_problem(broken_kb.base, "E020", path, line, 'id "fk-sjukpenning" finns redan')


def test_duplicate_number_in_party(broken_kb):
    path, line = broken_kb("steg/fk.yml", "    number: 2", "    number: 1")
    assert_problem(broken_kb.base, "E031", path, line, 'nummer 1 finns redan för parten "fk"')


@pytest.mark.parametrize("old,new,kind", [
    ("    party: fk\n    number: 2", "    party: fkx\n    number: 2", "part"),
    ("    phase: fas-2\n    what: Försäkringskassan", "    phase: fas-9\n    what: Försäkringskassan", "fas"),
    ("    forms: [lakarintyg-fk7804]", "    forms: [okand-blankett]", "blankett"),
    ("      - {law: sfb, ref: \"27 kap. 2 §\"}", "      - {law: xyz, ref: \"27 kap. 2 §\"}", "lag"),
    ("    source: [fk-sjukpenning]\n    reviewed: 2026-11-25\n  - id: fk-beslut",
     "    source: [okand-kalla]\n    reviewed: 2026-11-25\n  - id: fk-beslut", "källa"),
])
def test_unknown_references(broken_kb, old, new, kind):
    path, line = broken_kb("steg/fk.yml", old, new)
    found, report = problems(broken_kb.base, "E030")
    assert any(f'{kind} "' in p.message and p.file.endswith("fk.yml") for p in found), \
        [str(p) for p in report.problems]


def test_unknown_concept_reference(broken_kb):
    path, line = broken_kb("begrepp.yml", "    related: [sip]", "    related: [sipp]")
    assert_problem(broken_kb.base, "E030", path, line, 'begrepp "sipp" som inte finns')


def test_malformed_law_reference(broken_kb):
    path, line = broken_kb("steg/fk.yml", 'ref: "27 kap. 2 §"', 'ref: "27 kap 2§"')
    assert_problem(broken_kb.base, "E040", path, line, 'felaktig lagrumshänvisning "27 kap 2§"')


def test_valid_law_reference_forms(broken_kb):
    path, line = broken_kb("steg/fk.yml", 'ref: "27 kap. 2 §"', 'ref: "27 kap. 2–4 §§"')
    broken_kb("begrepp.yml", 'ref: "25 kap. 2 §"', 'ref: "25 kap. 2 a §"')
    assert check(broken_kb.base, today=TODAY).ok


def test_bad_sfs_and_link(broken_kb):
    path, line = broken_kb("lagar.yml", 'sfs: "2017:30"', 'sfs: "2017-30"')
    assert_problem(broken_kb.base, "E041", path, line, "felaktigt SFS-nummer")
    path, line = broken_kb("lagar.yml", "url: https://lagen.nu/2017:30", "url: http://lagen.nu/2017:30")
    assert_problem(broken_kb.base, "E042", path, line, "https://")


def test_entry_without_source(broken_kb):
    path, line = broken_kb("begrepp.yml", "    steps: [vard-lakarintyg]\n    source: [seed-001]\n",
                           "    steps: [vard-lakarintyg]\n")
    found, _ = problems(broken_kb.base, "E043")
    assert any(p.file.endswith("begrepp.yml") and "arbetsformaga" in p.message for p in found)


def test_old_review_date_is_only_a_warning(broken_kb):
    path, line = broken_kb("faq.yml", "    reviewed: 2026-11-25\n  - id: faq-samtycke",
                           "    reviewed: 2024-01-10\n  - id: faq-samtycke")
    report = check(broken_kb.base, today=TODAY)
    assert report.ok
    [warning] = report.warnings
    assert warning.code == "W001" and warning.line == line and "2024-01-10" in warning.message
    assert str(warning).startswith(f"{warning.file}:{line}: varning:")


def test_load_raises_with_all_problems(broken_kb):
    broken_kb("steg/fk.yml", "    next: [fk-beslut]", "    next: [fk-x]")
    with pytest.raises(KnowledgeBaseError) as exc:
        load(broken_kb.base)
    assert 'next pekar på steg "fk-x"' in str(exc.value)
    assert exc.value.problems
