"""Names that become paths stay in their folder (issue 13, item 2).

A recipe's ``lookup:`` table under ``anonlab apply --lookup-dir``, a recipe's ``hierarchy:`` file,
the file names of a bundle's manifest and the data files its license is bound to: each goes
through ``anonlab._paths`` and a name that would leave its folder (a separator, ``..``, an
absolute path, a link) is a clear anonlab error, before anything is written.
"""

from __future__ import annotations

import os
from pathlib import Path

import polars as pl
import pytest

import anonlab
from anonlab._paths import name_problem, safe_child, safe_relative
from anonlab.errors import ParameterError, RecipeError, UnsafePathError, VerificationError
from anonlab.transforms import Pseudonymize
from tests.adversarial._support import Made, cli, make_bundle, resign

BAD_NAMES = [
    ("parent", "..", "names a folder"),
    ("current", ".", "names a folder"),
    ("climb", "../release", "path separator"),
    ("climb twice", "../../etc/passwd", "path separator"),
    ("absolute", "/etc/passwd", "path separator"),
    ("sub-folder", "a/b", "path separator"),
    ("backslash", "..\\release", "path separator"),
    ("windows drive", "C:evil", "absolute"),
    ("empty", "", "is empty"),
    ("blank", "   ", "is empty"),
    ("NUL", "a\x00b", "control character"),
    ("newline", "a\nb", "control character"),
    ("escape sequence", "a\x1b[31m", "control character"),
    ("line separator", "a\u2028b", "control character"),
    ("surrogate", "a\udc80b", "undecodable"),
    ("too long", "x" * 256, "longer than 255"),
    ("not text", 3, "not text"),
    ("none", None, "not text"),
]

GOOD_NAMES = ["mrn", "mrn.parquet", "local_suppress-3.parquet", "..hidden", "Zoë", "a b"]


@pytest.mark.parametrize(
    ("name", "problem"), [(c[1], c[2]) for c in BAD_NAMES], ids=[c[0] for c in BAD_NAMES]
)
def test_safe_child_refuses(tmp_path: Path, name: object, problem: str) -> None:
    with pytest.raises(UnsafePathError, match=problem) as info:
        safe_child(tmp_path, name, "the lookup table name")
    assert info.value.what == "the lookup table name"
    assert str(info.value).startswith("The lookup table name")
    assert isinstance(info.value, ValueError)


@pytest.mark.parametrize("name", GOOD_NAMES)
def test_safe_child_keeps_plain_names(tmp_path: Path, name: str) -> None:
    assert name_problem(name) is None
    assert safe_child(tmp_path, name, "a name") == tmp_path / name


def test_safe_child_refuses_a_link(tmp_path: Path) -> None:
    (tmp_path / "mrn.parquet").symlink_to(tmp_path / "elsewhere.parquet")
    with pytest.raises(UnsafePathError, match="symbolic link"):
        safe_child(tmp_path, "mrn.parquet", "the side table name")


BAD_RELATIVE = [
    ("absolute", "/etc/passwd", "absolute"),
    ("home", "~/secret.csv", "absolute"),
    ("climb", "../hierarchy.csv", "climbs out"),
    ("climb in the middle", "h/../../x.csv", "climbs out"),
    ("backslash", "h\\age.csv", "backslash"),
    ("windows drive", "C:/x.csv", "absolute"),
    ("empty", "", "is empty"),
    ("dot only", ".", "names no file"),
    ("NUL", "age\x00.csv", "control character"),
    ("long part", "h/" + "x" * 300, "longer than 255"),
]


@pytest.mark.parametrize(
    ("relative", "problem"), [(c[1], c[2]) for c in BAD_RELATIVE], ids=[c[0] for c in BAD_RELATIVE]
)
def test_safe_relative_refuses(tmp_path: Path, relative: str, problem: str) -> None:
    with pytest.raises(UnsafePathError, match=problem):
        safe_relative(tmp_path, relative, "the hierarchy file")


def test_safe_relative_allows_sub_folders_but_no_link(tmp_path: Path) -> None:
    assert safe_relative(tmp_path, "h/./age.csv", "f") == tmp_path / "h" / "age.csv"
    (tmp_path / "real").mkdir()
    (tmp_path / "h").symlink_to(tmp_path / "real")
    with pytest.raises(UnsafePathError, match="symbolic link"):
        safe_relative(tmp_path, "h/age.csv", "the hierarchy file")


# -- recipes -------------------------------------------------------------------------------------


@pytest.mark.parametrize("lookup", ["../release", "/tmp/x", "a/b", "..", "x:y", "", "a\nb"])
def test_pseudonymize_lookup_is_a_plain_name(lookup: str) -> None:
    with pytest.raises(
        ParameterError, match="'lookup' parameter of Pseudonymize must be a plain table name"
    ):
        Pseudonymize(key="env:ANONLAB_KEY", lookup=lookup)


def test_a_recipe_lookup_that_climbs_is_refused_at_load() -> None:
    text = (
        "format_version: 1\nsteps:\n- column: mrn\n  op: pseudonymize\n"
        "  key: env:ANONLAB_KEY\n  lookup: ../release\n"
    )
    with pytest.raises(RecipeError, match=r"steps\[0\].*plain table name"):
        anonlab.Recipe.from_yaml(text)


@pytest.mark.parametrize(
    ("hierarchy", "problem"),
    [
        ("/etc/passwd", "absolute"),
        ("../hierarchies/age.csv", "climbs out"),
        ("~/.ssh/id_ed25519", "absolute"),
        ("h\\age.csv", "backslash"),
    ],
)
def test_a_recipe_hierarchy_file_stays_in_the_folder(
    tmp_path: Path, hierarchy: str, problem: str
) -> None:
    text = (
        "format_version: 1\nsteps:\n- column: age\n  op: generalize\n"
        f"  hierarchy: '{hierarchy}'\n  level: 1\n"
    )
    with pytest.raises(RecipeError, match=problem) as info:
        anonlab.Recipe.from_yaml(text, base_dir=tmp_path)
    assert info.value.path == "steps[0].hierarchy"


def test_a_recipe_hierarchy_file_inside_the_folder_loads(tmp_path: Path) -> None:
    (tmp_path / "h").mkdir()
    (tmp_path / "h" / "age.csv").write_text("30;[30, 40);*\n41;[40, 50);*\n")
    text = (
        "format_version: 1\nsteps:\n- column: age\n  op: generalize\n"
        "  hierarchy: h/age.csv\n  level: 1\n"
    )
    recipe = anonlab.Recipe.from_yaml(text, base_dir=tmp_path)
    out = recipe.apply(pl.DataFrame({"age": ["30", "41"]}))
    assert out["age"].to_list() == ["[30, 40)", "[40, 50)"]


# -- anonlab apply --lookup-dir -------------------------------------------------------------------


def _apply_case(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, lookup: str) -> tuple[Path, Path]:
    monkeypatch.setenv("ANONLAB_KEY", "a long enough secret key for the tests")
    monkeypatch.setenv("LOOKUP_KEY", "another long enough secret key, for lookups")
    pl.DataFrame({"mrn": ["A1", "B2", "A1"], "age": [30, 41, 52]}).write_csv(tmp_path / "in.csv")
    (tmp_path / "out").mkdir()
    (tmp_path / "recipe.yaml").write_text(
        "format_version: 1\nsteps:\n- column: mrn\n  op: pseudonymize\n  key: env:ANONLAB_KEY\n"
        f"  lookup: {lookup}\n"
    )
    return tmp_path / "release.parquet", tmp_path / "out"


def test_apply_lookup_cannot_overwrite_the_release(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The attack of the issue: ``lookup: ../release`` with ``--lookup-dir out`` wrote the table
    of raw values over ``release.parquet``. Now nothing is written."""
    release, out = _apply_case(tmp_path, monkeypatch, "../release")
    run = cli(
        "apply",
        str(tmp_path / "recipe.yaml"),
        str(tmp_path / "in.csv"),
        "-o",
        str(release),
        "--lookup-dir",
        str(out),
        "--lookup-key",
        "env:LOOKUP_KEY",
    )
    assert run.code == 1
    assert "plain table name" in run.err
    assert not release.exists()
    assert list(out.iterdir()) == []


def test_apply_refuses_a_linked_lookup_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    release, out = _apply_case(tmp_path, monkeypatch, "mrn")
    victim = tmp_path / "victim.parquet"
    victim.write_bytes(b"keep me")
    (out / "mrn.lookup").symlink_to(victim)
    run = cli(
        "apply",
        str(tmp_path / "recipe.yaml"),
        str(tmp_path / "in.csv"),
        "-o",
        str(release),
        "--lookup-dir",
        str(out),
        "--lookup-key",
        "env:LOOKUP_KEY",
    )
    assert run.code == 1
    assert "symbolic link" in run.err
    assert victim.read_bytes() == b"keep me"
    assert not release.exists()  # checked before the output is written


def test_apply_keeps_a_lookup_named_like_the_output_apart(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    release, _ = _apply_case(tmp_path, monkeypatch, "release")
    run = cli(
        "apply",
        str(tmp_path / "recipe.yaml"),
        str(tmp_path / "in.csv"),
        "-o",
        str(release),
        "--lookup-dir",
        str(tmp_path),
        "--lookup-key",
        "env:LOOKUP_KEY",
    )
    # side tables end in .lookup, an extension no output or input has: the two stay apart
    assert run.code == 0, run.err
    assert pl.read_parquet(release)["mrn"].n_unique() == 2
    table = anonlab.read_lookup(tmp_path / "release.lookup", key="env:LOOKUP_KEY")
    assert table.columns == ["value", "token"]


def test_apply_writes_a_plain_lookup_inside_its_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    release, out = _apply_case(tmp_path, monkeypatch, "mrn")
    run = cli(
        "apply",
        str(tmp_path / "recipe.yaml"),
        str(tmp_path / "in.csv"),
        "-o",
        str(release),
        "--lookup-dir",
        str(out),
        "--lookup-key",
        "env:LOOKUP_KEY",
    )
    assert run.code == 0, run.err
    assert sorted(p.name for p in out.iterdir()) == ["mrn.lookup"]
    assert anonlab.read_lookup(out / "mrn.lookup", key="env:LOOKUP_KEY").height == 2
    assert pl.read_parquet(release)["mrn"].n_unique() == 2


# -- bundles: the manifest's and the license's names ----------------------------------------------


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> Made:
    return make_bundle(tmp_path_factory.mktemp("paths"))


@pytest.fixture
def copy(made: Made, tmp_path: Path) -> Path:
    import shutil

    target = tmp_path / "release"
    shutil.copytree(made.path, target)
    return target


MANIFEST_NAMES = [
    ("climb", "../release.audit.jsonl"),
    ("absolute", "/etc/passwd"),
    ("sub-folder", "sub/data.parquet"),
    ("backslash", "..\\x"),
    ("parent", ".."),
    ("control character", "report\n.html"),
    ("the manifest itself", "manifest.json"),
    ("the signature", "signature"),
]


@pytest.mark.parametrize("name", [c[1] for c in MANIFEST_NAMES], ids=[c[0] for c in MANIFEST_NAMES])
def test_a_signed_manifest_cannot_name_a_path_outside(copy: Path, made: Made, name: str) -> None:
    def rename(doc: dict) -> None:
        doc["files"].append({"path": name, "sha256": "0" * 64, "bytes": 0})

    resign(copy, made.private, manifest=rename)
    with pytest.raises(VerificationError, match=r"files\[\d+\]\.path") as info:
        anonlab.verify(copy, public_key=made.public)
    assert (info.value.reason, info.value.file) == ("malformed", "manifest.json")


@pytest.mark.parametrize("name", ["../data.parquet", "/etc/passwd", "other.parquet"])
def test_the_license_data_files_are_the_manifest_files(copy: Path, made: Made, name: str) -> None:
    def rebind(doc: dict) -> None:
        doc["dataset"]["files"][0]["path"] = name

    resign(copy, made.private, license=rebind)
    with pytest.raises(VerificationError) as info:
        anonlab.verify(copy, public_key=made.public)
    assert info.value.reason == "license_mismatch"


def test_a_link_in_the_bundle_is_not_followed(copy: Path, made: Made, tmp_path: Path) -> None:
    outside = tmp_path / "outside.html"
    outside.write_bytes((copy / "report.html").read_bytes())
    (copy / "report.html").unlink()
    os.symlink(outside, copy / "report.html")
    with pytest.raises(VerificationError, match="link") as info:
        anonlab.verify(copy, public_key=made.public)
    assert info.value.reason == "unexpected_file"
