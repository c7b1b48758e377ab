import shutil
from pathlib import Path

import pytest

from knowledge import check
from knowledge.__main__ import main
from knowledge.evaluate import evaluate, read_questions, synthetic_kb

from conftest import FIXTURE_KB, FIXTURE_QUESTIONS

needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz (dot) saknas")


@needs_dot
def test_render_svg_has_step_ids_and_highlight(kb):
    from knowledge import render_svg

    svg = render_svg(kb, highlight="soc-sip")
    assert svg.lstrip().startswith("<?xml")
    for step_id in kb.steps:
        assert f'id="step-{step_id}"' in svg
    assert 'id="step-soc-sip" class="node step shape-en_flera phase-fas-2 party-socialtjansten highlight"' in svg
    assert svg.count("highlight") == 1
    assert ">Ja<" in svg and ">Nej<" in svg
    assert 'class="edge handover"' in svg and "stroke-dasharray" in svg
    assert "polygon" in svg  # the ja_nej diamond and boxes


@needs_dot
def test_cli_render_writes_svg_and_png(tmp_path):
    out = tmp_path / "pk.svg"
    assert main(["--base", str(FIXTURE_KB), "render", "--highlight", "soc-sgi", "--out", str(out), "--png"]) == 0
    assert out.exists() and out.with_suffix(".png").read_bytes()[:4] == b"\x89PNG"
    assert main(["--base", str(FIXTURE_KB), "render", "--highlight", "nope", "--out", str(out)]) == 1


def test_eval_on_fixture(query, capsys):
    result = evaluate(query, read_questions(FIXTURE_QUESTIONS), scale=(10,))
    assert result.total >= 20 and result.top1 >= 0.9 and result.top3 >= 0.95
    assert result.p95_ms < 5 and result.scaling and result.scaling[0][0] > 100
    assert main(["--base", str(FIXTURE_KB), "eval", "--questions", str(FIXTURE_QUESTIONS),
                 "--no-scale"]) == 0
    assert "top-1" in capsys.readouterr().out


def test_synthetic_kb_is_larger(kb):
    assert len(synthetic_kb(kb, 10).steps) == 10 * len(kb.steps)


def test_cli_check_exit_codes(broken_kb, capsys):
    assert main(["--base", str(FIXTURE_KB), "check"]) == 0
    broken_kb("steg/fk.yml", "    next: [fk-beslut]", "    next: [fk-x]")
    assert main(["--base", str(broken_kb.base), "check"]) == 1
    assert 'next pekar på steg "fk-x" som inte finns' in capsys.readouterr().out


REAL_BASE = Path(__file__).resolve().parents[2] / "knowledge" / "base"


@pytest.mark.skipif(not (REAL_BASE / "steg").is_dir(), reason="knowledge/base/steg/ finns inte än")
def test_real_knowledge_base_has_no_errors():
    report = check(REAL_BASE)
    assert report.errors == [], "\n".join(str(p) for p in report.errors)
