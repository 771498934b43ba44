"""The JSON Schema of ``license.json``, and a small validator for it.

:data:`LICENSE_SCHEMA` is the shipped ``license.schema.json`` (JSON Schema draft 2020-12). Any
JSON Schema validator accepts it; anonlab validates with :func:`validate`, which implements the
keywords the schema uses (``type``, ``properties``, ``required``, ``additionalProperties``,
``items``, ``minItems``, ``uniqueItems``, ``enum``, ``const``, ``pattern``, ``minimum``,
``minLength``, ``anyOf``, ``$ref`` to ``#/$defs/...`` and ``format: date-time``), so anonlab needs
no validator package at run time, and refuses a schema using any other keyword. The first fault
found is raised as a :class:`~anonlab.errors.LicenseError` whose ``path`` names the key
(``parties.licensees[0].name``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from functools import lru_cache
from importlib.resources import files
from types import MappingProxyType
from typing import Any

from anonlab.errors import LicenseError

__all__ = ["LICENSE_SCHEMA", "validate"]

_ANNOTATIONS = frozenset({"$schema", "$id", "title", "description", "$defs"})
_KEYWORDS = frozenset({
    "type", "properties", "required", "additionalProperties", "items", "minItems", "uniqueItems",
    "enum", "const", "pattern", "minimum", "minLength", "anyOf", "$ref", "format",
}) | _ANNOTATIONS
_DATE_TIME = re.compile(
    r"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$"
)


def _freeze(value: Any) -> Any:
    if isinstance(value, dict):
        return MappingProxyType({k: _freeze(v) for k, v in value.items()})
    if isinstance(value, list):
        return tuple(_freeze(v) for v in value)
    return value


def _load() -> dict[str, Any]:
    text = files("anonlab.licensing").joinpath("license.schema.json").read_text("utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


LICENSE_SCHEMA: dict[str, Any] = _load()
"""The JSON Schema of ``license.json`` as plain data (hand it to any JSON Schema validator).
anonlab validates against its own frozen copy, so changing this dict changes nothing."""

_SCHEMA: Mapping[str, Any] = _freeze(LICENSE_SCHEMA)


def _check_keywords(schema: Any, where: str = "#") -> None:
    if isinstance(schema, bool):
        return
    for key, value in schema.items():
        if key not in _KEYWORDS:
            raise RuntimeError(f"license schema uses unsupported keyword {key!r} at {where}")
        if key in ("properties", "$defs"):
            for name, sub in value.items():
                _check_keywords(sub, f"{where}/{key}/{name}")
        elif key in ("items", "additionalProperties") and not isinstance(value, bool):
            _check_keywords(value, f"{where}/{key}")
        elif key == "anyOf":
            for i, sub in enumerate(value):
                _check_keywords(sub, f"{where}/anyOf/{i}")


_check_keywords(_SCHEMA)


def _join(path: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else key


_TYPES: dict[str, Any] = {
    "object": lambda v: isinstance(v, Mapping),
    "array": lambda v: isinstance(v, list | tuple),
    "string": lambda v: isinstance(v, str),
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "number": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
    "boolean": lambda v: isinstance(v, bool),
    "null": lambda v: v is None,
}


@lru_cache(maxsize=256)
def _regex(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def _describe(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, Mapping):
        return "an object"
    if isinstance(value, list | tuple):
        return "an array"
    if isinstance(value, str):
        return "a string"
    return "a number"


def _resolve(ref: str, root: Mapping[str, Any]) -> Any:
    if not ref.startswith("#/"):
        raise RuntimeError(f"license schema $ref {ref!r} is not local")
    node: Any = root
    for part in ref[2:].split("/"):
        node = node[part]
    return node


def _errors(value: Any, schema: Any, path: str, root: Mapping[str, Any]) -> LicenseError | None:
    """The first fault of ``value`` against ``schema``, or None."""
    if schema is True:
        return None
    if schema is False:
        return LicenseError("is not allowed", path=path)
    if "$ref" in schema:
        found = _errors(value, _resolve(schema["$ref"], root), path, root)
        if found is not None:
            return found
    if "anyOf" in schema:
        faults = [_errors(value, sub, path, root) for sub in schema["anyOf"]]
        if all(f is not None for f in faults):
            # report the fault of the branch whose type matched, if one did
            typed = [f for f, sub in zip(faults, schema["anyOf"], strict=True)
                     if _type_ok(value, sub, root)]
            return typed[0] if typed else LicenseError(
                f"has the wrong type ({_describe(value)})", path=path)
    if "type" in schema and not _type_ok(value, schema, root):
        wanted = schema["type"]
        wanted = " or ".join(wanted) if isinstance(wanted, tuple | list) else wanted
        return LicenseError(f"must be {wanted}, not {_describe(value)}", path=path)
    if "const" in schema and (value != schema["const"] or type(value) is not type(
            schema["const"])):
        return LicenseError(f"must be {json.dumps(schema['const'])}", path=path)
    if "enum" in schema and not any(
            value == e and type(value) is type(e) for e in schema["enum"]):
        shown = ", ".join(str(e) for e in schema["enum"])
        return LicenseError(f"must be one of: {shown}", path=path)
    if isinstance(value, str):
        if "minLength" in schema and len(value) < schema["minLength"]:
            return LicenseError("must not be empty" if schema["minLength"] == 1
                                else f"must have at least {schema['minLength']} characters",
                                path=path)
        if "pattern" in schema and not _regex(schema["pattern"]).search(value):
            return LicenseError(f"is not of the required form ({schema['pattern']})", path=path)
        if schema.get("format") == "date-time" and not _DATE_TIME.match(value):
            return LicenseError("must be an RFC 3339 date-time", path=path)
    if (isinstance(value, int | float) and not isinstance(value, bool) and "minimum" in schema
            and value < schema["minimum"]):
        return LicenseError(f"must be at least {schema['minimum']}", path=path)
    if isinstance(value, list | tuple):
        if "minItems" in schema and len(value) < schema["minItems"]:
            return LicenseError(f"must have at least {schema['minItems']} item(s)", path=path)
        if schema.get("uniqueItems"):
            seen = []
            for i, item in enumerate(value):
                if item in seen:
                    return LicenseError("repeats an earlier item", path=_join(path, i))
                seen.append(item)
        if "items" in schema:
            for i, item in enumerate(value):
                found = _errors(item, schema["items"], _join(path, i), root)
                if found is not None:
                    return found
    if isinstance(value, Mapping):
        props = schema.get("properties", {})
        for key in value:
            if not isinstance(key, str):
                return LicenseError("object keys must be strings", path=path)
            if key not in props and schema.get("additionalProperties", True) is False:
                known = ", ".join(props) or "none"
                return LicenseError(f"unknown field (known here: {known})",
                                    path=_join(path, key))
        for key in schema.get("required", ()):
            if key not in value:
                return LicenseError("is required", path=_join(path, key))
        for key, sub in props.items():
            if key in value:
                found = _errors(value[key], sub, _join(path, key), root)
                if found is not None:
                    return found
        extra = schema.get("additionalProperties", True)
        if isinstance(extra, Mapping):
            for key in value:
                if key not in props:
                    found = _errors(value[key], extra, _join(path, key), root)
                    if found is not None:
                        return found
    return None


def _type_ok(value: Any, schema: Any, root: Mapping[str, Any]) -> bool:
    if isinstance(schema, bool):
        return schema
    if "$ref" in schema and not _type_ok(value, _resolve(schema["$ref"], root), root):
        return False
    wanted = schema.get("type")
    if wanted is None:
        return True
    names = wanted if isinstance(wanted, tuple | list) else (wanted,)
    return any(_TYPES[n](value) for n in names)


def validate(data: Any, schema: Mapping[str, Any] | None = None) -> None:
    """Check ``data`` against ``schema`` (the license schema by default).

    Raises
    ------
    LicenseError
        The first fault found, with ``path`` naming the key (``""`` for the whole document).
    """
    schema = _SCHEMA if schema is None else schema
    found = _errors(data, schema, "", schema)
    if found is not None:
        raise found
