"""anonlab.export: what a bundle holds, atomic writes, overwrite, refusals, and no key leaks.

export takes the original data: the release it writes is made there, with keys for it alone
and rows in a secret order, so it equals the master-key preview (``source.data``) only up to
row order and token values.
"""

from __future__ import annotations

import base64
import importlib.util
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pandas as pd
import polars as pl
import pytest
from cryptography.hazmat.primitives import serialization

import anonlab
from anonlab.bundle import AuditLog, Bundle, export, load_private_key, open_bundle, verify
from anonlab.bundle.canonical import canonical_bytes
from anonlab.bundle.layout import hash_file
from anonlab.errors import (
    BundleError,
    ColumnNotFoundError,
    ComplianceError,
    ParameterError,
    RecipeError,
    SecretKeyError,
    UnsupportedFrameError,
)
from anonlab.licensing import License
from anonlab.recipe import Recipe
from tests.bundle.conftest import (
    HASH_KEY,
    INSIDE,
    TEMPLATE,
    Keys,
    Source,
    fixed_license,
    make_bundle,
)
from tests.identities import LICENSEE_KEYS, LICENSEE_PUBLIC_KEY

ROOT = Path(__file__).resolve().parents[2]


def test_bundle_contents(pristine: Bundle, source: Source) -> None:
    folder = pristine.path
    manifest = json.loads((folder / "manifest.json").read_bytes())
    listed = {f["path"]: f for f in manifest["files"]}
    assert set(listed) == set(os.listdir(folder)) - {"manifest.json", "signature"}
    for name, entry in listed.items():
        sha, size, _ = hash_file(folder / name)
        assert (entry["sha256"], entry["bytes"]) == (sha, size)
    assert manifest["license_id"] == pristine.license.id
    assert manifest["signing_key"]["fingerprint"] == pristine.key_fingerprint
    signature = json.loads((folder / "signature").read_bytes())
    assert signature["algorithm"] == "ed25519"
    assert signature["key_fingerprint"] == pristine.key_fingerprint
    assert len(base64.b64decode(signature["signature"])) == 64
    # canonical JSON
    for name in ("manifest.json", "signature", "license.json"):
        raw = (folder / name).read_bytes()
        assert canonical_bytes(json.loads(raw)) == raw
    # the data is the recipe's output: the preview's rows, in another order, with the tokens
    # of this release alone
    back = pl.read_parquet(folder / "data.parquet")
    assert back.schema == source.data.schema and back.height == source.data.height
    plain = [c for c in back.columns if c not in ("email", "mrn")]
    assert back.select(plain).sort(plain, nulls_last=True).equals(
        source.data.select(plain).sort(plain, nulls_last=True))
    for token in ("email", "mrn"):
        assert not set(back[token].drop_nulls()) & set(source.data[token].drop_nulls())
    assert not back.select(plain).equals(source.data.select(plain))  # rows reordered
    assert pl.read_csv(folder / "data.csv").height == source.data.height


def test_license_is_bound_to_the_written_bytes(pristine: Bundle, source: Source) -> None:
    lic = License.from_json((pristine.path / "license.json").read_bytes())
    assert lic == pristine.license
    files = {f["path"]: f for f in lic.dataset["files"]}
    assert set(files) == {"data.parquet", "data.csv"}
    for name, entry in files.items():
        sha, size, _ = hash_file(pristine.path / name)
        assert (entry["sha256"], entry["bytes"]) == (sha, size)
    assert lic.dataset["records"] == source.data.height
    assert [c["name"] for c in lic.dataset["columns"]] == source.data.columns
    evidence = lic.to_dict()["anonymization"]
    assert evidence["claimed_status"] == "pseudonymous"
    assert evidence["recipe"] == source.recipe.to_dict()
    assert evidence["risk"]["quasi_identifiers"] == list(source.recipe.targets.quasi_identifiers)
    assert {c["name"] for c in evidence["checks"]} >= {"direct-identifiers", "pseudonymisation",
                                                       "replay", "cross-release", "row-order"}
    assert {a["attack"] for a in evidence["attacks"]} >= {"cross-release", "row-order"}
    assert all(a["passed"] for a in evidence["attacks"])
    assert evidence["release"]["token_scope"] == "release"
    assert evidence["release"]["row_order"] == "secret-permutation"
    assert evidence["release"]["scope"].startswith(f"release:{lic.id}:")
    assert evidence["tool"]["version"] == anonlab.__version__


def test_human_and_policy_files(pristine: Bundle, source: Source) -> None:
    folder = pristine.path
    md = (folder / "LICENSE.md").read_text()
    assert pristine.license.id in md
    policy = json.loads((folder / "policy.odrl.jsonld").read_bytes())
    assert policy == json.loads(json.dumps(pristine.license.to_odrl()))
    assert Recipe.from_yaml((folder / "recipe.yaml").read_text()) == source.recipe
    assert "env:ANONLAB_KEY" in (folder / "recipe.yaml").read_text()
    page = (folder / "report.html").read_text()
    assert page.startswith("<!doctype html>")
    assert "re-identification risk" in page
    # the evidence comes first: every check and attack, passed or not
    assert "Evidence: the checks and attacks behind the license" in page
    for check in pristine.license.anonymization["checks"]:
        assert f"<td>{check['name']}</td>" in page
    assert "5-anonymity" in page and "FAIL" in page
    assert pristine.license.id in page
    # no record values: a hashed e-mail of the data is not in the page
    assert source.data["email"][0] not in page


def test_report_page_without_targets(source: Source, keys: Keys, tmp_path: Path) -> None:
    recipe = Recipe(steps=source.recipe.steps)  # no targets
    bundle = export(source.raw, recipe=recipe, license=fixed_license(), path=tmp_path / "b",
                    signing_key=keys.private)
    page = (bundle.path / "report.html").read_text()
    assert "No risk assessment was made" in page
    assert bundle.license.to_dict()["anonymization"]["risk"] is None


def test_the_release_is_assessed_with_figures(pristine: Bundle) -> None:
    pytest.importorskip("matplotlib")
    page = (pristine.path / "report.html").read_text()
    release = pl.read_parquet(pristine.path / "data.parquet")
    risk = pristine.license.anonymization["risk"]
    assert risk["report"]["records"] == release.height
    has_figures = importlib.util.find_spec("anonlab.risk.figures") is not None
    assert ("data:image/png;base64," in page) == has_figures


def test_template_id_issues_the_license(source: Source, keys: Keys, tmp_path: Path) -> None:
    bundle = export(source.raw, recipe=source.recipe, license=TEMPLATE, path=tmp_path / "b",
                    signing_key=keys.private,
                    license_terms={"licensee": "Uni", "purposes": ["scientific-research"],
                                   "licensee_keys": LICENSEE_KEYS})
    assert bundle.license.template == TEMPLATE
    assert bundle.license.purposes == ("scientific-research",)
    assert verify(bundle.path, public_key=keys.public).license_id == bundle.license.id


def test_compliance_failure_writes_nothing(source: Source, keys: Keys, tmp_path: Path) -> None:
    with pytest.raises(ComplianceError, match="hipaa-safe-harbor") as info:
        export(source.raw, recipe=source.recipe, license="hipaa-safe-harbor",
               path=tmp_path / "b", signing_key=keys.private,
               license_terms={"licensee": "Uni"})
    assert {c.name for c in info.value.failures} >= {"pseudonymisation"}
    assert list(tmp_path.iterdir()) == []


def test_unbound_license_is_checked_too(source: Source, keys: Keys, tmp_path: Path) -> None:
    lic = License.from_template("hipaa-safe-harbor", licensee="Uni")
    with pytest.raises(ComplianceError, match="safe-harbor"):
        export(source.raw, recipe=source.recipe, license=lic, path=tmp_path / "b",
               signing_key=keys.private)
    assert list(tmp_path.iterdir()) == []


def test_a_bound_license_is_refused(pristine: Bundle, source: Source, keys: Keys,
                                    tmp_path: Path) -> None:
    # export makes a new release, with keys for it alone: another release's evidence cannot
    # describe it
    with pytest.raises(BundleError, match="already bound"):
        export(source.raw, recipe=source.recipe, license=pristine.license,
               path=tmp_path / "b", signing_key=keys.private)
    assert list(tmp_path.iterdir()) == []


def test_an_anonymized_frame_is_not_the_original(source: Source, keys: Keys,
                                                 tmp_path: Path) -> None:
    with pytest.raises(ColumnNotFoundError, match="ORIGINAL data"):
        export(source.data, recipe=source.recipe, license=fixed_license(),
               path=tmp_path / "b", signing_key=keys.private)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("kind", ["pandas", "lazy", "arrow"])
def test_any_frame_kind(source: Source, keys: Keys, tmp_path: Path, kind: str) -> None:
    frame = {"pandas": source.raw.to_pandas, "lazy": source.raw.lazy,
             "arrow": source.raw.to_arrow}[kind]()
    bundle = make_bundle(source, keys, tmp_path / "b") if kind == "polars" else export(
        frame, recipe=source.recipe, license=fixed_license(), path=tmp_path / "b",
        signing_key=keys.private)
    assert pl.read_parquet(bundle.path / "data.parquet").height == source.data.height


def test_existing_target_is_refused(source: Source, keys: Keys, tmp_path: Path) -> None:
    (tmp_path / "b").mkdir()
    with pytest.raises(BundleError, match=r"already exists.*overwrite=True"):
        make_bundle(source, keys, tmp_path / "b")
    with pytest.raises(BundleError, match="not an anonlab bundle"):
        make_bundle(source, keys, tmp_path / "b", overwrite=True)
    (tmp_path / "f").write_text("x")
    with pytest.raises(BundleError, match="not an anonlab bundle"):
        make_bundle(source, keys, tmp_path / "f", overwrite=True)
    assert (tmp_path / "f").read_text() == "x"


def test_overwrite_replaces_a_bundle(source: Source, keys: Keys, tmp_path: Path) -> None:
    first = make_bundle(source, keys, tmp_path / "b")
    second = make_bundle(source, keys, tmp_path / "b", overwrite=True)
    assert first.license.id != second.license.id
    assert verify(tmp_path / "b", public_key=keys.public).license_id == second.license.id
    assert sorted(p.name for p in tmp_path.iterdir()) == ["b"]  # no leftovers


def test_bad_inputs(source: Source, keys: Keys, tmp_path: Path) -> None:
    target = tmp_path / "b"
    with pytest.raises(ParameterError, match="needs recipe="):
        export(source.raw, recipe=None, license=fixed_license(), path=target,  # type: ignore[arg-type]
               signing_key=keys.private)
    with pytest.raises(ParameterError, match=r"anonlab\.Recipe"):
        export(source.data, recipe={"steps": []}, license=fixed_license(), path=target,  # type: ignore[arg-type]
               signing_key=keys.private)
    with pytest.raises(UnsupportedFrameError):
        export([1, 2, 3], recipe=source.recipe, license=fixed_license(), path=target,
               signing_key=keys.private)
    (tmp_path / "bad.key").write_text("not a key")
    with pytest.raises(SecretKeyError, match=r"bad\.key"):
        export(source.raw, recipe=source.recipe, license=fixed_license(), path=target,
               signing_key=tmp_path / "bad.key")
    with pytest.raises(SecretKeyError, match="does not exist"):
        export(source.raw, recipe=source.recipe, license=fixed_license(), path=target,
               signing_key=tmp_path / "none.key")
    with pytest.raises(ParameterError, match="must include 'parquet'"):
        export(source.raw, recipe=source.recipe, license=fixed_license(), path=target,
               signing_key=keys.private, formats=("csv",))
    with pytest.raises(ParameterError, match="Unknown bundle format"):
        export(source.raw, recipe=source.recipe, license=fixed_license(), path=target,
               signing_key=keys.private, formats=("parquet", "xlsx"))
    with pytest.raises(ParameterError, match="license_terms"):
        export(source.raw, recipe=source.recipe, license=TEMPLATE, path=target,
               signing_key=keys.private)
    with pytest.raises(ParameterError, match="License or a template id"):
        export(source.raw, recipe=source.recipe, license={"id": "x"}, path=target,  # type: ignore[arg-type]
               signing_key=keys.private)
    with pytest.raises(ParameterError, match="Profile of the original"):
        export(source.raw, recipe=source.recipe, license=fixed_license(), path=target,
               signing_key=keys.private, profile={"rows": 3})
    with pytest.raises(ParameterError, match="'original' is not one"):
        export(source.raw, recipe=source.recipe, license=TEMPLATE, path=target,
               signing_key=keys.private, license_terms={"licensee": "U", "original": 1})
    with pytest.raises(ParameterError, match="'linkable_family' parameter of export"):
        export(source.raw, recipe=source.recipe, license=fixed_license(), path=target,
               signing_key=keys.private, linkable_family="")
    with pytest.raises(ParameterError, match="'keep_row_order' parameter of export"):
        export(source.raw, recipe=source.recipe, license=fixed_license(), path=target,
               signing_key=keys.private, keep_row_order=3)  # type: ignore[arg-type]
    with pytest.raises(ParameterError, match="inside the bundle"):
        export(source.raw, recipe=source.recipe, license=fixed_license(), path=target,
               signing_key=keys.private, audit_log=target / "audit.jsonl")
    assert list(tmp_path.iterdir()) == [tmp_path / "bad.key"]


def test_recipe_with_in_memory_key_is_refused(source: Source, keys: Keys, tmp_path: Path) -> None:
    from anonlab.transforms import Hash

    recipe = Recipe().then("email", Hash(key=anonlab.Key(HASH_KEY)))
    with pytest.raises(RecipeError, match="in-memory"):
        export(source.raw, recipe=recipe, license=fixed_license(), path=tmp_path / "b",
               signing_key=keys.private)
    assert list(tmp_path.iterdir()) == []


def test_csv_refuses_nested_columns(source: Source, keys: Keys, tmp_path: Path) -> None:
    data = source.raw.with_columns(tags=pl.lit([1, 2]))
    with pytest.raises(BundleError, match="'tags'"):
        export(data, recipe=source.recipe, license=fixed_license(), path=tmp_path / "b",
               signing_key=keys.private, formats=("parquet", "csv"))
    assert list(tmp_path.iterdir()) == []


def test_export_can_log(source: Source, keys: Keys, tmp_path: Path) -> None:
    log = tmp_path / "licensor.audit.jsonl"
    bundle = make_bundle(source, keys, tmp_path / "b", audit_log=log)
    entries = AuditLog(log).entries()
    assert [(e["action"], e["outcome"], e["license_id"]) for e in entries] == [
        ("export", "allowed", bundle.license.id)]
    assert AuditLog.for_bundle(bundle.path, log).verify().ok


def test_bundle_object(pristine: Bundle, keys: Keys) -> None:
    assert pristine.verify(keys.public).signature_trusted
    assert "manifest.json" in pristine.files
    assert pristine.license.id in repr(pristine)
    html = pristine._repr_html_()
    assert "anonlab bundle" in html and pristine.key_fingerprint in html
    assert os.fspath(pristine) == str(pristine.path)


def _forms(secret: bytes) -> list[bytes]:
    return [secret, secret.hex().encode(), secret.hex().upper().encode(),
            base64.b64encode(secret), base64.urlsafe_b64encode(secret),
            base64.b64encode(secret).rstrip(b"=")]


def test_no_key_ever_enters_the_bundle(source: Source, keys: Keys, tmp_path: Path,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ANONLAB_KEY", HASH_KEY)
    log = tmp_path / "log.audit.jsonl"
    bundle = make_bundle(source, keys, tmp_path / "b", formats=("parquet", "csv"),
                         audit_log=log)
    open_bundle(bundle.path, purpose="statistics", role="analyst", user="ada",
                 public_key=keys.public, now=INSIDE)
    signing = load_private_key(keys.private)
    raw = signing._key.private_bytes(serialization.Encoding.Raw,
                                     serialization.PrivateFormat.Raw,
                                     serialization.NoEncryption())
    pem = keys.private.read_bytes()
    body = b"".join(pem.strip().splitlines()[1:-1])
    needles = [*_forms(raw), pem, body, body[:40], HASH_KEY.encode(),
               *_forms(HASH_KEY.encode())[1:]]
    files = [*sorted(bundle.path.iterdir()), log, bundle.audit_log_path]
    assert len(files) == 11
    for file in files:
        content = file.read_bytes()
        for needle in needles:
            assert needle not in content, (file.name, needle[:8])


def _child(script: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-c", textwrap.dedent(script), *args],
                          capture_output=True, text=True, env=env, timeout=120, check=False)


_KILLED_EXPORT = """
    import importlib, os, sys
    import polars as pl
    from anonlab.recipe import Recipe

    ex = importlib.import_module("anonlab.bundle.export")  # the module, not the function

    data = pl.read_parquet(sys.argv[1])
    recipe = Recipe.from_yaml(open(sys.argv[2]).read())
    def die(*args, **kwargs):
        os._exit(9)  # killed while the bundle is being written: after data, before signing
    ex.sign = die
    ex.export(data, recipe=recipe, license="gdpr-pseudonymous-research",
              license_terms={"licensee": "Uni", "licensee_keys": [sys.argv[6]]},
              path=sys.argv[3], signing_key=sys.argv[4],
              overwrite=sys.argv[5] == "1")
"""


@pytest.mark.slow
def test_a_kill_during_export_leaves_no_bundle(source: Source, keys: Keys,
                                               tmp_path: Path) -> None:
    source.raw.write_parquet(tmp_path / "in.parquet")
    (tmp_path / "recipe.yaml").write_text(source.recipe.to_yaml())
    out = tmp_path / "out"
    target = out / "release"
    args = (str(tmp_path / "in.parquet"), str(tmp_path / "recipe.yaml"), str(target),
            str(keys.private))
    (tmp_path / "licensee.pub").write_bytes(LICENSEE_PUBLIC_KEY.to_pem())
    pub = str(tmp_path / "licensee.pub")
    done = _child(_KILLED_EXPORT, *args, "0", pub)
    assert done.returncode == 9, done.stderr
    assert not target.exists()
    leftovers = list(out.iterdir())
    assert len(leftovers) == 1
    assert leftovers[0].name.startswith(".release.export-")
    assert (leftovers[0] / "data.parquet").exists()  # it was killed mid-way
    # the next export cleans the dead process's folder and succeeds
    bundle = make_bundle(source, keys, target)
    assert [p.name for p in out.iterdir()] == ["release"]
    # a kill during an overwrite leaves the old bundle whole
    done = _child(_KILLED_EXPORT, *args, "1", pub)
    assert done.returncode == 9, done.stderr
    assert verify(target, public_key=keys.public).license_id == bundle.license.id


def test_stale_folders_of_live_processes_are_kept(source: Source, keys: Keys,
                                                  tmp_path: Path) -> None:
    live = tmp_path / f".b.export-{os.getppid()}-abc.tmp"
    dead = tmp_path / ".b.export-999999999-abc.tmp"
    live.mkdir()
    dead.mkdir()
    make_bundle(source, keys, tmp_path / "b")
    assert live.exists()
    assert not dead.exists()


def test_pandas_frame_round_trip(source: Source, keys: Keys, tmp_path: Path) -> None:
    bundle = export(source.raw.to_pandas(), recipe=source.recipe, license=fixed_license(),
                    path=tmp_path / "b", signing_key=keys.private)
    back = open_bundle(bundle.path, purpose="statistics", role="analyst", user="ada",
                        public_key=keys.public, backend="pandas", now=INSIDE)
    assert isinstance(back, pd.DataFrame)
    written = pl.read_parquet(bundle.path / "data.parquet").to_pandas()
    pd.testing.assert_frame_equal(back, written, check_dtype=False)
    assert list(back.columns) == source.data.columns


@pytest.mark.figures
def test_figures_are_embedded_as_png_when_matplotlib_is_there() -> None:
    pytest.importorskip("matplotlib")
    from matplotlib.figure import Figure

    from anonlab.bundle.report_page import _figures

    class Report:
        def plot(self) -> Figure:
            fig = Figure()
            fig.add_subplot().bar([1, 2], [3, 4])
            return fig

    html = _figures(Report())
    assert html.startswith("<h2>Figures</h2><img")
    png = base64.b64decode(html.split("base64,")[1].split('"')[0])
    assert png.startswith(b"\x89PNG")

    class NoFigures:
        def plot(self) -> None:
            raise ModuleNotFoundError("anonlab.risk.figures")

    assert _figures(NoFigures()) == ""


def test_core_import_does_not_load_matplotlib() -> None:
    done = _child("""
        import sys
        import anonlab.bundle, anonlab.bundle.cli
        assert "matplotlib" not in sys.modules, "matplotlib imported"
        assert "cryptography" in sys.modules
    """)
    assert done.returncode == 0, done.stderr


def test_a_family_shares_tokens_and_says_so(source: Source, keys: Keys, tmp_path: Path) -> None:
    first = make_bundle(source, keys, tmp_path / "a", linkable_family="registry-2026")
    second = make_bundle(source, keys, tmp_path / "b", license=License.from_template(
        TEMPLATE, licensee="Another Lab", licensee_keys=LICENSEE_KEYS),
        linkable_family="registry-2026")
    outside = make_bundle(source, keys, tmp_path / "c")
    a, b, c = (pl.read_parquet(x.path / "data.parquet") for x in (first, second, outside))
    assert set(a["email"].drop_nulls()) == set(b["email"].drop_nulls())
    assert not set(a["email"].drop_nulls()) & set(c["email"].drop_nulls())
    made = first.license.anonymization["release"]
    assert made["token_scope"] == "family" and made["family"] == "registry-2026"
    assert "family `registry-2026`" in (first.path / "LICENSE.md").read_text()
    # the vendor template promises a copy that joins nothing: no family there
    with pytest.raises(ParameterError, match="cannot be joined"):
        make_bundle(source, keys, tmp_path / "d", license="vendor-analytics",
                    license_terms={"licensee": "V"}, linkable_family="registry-2026")


def test_kept_row_order_is_stated_with_its_reason(source: Source, keys: Keys,
                                                  tmp_path: Path) -> None:
    bundle = make_bundle(source, keys, tmp_path / "b", keep_row_order="rows follow the "
                         "registry's visit numbers, agreed with the recipient")
    back = pl.read_parquet(bundle.path / "data.parquet")
    plain = [c for c in back.columns if c not in ("email", "mrn")]
    assert back.select(plain).equals(source.data.select(plain))
    made = bundle.license.anonymization["release"]
    assert made["row_order"] == "kept" and "visit numbers" in made["row_order_reason"]
    row_order = next(c for c in bundle.license.anonymization["checks"]
                     if c["name"] == "row-order")
    assert row_order["passed"] and "kept on purpose" in row_order["detail"]
    assert "keep the original order" in (bundle.path / "LICENSE.md").read_text()


def test_the_license_says_which_steps_suppressed_which_cells(source: Source, keys: Keys,
                                                            tmp_path: Path) -> None:
    from anonlab.transforms import LocalSuppress

    qis = ("zip", "sex")
    recipe = source.recipe.then(None, LocalSuppress(quasi_identifiers=qis, k=3))
    assert recipe.suppressions() == {q: (len(recipe.steps) - 1,) for q in qis}
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("ANONLAB_KEY", HASH_KEY)
        bundle = export(source.raw, recipe=recipe, license=fixed_license(), path=tmp_path / "b",
                        signing_key=keys.private)
    release = pl.read_parquet(bundle.path / "data.parquet")
    made = {s["column"]: s for s in bundle.license.anonymization["release"]["suppression"]}
    assert set(made) == set(qis)
    for q in qis:
        before = int(source.raw[q].is_null().sum())
        assert made[q]["missing"] == before
        assert made[q]["by_recipe"] == int(release[q].is_null().sum()) - before
        assert list(made[q]["steps"]) == [len(recipe.steps)]
    assert "come from step(s)" in (bundle.path / "LICENSE.md").read_text()


def test_a_pseudonym_lookup_table_is_listed_nowhere_in_the_bundle(
    source: Source, keys: Keys, tmp_path: Path
) -> None:
    """Issue 14, secrets at rest: export applies a recipe whose Pseudonymize step keeps a
    lookup table; the table (every MRN beside its token) reaches no file of the bundle, nor the
    manifest, nor the folder beside it."""
    block = source.recipe.to_yaml()
    start = block.index("- column: mrn\n")
    end = block.index("- column: ", start + 1)
    text = (block[:start] + "- column: mrn\n  op: pseudonymize\n  key: env:ANONLAB_KEY\n"
            "  lookup: mrn\n" + block[end:])
    recipe = Recipe.from_yaml(text)
    lookup_recipe = make_bundle(
        Source(source.raw, source.data, recipe), keys, tmp_path / "with-lookup")
    layout = ["LICENSE.md", "data.parquet", "license.json", "manifest.json",
              "policy.odrl.jsonld", "recipe.yaml", "report.html", "signature"]
    assert sorted(lookup_recipe.files) == layout  # the fixed layout, nothing added
    assert sorted(p.name for p in lookup_recipe.path.iterdir()) == layout
    assert "lookup" not in (lookup_recipe.path / "manifest.json").read_text()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["with-lookup"]
    mrns = [m.encode() for m in source.raw["mrn"].to_list()]
    for entry in lookup_recipe.path.iterdir():
        blob = entry.read_bytes()
        assert not any(m in blob for m in mrns), entry.name
    released = pl.read_parquet(lookup_recipe.path / "data.parquet")["mrn"]
    assert released.str.starts_with("ID-").all()
