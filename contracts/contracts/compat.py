"""Within one message version only additive changes are allowed; this finds the others."""

from __future__ import annotations

from typing import Any

Schema = dict[str, Any]


def breaking_changes(old: Schema, new: Schema) -> list[str]:
    """Reasons why ``new`` cannot replace ``old`` under the same version (empty when compatible)."""
    problems: list[str] = []
    _compare_object("$", old, new, old.get("$defs", {}), new.get("$defs", {}), problems)
    return problems


def _resolve(schema: Schema, defs: dict[str, Schema]) -> Schema:
    ref = schema.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/$defs/"):
        return defs.get(ref.removeprefix("#/$defs/"), {})
    return schema


def _shape(schema: Schema, defs: dict[str, Schema]) -> Any:
    """What a value of this schema looks like, ignoring descriptions, titles and defaults."""
    schema = _resolve(schema, defs)
    if "anyOf" in schema:
        return ("anyOf", sorted(repr(_shape(option, defs)) for option in schema["anyOf"]))
    if "enum" in schema:
        return ("enum", schema.get("type"))
    if schema.get("type") == "array":
        return ("array", _shape(schema.get("items", {}), defs))
    if schema.get("type") == "object" and "properties" in schema:
        return ("object",)
    return (schema.get("type"), schema.get("format"))


def _compare_object(
    path: str,
    old: Schema,
    new: Schema,
    old_defs: dict[str, Schema],
    new_defs: dict[str, Schema],
    problems: list[str],
) -> None:
    old, new = _resolve(old, old_defs), _resolve(new, new_defs)
    old_props: dict[str, Schema] = old.get("properties", {})
    new_props: dict[str, Schema] = new.get("properties", {})
    old_required, new_required = set(old.get("required", [])), set(new.get("required", []))
    for name, old_prop in old_props.items():
        where = f"{path}.{name}"
        if name not in new_props:
            problems.append(f"{where}: field removed")
            continue
        new_prop = new_props[name]
        if _shape(old_prop, old_defs) != _shape(new_prop, new_defs):
            problems.append(f"{where}: type changed")
            continue
        if name in old_required and name not in new_required:
            problems.append(f"{where}: no longer required (consumers rely on it)")
        _compare_enum(where, old_prop, new_prop, old_defs, new_defs, problems)
        _compare_object(where, old_prop, new_prop, old_defs, new_defs, problems)
    for name in sorted(new_required - old_required):
        if name in old_props:
            problems.append(f"{path}.{name}: became required (old producers omit it)")
        else:
            problems.append(f"{path}.{name}: new required field (old producers omit it)")


def _compare_enum(
    path: str,
    old: Schema,
    new: Schema,
    old_defs: dict[str, Schema],
    new_defs: dict[str, Schema],
    problems: list[str],
) -> None:
    old_values = set(_resolve(old, old_defs).get("enum", []))
    new_values = set(_resolve(new, new_defs).get("enum", []))
    # Both ways break someone: old consumers reject a new value, new consumers never see a removed one.
    for value in sorted(old_values - new_values, key=str):
        problems.append(f"{path}: enum value {value!r} removed")
    for value in sorted(new_values - old_values, key=str):
        problems.append(f"{path}: enum value {value!r} added (old consumers would reject it)")
