"""Fuzzing the loaders and ``verify`` (issue 13): every input loads or raises an anonlab error.

The recipe loaders (YAML, JSON, plain data), the license loader (JSON), the template loader
(YAML) and ``verify`` on mutated bundles get random and mutated inputs from hypothesis. Whatever
they are given, they return a value or raise an :class:`~anonlab.AnonlabError`: no other
exception, and no input takes more than the deadline.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import anonlab
from anonlab._plaintext import dump_yaml
from anonlab.bundle import report_page
from anonlab.errors import AnonlabError, VerificationError
from anonlab.licensing import License, templates
from anonlab.licensing.templates import Template
from anonlab.transforms import Generalize, Hash, Noise, TopBottomCode
from tests.identities import LICENSEE_KEYS

HASH_KEY = "adversarial fuzz key: 7c2e9a4f1b8d5e3a6c9f2b5d8e1a4c7f"
FUZZ = settings(
    max_examples=100, deadline=dt.timedelta(seconds=2), suppress_health_check=[HealthCheck.too_slow]
)

RECIPE = anonlab.Recipe(
    name="fuzzed",
    steps=(
        anonlab.Step("ssn", Hash(key="env:ANONLAB_KEY", length=16)),
        anonlab.Step("zip", Generalize(keep=3), note="ZIP3"),
        anonlab.Step("age", TopBottomCode(top=89, top_label="90+")),
        anonlab.Step("income", Noise(distribution="laplace", scale=100.0, round_to=10)),
        anonlab.Step("visit", Generalize(unit="month")),
    ),
    targets=anonlab.Targets(quasi_identifiers=("zip", "age"), k=5),
)
RECIPE_YAML = RECIPE.to_yaml().encode()
RECIPE_JSON = RECIPE.to_json().encode()
LICENSE_JSON = (
    License.from_template(
        "gdpr-anonymous",
        licensee="University Lab",
        licensor="General Hospital",
        expires="2099-12-31",
    )
    .to_json()
    .encode()
)
TEMPLATE_YAML = dump_yaml(
    {**templates()["gdpr-anonymous"].to_dict(), "id": "fuzzed-template"}
).encode()

# characters that matter to YAML and JSON, and some that break decoders
_SYNTAX = [*":-[]{},&*!|>'\"#%@`?\n\t ", "\x00", "\x85", "\u2028", "\ufeff", "\udcff"]


def _mutations(seed: bytes) -> st.SearchStrategy[bytes]:
    """``seed`` with a few bytes flipped, inserted, deleted or a span duplicated or cut."""

    @st.composite
    def mutate(draw: st.DrawFn) -> bytes:
        data = bytearray(seed)
        for _ in range(draw(st.integers(1, 6))):
            kind = draw(st.sampled_from(["flip", "insert", "delete", "duplicate", "cut", "syntax"]))
            at = draw(st.integers(0, max(len(data) - 1, 0)))
            if kind == "flip" and data:
                data[at] ^= 1 << draw(st.integers(0, 7))
            elif kind == "insert":
                data[at:at] = draw(st.binary(min_size=1, max_size=8))
            elif kind == "delete" and data:
                del data[at : at + draw(st.integers(1, 16))]
            elif kind == "duplicate" and data:
                span = data[at : at + draw(st.integers(1, 64))]
                data[at:at] = span * draw(st.integers(1, 4))
            elif kind == "cut":
                data = data[:at]
            else:
                token = draw(st.sampled_from(_SYNTAX)).encode("utf-8", "surrogatepass")
                data[at:at] = token
        return bytes(data)

    return mutate()


def _loads_or_anonlab_error(load: Callable[[Any], Any], data: Any) -> None:
    """Run the loader: a value or an anonlab error (a clear, named error) are both fine; any
    other exception fails the test."""
    with contextlib.suppress(AnonlabError):
        load(data)


_PLAIN = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.text(max_size=12)
    | st.sampled_from(["drop", "hash", "generalize", "keep", "noise", "env:ANONLAB_KEY", "zip"]),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(
            st.sampled_from(
                [
                    "column",
                    "op",
                    "steps",
                    "targets",
                    "keep",
                    "width",
                    "k",
                    "key",
                    "note",
                    "quasi_identifiers",
                    "format_version",
                    "seed",
                    "name",
                    "unit",
                    "scale",
                    "distribution",
                    "x",
                ]
            ),
            inner,
            max_size=5,
        )
    ),
    max_leaves=20,
)


@FUZZ
@given(_mutations(RECIPE_YAML))
def test_recipe_yaml_loads_or_fails_clearly(data: bytes) -> None:
    _loads_or_anonlab_error(anonlab.Recipe.from_yaml, data)


@FUZZ
@given(_mutations(RECIPE_JSON))
def test_recipe_json_loads_or_fails_clearly(data: bytes) -> None:
    _loads_or_anonlab_error(anonlab.Recipe.from_json, data)


@FUZZ
@given(st.text(alphabet=st.sampled_from(_SYNTAX + list("abckz019")), max_size=200))
def test_recipe_yaml_from_syntax_soup(text: str) -> None:
    _loads_or_anonlab_error(anonlab.Recipe.from_yaml, text)


@FUZZ
@given(_PLAIN)
def test_recipe_from_plain_data(data: Any) -> None:
    _loads_or_anonlab_error(anonlab.Recipe.from_dict, data)
    _loads_or_anonlab_error(anonlab.Recipe.from_dict, {"steps": [data]})
    _loads_or_anonlab_error(anonlab.Recipe.from_dict, {"targets": data})


@FUZZ
@given(
    st.sampled_from(RECIPE.to_dict()["steps"]),
    st.sampled_from(
        ["keep", "width", "k", "key", "length", "top", "scale", "round_to", "unit", "column", "op"]
    ),
    _PLAIN,
)
def test_recipe_step_with_one_parameter_replaced(
    step: dict[str, Any], name: str, value: Any
) -> None:
    changed = {**step, name: value}
    _loads_or_anonlab_error(anonlab.Recipe.from_dict, {"steps": [changed]})


@FUZZ
@given(_mutations(LICENSE_JSON))
def test_license_json_loads_or_fails_clearly(data: bytes) -> None:
    _loads_or_anonlab_error(License.from_json, data)


@FUZZ
@given(st.sampled_from(sorted(json.loads(LICENSE_JSON))), _PLAIN)
def test_license_with_one_field_replaced(field: str, value: Any) -> None:
    data = json.loads(LICENSE_JSON)
    data[field] = value
    _loads_or_anonlab_error(License.from_json, json.dumps(data, allow_nan=True))


@FUZZ
@given(_mutations(TEMPLATE_YAML))
def test_template_yaml_loads_or_fails_clearly(data: bytes) -> None:
    _loads_or_anonlab_error(Template.from_yaml, data)


# -- verify on mutated bundles ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A small signed bundle and its public key, made once."""
    folder = tmp_path_factory.mktemp("fuzz-bundle")
    private, public = anonlab.generate_keypair(folder / "keys" / "licensor")
    raw = anonlab.datasets.patients(40, seed=7)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("ANONLAB_KEY", HASH_KEY)
        mp.setattr(report_page, "_figures", lambda report: "")
        recipe = anonlab.suggest_recipe(anonlab.profile(raw))
        made = anonlab.export(
            raw,
            recipe=recipe,
            license="gdpr-pseudonymous-research",
            path=folder / "release",
            license_terms={
                "licensee": "University Lab",
                "licensor": "General Hospital",
                "expires": "2099-12-31",
                "licensee_keys": LICENSEE_KEYS,
            },
            signing_key=private,
        )
    return made.path, public


FILES = [
    "manifest.json",
    "license.json",
    "signature",
    "data.parquet",
    "recipe.yaml",
    "LICENSE.md",
    "policy.odrl.jsonld",
    "report.html",
]


@st.composite
def _bundle_change(draw: st.DrawFn) -> tuple[str, str, Any]:
    name = draw(st.sampled_from(FILES))
    kind = draw(st.sampled_from(["bytes", "delete", "add", "empty", "replace", "folder"]))
    if kind == "bytes":
        return (
            name,
            kind,
            draw(
                st.lists(
                    st.tuples(st.integers(0, 10**6), st.integers(1, 255)), min_size=1, max_size=4
                )
            ),
        )
    if kind == "replace":
        return name, kind, draw(st.binary(max_size=64))
    if kind == "add":
        return (
            draw(st.sampled_from(["extra.txt", ".hidden", "data.csv", "signature.bak"])),
            kind,
            draw(st.binary(max_size=16)),
        )
    return name, kind, None


def _change(folder: Path, name: str, kind: str, arg: Any) -> None:
    """Apply one change to the bundle in ``folder``."""
    path = folder / name
    if kind == "bytes":
        data = bytearray(path.read_bytes())
        for at, mask in arg:
            if data:
                data[at % len(data)] ^= mask
        path.write_bytes(bytes(data))
    elif kind == "delete":
        path.unlink()
    elif kind == "add":
        path.write_bytes(arg)
    elif kind == "empty":
        path.write_bytes(b"")
    elif kind == "replace":
        path.write_bytes(arg)
    elif kind == "folder":
        path.unlink()
        path.mkdir()


def _snapshot(folder: Path) -> dict[str, bytes | None]:
    """Every entry of a bundle folder with its bytes (None for a folder)."""
    return {p.name: p.read_bytes() if p.is_file() else None for p in folder.iterdir()}


@settings(
    max_examples=60,
    deadline=dt.timedelta(seconds=3),
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(st.lists(_bundle_change(), min_size=1, max_size=3))
def test_verify_catches_every_mutation(
    bundle: tuple[Path, Path], changes: list[tuple[str, str, Any]]
) -> None:
    original, public = bundle
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "release"
        shutil.copytree(original, copy)
        for name, kind, arg in changes:
            if kind != "add" and not (copy / name).is_file():
                continue  # an earlier change removed or replaced it
            _change(copy, name, kind, arg)
        changed = _snapshot(copy) != _snapshot(original)
        for key in (public, None):
            try:
                result = anonlab.verify(copy, public_key=key)
            except VerificationError:
                continue  # caught, with a reason and the file at fault
            except AnonlabError:
                continue  # a malformed bundle: a clear error too
            assert not changed, f"a changed bundle verified: {changes}"
            assert result.ok
