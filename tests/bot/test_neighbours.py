"""The nearest training messages beside the meaning stage: search, vote and the held-out choice of mix."""
from __future__ import annotations

import numpy as np
import pytest

from bot.nlp import neighbours as nb
from bot.nlp.neighbours import Neighbours, fit_neighbours, held_out_neighbours, nearest, unit_rows, vote


def _clusters(rng: np.random.Generator, per_intent: int = 30, intents: int = 3, dims: int = 16):
    """Messages of each intent scattered round their own direction."""
    centres = rng.normal(size=(intents, dims)) * 3
    truth = np.repeat(np.arange(intents), per_intent)
    return centres[truth] + rng.normal(size=(len(truth), dims)), truth, centres


def _splits(n: int, folds: int = 3):
    order = np.arange(n)
    return [(order[order % folds != f], order[order % folds == f]) for f in range(folds)]


def test_nearest_finds_the_k_most_similar_rows() -> None:
    rng = np.random.default_rng(0)
    base, queries = unit_rows(rng.normal(size=(50, 8))), unit_rows(rng.normal(size=(5, 8)))
    similarity, index = nearest(queries, base, 7)
    full = queries @ base.T
    for row in range(5):
        assert set(index[row]) == set(np.argsort(-full[row])[:7])
        assert np.allclose(similarity[row], full[row, index[row]])
    # Fewer rows than asked for: all of them.
    assert nearest(queries, base[:3], 7)[1].shape == (5, 3)


def test_vote_weighs_the_closer_neighbours_more_and_sums_to_one() -> None:
    similarity = np.array([[0.9, 0.5, 0.4]])
    labels = np.array([[0, 1, 1]])
    gentle, sharp = vote(similarity, labels, 3, 1.0), vote(similarity, labels, 3, 40.0)
    assert gentle.sum() == pytest.approx(1.0) and sharp.sum() == pytest.approx(1.0)
    assert gentle[0, 1] > gentle[0, 0]  # two fairly close votes beat one close vote when gentle
    assert sharp[0, 0] > 0.99  # the closest decides when sharp
    assert sharp[0, 2] == 0.0


def test_held_out_neighbours_come_only_from_the_other_folds() -> None:
    rng = np.random.default_rng(1)
    vectors = unit_rows(rng.normal(size=(30, 8)))
    splits = _splits(30)
    _, index = held_out_neighbours(vectors, splits, 5)
    for train, test in splits:
        assert np.isin(index[test], train).all()


def test_no_neighbours_when_the_held_out_stage_is_already_right() -> None:
    rng = np.random.default_rng(2)
    vectors, truth, _ = _clusters(rng)
    perfect = np.eye(3)[truth] * 0.8 + 0.1
    assert fit_neighbours(vectors, truth, perfect, _splits(len(truth)), 5) is None


def test_neighbours_are_mixed_in_when_they_mend_held_out_errors() -> None:
    rng = np.random.default_rng(3)
    vectors, truth, centres = _clusters(rng)
    # A stage that confuses intent 2 with intent 1 every time.
    confused = np.full((len(truth), 3), 0.1)
    confused[np.arange(len(truth)), np.where(truth == 2, 1, truth)] = 0.8
    found = fit_neighbours(vectors, truth, confused, _splits(len(truth)), 5)
    assert isinstance(found, Neighbours)
    assert found.weight in nb.MIX_WEIGHTS and found.weight > 0 and found.sharpness in nb.SHARPNESS
    assert np.allclose(np.linalg.norm(found.vectors, axis=1), 1.0, atol=1e-5)
    # A new message of intent 2, which the stage again reads as 1: the mix gets it right.
    message = centres[2] + rng.normal(size=centres.shape[1]) * 0.5
    mixed = found.mixed(np.array([0.1, 0.8, 0.1]), message)
    assert mixed.argmax() == 2 and mixed.sum() == pytest.approx(1.0)
