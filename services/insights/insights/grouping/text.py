"""From a support text to the terms it is about: stemmed pt-BR or English words and their adjacent pairs."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from typing import Literal

import snowballstemmer

from insights.grouping.stopwords import ONLY_ENGLISH, ONLY_PORTUGUESE, STOP_WORDS

Language = Literal["pt", "en"]

# A word, or a run glued by "@./:+-" (an address, link or host: dropped whole), or a clause break.
_TOKEN = re.compile(r"\w[\w@.:/+-]*\w|\w|[.,!?;:()\n]")
_BREAK = "."  # pairs never span two clauses
_SKIP = ""
_STEMMERS = {"pt": "portuguese", "en": "english"}


def plain(text: str) -> str:
    """The text without accents ("emissão" → "emissao")."""
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def language(words: set[str]) -> Language:
    """English when the words hold more English-only than Portuguese-only function words; else pt-BR."""
    return "en" if len(words & ONLY_ENGLISH) > len(words & ONLY_PORTUGUESE) else "pt"


class Analyzer:
    """Turns texts into terms (and their stems back into the words people write).

    Each text is stemmed with its own language's Snowball rules, guessed from its function words:
    stemming Portuguese with English rules (or with both) would leave "emissão" and "emitir" apart and
    join unrelated English words. Each distinct word is judged and stemmed once per analyser, which also
    keeps the stemmers (not thread-safe) to one caller.
    """

    def __init__(self) -> None:
        self._stemmers = {code: snowballstemmer.stemmer(name) for code, name in _STEMMERS.items()}
        breaks = dict.fromkeys(".,!?;:()\n", _BREAK)
        self._stems: dict[Language, dict[str, str]] = {"pt": dict(breaks), "en": dict(breaks)}
        self.languages: list[Language] = []  # of each text analysed, in order

    def terms(self, text: str) -> list[str]:
        """The text's stemmed words (no stop words, numbers, links, greetings) and adjacent pairs."""
        tokens = _TOKEN.findall(text.lower())
        tongue = language(set(tokens))
        self.languages.append(tongue)
        stems = self._stems[tongue]
        terms: list[str] = []
        previous = _BREAK
        for token in tokens:
            stem = stems.get(token)
            if stem is None:
                stem = stems[token] = self._judge(token, tongue)
            if stem is _SKIP:
                continue
            if stem is not _BREAK:
                terms.append(stem)
                if previous is not _BREAK:
                    terms.append(f"{previous} {stem}")
            previous = stem
        return terms

    def spelling(self, texts: Iterable[str], tongue: Language) -> dict[str, str]:
        """Each stem in these texts and the word they write most often for it ("bolet" → "boleto")."""
        stems = self._stems[tongue]
        written = Counter(
            token for text in texts for token in _TOKEN.findall(text.lower()) if stems.get(token)
        )
        best: dict[str, str] = {}
        for token, _ in written.most_common():  # ties: the first written
            best.setdefault(stems[token], token)
        return best

    def _judge(self, token: str, tongue: Language) -> str:
        """The token's stem, or _SKIP for a stop word, number, address or link."""
        word = token.replace("-", "")
        if len(word) < 2 or not word.isalpha() or token in STOP_WORDS or word in STOP_WORDS:
            return _SKIP
        # The Portuguese rules read the accents ("ações", "emissão"), so they go after stemming.
        return plain(self._stemmers[tongue].stemWord(word))
