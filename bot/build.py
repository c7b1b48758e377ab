"""The build flow: check inputs, derive NLU data and the spaCy pipeline from the knowledge base.

Run before training and before the tests (`python -m bot.build`). Each derived artefact is
rebuilt only when what it is made from changed.
"""
from __future__ import annotations

import sys
import time
from typing import List

from bot import paths
from bot.nlp.pipeline import ensure_pipeline
from bot.nlu_export import write_generated_nlu
from bot.yaml_check import training_yaml_files, yaml_problems


def fail(lines: List[str], header: str) -> None:
    """Stop the build with every problem listed, one per line."""
    print(header, file=sys.stderr)
    for line in lines:
        print(f"  {line}", file=sys.stderr)
    raise SystemExit(1)


def build() -> str:
    """Check and build; returns the spaCy pipeline digest (an input of the training fingerprint)."""
    import knowledge

    problems = yaml_problems(training_yaml_files())
    if problems:
        fail(problems, "Bygget stoppades: det finns fel i YAML-filer.")
    report = knowledge.check(paths.KNOWLEDGE_BASE)
    for warning in report.warnings:
        print(f"[kunskapsbas] varning: {warning}")
    if report.errors:
        fail([str(e) for e in report.errors], "Bygget stoppades: kunskapsbasen har fel (python -m knowledge check).")
    kb = knowledge.load(paths.KNOWLEDGE_BASE)
    write_generated_nlu(kb, paths.GENERATED_NLU)
    paths.BUILD.mkdir(exist_ok=True)
    return ensure_pipeline(knowledge.entity_patterns(kb), paths.SPACY_PIPELINE)


def main() -> None:
    started = time.monotonic()
    build()
    print(f"[bygge] klart på {time.monotonic() - started:.1f} s")


if __name__ == "__main__":
    main()
