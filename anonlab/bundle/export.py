"""``anonlab.export``: write anonymized data, its license and its evidence as a signed bundle.

The bundle (layout in :mod:`anonlab.bundle.layout`) is written into a private temporary folder
beside the target and renamed into place only when every file is written, hashed, listed in the
manifest and signed (:mod:`anonlab.bundle._atomic`): an interrupted export leaves no bundle at
the target, never a partial one. Nothing is written before the license is settled, so a
:class:`~anonlab.errors.ComplianceError` leaves no trace.

The license
-----------
* A template id (``"gdpr-pseudonymous-research"``) with ``license_terms={"licensee": ...}``:
  :func:`anonlab.licensing.issue.issue_license` runs the template's compliance checks on the
  data and issues the license, or raises ``ComplianceError`` naming the failing checks.
* A :class:`~anonlab.licensing.model.License` built with ``License.from_template`` (unbound):
  the same checks run here, because the license must state an anonymization status the
  evidence supports; failing checks raise ``ComplianceError`` too.
* A license already issued for this data (bound): its evidence is kept; the data must be the
  data it describes (same record count and schema hash).

Either way the license is then bound to the exact bytes written: the dataset section lists
``data.parquet`` (and ``data.csv``) with SHA-256 and size.

Keys
----
The signing key is read through :func:`~anonlab.bundle.signing.load_private_key`; only its public
half and fingerprint enter the bundle. Hash keys are never read here (the data is already
anonymized); ``recipe.yaml`` holds key references only.
"""

from __future__ import annotations

import datetime as dt
import getpass
import os
import shutil
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import polars as pl

from anonlab._plaintext import load_json
from anonlab._version import __version__
from anonlab.bundle import _atomic
from anonlab.bundle.audit import AuditLog
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
from anonlab.errors import BundleError, ComplianceError, ParameterError
from anonlab.frames import ingest_eager

if TYPE_CHECKING:
    from anonlab.licensing import License
    from anonlab.recipe import Recipe

__all__ = ["FORMATS", "export"]

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


def _write_data(data: pl.DataFrame, folder: Path, formats: tuple[str, ...]) -> None:
    data.write_parquet(folder / DATA_PARQUET)
    _fsync(folder / DATA_PARQUET)
    if "csv" in formats:
        nested = [n for n, t in data.schema.items()
                  if t.is_nested() or t in (pl.Binary, pl.Object)]
        if nested:
            raise BundleError(
                f"CSV cannot hold the column(s) {', '.join(map(repr, nested))} (nested or "
                "binary); export with formats=('parquet',).")
        data.write_csv(folder / DATA_CSV)
        _fsync(folder / DATA_CSV)


def _risk_report(data: pl.DataFrame, recipe: Recipe, report: Any) -> Any:
    from anonlab.risk.report import RiskReport, assess_risk

    if report is not None:
        if not isinstance(report, RiskReport):
            raise ParameterError(
                "The 'report' parameter of export must be a RiskReport from anonlab.assess_risk. "
                f"Got a {type(report).__name__}.")
        if report.records != data.height:
            raise ParameterError(
                f"The report describes {report.records:,} records but the data has "
                f"{data.height:,}: assess the anonymized frame you export.")
        return report
    targets = recipe.targets
    if targets is None or not targets.quasi_identifiers:
        return None
    return assess_risk(data, targets.quasi_identifiers, targets.sensitive_columns,
                       targets=targets.models())


def _settle_license(
    license: Any,
    data: pl.DataFrame,
    recipe: Recipe,
    report: Any,
    profile: Any,
    terms: Mapping[str, Any] | None,
) -> License:
    """An issued (evidence-bound) license for ``data``; raises ComplianceError on failing
    checks before anything is written."""
    from anonlab.licensing import License, check_compliance, issue_license
    from anonlab.licensing import template as lookup_template
    from anonlab.licensing.checks import plain_data
    from anonlab.licensing.issue import (
        anonymization_evidence,
        compliance_entries,
        dataset_description,
    )

    if isinstance(license, str):
        if terms is None or not isinstance(terms, Mapping):
            raise ParameterError(
                f"export with the template id {license!r} issues the license itself and needs "
                "its terms: pass license_terms={'licensee': ..., 'purposes': [...], ...}.")
        return issue_license(license, frame=data, recipe=recipe, report=report, profile=profile,
                             **dict(terms))
    if not isinstance(license, License):
        raise ParameterError(
            "The 'license' parameter of export must be a License or a template id such as "
            f"'gdpr-pseudonymous-research'. Got a {type(license).__name__}.")
    if terms is not None:
        raise ParameterError(
            "license_terms only go with a template id; this License already has its terms.")
    described = dataset_description(data)
    tpl = lookup_template(license.template)
    if license.bound:
        have = license.dataset or {}
        for key in ("records", "schema_hash"):
            if key in have and have[key] != described[key]:
                raise BundleError(
                    f"License {license.id} was issued for other data ({key} differs from the "
                    "frame's): issue a license for this frame, or export the frame it describes.")
        claimed = (license.anonymization or {}).get("recipe")
        if claimed is not None and plain_data(claimed) != plain_data(recipe.to_dict()):
            raise BundleError(
                f"License {license.id} records another recipe than the one given: its evidence "
                "would not describe this data. Issue a license for this recipe and frame.")
    # the template's checks run on the data actually exported, whatever the license claims
    result = check_compliance(tpl, frame=data, recipe=recipe, report=report, profile=profile)
    if not result.passed:
        failures = result.failures
        raise ComplianceError(
            f"The data fails {len(failures)} check(s) of template {tpl.id!r} that License "
            f"{license.id} was built on, so it cannot be exported under it. "
            + "; ".join(f"{c.name}: {c.detail}" for c in failures),
            failures=failures,
        )
    if license.bound:
        return license
    evidence = anonymization_evidence(result, tpl, recipe=recipe, report=report)
    return license.bind(dataset=described, anonymization=evidence,
                        compliance=compliance_entries(result, tpl, evidence))


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
    report: Any = None,
    formats: Iterable[str] = ("parquet",),
    overwrite: bool = False,
    license_terms: Mapping[str, Any] | None = None,
    profile: Any = None,
    audit_log: str | os.PathLike[str] | AuditLog | None = None,
) -> Bundle:
    """Write the anonymized ``frame`` with its license and evidence as a signed bundle folder.

    Parameters
    ----------
    frame : pandas, polars (eager or lazy) or Arrow frame
        The ANONYMIZED data (a lazy frame is collected once).
    recipe : Recipe
        The recipe that produced it; written as ``recipe.yaml`` (key references only) and
        recorded in the license's evidence.
    license : License or str
        A License (checked against its template and bound to this data, see the module docs) or
        a template id, in which case ``license_terms`` are required and the license is issued
        here.
    path : path-like
        The bundle folder to create.
    signing_key : path, "file:PATH", "env:NAME", SigningKey or Ed25519 private key
        The licensor's Ed25519 private key (:func:`~anonlab.bundle.signing.generate_keypair`).
    report : RiskReport, optional
        The risk report of ``frame``. When omitted and the recipe has targets with
        quasi-identifiers, :func:`anonlab.assess_risk` runs on them; otherwise ``report.html``
        says no risk assessment was made.
    formats : sequence of {"parquet", "csv"}, default ("parquet",)
        Data files to write; ``parquet`` is required.
    overwrite : bool, default False
        Replace an existing bundle at ``path`` (atomically; only a folder that is a bundle).
    license_terms : mapping, optional
        With a template id: ``licensee`` (required), ``licensor``, ``purposes``, ``expires``,
        ``roles``, ... (see ``License.from_template``).
    profile : Profile, optional
        The profile of ``frame`` for the compliance checks (computed when not given).
    audit_log : path or AuditLog, optional
        Also record the export in this log (the licensor's own log).

    Returns
    -------
    Bundle

    Raises
    ------
    ComplianceError
        The data fails the template's checks; nothing is written.
    BundleError
        The target exists (without ``overwrite``), or is not a bundle, or a file cannot be written.
    ParameterError, RecipeError, SecretKeyError, UnsupportedFrameError
        A missing or malformed recipe, a bad key, something that is not a frame.

    Examples
    --------
    >>> bundle = anonlab.export(anonymized, recipe=recipe, path="release-2026",
    ...                         license="gdpr-pseudonymous-research",
    ...                         license_terms={"licensee": "Uni Lab", "expires": "P6M"},
    ...                         signing_key="file:keys/licensor.key")
    """
    from anonlab.recipe import Recipe

    if recipe is None:
        raise ParameterError(
            "export needs recipe=, the recipe that produced the data: the bundle carries it as "
            "evidence of how the data was anonymized.")
    if not isinstance(recipe, Recipe):
        raise ParameterError(
            f"The 'recipe' parameter of export must be an anonlab.Recipe. Got a "
            f"{type(recipe).__name__}.")
    recipe_text = recipe.to_yaml()  # refuses a recipe holding an in-memory Key
    kinds = _check_formats(formats)
    if not isinstance(overwrite, bool):
        raise ParameterError("The 'overwrite' parameter of export must be True or False.")
    if path is None or not isinstance(path, str | os.PathLike) or not str(path):
        raise ParameterError("The 'path' parameter of export must name the bundle folder.")
    target = Path(path).expanduser().absolute()
    _check_target(target, overwrite)
    key = load_private_key(signing_key)
    log_path = _log_path(audit_log, target)
    data, _ = ingest_eager(frame, owner="export")
    report = _risk_report(data, recipe, report)
    issued = _settle_license(license, data, recipe, report, profile, license_terms)

    target.parent.mkdir(parents=True, exist_ok=True)
    _atomic.clean_stale(target)
    tmp = _atomic.temp_folder(target)
    created = _now()
    try:
        _write_data(data, tmp, kinds)
        files = []
        for name in (DATA_PARQUET, DATA_CSV):
            if (tmp / name).exists():
                sha, size, _ = hash_file(tmp / name)
                files.append({"path": name, "sha256": sha, "bytes": size,
                              "media_type": _MEDIA[name]})
        described = dict(issued.dataset or {})
        described["files"] = files
        bound = issued.bind(dataset=described, anonymization=issued.anonymization,
                            compliance=list(issued.compliance))
        license_bytes = canonical_bytes(load_json(bound.to_json()), what=LICENSE_JSON)
        _write(tmp, LICENSE_JSON, license_bytes)
        _write(tmp, LICENSE_MD, bound.to_markdown().encode("utf-8"))
        _write(tmp, POLICY, pretty_bytes(bound.to_odrl(), what=POLICY))
        _write(tmp, RECIPE, recipe_text.encode("utf-8"))
        page = report_page(report, license_id=bound.id, recipe_name=recipe.name,
                           created=created, tool_version=__version__)
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
        AuditLog(log_path, genesis=license_bytes).append(
            action="export", outcome="allowed", user=_user(), license_id=bound.id,
            bundle=target.name)
    return Bundle(path=target, license=bound, manifest=manifest, files=tuple(sorted(
        [*listed, MANIFEST, SIGNATURE])))
