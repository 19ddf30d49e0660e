"""Figure tables as a header and rows of plain cells, for CSV exports (the caller writes the file)."""

from __future__ import annotations

import dataclasses
import typing
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

Cell = str | int | float | None


def csv_rows(table: type[Any], items: Iterable[Any], key: str = "key") -> tuple[list[str], list[list[Cell]]]:
    """The header and rows of frozen figure rows of the dataclass ``table``.

    Nested rows flatten with their field's name as prefix (``first_response_median_s``), fixed-size
    tuples with a counter from 1 (``distribution_1`` … ``distribution_5``); the ``key`` column takes
    the given name (``department``, ``agent``); dates and times become ISO 8601 text.
    """
    header = [key if name == "key" else name for name in _names(table)]
    return header, [list(_cells(item)) for item in items]


def _names(table: type[Any], prefix: str = "") -> Iterable[str]:
    if not dataclasses.is_dataclass(table):
        raise TypeError(f"{table!r} is not a dataclass")
    hints = typing.get_type_hints(table)
    for column in dataclasses.fields(table):
        name, hint = prefix + column.name, hints[column.name]
        if dataclasses.is_dataclass(hint):
            yield from _names(typing.cast(type[Any], hint), f"{name}_")
        elif typing.get_origin(hint) is tuple and Ellipsis not in typing.get_args(hint):
            yield from (f"{name}_{place}" for place in range(1, len(typing.get_args(hint)) + 1))
        else:
            yield name


def _cells(value: Any) -> Iterable[Cell]:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        for column in dataclasses.fields(value):
            yield from _cells(getattr(value, column.name))
    elif isinstance(value, tuple):
        for part in value:
            yield from _cells(part)
    elif isinstance(value, date | datetime):
        yield value.isoformat()
    else:
        yield value
