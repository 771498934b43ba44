"""Helpers shared by the magics and the frame accessors, free of IPython: recognizing frames,
reading a recipe from text or a file, suggesting one (for a license template when asked), and
checking that every key a recipe references can be read before it runs.
"""

from __future__ import annotations

import dataclasses
import inspect
import os
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from anonlab._files import TEXT_MAX_BYTES, read_bounded
from anonlab.errors import ParameterError, SecretKeyError
from anonlab.keys import Key, describe_key_ref, resolve_key

__all__ = [
    "KEY_HOWTO",
    "check_keys",
    "frame_columns",
    "frame_kind",
    "frame_rows",
    "load_recipe",
    "one_line",
    "split_names",
    "suggest",
]

KEY_HOWTO = (
    "Set it before anonymizing, without writing the key into the notebook: for example "
    "import os; os.environ['ANONLAB_KEY'] = open('/path/to/secret.key').read().strip(), or for "
    "a key that lives only as long as this kernel, import os, secrets; "
    "os.environ['ANONLAB_KEY'] = secrets.token_hex(32)."
)
"""How to provide ``env:`` keys, for messages (never shows a key)."""

_RECIPE_SUFFIXES = (".yaml", ".yml", ".json")


def frame_kind(obj: Any) -> str | None:
    """``"pandas"``, ``"polars"``, ``"lazy"`` or ``"arrow"`` for a frame anonlab accepts, else
    None. Only libraries already imported are consulted (nothing is imported here)."""
    pl = sys.modules.get("polars")
    if pl is not None:
        if isinstance(obj, pl.LazyFrame):
            return "lazy"
        if isinstance(obj, pl.DataFrame):
            return "polars"
    pd = sys.modules.get("pandas")
    if pd is not None and isinstance(obj, pd.DataFrame):
        return "pandas"
    pa = sys.modules.get("pyarrow")
    if pa is not None and isinstance(obj, pa.Table):
        return "arrow"
    return None


def frame_columns(frame: Any) -> tuple[str, ...]:
    """The column names of a frame, without computing anything."""
    from anonlab.frames import ingest

    data, _ = ingest(frame, owner="anonlab.jupyter")
    return tuple(data.collect_schema().names())


def frame_rows(frame: Any) -> int:
    """The number of rows (a LazyFrame is counted, not collected)."""
    import polars as pl

    from anonlab.frames import ingest

    data, _ = ingest(frame, owner="anonlab.jupyter")
    if isinstance(data, pl.LazyFrame):
        return int(data.select(pl.len()).collect().item())
    return int(data.height)


def split_names(value: str | Iterable[str] | None) -> tuple[str, ...] | None:
    """``"a, b,c"`` -> ``("a", "b", "c")``; a list is kept; None stays None."""
    if value is None:
        return None
    parts = value.split(",") if isinstance(value, str) else list(value)
    out: list[str] = []
    for part in parts:
        name = part.strip() if isinstance(part, str) else part
        if name and name not in out:
            out.append(name)
    return tuple(out)


def one_line(exc: BaseException) -> str:
    """An exception's message on one line (whitespace and newlines collapsed)."""
    text = " ".join(str(exc).split())
    return text or type(exc).__name__


def load_recipe(source: Any) -> Any:
    """A :class:`~anonlab.Recipe` from a Recipe, YAML or JSON text, or a file path.

    A str is read as a path when it has no newline and either names an existing file or ends
    in ``.yaml``, ``.yml`` or ``.json``; otherwise it is YAML text. Files ending in ``.json``
    are read as JSON, others as YAML.

    Raises
    ------
    ParameterError
        ``source`` is none of these, or the file does not exist or cannot be read.
    RecipeError
        The text is not a valid recipe (the message names the path to the bad key).
    """
    from anonlab.recipe import Recipe

    if isinstance(source, Recipe):
        return source
    if isinstance(source, bytes):
        source = source.decode("utf-8", errors="replace")
    path: Path | None = None
    if isinstance(source, os.PathLike):
        path = Path(source)
    elif isinstance(source, str):
        if "\n" not in source and source.strip():
            candidate = Path(source.strip()).expanduser()
            if candidate.suffix.lower() in _RECIPE_SUFFIXES or candidate.is_file():
                path = candidate
    else:
        raise ParameterError(
            "A recipe must be an anonlab.Recipe, YAML text or the path of a .yaml/.json file. "
            f"Got a {type(source).__name__} instead."
        )
    if path is None:
        return Recipe.from_yaml(source)
    try:
        text = read_bounded(path, TEXT_MAX_BYTES, "recipe file", ParameterError).decode("utf-8")
    except FileNotFoundError:
        raise ParameterError(
            f"The recipe file {str(path)!r} does not exist (the working directory is "
            f"{os.getcwd()!r}). Check the path."
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ParameterError(f"The recipe file {str(path)!r} cannot be read: {exc}.") from None
    if path.suffix.lower() == ".json":
        return Recipe.from_json(text)
    return Recipe.from_yaml(text)


def suggest(profile: Any, *, template: str | None = None, **kw: Any) -> Any:
    """The suggested recipe for a profile, meant to pass ``template`` when one is given.

    Uses ``anonlab.suggest_recipe(profile, template=...)`` when that function takes a template,
    else :func:`anonlab.licensing.suggest_for_template`.

    Raises
    ------
    ParameterError
        A template was asked for and this anonlab cannot suggest recipes for templates.
    LicenseError
        The template id is unknown.
    """
    from anonlab.suggest import suggest_recipe

    kw = {k: v for k, v in kw.items() if v is not None}
    if template is None:
        return suggest_recipe(profile, **kw)
    if "template" in inspect.signature(suggest_recipe).parameters:
        return suggest_recipe(profile, template=template, **kw)
    try:
        from anonlab.licensing import suggest_for_template
    except ImportError as exc:
        raise ParameterError(
            f"Suggesting a recipe for the template {template!r} needs anonlab.licensing, which "
            f"cannot be imported here ({exc}). Pass a recipe instead."
        ) from None
    return suggest_for_template(profile, template, **kw)


def _key_refs(transform: Any) -> list[Any]:
    refs = []
    if dataclasses.is_dataclass(transform):
        for f in dataclasses.fields(transform):
            value = getattr(transform, f.name)
            if isinstance(value, Key) or (
                isinstance(value, str) and value.startswith(("env:", "file:"))
                and f.name.endswith("key")
            ):
                refs.append(value)
    return refs


def check_keys(recipe: Any) -> None:
    """Read every key the recipe references, so a missing one fails before any work.

    Raises
    ------
    SecretKeyError
        A key cannot be read: the message names the steps that need it and where it was
        looked for (never the key), and for an environment variable how to set one.
    """
    needs: dict[Any, list[str]] = {}
    for step in recipe.steps:
        for ref in _key_refs(step.transform):
            where = step.column if step.column is not None else step.transform.op
            needs.setdefault(ref, []).append(where)
    for ref, columns in needs.items():
        try:
            resolve_key(ref)
        except SecretKeyError as exc:
            steps = ", ".join(dict.fromkeys(columns))
            if isinstance(ref, str) and ref.startswith("env:") and not os.environ.get(ref[4:]):
                raise SecretKeyError(
                    f"The recipe's steps on {steps} read their key from the environment "
                    f"variable {ref[4:]!r} (key={ref!r}), which is not set. {KEY_HOWTO}"
                ) from None
            raise SecretKeyError(
                f"The recipe's steps on {steps} need the key {describe_key_ref(ref)}: "
                f"{one_line(exc)}"
            ) from None
