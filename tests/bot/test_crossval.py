"""`make crossval` scores only the test folds, as the report uses."""
from __future__ import annotations

import asyncio

from bot.crossval import only_test_folds


def test_only_the_test_part_of_a_fold_is_scored() -> None:
    calls: list = []

    async def score(*params, **kwargs):
        calls.append((params, kwargs))
        return "scored"

    scored = only_test_folds(score)
    metrics = ({}, {}, {})
    # The training part: Rasa passes the three metric dicts, the processor and the data.
    assert asyncio.run(scored(*metrics, "processor", "train")) == metrics
    assert calls == []
    # The test part comes with the lists the report is built from.
    assert asyncio.run(scored(*metrics, "processor", "test", [], [], [])) == "scored"
    assert asyncio.run(scored(*metrics, "processor", "test", intent_results=[])) == "scored"
    assert len(calls) == 2


def test_the_report_reads_whichever_entity_extractor_ran(tmp_path, monkeypatch) -> None:
    import json

    from bot import crossval

    monkeypatch.setattr(crossval, "OUT", tmp_path)
    (tmp_path / "intent_report.json").write_text(json.dumps({"macro avg": {"f1-score": 0.96}}), "utf-8")
    assert crossval.entity_report() == ("ingen", {})
    report = {"micro avg": {"f1-score": 0.93}, "step": {"precision": 1, "recall": 1, "f1-score": 1, "support": 3}}
    (tmp_path / "CRFEntityExtractor_report.json").write_text(json.dumps(report), "utf-8")
    assert crossval.entity_report() == ("CRFEntityExtractor", report)
    monkeypatch.setattr(crossval, "REPORT", tmp_path / "rapport.md")
    text = crossval.write_report(60)
    assert "| entiteter (CRFEntityExtractor), mikro-F1 | 0.930 |" in text and "| step |" in text
