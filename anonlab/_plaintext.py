"""Strict YAML and JSON reading, and YAML writing that round-trips every string.

Recipes, licenses and templates are read from text a person may have edited. These helpers make
the reading strict where the standard loaders are lenient: a key given twice in one mapping is
an error (the loaders silently keep the last one, so a reviewer reading the first would be
misled), and bytes that are not UTF-8, nesting too deep to parse, and non-string keys all become
a :class:`ValueError` with a one-line reason that the caller wraps in its own error.

Aliases and anchors (``&name`` / ``*name``) are refused: a recipe, license or template has no
use for them, and a few lines of nested aliases (a "billion laughs") expand to billions of
values, which hung the loader, and formatting them in an error message hung it longer. Text
longer than :data:`~anonlab._files.TEXT_MAX_BYTES` is refused before parsing.

On the writing side, PyYAML with ``allow_unicode`` emits characters such as NEL (U+0085) and the
Unicode line and paragraph separators raw, and reads them back as line breaks; strings holding
them (or any control character) are written double-quoted, where they are escaped.
"""

from __future__ import annotations

import json
from typing import Any

import yaml

from anonlab._files import TEXT_MAX_BYTES

__all__ = ["dump_yaml", "load_json", "load_yaml"]

_UNSAFE = frozenset("\x85\u2028\u2029\ufeff") | frozenset(chr(c) for c in range(0x20)) | {"\x7f"}


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader that refuses a key repeated within one mapping, and anchors and aliases."""

    def compose_node(self, parent: Any, index: Any) -> Any:
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None) is not None:
            raise yaml.composer.ComposerError(
                None, None, "anchors and aliases (&name, *name) are not allowed",
                event.start_mark,
            )
        return super().compose_node(parent, index)


def _mapping(loader: _StrictLoader, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
    loader.flatten_mapping(node)
    seen: dict[Any, Any] = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=deep)
        try:
            hash(key)
        except TypeError:
            raise yaml.constructor.ConstructorError(
                None, None, "a mapping key must be a plain value", key_node.start_mark
            ) from None
        if key in seen:
            shown = repr(key) if len(repr(key)) <= 60 else f"{repr(key)[:60]}…"
            raise yaml.constructor.ConstructorError(
                None, None, f"key {shown} is given twice in one mapping", key_node.start_mark
            )
        seen[key] = loader.construct_object(value_node, deep=deep)
    return seen


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)


class _Dumper(yaml.SafeDumper):
    """SafeDumper that double-quotes strings YAML would otherwise not read back as written."""


def _str(dumper: _Dumper, value: str) -> yaml.ScalarNode:
    style = '"' if any(ch in _UNSAFE for ch in value if ch not in "\n") or "\r" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str)


def load_yaml(text: str | bytes) -> Any:
    """Parse YAML safely (plain data only), refusing duplicate keys.

    Raises ValueError with a one-line reason and, where known, the line and column.
    """
    _check_size(text)
    try:
        if isinstance(text, bytes):
            text = text.decode("utf-8")
        return yaml.load(text, Loader=_StrictLoader)
    except UnicodeDecodeError as exc:
        raise ValueError(f"not UTF-8 text (byte {exc.start})") from None
    except RecursionError:
        raise ValueError("nested too deeply to read") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or "cannot be parsed"
        raise ValueError(f"{problem}{where}") from None


def _pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            shown = repr(key) if len(repr(key)) <= 60 else f"{repr(key)[:60]}…"
            raise ValueError(f"key {shown} is given twice in one object")
        out[key] = value
    return out


def _check_size(text: str | bytes) -> None:
    if not isinstance(text, str | bytes):
        raise ValueError(f"expected text, got a {type(text).__name__}")
    if len(text) > TEXT_MAX_BYTES:
        raise ValueError(
            f"the text is {len(text):,} characters, more than the {TEXT_MAX_BYTES:,} a recipe, "
            "license or template may hold"
        )


def load_json(text: str | bytes) -> Any:
    """Parse JSON, refusing duplicate keys; raises ValueError with a one-line reason."""
    _check_size(text)
    try:
        if isinstance(text, bytes):
            text = text.decode("utf-8")
        return json.loads(text, object_pairs_hook=_pairs)
    except UnicodeDecodeError as exc:
        raise ValueError(f"not UTF-8 text (byte {exc.start})") from None
    except RecursionError:
        raise ValueError("nested too deeply to read") from None
    except json.JSONDecodeError as exc:
        raise ValueError(f"{exc.msg} at line {exc.lineno}, column {exc.colno}") from None


def dump_yaml(data: Any) -> str:
    """YAML text (block style, keys in the given order) that :func:`load_yaml` reads back equal."""
    text: str = yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True,
                          default_flow_style=False)
    return text
