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
