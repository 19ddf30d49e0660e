"""JSON Schemas of every message, exported to contracts/schemas/ and compared for compatibility."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

# Importing the message modules registers every class.
from contracts import accounts, files, subjects, system, ticket_commands, ticket_queries, tickets  # noqa: F401
from contracts.envelope import Envelope
from contracts.registry import REGISTRY

SCHEMA_DIR = Path(__file__).parent / "schemas"
ENVELOPE_FILE = "Envelope.json"


def current() -> dict[str, dict[str, Any]]:
    """File name → JSON Schema for the envelope and every registered message."""
    schemas = {ENVELOPE_FILE: Envelope.model_json_schema()}
    for cls in REGISTRY:
        schemas[f"{cls.type_key()}.json"] = cls.model_json_schema()
    return schemas


def published(directory: Path = SCHEMA_DIR) -> dict[str, dict[str, Any]]:
    """File name → JSON Schema as committed."""
    return {path.name: json.loads(path.read_text()) for path in sorted(directory.glob("*.json"))}


def render(schema: dict[str, Any]) -> str:
    """Stable text form of a schema, so diffs stay small."""
    return json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def export(directory: Path = SCHEMA_DIR) -> list[str]:
    """Write the current schemas; returns the names written. Never deletes a published schema."""
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, schema in current().items():
        path = directory / name
        text = render(schema)
        if not path.exists() or path.read_text() != text:
            path.write_text(text)
            written.append(name)
    return written
