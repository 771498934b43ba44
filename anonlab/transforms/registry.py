"""The registry of transforms by name.

Built-in transforms register themselves when :mod:`anonlab.transforms` is imported. A user adds
their own with :func:`register_transform`; a built-in name cannot be shadowed, so a recipe that
says ``op: hash`` always means anonlab's keyed hash.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from typing import Any, TypeVar

from anonlab.errors import ParameterError, RecipeError
from anonlab.transforms.base import Transform

__all__ = ["register_transform", "registered_transforms", "transform_class", "transform_from_dict"]

T = TypeVar("T", bound=type[Transform])

_BUILTIN: dict[str, type[Transform]] = {}
_USER: dict[str, type[Transform]] = {}


def _check_class(cls: Any) -> str:
    if not (isinstance(cls, type) and issubclass(cls, Transform)):
        raise ParameterError(
            f"register_transform takes a subclass of anonlab.transforms.Transform. Got "
            f"{cls!r} instead."
        )
    op = cls.op
    if not isinstance(op, str) or not op.isidentifier():
        raise ParameterError(
            f"{cls.__name__}.op must be a name such as 'my_mask'. Got {op!r} instead."
        )
    # the class itself must be a frozen dataclass, not merely inherit from one
    params = cls.__dict__.get("__dataclass_params__")
    if params is None or not params.frozen:
        raise ParameterError(
            f"{cls.__name__} must be a frozen dataclass: "
            "@dataclass(frozen=True, kw_only=True)."
        )
    return op


def builtin(cls: T) -> T:
    """Register one of anonlab's own transforms (internal)."""
    op = _check_class(cls)
    if op in _BUILTIN and _BUILTIN[op] is not cls:
        raise RuntimeError(f"two built-in transforms are named {op!r}")
    _BUILTIN[op] = cls
    return cls


def register_transform(cls: T) -> T:
    """Register a transform of your own, usable in recipes by its ``op``.

    Use it as a class decorator. Registering again under the same name replaces your earlier
    class (re-running a notebook cell); a built-in name is refused.

    Examples
    --------
    >>> from dataclasses import dataclass
    >>> import polars as pl
    >>> from anonlab.transforms import Transform, register_transform
    >>> @register_transform
    ... @dataclass(frozen=True, kw_only=True)
    ... class Upper(Transform):
    ...     op = "upper"
    ...     accepts = frozenset({"string"})
    ...     def expr(self, column, ctx):
    ...         return pl.col(column).str.to_uppercase()
    """
    op = _check_class(cls)
    if op in _BUILTIN:
        raise ParameterError(
            f"{op!r} is a built-in anonlab transform and cannot be replaced. Give your "
            f"transform another op name, e.g. 'my_{op}'."
        )
    _USER[op] = cls
    return cls


def registered_transforms() -> dict[str, type[Transform]]:
    """Every registered transform by name, built-ins first, each group sorted."""
    return {**dict(sorted(_BUILTIN.items())), **dict(sorted(_USER.items()))}


def transform_class(op: Any, *, path: str = "transform.op") -> type[Transform]:
    """The transform class registered under ``op``.

    Raises
    ------
    RecipeError
        No transform has that name (the message suggests the closest ones).
    """
    known = registered_transforms()
    if isinstance(op, str) and op in known:
        return known[op]
    close = difflib.get_close_matches(str(op), list(known), n=3)
    hint = f" Did you mean {', '.join(repr(c) for c in close)}?" if close else ""
    raise RecipeError(
        f"unknown transform {op!r}.{hint} Known transforms: {', '.join(known)}.", path=path
    )


def transform_from_dict(data: Any, *, path: str = "transform") -> Transform:
    """Build a transform from plain data ``{"op": name, parameter: value, ...}``."""
    if not isinstance(data, Mapping):
        raise RecipeError(
            f"a transform is a mapping with an 'op' key; got a {type(data).__name__}", path=path
        )
    if "op" not in data:
        raise RecipeError("a transform needs an 'op' key naming it", path=path)
    cls = transform_class(data["op"], path=f"{path}.op")
    return cls.from_dict(data, path=path)
