from pathlib import Path

from bot.yaml_check import yaml_problems


def test_yaml_check_reports_file_line_and_reason(tmp_path: Path) -> None:
    broken = tmp_path / "domain.yml"
    broken.write_text("responses:\n  utter_x:\n    - text: \"oavslutad\n  utter_y: [\n", "utf-8")
    problems = yaml_problems([broken])
    assert len(problems) == 1
    assert problems[0].startswith(f"{broken}:")
    line = int(problems[0].split(":")[1])
    assert line >= 3
    assert "trasig YAML" in problems[0]


def test_yaml_check_accepts_valid_files(tmp_path: Path) -> None:
    good = tmp_path / "ok.yml"
    good.write_text("version: '3.1'\nnlu: []\n", "utf-8")
    assert yaml_problems([good]) == []
