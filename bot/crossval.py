"""`make crossval`: 5-fold cross-validation of the NLU, with its report written to docs/.

The report is committed so that a change in NLU quality shows up in review.
"""
from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Dict

from bot import paths
from bot.build import build

OUT = paths.ROOT / "results" / "crossval"
REPORT = paths.ROOT / "docs" / "nlu-korsvalidering.md"
FOLDS = 5


def run_crossval() -> float:
    build()
    started = time.monotonic()
    cmd = [
        sys.executable, "-m", "rasa", "test", "nlu", "--nlu", str(paths.DATA / "nlu"), "--config", str(paths.CONFIG),
        "--cross-validation", "--folds", str(FOLDS), "--out", str(OUT),
    ]
    subprocess.run(cmd, cwd=paths.ROOT, check=True)
    return time.monotonic() - started


def _read(name: str) -> Dict:
    path = OUT / name
    return json.loads(path.read_text("utf-8")) if path.exists() else {}


def write_report(seconds: float) -> str:
    intents = _read("intent_report.json")
    entities = _read("DIETClassifier_report.json")
    lines = [
        "# NLU: korsvalidering",
        "",
        f"Genererad av `make crossval` ({FOLDS} delar, {seconds / 60:.0f} min). Siffrorna gäller testdelarna.",
        "",
        "| mått | värde |",
        "| --- | --- |",
        f"| avsikter (intents), makro-F1 | {intents.get('macro avg', {}).get('f1-score', float('nan')):.3f} |",
        f"| avsikter, träffsäkerhet | {intents.get('accuracy', float('nan')):.3f} |",
        f"| entiteter (DIETClassifier), mikro-F1 | {entities.get('micro avg', {}).get('f1-score', float('nan')):.3f} |",
        f"| entiteter, makro-F1 | {entities.get('macro avg', {}).get('f1-score', float('nan')):.3f} |",
        "",
        "## Per avsikt",
        "",
        "| avsikt | precision | täckning | F1 | antal |",
        "| --- | --- | --- | --- | --- |",
    ]
    for name, row in sorted(intents.items()):
        if isinstance(row, dict) and "support" in row and name not in {"macro avg", "weighted avg", "micro avg"}:
            lines.append(f"| {name} | {row['precision']:.3f} | {row['recall']:.3f} | {row['f1-score']:.3f} | {row['support']} |")
    lines += ["", "## Per entitet", "", "| entitet | precision | täckning | F1 | antal |", "| --- | --- | --- | --- | --- |"]
    for name, row in sorted(entities.items()):
        if isinstance(row, dict) and "support" in row and "avg" not in name:
            lines.append(f"| {name} | {row['precision']:.3f} | {row['recall']:.3f} | {row['f1-score']:.3f} | {row['support']} |")
    text = "\n".join(lines) + "\n"
    REPORT.write_text(text, "utf-8")
    return text


def main() -> None:
    seconds = run_crossval()
    print(write_report(seconds))


if __name__ == "__main__":
    main()
