"""The build flow: check inputs, derive NLU data and the spaCy pipeline from the knowledge base.

Run before training and before the tests (`python -m bot.build`). Each derived artefact is
rebuilt only when what it is made from changed.
"""
from __future__ import annotations

import hashlib
import json
import sys
import time
from pathlib import Path
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


def write_vocabulary(vocabulary: dict, target: Path) -> str:
    """Write the knowledge base's vocabulary for the NLU featurizer; returns its digest."""
    text = json.dumps(vocabulary, ensure_ascii=False, indent=0, sort_keys=True)
    if not target.exists() or target.read_text("utf-8") != text:
        target.write_text(text, "utf-8")
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def build() -> str:
    """Check and build; returns the digest of the derived artefacts that Rasa reads by
    path (the spaCy pipeline and the domain vocabulary), an input of the training
    fingerprint: Rasa itself would not notice that they changed."""
    import knowledge
    from knowledge.vocabulary import domain_vocabulary

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
    pipeline = ensure_pipeline(knowledge.entity_patterns(kb), paths.SPACY_PIPELINE)
    vocabulary = write_vocabulary(domain_vocabulary(kb), paths.DOMAIN_VOCABULARY)
    return hashlib.sha256(f"{pipeline}:{vocabulary}".encode()).hexdigest()


def main() -> None:
    started = time.monotonic()
    build()
    print(f"[bygge] klart på {time.monotonic() - started:.1f} s")


if __name__ == "__main__":
    main()
