"""Within one message version only additive changes are allowed; this finds the others.

Allowed: a new optional field, a new description or title. Everything else breaks a producer or a
consumer still on the old schema: a removed or renamed field, a changed type, a field that became
required or optional, an enum value added or removed, a validation constraint (length, pattern,
bounds) changed in either direction — at any depth, including inside lists and optional values.
"""

from __future__ import annotations

from typing import Any

Schema = dict[str, Any]
_CONSTRAINTS = (
    "minLength",
    "maxLength",
    "pattern",
    "format",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "minItems",
    "maxItems",
    "const",
)


def breaking_changes(old: Schema, new: Schema) -> list[str]:
    """Reasons why ``new`` cannot replace ``old`` under the same version (empty when compatible)."""
    problems: list[str] = []
    _Comparison(old.get("$defs", {}), new.get("$defs", {}), problems).compare("$", old, new)
    return problems


class _Comparison:
    def __init__(self, old_defs: dict[str, Schema], new_defs: dict[str, Schema], problems: list[str]) -> None:
        self.old_defs, self.new_defs, self.problems = old_defs, new_defs, problems

    def compare(self, path: str, old: Schema, new: Schema) -> None:
        old, new = _resolve(old, self.old_defs), _resolve(new, self.new_defs)
        if _kind(old) != _kind(new):
            self.problems.append(f"{path}: type changed")
            return
        for keyword in _CONSTRAINTS:
            if old.get(keyword) != new.get(keyword):
                self.problems.append(
                    f"{path}: {keyword} changed ({old.get(keyword)!r} → {new.get(keyword)!r})"
                )
        self._compare_enum(path, old, new)
        if "anyOf" in old:
            for index, (old_option, new_option) in enumerate(zip(old["anyOf"], new["anyOf"], strict=True)):
                self.compare(path if len(old["anyOf"]) == 2 else f"{path}|{index}", old_option, new_option)
        if old.get("type") == "array":
            self.compare(f"{path}[]", old.get("items", {}), new.get("items", {}))
        if "properties" in old or "properties" in new:
            self._compare_properties(path, old, new)

    def _compare_properties(self, path: str, old: Schema, new: Schema) -> None:
        old_props: dict[str, Schema] = old.get("properties", {})
        new_props: dict[str, Schema] = new.get("properties", {})
        old_required, new_required = set(old.get("required", [])), set(new.get("required", []))
        for name, old_prop in old_props.items():
            where = f"{path}.{name}"
            if name not in new_props:
                self.problems.append(f"{where}: field removed")
                continue
            if name in old_required and name not in new_required:
                self.problems.append(f"{where}: no longer required (consumers rely on it)")
            self.compare(where, old_prop, new_props[name])
        for name in sorted(new_required - old_required):
            if name in old_props:
                self.problems.append(f"{path}.{name}: became required (old producers omit it)")
            else:
                self.problems.append(f"{path}.{name}: new required field (old producers omit it)")

    def _compare_enum(self, path: str, old: Schema, new: Schema) -> None:
        old_values, new_values = set(old.get("enum", [])), set(new.get("enum", []))
        # Both ways break someone: old consumers reject a new value, new consumers never see a removed one.
        for value in sorted(old_values - new_values, key=str):
            self.problems.append(f"{path}: enum value {value!r} removed")
        for value in sorted(new_values - old_values, key=str):
            self.problems.append(f"{path}: enum value {value!r} added (old consumers would reject it)")


def _resolve(schema: Schema, defs: dict[str, Schema]) -> Schema:
    ref = schema.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/$defs/"):
        return defs.get(ref.removeprefix("#/$defs/"), {})
    return schema


def _kind(schema: Schema) -> Any:
    """The JSON type of a schema, with the number and kinds of options of an anyOf."""
    if "anyOf" in schema:
        return ("anyOf", len(schema["anyOf"]))
    if "enum" in schema:
        return ("enum", schema.get("type"))
    if "properties" in schema:
        return "object"
    return schema.get("type")
