"""Recurring demands: documents grouped by the words they share, without knowing how many groups there are.

The method, in three steps:

1. Each document becomes a TF-IDF vector of its stemmed words and word pairs (``text.Analyzer``).
2. HDBSCAN finds the groups in a seeded sample of at most ``sample`` documents, on cosine distances: it
   needs no number of groups and leaves what lies in no dense region as noise.
3. Every document (the sample too) joins the group whose members it resembles most — its mean cosine
   similarity to them, the distance average linkage uses — if it resembles them at least as much as 49
   in 50 of the group's own members do (``REACH``).

A group is kept only if it holds ``min_size`` documents and most of its members use one same term
(``COHERENCE``), checked on the sample and again once placed: a bunch of unrelated texts that happen to
share a word or two fails it. What joins no kept group is ``OTHER``.

The sample bounds the one quadratic step (HDBSCAN's distances); the rest is linear in the documents.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from scipy import sparse
from sklearn.cluster import HDBSCAN
from sklearn.feature_extraction.text import TfidfVectorizer

from insights.grouping.describe import OTHER, Group, describe
from insights.grouping.documents import Document
from insights.grouping.text import Analyzer

SAMPLE = 4000  # HDBSCAN works on SAMPLE² distances: about 24 × SAMPLE² bytes at the peak (380 MB)
MIN_SIZE, MIN_SHARE = 5, 0.002  # the default smallest group: 5 documents, or 0.2% of them if more
NEIGHBOURS = 5  # HDBSCAN's min_samples: fewer than its default (the smallest group) finds more of each group
COHERENCE = 0.5  # the share of a group's members that must use its most common term
REACH = 0.02  # a document joins a group when it is at least as close as 49 in 50 of its members


class Grouping:
    """The groups found in one set of documents, and the rule that placed them, to place others."""

    def __init__(
        self, groups: list[Group], vectorizer: TfidfVectorizer | None, centres: np.ndarray, reach: np.ndarray
    ) -> None:
        self._keys = [group.key for group in groups if group.key != OTHER]  # in the centres' order
        self.groups = sorted(groups, key=_shown)
        self._vectorizer, self._centres, self._reach = vectorizer, centres, reach

    def assign(self, documents: Sequence[Document]) -> dict[str, str]:
        """Each document's group key (``OTHER`` if none) by the rule that made the groups."""
        if self._vectorizer is None or not documents:
            return dict.fromkeys((d.key for d in documents), OTHER)
        analyzer = Analyzer()
        matrix = self._vectorizer.transform([analyzer.terms(d.text) for d in documents])
        places, _ = _place(matrix, self._centres, self._reach)
        return {d.key: self._keys[p] if p >= 0 else OTHER for d, p in zip(documents, places, strict=True)}


def _shown(group: Group) -> tuple[bool, int, str]:
    return group.key == OTHER, -group.size, group.key  # largest first, OTHER last


def group(
    documents: Sequence[Document], *, min_size: int | None = None, sample: int = SAMPLE, seed: int = 0
) -> list[Group]:
    """The recurring demands among the documents, largest first, then ``OTHER``."""
    return fit(documents, min_size=min_size, sample=sample, seed=seed).groups


def fit(
    documents: Sequence[Document], *, min_size: int | None = None, sample: int = SAMPLE, seed: int = 0
) -> Grouping:
    """Group the documents (see the module's docstring); the same documents in any order group the same."""
    docs = sorted(documents, key=lambda d: d.key)
    if not docs:
        return Grouping([], None, np.empty((0, 0), dtype=np.float32), np.empty(0, dtype=np.float32))
    smallest = min_size or max(MIN_SIZE, math.ceil(len(docs) * MIN_SHARE))
    analyzer = Analyzer()
    matrix, vectorizer = _vectorise(docs, analyzer)
    centres, reach = _find(matrix, smallest, sample, seed)
    kept = _kept(matrix, _place(matrix, centres, reach)[0], len(centres), smallest)
    centres, reach = centres[kept], reach[kept]
    places, closeness = _place(matrix, centres, reach)  # without the groups let go: as ``assign`` will
    names = vectorizer.get_feature_names_out() if vectorizer else np.empty(0, dtype=str)
    return Grouping(describe(docs, places, closeness, matrix, names, analyzer), vectorizer, centres, reach)


def _vectorise(docs: list[Document], analyzer: Analyzer) -> tuple[sparse.csr_matrix, TfidfVectorizer | None]:
    """The documents' TF-IDF rows (unit length) and their vectoriser; None if no term is in two documents."""
    vectorizer = TfidfVectorizer(analyzer=_given, min_df=2, sublinear_tf=True, dtype=np.float32)
    try:  # a generator: each document's terms are dropped once counted
        return sparse.csr_matrix(vectorizer.fit_transform(analyzer.terms(d.text) for d in docs)), vectorizer
    except ValueError:  # nothing recurs: everything will be OTHER
        return sparse.csr_matrix((len(docs), 0), dtype=np.float32), None


def _given(terms: list[str]) -> list[str]:
    return terms  # the documents arrive analysed


def _find(matrix: sparse.csr_matrix, smallest: int, sample: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Each coherent group's centre (the mean of its members' vectors) and reach, found in a sample."""
    rows = np.flatnonzero(matrix.getnnz(axis=1))
    if len(rows) > sample:
        rows = np.sort(np.random.default_rng(seed).choice(rows, sample, replace=False))
    least = max(MIN_SIZE, math.ceil(smallest * len(rows) / matrix.shape[0]))
    part = matrix[rows]
    labels = _clusters(part, least) if len(rows) >= least else np.empty(0, dtype=int)
    centres, reach = [], []
    for label in range(labels.max(initial=-1) + 1):
        members = part[labels == label]
        n = members.shape[0]
        if members.getnnz(axis=0).max() < COHERENCE * n:
            continue
        centre = np.asarray(members.mean(axis=0)).ravel()
        others = (n * (members @ centre) - 1) / (n - 1)  # each member's mean similarity to the others
        centres.append(centre)
        reach.append(np.quantile(others, REACH))
    shape = (len(centres), matrix.shape[1])
    return np.array(centres, dtype=np.float32).reshape(shape), np.array(reach, dtype=np.float32)


def _clusters(part: sparse.csr_matrix, least: int) -> np.ndarray:
    """HDBSCAN's labels (-1: noise) for the sample's rows, on their cosine distances.

    HDBSCAN reports the whole sample as one cluster only when allowed, and allowing it always would let
    it prefer one vague cluster to several clear ones: so it is allowed only when nothing else is found
    (a department with one recurring demand); ``COHERENCE`` then judges that cluster like any other.
    """
    for single in (False, True):
        distances = (part @ part.T).toarray().astype(np.float64)  # in place from here: it is sample² large
        np.subtract(1, distances, out=distances)
        np.clip(distances, 0, 2, out=distances)
        np.fill_diagonal(distances, 0)
        hdbscan = HDBSCAN(
            min_cluster_size=least,
            min_samples=NEIGHBOURS,
            metric="precomputed",
            allow_single_cluster=single,
            copy=False,
        )
        labels: np.ndarray = hdbscan.fit_predict(distances)
        if labels.max() >= 0:
            break
    return labels


def _kept(matrix: sparse.csr_matrix, places: np.ndarray, count: int, smallest: int) -> np.ndarray:
    """Which groups stay: those of at least ``smallest`` documents, most of which use one same term."""
    placed = np.flatnonzero(places >= 0)
    members = sparse.csr_matrix(
        (np.ones(len(placed)), (places[placed], placed)), shape=(count, matrix.shape[0])
    )
    sizes = np.bincount(places[placed], minlength=count)
    users = (members @ (matrix > 0).astype(np.float64)).max(axis=1).toarray().ravel() if count else sizes
    return (sizes >= smallest) & (users >= COHERENCE * sizes)


def _place(matrix: sparse.spmatrix, centres: np.ndarray, reach: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each document's group (-1: none) and every document's similarity to every group's members."""
    if not len(centres):
        return np.full(matrix.shape[0], -1), np.zeros((matrix.shape[0], 0), dtype=np.float32)
    closeness = np.asarray(matrix @ centres.T)
    best = closeness.argmax(axis=1)
    nearest = closeness[np.arange(len(best)), best]
    return np.where((nearest >= reach[best]) & (nearest > 0), best, -1), closeness
