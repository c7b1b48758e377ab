"""Adjustment 8: the count-vector features of one message, counted without scikit-learn's per-call steps.

Rasa's `CountVectorsFeaturizer._create_features` calls scikit-learn's `CountVectorizer.transform`
twice per message and featurizer (the tokens, and the tokens joined into a sentence), and turns
each result into a COO matrix. With three such featurizers that is six transforms per message,
and most of their time is not the counting: the vocabulary check, building the analyzer again,
a CSR matrix with its index checks, sorting it and converting it to COO. Here the same
analyzer (built once per vectorizer) reads the same documents against the same vocabulary,
and the COO matrix is built directly, with the same shape, entries, order and dtypes.

A featurizer without a fitted vocabulary goes to Rasa's code, which reports it as before.
"""
from __future__ import annotations

import weakref
from typing import Any, Callable, Dict, List, Optional, Text, Tuple

import numpy as np
import scipy.sparse

from bot.rasa_server.sources import original, replace_method

_analyzers: "weakref.WeakKeyDictionary[Any, Callable[[str], List[str]]]" = weakref.WeakKeyDictionary()


def _analyzer(vectorizer: Any) -> Callable[[str], List[str]]:
    """`vectorizer.build_analyzer()`, once per vectorizer (its settings do not change after training)."""
    analyze = _analyzers.get(vectorizer)
    if analyze is None:
        analyze = _analyzers[vectorizer] = vectorizer.build_analyzer()
    return analyze


def count_matrix(vectorizer: Any, documents: List[str]) -> scipy.sparse.coo_matrix:
    """`vectorizer.transform(documents)` after Rasa's `sort_indices()` and `tocoo()`."""
    analyze, vocabulary = _analyzer(vectorizer), vectorizer.vocabulary_
    rows: List[int] = []
    columns: List[int] = []
    counts: List[int] = []
    for row, document in enumerate(documents):
        found: Dict[int, int] = {}
        for feature in analyze(document):
            index = vocabulary.get(feature)
            if index is not None:
                found[index] = found.get(index, 0) + 1
        for index in sorted(found):
            rows.append(row)
            columns.append(index)
            counts.append(found[index])
    values = np.asarray(counts, dtype=vectorizer.dtype)
    if vectorizer.binary:
        values.fill(1)
    index_arrays = (np.asarray(rows, dtype=np.int32), np.asarray(columns, dtype=np.int32))
    return scipy.sparse.coo_matrix((values, index_arrays), shape=(len(documents), len(vocabulary)))


def create_features_directly(
    self: Any, attribute: Text, all_tokens: List[List[Text]]
) -> Tuple[List[Optional[scipy.sparse.spmatrix]], List[Optional[scipy.sparse.spmatrix]]]:
    """`CountVectorsFeaturizer._create_features` with the matrices from `count_matrix`."""
    from rasa.nlu.constants import DENSE_FEATURIZABLE_ATTRIBUTES

    vectorizer = self.vectorizers.get(attribute)
    if not vectorizer or not isinstance(getattr(vectorizer, "vocabulary_", None), dict):
        return original(create_features_directly)(self, attribute, all_tokens)
    sequence_features: List[Optional[scipy.sparse.spmatrix]] = []
    sentence_features: List[Optional[scipy.sparse.spmatrix]] = []
    for tokens in all_tokens:
        if not tokens:
            sequence_features.append(None)
            sentence_features.append(None)
            continue
        sequence_features.append(count_matrix(vectorizer, tokens))
        joined = count_matrix(vectorizer, [" ".join(tokens)]) if attribute in DENSE_FEATURIZABLE_ATTRIBUTES else None
        sentence_features.append(joined)
    return sequence_features, sentence_features


def install_direct_count_vectors() -> None:
    from rasa.nlu.featurizers.sparse_featurizer.count_vectors_featurizer import CountVectorsFeaturizer
    from sklearn.feature_extraction.text import CountVectorizer

    # The counting repeated here is scikit-learn's; it must be the code it was written for.
    replace_method(CountVectorsFeaturizer, "_create_features", create_features_directly,
                   CountVectorizer.transform, CountVectorizer._count_vocab)
