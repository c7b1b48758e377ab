"""The training messages nearest in meaning: a memory beside the intent classifier's meaning stage.

Why: the meaning stage is a linear model. It learns one direction per intent, so a wording
that only a few examples share ("okidoki", "adios", "på återseende", "stfu") is spread thin
over the whole intent and often outvoted. The nearest training messages in the sentence
encoder's space remember such wordings one by one. Alone they are a poor classifier (intent
macro-F1 0.75 in the same cross-validation), but mixed into the meaning stage they mend some
of its errors on exactly these short social messages.

How much they count is not set by hand. The intent classifier already scores every training
message with models that did not see it (3 internal folds, for its confidence). Here the
same folds give each training message its nearest neighbours among the other folds' messages,
and the mixing weight and the sharpness of the vote are chosen from a small grid as the pair
with the best macro-F1 on those held-out messages. Weight 0 (no neighbours) is in the grid.

The vectors are the encoder's centred vectors at unit length, so similarity is the cosine.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional, Sequence, Tuple

import numpy as np
from sklearn.metrics import f1_score

# Candidate mixing weights (the neighbours' share) and vote sharpness, tried on held-out messages.
MIX_WEIGHTS = (0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7)
SHARPNESS = (10.0, 20.0, 40.0)

Split = Tuple[np.ndarray, np.ndarray]


def unit_rows(vectors: np.ndarray) -> np.ndarray:
    """Rows at unit length (float32), so that a dot product is the cosine."""
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.where(norms > 0, norms, 1.0)


def nearest(queries: np.ndarray, base: np.ndarray, k: int) -> Tuple[np.ndarray, np.ndarray]:
    """Cosine similarities and row indices in `base` of each query's `k` nearest rows."""
    similarity = queries @ base.T
    k = min(k, base.shape[0])
    index = np.argpartition(-similarity, k - 1, axis=1)[:, :k]
    return np.take_along_axis(similarity, index, axis=1), index


def vote(similarity: np.ndarray, labels: np.ndarray, intents: int, sharpness: float) -> np.ndarray:
    """Each neighbour votes for its intent with weight exp(sharpness * similarity); rows sum to 1."""
    weights = np.exp(sharpness * (similarity - similarity.max(axis=1, keepdims=True)))
    votes = np.zeros((similarity.shape[0], intents))
    rows = np.repeat(np.arange(similarity.shape[0]), similarity.shape[1])
    np.add.at(votes, (rows, labels.ravel()), weights.ravel())
    return votes / votes.sum(axis=1, keepdims=True)


@dataclass
class Neighbours:
    """The training messages' unit vectors and intent ids, and how their vote is mixed in."""

    vectors: np.ndarray  # (examples, dimensions), float32, unit rows
    labels: np.ndarray  # (examples,), the intent's index in the classifier's labels
    intents: int
    k: int
    weight: float
    sharpness: float

    def mixed(self, probabilities: np.ndarray, vector: np.ndarray) -> np.ndarray:
        """The meaning stage's probabilities for one message, mixed with its neighbours' vote."""
        similarity, index = nearest(unit_rows(vector.reshape(1, -1)), self.vectors, self.k)
        votes = vote(similarity, self.labels[index], self.intents, self.sharpness)[0]
        return (1.0 - self.weight) * probabilities + self.weight * votes


def held_out_neighbours(vectors: np.ndarray, splits: Sequence[Split], k: int) -> Tuple[np.ndarray, np.ndarray]:
    """For every training message, its nearest messages among the other internal folds."""
    similarity = np.zeros((len(vectors), min(k, min(len(train) for train, _ in splits))), dtype=np.float32)
    index = np.zeros(similarity.shape, dtype=np.int64)
    for train, test in splits:
        found, where = nearest(vectors[test], vectors[train], similarity.shape[1])
        similarity[test], index[test] = found, train[where]
    return similarity, index


def fit_neighbours(
    vectors: np.ndarray,
    truth: np.ndarray,
    held_out: np.ndarray,
    splits: Sequence[Split],
    k: int,
) -> Optional[Neighbours]:
    """The mix with the best held-out macro-F1; None when the neighbours do not help there.

    `held_out` holds the meaning stage's calibrated probabilities for each training message
    from a model that did not see it, on the same `splits`.
    """
    unit = unit_rows(vectors)
    similarity, index = held_out_neighbours(unit, splits, k)
    intents = held_out.shape[1]
    votes = {sharpness: vote(similarity, truth[index], intents, sharpness) for sharpness in SHARPNESS}
    best = (-1.0, 0.0, SHARPNESS[0])
    for weight in MIX_WEIGHTS:
        for sharpness in SHARPNESS:
            predicted = ((1.0 - weight) * held_out + weight * votes[sharpness]).argmax(axis=1)
            score = f1_score(truth, predicted, average="macro")
            if score > best[0] + 1e-9:
                best = (score, weight, sharpness)
    _, weight, sharpness = best
    if weight == 0.0:
        return None
    return Neighbours(unit, truth.astype(np.int64), intents, k, weight, sharpness)
