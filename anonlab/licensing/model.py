"""The license: who may use which data, for what, until when, and under which duties.

A :class:`License` is a value. Build one from a template (:meth:`License.from_template`), fill in
the data and the evidence of its anonymization (:meth:`License.bind`, or
:func:`anonlab.licensing.issue_license`, which runs the template's checks first), and write it as
canonical JSON (:meth:`License.to_json`, the bytes a bundle hashes and signs), as an ODRL 2.2
policy (:meth:`License.to_odrl`) and as ``LICENSE.md`` (:meth:`License.to_markdown`).

Every way of building a license validates it: against the shipped JSON Schema
(:data:`~anonlab.licensing.LICENSE_SCHEMA`; unknown fields, wrong types and malformed times fail)
and against rules a schema cannot state (the template is registered; the validity window is not
empty; the data is deleted no earlier than the license ends; the purposes are the template's or
narrower; the template's prohibitions and duties are all there; a bound recipe is a valid recipe
and holds no key). A fault raises :class:`~anonlab.errors.LicenseError` whose ``path`` names the
key, e.g. ``parties.licensees[0].name``.

Times are timezone-aware UTC, whole seconds, written ISO 8601 with ``Z``.
"""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import hashlib
import re
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from anonlab._plaintext import load_json
from anonlab.errors import AccessDeniedError, LicenseError, ParameterError, RecipeError
from anonlab.licensing._time import add_duration, format_time, parse_time, to_utc, utcnow
from anonlab.licensing.canonical import canonical_json
from anonlab.licensing.purposes import PROHIBITIONS, PURPOSES, purpose_allows
from anonlab.licensing.schema import validate
from anonlab.licensing.templates import OPEN_LICENCES, Template
from anonlab.licensing.templates import template as lookup_template

__all__ = ["ACTION_ALIASES", "DATA_ACTIONS", "DEFAULT_ACTION", "EXPORT_ACTIONS", "FORMAT_VERSION",
           "KEY_KINDS", "ROLE_ACTIONS", "License", "LicenseeKey", "Party", "Retention", "Role",
           "resolve_action"]

FORMAT_VERSION = 1
"""The ``license.json`` format this anonlab writes and reads."""

ROLE_ACTIONS = ("use", "read", "aggregate", "derive", "transform", "extract", "index", "archive",
                "train-model", "read-audit-log", "distribute", "publish")
"""Actions a role may be granted (ODRL actions, or anonlab profile ones: ``train-model``,
``read-audit-log``, ``publish``)."""

EXPORT_ACTIONS = ("distribute", "publish")
"""Actions that pass the data on to third parties (ODRL ``distribute``; the profile's ``publish``,
to the public, included in it). A role must be granted one by name: ``use`` does not include
them, although ODRL's vocabulary nests ``distribute`` under ``use``: passing data on is the one
use a license must state outright."""

DATA_ACTIONS = tuple(a for a in ROLE_ACTIONS if a != "read-audit-log")
"""Actions an ``open`` of the data may declare (``read-audit-log`` concerns the log, not the
data)."""

DEFAULT_ACTION = "read"
"""The action an ``open`` declares when it names none: granted by ``use`` or ``read``."""

ACTION_ALIASES = {"share": "distribute"}
"""Names accepted for an action and what they mean (ODRL 2.2 deprecated ``share`` for
``distribute``)."""


def resolve_action(action: Any) -> str:
    """The action ``action`` names (an alias resolved), checked to be one an open may declare.

    Raises
    ------
    ParameterError
        ``action`` is not one of :data:`DATA_ACTIONS` or :data:`ACTION_ALIASES`.
    """
    name = ACTION_ALIASES.get(action, action) if isinstance(action, str) else action
    if name not in DATA_ACTIONS:
        shown = repr(action) if isinstance(action, str) and len(action) <= 40 else "that value"
        raise ParameterError(
            f"The action {shown} is not an action on the data; one of "
            f"{', '.join(DATA_ACTIONS)} (or share, meaning distribute).")
    return str(name)

DEFAULT_LICENSOR = "Unnamed licensor"
_SLUG = re.compile(r"[^a-z0-9]+")


def _text(value: Any, path: str, *, optional: bool = False) -> str | None:
    if value is None and optional:
        return None
    if not isinstance(value, str) or not value.strip():
        raise LicenseError("must be non-empty text", path=path)
    return value


KEY_KINDS = ("user", "organisation")
"""What a licensee key is: a ``user``'s own identity key, or an ``organisation`` key that
certifies its users' keys (:func:`anonlab.bundle.identity.certify`)."""


@dataclass(frozen=True)
class LicenseeKey:
    """An Ed25519 public key the license accepts as a licensee's identity.

    Parameters
    ----------
    public_key : str
        The base64 of the key's 32 raw bytes (canonical base64).
    kind : {"user", "organisation"}, default "user"
        A user's key opens the data itself; an organisation's key certifies user keys (a
        certificate names the user), which then open it.
    name : str, optional
        Who the key belongs to (a user key: the person, logged as the ``user`` of every access
        made with it; an organisation key: a label).

    The fingerprint (:attr:`fingerprint`) is ``"ed25519:"`` and the hex of the first 16 bytes of
    the SHA-256 of the raw key, as for signing keys.
    """

    public_key: str
    kind: str = "user"
    name: str | None = None

    def __post_init__(self) -> None:
        from anonlab.bundle.signing import b64decode_strict

        if not isinstance(self.public_key, str):
            raise LicenseError("must be the base64 of a 32-byte Ed25519 public key",
                               path="public_key")
        try:
            raw = b64decode_strict(self.public_key)
        except ValueError:
            raw = b""
        if len(raw) != 32:
            raise LicenseError("must be the base64 of a 32-byte Ed25519 public key",
                               path="public_key")
        if self.kind not in KEY_KINDS:
            raise LicenseError(f"must be one of {', '.join(KEY_KINDS)}", path="kind")
        _text(self.name, "name", optional=True)

    @property
    def raw(self) -> bytes:
        """The 32 raw key bytes."""
        return base64.b64decode(self.public_key)

    @property
    def fingerprint(self) -> str:
        """``"ed25519:"`` and 32 hex digits."""
        return "ed25519:" + hashlib.sha256(self.raw).digest()[:16].hex()

    def to_dict(self) -> dict[str, str]:
        """Plain data (``fingerprint`` included for people; it is checked on reading)."""
        out = {"public_key": self.public_key, "kind": self.kind, "fingerprint": self.fingerprint}
        if self.name is not None:
            out["name"] = self.name
        return out

    @classmethod
    def coerce(cls, value: Any, *, path: str) -> LicenseeKey:
        """A LicenseeKey from one, from plain data, or from a public key (an anonlab
        ``PublicKey``, or a path / ``"file:PATH"`` / ``"env:NAME"`` reference to one)."""
        if isinstance(value, LicenseeKey):
            return value
        if isinstance(value, Mapping):
            for key in value:
                if key not in ("public_key", "kind", "name", "fingerprint", "key"):
                    raise LicenseError("unknown field (a key has: public_key, kind, name)",
                                       path=f"{path}.{key}")
            data = dict(value)
            if "key" in data:  # a reference or key object, in Python terms
                if "public_key" in data:
                    raise LicenseError("give key or public_key, not both", path=path)
                data["public_key"] = _public_b64(data.pop("key"), path=f"{path}.key")
            stated = data.pop("fingerprint", None)
            try:
                made = cls(data.get("public_key"), data.get("kind", "user"),  # type: ignore[arg-type]
                           data.get("name"))
            except LicenseError as exc:
                raise LicenseError(str(exc).split(": ", 1)[-1],
                                   path=f"{path}.{exc.path}") from None
            if stated is not None and stated != made.fingerprint:
                raise LicenseError("does not match public_key", path=f"{path}.fingerprint")
            return made
        return cls(_public_b64(value, path=path))


def _public_b64(value: Any, *, path: str) -> str:
    from anonlab.bundle.signing import PublicKey, load_public_key
    from anonlab.errors import SecretKeyError

    if not isinstance(value, PublicKey):
        try:
            value = load_public_key(value)
        except (SecretKeyError, ParameterError) as exc:
            raise LicenseError(f"is not a public key: {exc}", path=path) from None
    return str(value.base64)


@dataclass(frozen=True)
class Party:
    """A party to a license: the licensor, a licensee or an approver.

    Parameters
    ----------
    name : str
        The organisation or person.
    id : str, optional
        An IRI or URN that identifies the party (``https://example.org/org/acme``); when not
        given, the ODRL policy uses ``urn:anonlab:party:<name in lower case>``.
    contact : str, optional
        Where to reach them (an e-mail address or URL of the privacy contact).
    keys : tuple of LicenseeKey, optional
        A licensee's identity keys (:class:`LicenseeKey`): when any licensee names keys,
        ``anonlab.open`` requires an identity key the license accepts (see
        :mod:`anonlab.bundle.identity`). Only licensees hold keys.
    """

    name: str
    id: str | None = None
    contact: str | None = None
    keys: tuple[LicenseeKey, ...] = ()

    def __post_init__(self) -> None:
        _text(self.name, "name")
        _text(self.id, "id", optional=True)
        _text(self.contact, "contact", optional=True)
        if isinstance(self.keys, str | Mapping) or not isinstance(self.keys, Sequence):
            raise LicenseError("must be a list of keys", path="keys")
        keys = tuple(k if isinstance(k, LicenseeKey) else LicenseeKey.coerce(k, path=f"keys[{i}]")
                     for i, k in enumerate(self.keys))
        seen: set[str] = set()
        for i, key in enumerate(keys):
            if key.fingerprint in seen:
                raise LicenseError("names a key twice", path=f"keys[{i}]")
            seen.add(key.fingerprint)
        object.__setattr__(self, "keys", keys)

    @property
    def iri(self) -> str:
        """The party's IRI: ``id``, or a URN made from the name."""
        return self.id or "urn:anonlab:party:" + (_SLUG.sub("-", self.name.lower()).strip("-")
                                                  or "unnamed")

    def to_dict(self) -> dict[str, Any]:
        """Plain data (unset fields left out)."""
        out: dict[str, Any] = {"name": self.name}
        if self.id is not None:
            out["id"] = self.id
        if self.contact is not None:
            out["contact"] = self.contact
        if self.keys:
            out["keys"] = [k.to_dict() for k in self.keys]
        return out

    @classmethod
    def from_dict(cls, data: Any, *, path: str = "party") -> Party:
        """Build from plain data."""
        if not isinstance(data, Mapping):
            raise LicenseError("a party is an object with a name", path=path)
        for key in data:
            if key not in ("name", "id", "contact", "keys"):
                raise LicenseError("unknown field (a party has: name, id, contact, keys)",
                                   path=f"{path}.{key}")
        try:
            return cls(data.get("name"), data.get("id"), data.get("contact"),  # type: ignore[arg-type]
                       data.get("keys", ()))
        except LicenseError as exc:
            raise LicenseError(str(exc).split(": ", 1)[-1], path=f"{path}.{exc.path}") from None

    @classmethod
    def coerce(cls, value: Any, *, path: str) -> Party:
        """A Party from a Party, a name, or plain data."""
        if isinstance(value, Party):
            return value
        if isinstance(value, str):
            try:
                return cls(value)
            except LicenseError:
                raise LicenseError("must be a non-empty name", path=path) from None
        return cls.from_dict(value, path=path)


@dataclass(frozen=True)
class Role:
    """A role licensees act in, with the actions and purposes it is granted.

    Parameters
    ----------
    name : str
        ``"analyst"``, ``"auditor"``, ...
    actions : tuple of str
        Drawn from :data:`ROLE_ACTIONS`.
    purposes : tuple of str
        Purposes (ids of :data:`~anonlab.licensing.PURPOSES`) the role may pursue, each one of
        the license's purposes or narrower; empty means all of the license's purposes.
    """

    name: str
    actions: tuple[str, ...] = ("use",)
    purposes: tuple[str, ...] = ()

    def grants(self, action: str) -> bool:
        """Whether the role may take ``action`` (one of :data:`ROLE_ACTIONS`): it is granted by
        name, or, unless it is an export action (:data:`EXPORT_ACTIONS`) or ``read-audit-log``,
        through ``use``, ODRL's action for every use."""
        if action in self.actions:
            return True
        return ("use" in self.actions and action not in EXPORT_ACTIONS
                and action != "read-audit-log")

    def __post_init__(self) -> None:
        for attr in ("actions", "purposes"):
            value = getattr(self, attr)
            if isinstance(value, str) or not isinstance(value, list | tuple):
                raise LicenseError("must be a list of strings", path=attr)
            object.__setattr__(self, attr, tuple(value))

    def to_dict(self) -> dict[str, Any]:
        """Plain data."""
        return {"name": self.name, "actions": list(self.actions), "purposes": list(self.purposes)}

    @classmethod
    def from_dict(cls, data: Any, *, path: str = "role") -> Role:
        """Build from plain data."""
        if not isinstance(data, Mapping):
            raise LicenseError("a role is an object with name, actions and purposes", path=path)
        for key in data:
            if key not in ("name", "actions", "purposes"):
                raise LicenseError("unknown field (a role has: name, actions, purposes)",
                                   path=f"{path}.{key}")
        try:
            return cls(data.get("name"), data.get("actions", ("use",)),  # type: ignore[arg-type]
                       data.get("purposes", ()))
        except LicenseError as exc:
            raise LicenseError(str(exc).split(": ", 1)[-1], path=f"{path}.{exc.path}") from None


@dataclass(frozen=True)
class Retention:
    """When and how the licensee disposes of the data.

    Parameters
    ----------
    delete_by : datetime
        Every copy is gone by then (tz-aware); no earlier than the license's end.
    method : {"erase", "return", "return-or-erase"}
        Erase every copy (ODRL ``delete``: permanent removal of all copies), return it, or
        either.
    """

    delete_by: dt.datetime
    method: str = "erase"

    def __post_init__(self) -> None:
        object.__setattr__(self, "delete_by", to_utc(self.delete_by, path="retention.delete_by"))

    def to_dict(self) -> dict[str, str]:
        """Plain data."""
        return {"delete_by": format_time(self.delete_by), "method": self.method}

    @classmethod
    def from_dict(cls, data: Any, *, path: str = "retention") -> Retention:
        """Build from plain data."""
        if not isinstance(data, Mapping):
            raise LicenseError("must be an object with delete_by and method", path=path)
        return cls(parse_time(data.get("delete_by"), path=f"{path}.delete_by"),
                   data.get("method", "erase"))


def _freeze(value: Any) -> Any:
    if isinstance(value, Mapping):
        return MappingProxyType({k: _freeze(v) for k, v in value.items()})
    if isinstance(value, list | tuple):
        return tuple(_freeze(v) for v in value)
    return value


def _thaw(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: _thaw(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_thaw(v) for v in value]
    return value


def _end_of_day(day: dt.date) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, 23, 59, 59, tzinfo=dt.UTC)


def _expiry(expires: Any, issued: dt.datetime, tpl: Template) -> dt.datetime:
    """``valid_until`` from the ``expires`` argument of :meth:`License.from_template`."""
    if expires is None:
        return issued + tpl.default_term
    if isinstance(expires, dt.timedelta):
        if expires <= dt.timedelta(0):
            raise LicenseError("must be a positive duration", path="valid_until")
        return issued + expires
    if isinstance(expires, dt.datetime):
        return to_utc(expires, path="valid_until")
    if isinstance(expires, dt.date):
        return _end_of_day(expires)
    if isinstance(expires, str):
        if expires.startswith("P"):
            return add_duration(issued, expires, path="valid_until")
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", expires):
            try:
                return _end_of_day(dt.date.fromisoformat(expires))
            except ValueError:
                raise LicenseError("is not a valid date", path="valid_until") from None
        return parse_time(expires, path="valid_until")
    raise LicenseError(
        "expires must be a date, a tz-aware datetime, an ISO 8601 date, date-time or duration "
        f"(P1Y), or a timedelta; got a {type(expires).__name__}", path="valid_until",
    )


_TERMS = ("valid_from", "spdx", "retention", "deletion_method", "approvers", "prohibited",
          "duties", "revision", "id", "licensee_keys", "status_list")


@dataclass(frozen=True, kw_only=True)
class License:
    """A data-use license (see the module documentation).

    Attributes
    ----------
    id : str
        ``urn:uuid:<uuid4>``; also the ODRL policy's ``uid``.
    revision : int
        1 for a new license; a re-issue with changed terms counts up.
    template, template_version : str
        The template it was built from.
    spdx : str
        ``LicenseRef-anonlab-<template>``, or an open licence id where the template allows.
    issued, valid_from, valid_until : datetime
        UTC. The license is in force from ``valid_from`` to ``valid_until`` inclusive.
    retention : Retention
        When and how the data is disposed of.
    jurisdictions : tuple of str
        ISO 3166 codes (``"US"``, ``"US-CA"``) or ``"EU"``.
    licensor : Party
    licensees : tuple of Party
    approvers : tuple of Party
    roles : tuple of Role
    purposes : tuple of str
        Permitted purposes (ids of :data:`~anonlab.licensing.PURPOSES`).
    prohibited : tuple of str
        Prohibited uses (ids of :data:`~anonlab.licensing.purposes.PROHIBITIONS`).
    duties : tuple of str
        Duties (ids of :data:`~anonlab.licensing.purposes.DUTIES`).
    regulation : {"HIPAA", "GDPR", "CCPA", "none"}
    dataset : mapping or None
        Filled by :meth:`bind`: ``files`` (``path``, ``sha256``, ``bytes``), ``schema_hash``,
        ``records``, ``columns``.
    anonymization : mapping or None
        Filled by :meth:`bind`: the claimed status and standard, the recipe (key references
        only), the risk figures against the threshold, each check and its result, the tool and
        the irreversibility evidence.
    compliance : tuple of mapping
        Per regulation: ``regulation``, ``basis`` (the citation), ``status`` and ``evidence``
        (the keys of the license that hold it).
    status_list : str or None
        Where the licensor publishes its signed revocation status list (a path, for example on
        a shared drive; :mod:`anonlab.bundle.status`; a relative path is taken beside the bundle
        folder). When set, ``anonlab.open`` refuses unless a current status list signed by the
        bundle's signer is found there (or given) and does not list the license.
    """

    id: str
    revision: int
    template: str
    template_version: str
    spdx: str
    issued: dt.datetime
    valid_from: dt.datetime
    valid_until: dt.datetime
    retention: Retention
    jurisdictions: tuple[str, ...]
    licensor: Party
    licensees: tuple[Party, ...]
    approvers: tuple[Party, ...] = ()
    roles: tuple[Role, ...]
    purposes: tuple[str, ...]
    prohibited: tuple[str, ...]
    duties: tuple[str, ...]
    regulation: str
    dataset: Mapping[str, Any] | None = None
    anonymization: Mapping[str, Any] | None = None
    compliance: tuple[Mapping[str, Any], ...] = field(default=())
    status_list: str | None = None

    def __post_init__(self) -> None:
        for name in ("issued", "valid_from", "valid_until"):
            object.__setattr__(self, name, to_utc(getattr(self, name), path=name))
        for name in ("jurisdictions", "licensees", "approvers", "roles", "purposes",
                     "prohibited", "duties", "compliance"):
            value = getattr(self, name)
            if isinstance(value, str | Mapping) or not isinstance(value, Sequence):
                raise LicenseError("must be a list", path=name)
            object.__setattr__(self, name, tuple(value))
        if not isinstance(self.retention, Retention):
            raise LicenseError("must be a Retention", path="retention")
        if not isinstance(self.licensor, Party):
            raise LicenseError("must be a Party", path="parties.licensor")
        for name, kind in (("licensees", Party), ("approvers", Party), ("roles", Role)):
            for i, item in enumerate(getattr(self, name)):
                if not isinstance(item, kind):
                    where = f"parties.{name}[{i}]" if kind is Party else f"{name}[{i}]"
                    raise LicenseError(f"must be a {kind.__name__}", path=where)
        for name in ("dataset", "anonymization"):
            value = getattr(self, name)
            if value is not None and not isinstance(value, Mapping):
                raise LicenseError("must be an object or null", path=name)
            object.__setattr__(self, name, None if value is None else _freeze(value))
        object.__setattr__(self, "compliance", tuple(_freeze(c) for c in self.compliance))
        data = self.to_dict()
        validate(data)
        try:
            canonical_json(data)
        except ValueError as exc:
            where, _, why = str(exc).partition(": ")
            raise LicenseError(why, path=where.removeprefix("$").lstrip(".")) from None
        self._check_semantics()

    def __hash__(self) -> int:
        return hash(self.to_json())

    @property
    def licensee_keys(self) -> tuple[LicenseeKey, ...]:
        """Every licensee's identity keys (empty: anyone may open, logged ``unauthenticated``)."""
        return tuple(k for p in self.licensees for k in p.keys)

    @property
    def requires_identity(self) -> bool:
        """Whether an ``open`` must present an identity key the license accepts: when any
        licensee names keys."""
        return bool(self.licensee_keys)

    # -- rules beyond the schema -------------------------------------------------------------
    def _check_semantics(self) -> None:
        tpl = lookup_template(self.template)
        for name, parties in (("licensor", (self.licensor,)), ("approvers", self.approvers)):
            for i, party in enumerate(parties):
                if party.keys:
                    where = "parties.licensor" if name == "licensor" else f"parties.{name}[{i}]"
                    raise LicenseError("only licensees name identity keys (the licensor's key "
                                       "is the one that signs the bundle)", path=f"{where}.keys")
        if self.status_list is not None and (
                not isinstance(self.status_list, str) or not self.status_list.strip()
                or len(self.status_list) > 1000 or any(ord(c) < 0x20 for c in self.status_list)):
            raise LicenseError("must be a path of 1 to 1000 characters without control "
                               "characters", path="status_list")
        if tpl.requires_identity and not self.requires_identity:
            raise LicenseError(
                f"template {tpl.id!r} requires identified licensees: name at least one licensee "
                "key (licensee_keys=, or keys in a licensee; create one with `anonlab identity "
                "new`)", path="parties.licensees")
        if self.regulation != tpl.regulation:
            raise LicenseError(
                f"must be {tpl.regulation!r}, the regulation of template {tpl.id!r}",
                path="regulation",
            )
        open_licence = self.spdx in OPEN_LICENCES
        if self.spdx != tpl.spdx and not (open_licence and tpl.allows_open_licence):
            allowed = tpl.spdx + (f" or one of {', '.join(OPEN_LICENCES)}"
                                  if tpl.allows_open_licence else "")
            raise LicenseError(f"must be {allowed} for template {tpl.id!r}", path="spdx")
        if open_licence and self.purposes != ("any",):
            raise LicenseError(
                f"{self.spdx} forbids further restrictions, so the license must permit any "
                "purpose (purposes: [any]); use the template's own licence to restrict purposes",
                path="purposes",
            )
        if self.valid_until <= self.valid_from:
            raise LicenseError("must be after valid_from", path="valid_until")
        if self.valid_until < self.issued:
            raise LicenseError("must not be before issued", path="valid_until")
        if self.retention.delete_by < self.valid_until:
            raise LicenseError("must not be before valid_until (the data may be used until "
                               "then)", path="retention.delete_by")
        if not open_licence:
            for i, p in enumerate(self.purposes):
                if not any(purpose_allows(t, p) for t in tpl.permitted_purposes):
                    raise LicenseError(
                        f"{p!r} is not among the purposes template {tpl.id!r} permits "
                        f"({', '.join(tpl.permitted_purposes)}) or narrower than one",
                        path=f"purposes[{i}]",
                    )
        for name in ("prohibited", "duties"):
            missing = [x for x in getattr(tpl, name) if x not in getattr(self, name)]
            if missing:
                raise LicenseError(
                    f"must include the template's {', '.join(missing)}", path=name
                )
        names: set[str] = set()
        for i, role in enumerate(self.roles):
            if role.name in names:
                raise LicenseError("names a role twice", path=f"roles[{i}].name")
            names.add(role.name)
            for j, p in enumerate(role.purposes):
                if not any(purpose_allows(q, p) for q in self.purposes):
                    raise LicenseError(
                        f"{p!r} is not one of the license's purposes or narrower than one",
                        path=f"roles[{i}].purposes[{j}]",
                    )
        if self.anonymization is not None:
            status = self.anonymization["claimed_status"]
            if status not in (tpl.claimed_status, tpl.pseudonymised_status):
                raise LicenseError(
                    f"{status!r} is not a status template {tpl.id!r} lets a license claim",
                    path="anonymization.claimed_status",
                )
            recipe = self.anonymization.get("recipe")
            if recipe is not None:
                from anonlab.recipe import Recipe

                try:
                    Recipe.from_dict(_thaw(recipe))
                except RecipeError as exc:
                    raise LicenseError(
                        str(exc).split(": ", 1)[-1],
                        path="anonymization.recipe" + (f".{exc.path}" if exc.path else ""),
                    ) from None

    # -- building ----------------------------------------------------------------------------
    @classmethod
    def from_template(
        cls,
        template_id: str | Template,
        *,
        licensee: str | Party | Mapping[str, Any] | Sequence[str | Party | Mapping[str, Any]],
        licensor: str | Party | Mapping[str, Any] = DEFAULT_LICENSOR,
        purposes: Sequence[str] | None = None,
        expires: dt.date | dt.datetime | str | dt.timedelta | None = None,
        roles: Sequence[Role | Mapping[str, Any]] | None = None,
        issued: dt.datetime | None = None,
        jurisdictions: Sequence[str] | None = None,
        **terms: Any,
    ) -> License:
        """A new license on a template's terms.

        Parameters
        ----------
        template_id : str or Template
            A registered template id, or a Template.
        licensee : str, Party, mapping, or a list of them
            Who receives the data.
        licensor : str, Party or mapping
            Who grants the license.
        purposes : list of str, optional
            Permitted purposes: the template's (default) or narrower ones.
        expires : date, datetime, str, timedelta, optional
            When the license ends: a date (the end of that day, UTC), a tz-aware datetime, an
            ISO 8601 date, date-time or duration (``"P1Y"``, counted from ``issued``), or a
            timedelta; by default the template's term.
        roles : list of Role or mapping, optional
            By default one role, ``analyst``, that may use the data for every permitted purpose.
        issued : datetime, optional
            Issue time (default now); tz-aware.
        jurisdictions : list of str, optional
            By default the template's.
        **terms
            ``valid_from`` (default ``issued``), ``spdx`` (an open licence where the template
            allows), ``retention`` (a :class:`Retention`, plain data, a datetime, or a duration
            after the end such as ``"P30D"``; default: at the end), ``deletion_method``,
            ``approvers``, ``prohibited`` and ``duties`` (added to the template's), ``revision``,
            ``id``, ``licensee_keys`` (the one licensee's identity keys: :class:`LicenseeKey`,
            plain data, or public key references such as ``"keys/ada.pub"``; then ``open``
            requires one of them), ``status_list`` (where the licensor's signed revocation
            status list lives; then ``open`` requires a current one).

        Raises
        ------
        LicenseError
            An unknown template or term, or a term the template does not allow (the path names
            it).
        """
        tpl = lookup_template(template_id)
        for name in terms:
            if name not in _TERMS:
                raise LicenseError(f"unknown term (known: {', '.join(_TERMS)})", path=name)
        issued_at = utcnow() if issued is None else to_utc(issued, path="issued")
        valid_until = _expiry(expires, issued_at, tpl)
        valid_from = terms.get("valid_from", issued_at)
        if isinstance(valid_from, str):
            valid_from = parse_time(valid_from, path="valid_from")
        chosen = tuple(tpl.permitted_purposes if purposes is None else _strings(purposes,
                                                                                  "purposes"))
        if isinstance(licensee, str | Party | Mapping):
            licensee = [licensee]
        licensees = tuple(Party.coerce(p, path=f"parties.licensees[{i}]")
                          for i, p in enumerate(licensee))
        extra_keys = terms.get("licensee_keys")
        if extra_keys is not None:
            if len(licensees) != 1:
                raise LicenseError("licensee_keys names the keys of the one licensee; with "
                                   "several, give each its keys", path="licensee_keys")
            if isinstance(extra_keys, str | Mapping) or not isinstance(extra_keys, Sequence):
                extra_keys = [extra_keys]
            added = tuple(LicenseeKey.coerce(k, path=f"licensee_keys[{i}]")
                          for i, k in enumerate(extra_keys))
            licensees = (dataclasses.replace(licensees[0], keys=licensees[0].keys + added),)
        approvers = tuple(Party.coerce(p, path=f"parties.approvers[{i}]")
                          for i, p in enumerate(terms.get("approvers", ())))
        if roles is None:
            role_list: tuple[Role, ...] = (Role("analyst", ("use",), chosen),)
        else:
            role_list = tuple(r if isinstance(r, Role) else Role.from_dict(r, path=f"roles[{i}]")
                              for i, r in enumerate(roles))
        method = terms.get("deletion_method", tpl.deletion_method)
        retention = _retention(terms.get("retention"), valid_until, method)
        extra_prohibited = _strings(terms.get("prohibited", ()), "prohibited")
        extra_duties = _strings(terms.get("duties", ()), "duties")
        return cls(
            id=terms.get("id") or f"urn:uuid:{uuid.uuid4()}",
            revision=terms.get("revision", 1),
            template=tpl.id,
            template_version=tpl.version,
            spdx=terms.get("spdx", tpl.spdx),
            issued=issued_at,
            valid_from=valid_from,
            valid_until=valid_until,
            retention=retention,
            jurisdictions=tuple(tpl.jurisdictions if jurisdictions is None
                                else _strings(jurisdictions, "jurisdictions")),
            licensor=Party.coerce(licensor, path="parties.licensor"),
            licensees=licensees,
            approvers=approvers,
            roles=role_list,
            purposes=chosen,
            prohibited=_merge(tpl.prohibited, extra_prohibited),
            duties=_merge(tpl.duties, extra_duties),
            regulation=tpl.regulation,
            status_list=terms.get("status_list"),
        )

    def bind(
        self,
        *,
        dataset: Mapping[str, Any],
        anonymization: Mapping[str, Any],
        compliance: Sequence[Mapping[str, Any]] | None = None,
    ) -> License:
        """A copy with the data and the evidence of its anonymization filled in (validated).

        Parameters
        ----------
        dataset : mapping
            ``files`` (list of ``path``, ``sha256``, ``bytes``), and optionally ``schema_hash``,
            ``records``, ``columns``, ``id``, ``title``.
        anonymization : mapping
            ``claimed_status``, ``standard``, ``checks``, and optionally ``recipe`` (from
            ``Recipe.to_dict()``: key references only), ``risk``, ``irreversibility``, ``tool``,
            ``assessed_at``.
        compliance : list of mapping, optional
            Replaces the compliance entries.
        """
        changes: dict[str, Any] = {"dataset": dataset, "anonymization": anonymization}
        if compliance is not None:
            changes["compliance"] = tuple(compliance)
        return dataclasses.replace(self, **changes)

    # -- state -------------------------------------------------------------------------------
    def is_expired(self, at: dt.datetime | None = None) -> bool:
        """Whether ``at`` (default now) is after ``valid_until``."""
        when = utcnow() if at is None else to_utc(at, path="at")
        return when > self.valid_until

    @property
    def in_force(self) -> bool:
        """Whether now is within ``valid_from`` .. ``valid_until``."""
        now = utcnow()
        return self.valid_from <= now <= self.valid_until

    @property
    def bound(self) -> bool:
        """Whether the data and its evidence are filled in."""
        return self.dataset is not None and self.anonymization is not None

    def digest(self) -> str:
        """``sha256:<hex>`` of the canonical JSON."""
        return "sha256:" + hashlib.sha256(self.to_json().encode("utf-8")).hexdigest()

    def check_access(self, *, purpose: str, role: str, at: dt.datetime | None = None,
                     action: str = DEFAULT_ACTION) -> None:
        """Refuse a use the license does not allow; return None when it does.

        The checks run in this order: the time (``at``, default now) must be within
        ``valid_from`` .. ``valid_until``; the purpose must not be a prohibited use; the role
        must be one of the license's and be granted ``action`` (:meth:`Role.grants`: by name, or
        through ``use`` unless it is an export action such as ``distribute`` or ``publish``);
        the purpose must be one the license and the role permit,
        or narrower than one (``"scientific-research"`` is allowed by ``"research"``, not the
        reverse; see :func:`~anonlab.licensing.purposes.purpose_allows`).

        Parameters
        ----------
        purpose, role : str
            What the data is used for, and the role the user acts in.
        at : datetime, optional
            The time to check at (tz-aware; default now). This method trusts it: the honest
            clock is :func:`anonlab.open`'s (see :mod:`anonlab.bundle.clock`).
        action : str, default "read"
            The action on the data (:data:`DATA_ACTIONS`, or ``"share"`` for ``distribute``);
            the default, reading it, is granted by ``use`` or ``read``.

        Raises
        ------
        AccessDeniedError
            With ``reason`` ``"not_yet_valid"``, ``"expired"``, ``"prohibited"``, ``"role"``,
            ``"action"`` (the role is not granted the action) or ``"purpose"``; the message says
            what was asked and what the license allows.
        ParameterError
            ``action`` is not an action on the data.
        """
        action = resolve_action(action)
        when = utcnow() if at is None else to_utc(at, path="at")
        stamp = format_time(when)
        if when < self.valid_from:
            raise AccessDeniedError(
                f"License {self.id} is not in force yet at {stamp}: it runs from "
                f"{format_time(self.valid_from)} to {format_time(self.valid_until)}.",
                reason="not_yet_valid",
            )
        if when > self.valid_until:
            raise AccessDeniedError(
                f"License {self.id} expired at {format_time(self.valid_until)} (asked at "
                f"{stamp}). "
                + (f"Its deletion date {format_time(self.retention.delete_by)} has passed: "
                   "delete the data now (`anonlab purge BUNDLE` records a signed deletion "
                   "certificate), or ask the licensor for a new license."
                   if when > self.retention.delete_by else
                   f"Delete the data by {format_time(self.retention.delete_by)}, or ask "
                   "the licensor for a new license."),
                reason="expired",
            )
        if purpose in self.prohibited:
            raise AccessDeniedError(
                f"License {self.id} prohibits {purpose!r} "
                f"({PROHIBITIONS[purpose].label.lower()}). It prohibits: "
                f"{', '.join(self.prohibited)}.",
                reason="prohibited",
            )
        names = [r.name for r in self.roles]
        if role not in names:
            raise AccessDeniedError(
                f"Role {role!r} is not in license {self.id}; its roles are: {', '.join(names)}.",
                reason="role",
            )
        granted = next(r for r in self.roles if r.name == role)
        if not granted.grants(action):
            export = (" Passing data on is an export action: the role must be granted it by "
                      "name (use does not include it).") if action in EXPORT_ACTIONS else ""
            raise AccessDeniedError(
                f"Role {role!r} of license {self.id} is not granted {action!r}; it may: "
                f"{', '.join(granted.actions) or 'nothing'}.{export}",
                reason="action",
            )
        allowed = granted.purposes or self.purposes
        ok = (purpose in PURPOSES
              and any(purpose_allows(p, purpose) for p in self.purposes)
              and any(purpose_allows(p, purpose) for p in allowed))
        if not ok:
            hint = "" if purpose in PURPOSES else (
                f" ({purpose!r} is not a known purpose; see anonlab.licensing.PURPOSES)")
            raise AccessDeniedError(
                f"License {self.id} does not permit purpose {purpose!r} for role {role!r}"
                f"{hint}. It permits: {', '.join(allowed)} (and narrower purposes).",
                reason="purpose",
            )

    # -- plain data --------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """Plain, JSON-ready data in the layout of ``license.schema.json``."""
        return {
            "format_version": FORMAT_VERSION,
            "id": self.id,
            "revision": self.revision,
            "template": self.template,
            "template_version": self.template_version,
            "spdx": self.spdx,
            "issued": format_time(self.issued),
            "valid_from": format_time(self.valid_from),
            "valid_until": format_time(self.valid_until),
            "retention": self.retention.to_dict(),
            "jurisdictions": list(self.jurisdictions),
            "parties": {
                "licensor": self.licensor.to_dict(),
                "licensees": [p.to_dict() for p in self.licensees],
                "approvers": [p.to_dict() for p in self.approvers],
            },
            "roles": [r.to_dict() for r in self.roles],
            "purposes": list(self.purposes),
            "prohibited": list(self.prohibited),
            "duties": list(self.duties),
            "regulation": self.regulation,
            "dataset": None if self.dataset is None else _thaw(self.dataset),
            "anonymization": None if self.anonymization is None else _thaw(self.anonymization),
            "compliance": [_thaw(c) for c in self.compliance],
        } | ({} if self.status_list is None else {"status_list": self.status_list})

    @classmethod
    def from_dict(cls, data: Any) -> License:
        """Read a license from plain data, validating it (schema, then the rules beyond it).

        Raises
        ------
        LicenseError
            With ``path`` naming the bad key.
        """
        validate(data)
        parties = data["parties"]
        return cls(
            id=data["id"],
            revision=data["revision"],
            template=data["template"],
            template_version=data["template_version"],
            spdx=data["spdx"],
            issued=parse_time(data["issued"], path="issued"),
            valid_from=parse_time(data["valid_from"], path="valid_from"),
            valid_until=parse_time(data["valid_until"], path="valid_until"),
            retention=Retention.from_dict(data["retention"]),
            jurisdictions=tuple(data["jurisdictions"]),
            licensor=Party.from_dict(parties["licensor"], path="parties.licensor"),
            licensees=tuple(Party.from_dict(p, path=f"parties.licensees[{i}]")
                            for i, p in enumerate(parties["licensees"])),
            approvers=tuple(Party.from_dict(p, path=f"parties.approvers[{i}]")
                            for i, p in enumerate(parties["approvers"])),
            roles=tuple(Role.from_dict(r, path=f"roles[{i}]")
                        for i, r in enumerate(data["roles"])),
            purposes=tuple(data["purposes"]),
            prohibited=tuple(data["prohibited"]),
            duties=tuple(data["duties"]),
            regulation=data["regulation"],
            dataset=data["dataset"],
            anonymization=data["anonymization"],
            compliance=tuple(data["compliance"]),
            status_list=data.get("status_list"),
        )

    def to_json(self) -> str:
        """Canonical JSON (RFC 8785 style: sorted keys, no whitespace, UTF-8): the same license
        always gives the same text, which is what a bundle hashes and signs."""
        return canonical_json(self.to_dict()).decode("utf-8")

    @classmethod
    def from_json(cls, text: str | bytes) -> License:
        """Read a license from JSON text (a key given twice is an error)."""
        try:
            data = load_json(text)
        except ValueError as exc:
            raise LicenseError(f"not valid JSON: {exc}", path="license") from None
        return cls.from_dict(data)

    def to_odrl(self) -> dict[str, Any]:
        """The license as an ODRL 2.2 JSON-LD Agreement (see :mod:`anonlab.licensing.odrl`)."""
        from anonlab.licensing.odrl import to_odrl

        return to_odrl(self)

    def to_markdown(self) -> str:
        """``LICENSE.md`` for people (see :mod:`anonlab.licensing.markdown`)."""
        from anonlab.licensing.markdown import to_markdown

        return to_markdown(self)

    def __repr__(self) -> str:
        names = ", ".join(p.name for p in self.licensees)
        state = "bound" if self.bound else "unbound"
        return (f"License({self.template!r}, {self.id}, licensees=[{names}], "
                f"valid_until={format_time(self.valid_until)}, {state})")


def _strings(value: Any, path: str) -> tuple[str, ...]:
    if isinstance(value, str) or not isinstance(value, Sequence | tuple | list):
        raise LicenseError("must be a list of strings", path=path)
    for i, v in enumerate(value):
        if not isinstance(v, str):
            raise LicenseError("must be a string", path=f"{path}[{i}]")
    return tuple(value)


def _merge(base: tuple[str, ...], extra: tuple[str, ...]) -> tuple[str, ...]:
    return base + tuple(x for x in dict.fromkeys(extra) if x not in base)


def _retention(value: Any, valid_until: dt.datetime, method: str) -> Retention:
    if value is None:
        return Retention(valid_until, method)
    if isinstance(value, Retention):
        return value
    if isinstance(value, Mapping):
        return Retention.from_dict({"method": method, **value})
    if isinstance(value, dt.timedelta):
        return Retention(valid_until + value, method)
    if isinstance(value, dt.datetime):
        return Retention(to_utc(value, path="retention.delete_by"), method)
    if isinstance(value, str):
        if value.startswith("P"):
            return Retention(add_duration(valid_until, value, path="retention"), method)
        return Retention(parse_time(value, path="retention.delete_by"), method)
    raise LicenseError("must be a Retention, a mapping, a datetime or a duration",
                       path="retention")
