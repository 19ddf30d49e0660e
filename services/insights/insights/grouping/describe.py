"""How a group is shown: its top terms as customers write them, its typical wording, its key and its counts."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from scipy import sparse

from insights.domain.records import Kind
from insights.grouping.documents import Document
from insights.grouping.text import Analyzer, Language, plain

OTHER = "other"  # the key of what belongs to no recurring demand
TERMS, TYPICAL, KEY_WORDS = 8, 3, 3
SPELLING = 200  # a group's words are spelt as its most typical members spell them


@dataclass(frozen=True)
class Group:
    """A recurring demand: its documents, top terms as people write them, typical wording and counts."""

    key: str  # from its top terms: stable-ish across recomputations (``matching`` keeps ids for sure)
    members: tuple[str, ...]  # document keys, the most typical first
    terms: tuple[str, ...]  # "boleto", "segunda via": the most frequent spelling of each stem
    typical: tuple[str, ...]  # up to three distinct texts nearest the group's centre
    kinds: Mapping[Kind, int]
    departments: Mapping[str | None, int]

    @property
    def size(self) -> int:
        return len(self.members)


def describe(
    docs: Sequence[Document],
    places: np.ndarray,
    closeness: np.ndarray,
    matrix: sparse.spmatrix,
    names: np.ndarray,
    analyzer: Analyzer,
) -> list[Group]:
    """The groups in their centres' order, then ``OTHER`` if anything is in no group.

    ``places`` holds each document's group (-1: none), ``closeness`` each document's similarity to each
    group's centre, ``matrix`` the documents' TF-IDF rows, whose columns are the terms ``names``, and
    ``analyzer`` what analysed them (their languages, and their stems to spell back).
    """
    languages = np.array(analyzer.languages)
    groups, keys = [], set[str]()
    for index in range(closeness.shape[1]):
        rows = np.flatnonzero(places == index)
        rows = rows[np.argsort(-closeness[rows, index], kind="stable")]
        weights = np.asarray(matrix[rows].mean(axis=0)).ravel()
        members = [docs[row] for row in rows.tolist()]
        tongue: Language = "en" if np.count_nonzero(languages[rows] == "en") * 2 > len(rows) else "pt"
        words = analyzer.spelling((d.text for d in members[:SPELLING]), tongue)
        terms = _terms(names[np.argsort(-weights, kind="stable")[: TERMS * 4]].tolist(), words)
        groups.append(_group(_key(terms, keys), members, terms, _typical(members)))
    others = [docs[row] for row in np.flatnonzero(places < 0).tolist()]
    if others:
        groups.append(_group(OTHER, others, (), ()))
    return groups


def _group(key: str, members: list[Document], terms: tuple[str, ...], typical: tuple[str, ...]) -> Group:
    return Group(
        key,
        tuple(d.key for d in members),
        terms,
        typical,
        dict(Counter(d.kind for d in members)),
        dict(Counter(d.department for d in members)),
    )


def _terms(candidates: Sequence[str], words: Mapping[str, str]) -> tuple[str, ...]:
    """The heaviest terms that add a stem to those before them, as people write them."""
    shown: list[str] = []
    seen: set[str] = set()
    for term in candidates:
        stems = term.split(" ")
        if seen.issuperset(stems):  # "via boleto" after "boleto" and "via" says nothing new
            continue
        seen.update(stems)
        shown.append(" ".join(words.get(stem, stem) for stem in stems))
        if len(shown) == TERMS:
            break
    return tuple(shown)


def _typical(members: list[Document]) -> tuple[str, ...]:
    """The first distinct texts of the members, who come most typical first."""
    texts: dict[str, str] = {}
    for doc in members:
        texts.setdefault(" ".join(doc.text.lower().split()), doc.text)
        if len(texts) == TYPICAL:
            break
    return tuple(texts.values())


def _key(terms: tuple[str, ...], taken: set[str]) -> str:
    """A slug of the first distinct words of the terms ("boleto-segunda-via"), unique among ``taken``."""
    chosen: list[str] = []
    for word in (w for term in terms for w in term.split(" ")):
        slug = re.sub(r"[^a-z0-9]+", "-", plain(word.lower())).strip("-")
        if slug and slug not in chosen:
            chosen.append(slug)
    key = base = "-".join(chosen[:KEY_WORDS]) or "group"
    suffix = 1
    while key in taken or key == OTHER:
        suffix += 1
        key = f"{base}-{suffix}"
    taken.add(key)
    return key
