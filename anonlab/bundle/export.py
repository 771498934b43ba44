"""``anonlab.export``: make a release from the original data, attack it, license it, sign it.

``export`` takes the ORIGINAL data and the recipe, and does the rest itself, because only then can
every claim of the license be true and proven:

1. **The release.** The recipe is applied with keys for this release alone: keyed hashes,
   pseudonyms and date shifts use a key derived from the master key and a scope unique to the
   release (``release:<license id>:<nonce>``, recorded in the license), so two releases of the
   same people never share a token; ``linkable_family="name"`` keys them to a named family of
   releases instead, which the license states. Random steps draw keyed or fresh randomness
   (:mod:`anonlab.randomness`). The rows are put in a secret random order (drawn from the
   operating system and never written) unless ``keep_row_order="<reason>"``, which the license
   records with its reason.
2. **The evidence.** The release is measured (:func:`anonlab.assess_risk` on the recipe's
   targets) and attacked against the original: every check of the template runs, the attack
   checks of :mod:`anonlab.licensing.attacks` and the dictionary attack among them. A failing
   check or attack stops the export with a :class:`~anonlab.errors.ComplianceError` naming it
   and its figure; nothing is written.
3. **The bundle** (layout in :mod:`anonlab.bundle.layout`) is written into a private temporary
   folder beside the target and renamed into place only when every file is written, hashed,
   listed in the manifest and signed (:mod:`anonlab.bundle._atomic`): an interrupted export
   leaves no bundle at the target, never a partial one. The license is bound to the exact bytes
   written: the dataset section lists ``data.parquet`` (and ``data.csv``) with SHA-256 and size.

Keys
----
The signing key is read through :func:`~anonlab.bundle.signing.load_private_key`; only its public
half and fingerprint enter the bundle. Hash keys are read to make the release and never written;
``recipe.yaml`` holds key references only, and no seed (a recipe with one fails the replay
attack).
"""

from __future__ import annotations

import datetime as dt
import getpass
import os
import secrets
import shutil
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import polars as pl

from anonlab._plaintext import load_json
from anonlab._version import __version__
from anonlab.bundle import _atomic
from anonlab.bundle.audit import AuditLog, open_log
from anonlab.bundle.canonical import canonical_bytes, pretty_bytes
from anonlab.bundle.folder import Bundle
from anonlab.bundle.layout import (
    DATA_CSV,
    DATA_PARQUET,
    LICENSE_JSON,
    LICENSE_MD,
    MANIFEST,
    POLICY,
    RECIPE,
    REPORT,
    SIGNATURE,
    build_manifest,
    hash_file,
    sign,
)
from anonlab.bundle.report_page import report_page
from anonlab.bundle.signing import SigningKey, load_private_key
from anonlab.errors import BundleError, ParameterError
from anonlab.evidence.release import make_release
from anonlab.frames import ingest_eager

if TYPE_CHECKING:
    from anonlab.licensing import License
    from anonlab.recipe import Recipe

__all__ = ["FORMATS", "export", "make_release"]

FORMATS = ("parquet", "csv")
"""Data formats a bundle can carry; ``parquet`` is always written (it is what ``open`` reads)."""

_MEDIA = {DATA_PARQUET: "application/vnd.apache.parquet", DATA_CSV: "text/csv"}


def _now() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _check_formats(formats: Any) -> tuple[str, ...]:
    if isinstance(formats, str):
        formats = (formats,)
    if not isinstance(formats, Iterable):
        raise ParameterError("The 'formats' parameter of export must be a list like "
                             "('parquet', 'csv').")
    out = tuple(dict.fromkeys(formats))
    unknown = [f for f in out if f not in FORMATS]
    if unknown:
        raise ParameterError(
            f"Unknown bundle format(s) {', '.join(map(repr, unknown))} in export; known: "
            f"{', '.join(FORMATS)}.")
    if "parquet" not in out:
        raise ParameterError(
            "The 'formats' of export must include 'parquet': it is the copy anonlab.open reads "
            "(add 'csv' for a second copy).")
    return out


def _looks_like_bundle(path: Path) -> bool:
    return (path.is_dir() and not path.is_symlink() and (path / MANIFEST).is_file()
            and (path / SIGNATURE).is_file())


def _check_target(target: Path, overwrite: bool) -> None:
    if not (target.exists() or target.is_symlink()):
        return
    if not overwrite:
        raise BundleError(
            f"{str(target)!r} already exists. Pass overwrite=True to replace the bundle there, "
            "or choose another path.")
    if not _looks_like_bundle(target):
        raise BundleError(
            f"{str(target)!r} exists and is not an anonlab bundle (no {MANIFEST} and "
            f"{SIGNATURE}); overwrite=True only replaces a bundle. Choose another path.")


def _write(folder: Path, name: str, data: bytes) -> None:
    with (folder / name).open("xb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _check_csv(data: pl.DataFrame) -> None:
    nested = [n for n, t in data.schema.items() if t.is_nested() or t in (pl.Binary, pl.Object)]
    if nested:
        raise BundleError(
            f"CSV cannot hold the column(s) {', '.join(map(repr, nested))} (nested or "
            "binary); export with formats=('parquet',).")


def _csv_release(data: pl.DataFrame, csv_safe: bool) -> dict[str, Any]:
    """What the license says about ``data.csv``'s formula cells (:mod:`anonlab.csv_safety`)."""
    from anonlab.csv_safety import formula_cells

    return {"formula_cells": "neutralized" if csv_safe else "unchanged",
            "cells": formula_cells(data)}


def _write_data(data: pl.DataFrame, folder: Path, formats: tuple[str, ...],
                csv_safe: bool) -> None:
    data.write_parquet(folder / DATA_PARQUET)
    _fsync(folder / DATA_PARQUET)
    if "csv" in formats:
        _check_csv(data)
        if csv_safe:
            from anonlab.csv_safety import neutralize_csv

            neutralize_csv(data.lazy()).collect().write_csv(folder / DATA_CSV)
        else:
            data.write_csv(folder / DATA_CSV)
        _fsync(folder / DATA_CSV)


def _risk_report(data: pl.DataFrame, recipe: Recipe, original: pl.DataFrame) -> Any:
    """The release's risk on the recipe's targets; ``original`` is aligned with its rows, so the
    report tells the cells the recipe suppressed from those missing in the input."""
    from anonlab.risk.report import assess_risk

    targets = recipe.targets
    if targets is None or not targets.quasi_identifiers:
        return None
    return assess_risk(data, targets.quasi_identifiers, targets.sensitive_columns,
                       targets=targets.models(), original=original)


def _license_shell(license: Any, terms: Mapping[str, Any] | None) -> License:
    """The unbound license the export will certify and bind."""
    from anonlab.licensing import License

    if isinstance(license, str):
        if terms is None or not isinstance(terms, Mapping):
            raise ParameterError(
                f"export with the template id {license!r} issues the license itself and needs "
                "its terms: pass license_terms={'licensee': ..., 'purposes': [...], ...}.")
        terms = dict(terms)
        if "licensee" not in terms:
            raise ParameterError("license_terms needs 'licensee' (who receives the data).")
        for name in ("original", "original_profile", "report", "at"):
            if name in terms:
                raise ParameterError(
                    f"license_terms takes the license's terms; {name!r} is not one (export "
                    "assesses the release it makes against the data you give it).")
        return License.from_template(license, **terms)
    if not isinstance(license, License):
        raise ParameterError(
            "The 'license' parameter of export must be a License or a template id such as "
            f"'gdpr-pseudonymous-research'. Got a {type(license).__name__}.")
    if terms is not None:
        raise ParameterError(
            "license_terms only go with a template id; this License already has its terms.")
    if license.bound:
        raise BundleError(
            f"License {license.id} is already bound to data and evidence, but export makes a new "
            "release (with keys for it alone) and must prove its claims on that release. Pass "
            "License.from_template(...) or a template id.")
    return license


def _suppression(recipe: Recipe, report: Any) -> list[dict[str, Any]]:
    """Which steps suppressed cells of which columns, and how many cells (for the license)."""
    cells = getattr(report, "input_cells", None) or {}
    out = []
    for column, steps in recipe.suppressions().items():
        counts = cells.get(column, {})
        out.append({"column": column, "steps": [i + 1 for i in steps],
                    "by_recipe": counts.get("by_recipe"), "missing": counts.get("missing")})
    return out


def _randomness(recipe: Recipe) -> list[dict[str, Any]]:
    """How each random step drew its numbers (for the license; no secret)."""
    from anonlab.keys import describe_key_ref

    out = []
    for i in recipe.random_steps:
        step = recipe.steps[i]
        key = getattr(step.transform, "key", None)
        seed = getattr(step.transform, "seed", None)
        if seed is not None or (key is None and recipe.seed is not None):
            source = "seed"
        elif key is not None:
            source = f"keyed ({describe_key_ref(key)})"
        else:
            source = "fresh (operating system, never written)"
        out.append({"step": i + 1, "column": step.target_column, "op": step.transform.op,
                    "randomness": source})
    return out


def _log_path(audit_log: Any, target: Path) -> Path | None:
    if audit_log is None:
        return None
    if isinstance(audit_log, AuditLog):
        where = audit_log.path
    elif isinstance(audit_log, str | os.PathLike):
        where = Path(audit_log)
    else:
        raise ParameterError("The 'audit_log' parameter of export must be a path or an AuditLog.")
    if where.absolute().is_relative_to(target):
        raise ParameterError(
            "The audit log cannot live inside the bundle folder (every file there is signed); "
            "keep it beside the folder.")
    return where


def _user() -> str:
    try:
        return getpass.getuser()[:200] or "unknown"
    except (KeyError, OSError):  # no login name in some containers
        return "unknown"


def export(
    frame: Any,
    *,
    recipe: Recipe,
    license: License | str,
    path: str | os.PathLike[str],
    signing_key: str | os.PathLike[str] | SigningKey | Any,
    formats: Iterable[str] = ("parquet",),
    overwrite: bool = False,
    license_terms: Mapping[str, Any] | None = None,
    profile: Any = None,
    audit_log: str | os.PathLike[str] | AuditLog | None = None,
    linkable_family: str | None = None,
    keep_row_order: str | None = None,
    csv_safe: bool = True,
) -> Bundle:
    """Make a release of ``frame`` with ``recipe``, attack it, license it and sign the bundle.

    Parameters
    ----------
    frame : pandas, polars (eager or lazy) or Arrow frame
        The ORIGINAL data, before anonymization (a lazy frame is collected once). It is read to
        make the release and to attack it, and never written.
    recipe : Recipe
        Applied here, with keys for this release alone; written as ``recipe.yaml`` (key
        references only) and recorded in the license's evidence.
    license : License or str
        A template id, with ``license_terms``, or an unbound ``License.from_template(...)``.
    path : path-like
        The bundle folder to create.
    signing_key : path, "file:PATH", "env:NAME", SigningKey or Ed25519 private key
        The licensor's Ed25519 private key (:func:`~anonlab.bundle.signing.generate_keypair`).
    formats : sequence of {"parquet", "csv"}, default ("parquet",)
        Data files to write; ``parquet`` is required.
    overwrite : bool, default False
        Replace an existing bundle at ``path`` (atomically; only a folder that is a bundle).
    license_terms : mapping, optional
        With a template id: ``licensee`` (required), ``licensor``, ``purposes``, ``expires``,
        ``roles``, ... (see ``License.from_template``).
    profile : Profile, optional
        The profile of the original ``frame`` (computed when not given): what each column was,
        for the checks.
    audit_log : path or AuditLog, optional
        Also record the export in this log (the licensor's own log).
    linkable_family : str, optional
        Key the release's tokens to this named family of releases instead of to the release
        alone: releases of one family can be joined on their tokens, which the license states.
    keep_row_order : str, optional
        Keep the rows in the original order instead of a secret random one, for this reason
        (recorded in the license, with the row-order attack's finding).
    csv_safe : bool, default True
        With ``"csv"`` in ``formats``: prefix with ``'`` the text cells of ``data.csv`` (and its
        column names) that a spreadsheet would run as formulas (``=``, ``+``, ``-``, ``@``, tab,
        CR; :mod:`anonlab.csv_safety`). ``data.parquet`` is never changed. The license records
        the choice and how many cells it concerns (``anonymization.release.csv``, and a line in
        ``LICENSE.md``); ``False`` writes the cells unchanged and the license says so.

    Returns
    -------
    Bundle

    Raises
    ------
    ComplianceError
        A check or an attack of the template fails (each is named with its figure); nothing is
        written.
    BundleError
        The target exists (without ``overwrite``), or is not a bundle, or a file cannot be
        written; or the License given is already bound.
    ColumnNotFoundError
        A step names a column the data lacks (was it already anonymized?).
    ParameterError, RecipeError, SecretKeyError, UnsupportedFrameError
        A missing or malformed recipe, a bad key, something that is not a frame.

    Examples
    --------
    >>> bundle = anonlab.export(raw, recipe=recipe, path="release-2026",
    ...                         license="gdpr-pseudonymous-research",
    ...                         license_terms={"licensee": "Uni Lab", "expires": "P6M"},
    ...                         signing_key="file:keys/licensor.key")
    """
    from anonlab.licensing import template as lookup_template
    from anonlab.licensing.issue import certify
    from anonlab.profiling.profile import Profile
    from anonlab.profiling.profile import profile as make_profile
    from anonlab.recipe import Recipe

    if recipe is None:
        raise ParameterError(
            "export needs recipe=, the recipe to apply: the bundle carries it as evidence of how "
            "the data was anonymized.")
    if not isinstance(recipe, Recipe):
        raise ParameterError(
            f"The 'recipe' parameter of export must be an anonlab.Recipe. Got a "
            f"{type(recipe).__name__}.")
    recipe_text = recipe.to_yaml()  # refuses a recipe holding an in-memory Key
    kinds = _check_formats(formats)
    if not isinstance(overwrite, bool):
        raise ParameterError("The 'overwrite' parameter of export must be True or False.")
    if not isinstance(csv_safe, bool):
        raise ParameterError("The 'csv_safe' parameter of export must be True or False.")
    if path is None or not isinstance(path, str | os.PathLike) or not str(path):
        raise ParameterError("The 'path' parameter of export must name the bundle folder.")
    for name, value in (("linkable_family", linkable_family), ("keep_row_order", keep_row_order)):
        if value is not None and (not isinstance(value, str) or not value.strip()):
            raise ParameterError(f"The {name!r} parameter of export must be a non-empty str or "
                                 f"None. Got {value!r} instead.")
    if profile is not None and not isinstance(profile, Profile):
        raise ParameterError("The 'profile' parameter of export must be the Profile of the "
                             "original data (anonlab.profile(frame)).")
    target = Path(path).expanduser().absolute()
    _check_target(target, overwrite)
    log_path = _log_path(audit_log, target)
    original, _ = ingest_eager(frame, owner="export")
    shell = _license_shell(license, license_terms)
    tpl = lookup_template(shell.template)
    if linkable_family is not None and not tpl.allows_linkable_family:
        raise ParameterError(
            f"The {tpl.id!r} template states that the recipient's copy cannot be joined with "
            "other releases; a linkable family would make that false. Export without "
            "linkable_family, or use another template.")
    scope = (f"family:{linkable_family}" if linkable_family is not None
             else f"release:{shell.id}:{secrets.token_hex(16)}")
    release, rows = make_release(original, recipe, scope, shuffle=keep_row_order is None)
    report = _risk_report(release, recipe, original[rows])
    if profile is None:
        profile = make_profile(original)
    made: dict[str, Any] = {
        "token_scope": "family" if linkable_family is not None else "release",
        "family": linkable_family,
        "scope": scope,
        "row_order": "kept" if keep_row_order is not None else "secret-permutation",
        "row_order_reason": keep_row_order,
        "randomness": _randomness(recipe),
        "suppression": _suppression(recipe, report),
    }
    if "csv" in kinds:
        _check_csv(release)  # before the checks: a bundle that cannot be written is no news
        made["csv"] = _csv_release(release, csv_safe)
    issued = certify(shell, frame=release, recipe=recipe, report=report, release=made,
                     original=original, original_profile=profile, rows=rows, scope=scope,
                     row_order=keep_row_order)
    # after the checks, so that a key problem never hides why the release would be refused
    key = load_private_key(signing_key)
    return _write_bundle(release, issued, recipe, recipe_text, report, key, target, kinds,
                         overwrite, log_path, csv_safe)


def _write_bundle(
    data: pl.DataFrame,
    issued: License,
    recipe: Recipe,
    recipe_text: str,
    report: Any,
    key: SigningKey,
    target: Path,
    kinds: tuple[str, ...],
    overwrite: bool,
    log_path: Path | None,
    csv_safe: bool = True,
) -> Bundle:
    """Write, hash, sign and install the bundle folder atomically."""
    target.parent.mkdir(parents=True, exist_ok=True)
    _atomic.clean_stale(target)
    tmp = _atomic.temp_folder(target)
    created = _now()
    try:
        _write_data(data, tmp, kinds, csv_safe)
        files = []
        for name in (DATA_PARQUET, DATA_CSV):
            if (tmp / name).exists():
                sha, size, _ = hash_file(tmp / name)
                files.append({"path": name, "sha256": sha, "bytes": size,
                              "media_type": _MEDIA[name]})
        described = dict(issued.dataset or {})
        described["files"] = files
        bound = issued.bind(dataset=described, anonymization=issued.anonymization or {},
                            compliance=list(issued.compliance))
        license_bytes = canonical_bytes(load_json(bound.to_json()), what=LICENSE_JSON)
        _write(tmp, LICENSE_JSON, license_bytes)
        _write(tmp, LICENSE_MD, bound.to_markdown().encode("utf-8"))
        _write(tmp, POLICY, pretty_bytes(bound.to_odrl(), what=POLICY))
        _write(tmp, RECIPE, recipe_text.encode("utf-8"))
        page = report_page(report, license_id=bound.id, recipe_name=recipe.name,
                           created=created, tool_version=__version__,
                           attacks=(bound.anonymization or {}).get("checks", ()))
        _write(tmp, REPORT, page.encode("utf-8"))
        listed = {}
        for entry in sorted(tmp.iterdir()):
            sha, size, _ = hash_file(entry)
            listed[entry.name] = (sha, size)
        manifest = build_manifest(listed, license_id=bound.id, public_key=key.public_key,
                                  created=created, tool_version=__version__)
        manifest_bytes = canonical_bytes(manifest, what=MANIFEST)
        _write(tmp, MANIFEST, manifest_bytes)
        _write(tmp, SIGNATURE, canonical_bytes(sign(manifest_bytes, key), what=SIGNATURE))
        _atomic.publish_mode(tmp)
        _atomic.fsync_dir(tmp)
        try:
            _atomic.install(tmp, target, replace=overwrite)
        except FileExistsError:
            raise BundleError(
                f"{str(target)!r} appeared while the bundle was written; it was left alone. "
                "Choose another path, or pass overwrite=True.") from None
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    if log_path is not None:
        open_log(log_path, genesis=license_bytes).append(
            action="export", outcome="allowed", user=_user(), license_id=bound.id,
            bundle=target.name)
    return Bundle(path=target, license=bound, manifest=manifest, files=tuple(sorted(
        [*listed, MANIFEST, SIGNATURE])))
