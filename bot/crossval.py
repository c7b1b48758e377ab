"""`make crossval`: 5-fold cross-validation of the NLU, with its report written to docs/.

The report is committed so that a change in NLU quality shows up in review.
"""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Awaitable, Callable, Dict, List, Tuple

from bot import paths
from bot.build import build

OUT = paths.ROOT / "results" / "crossval"
REPORT = paths.ROOT / "docs" / "nlu-korsvalidering.md"
FOLDS = 5
# Rasa splits the folds with numpy's global random state and no seed, so two runs on the
# same data used to differ by about 0.01 in macro-F1. A fixed seed makes the report
# reproducible and lets two configurations be compared on the very same folds.
FOLD_SEED = 20261126
WORKER_FLAG = "--rasa-worker"


def run_crossval() -> float:
    build()
    # Rasa names the entity report after the extractor: an old run's report must not linger.
    shutil.rmtree(OUT, ignore_errors=True)
    started = time.monotonic()
    cmd = [
        sys.executable, "-m", "bot.crossval", WORKER_FLAG,
        "test", "nlu", "--nlu", str(paths.DATA / "nlu"), "--config", str(paths.CONFIG),
        "--cross-validation", "--folds", str(FOLDS), "--out", str(OUT),
    ]
    subprocess.run(cmd, cwd=paths.ROOT, check=True)
    return time.monotonic() - started


def only_test_folds(score: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[Any]]:
    """Rasa's `combine_result`, skipped for the call that scores a fold's training part.

    Rasa's cross-validation calls it twice per fold: first with the training part and no
    result lists, then with the test part and the lists the report is built from.
    """

    async def scored(*params: Any, **kwargs: Any) -> Any:
        if len(params) <= 5 and kwargs.get("intent_results") is None:
            return params[0], params[1], params[2]
        return await score(*params, **kwargs)

    return scored


def rasa_worker(args: List[str]) -> None:
    """`rasa <args>` with seeded folds, scoring only the test folds.

    Rasa also runs every fold's model over its own training part, which takes about
    40 % of the time and says nothing the report uses (the training accuracy of DIET is
    about 1.0 anyway).
    """
    import numpy
    import rasa.nlu.test as nlu_test
    from rasa.__main__ import main as rasa_main

    nlu_test.combine_result = only_test_folds(nlu_test.combine_result)
    numpy.random.seed(FOLD_SEED)
    sys.argv = ["rasa", *args]
    rasa_main()


def _read(name: str) -> Dict:
    path = OUT / name
    return json.loads(path.read_text("utf-8")) if path.exists() else {}


def entity_report() -> Tuple[str, Dict]:
    """The entity extractor's name and report (Rasa names the file after the extractor)."""
    for path in sorted(OUT.glob("*_report.json")):
        if path.name not in {"intent_report.json", "response_selection_report.json"}:
            return path.name[: -len("_report.json")], json.loads(path.read_text("utf-8"))
    return "ingen", {}


def write_report(seconds: float) -> str:
    intents = _read("intent_report.json")
    extractor, entities = entity_report()
    lines = [
        "# NLU: korsvalidering",
        "",
        f"Genererad av `make crossval` ({FOLDS} delar med fast slumpfrö {FOLD_SEED}, {seconds / 60:.0f} min). "
        "Siffrorna gäller testdelarna.",
        "",
        "| mått | värde |",
        "| --- | --- |",
        f"| avsikter (intents), makro-F1 | {intents.get('macro avg', {}).get('f1-score', float('nan')):.3f} |",
        f"| avsikter, träffsäkerhet | {intents.get('accuracy', float('nan')):.3f} |",
        f"| entiteter ({extractor}), mikro-F1 | {entities.get('micro avg', {}).get('f1-score', float('nan')):.3f} |",
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
    if sys.argv[1:2] == [WORKER_FLAG]:
        rasa_worker(sys.argv[2:])
        return
    seconds = run_crossval()
    print(write_report(seconds))


if __name__ == "__main__":
    main()
