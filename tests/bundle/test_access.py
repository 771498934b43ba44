"""anonlab.open: verified data for a permitted use, refusals logged with their reason."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pandas as pd
import polars as pl
import pyarrow as pa
import pytest

from anonlab.bundle import (
    AuditLog,
    Bundle,
    Keyring,
    UntrustedSignatureWarning,
    last_access,
    open_bundle,
)
from anonlab.bundle.access import ACCESS_METADATA_KEY
from anonlab.errors import AccessDeniedError, ParameterError, VerificationError
from anonlab.licensing import License, Role
from tests.bundle.conftest import (
    AFTER,
    BEFORE,
    EXPIRES,
    INSIDE,
    ISSUED,
    TEMPLATE,
    Keys,
    Source,
    make_bundle,
)
from tests.identities import LICENSEE_KEYS


def _entries(bundle: Path) -> list[dict]:
    return AuditLog.for_bundle(bundle).entries()


@pytest.mark.parametrize(("backend", "kind"), [("polars", pl.DataFrame),
                                               ("pandas", pd.DataFrame),
                                               ("pyarrow", pa.Table)])
def test_permitted_purpose_gives_the_data(bundle_copy: Path, keys: Keys, source: Source,
                                          backend: str, kind: type) -> None:
    frame = open_bundle(bundle_copy, purpose="scientific-research", role="analyst", user="ada",
                        public_key=keys.public, backend=backend, now=INSIDE)
    assert isinstance(frame, kind)
    written = pl.read_parquet(bundle_copy / "data.parquet")
    assert pl.DataFrame(frame).equals(written) if backend != "pandas" else (
        frame.shape == source.data.shape)
    (entry,) = _entries(bundle_copy)
    assert entry["action"] == "open"
    assert entry["outcome"] == "allowed"
    # the clock given is recorded, and that it was the test clock
    assert entry["reason"] == "test_clock; checked_at=2026-06-01T00:00:00Z"
    assert (entry["clock"], entry["declared_action"]) == ("test", "read")
    assert (entry["user"], entry["role"], entry["purpose"]) == ("ada", "analyst",
                                                                "scientific-research")
    assert entry["bundle"] == "release"
    assert AuditLog.for_bundle(bundle_copy).verify().ok


def test_narrower_purpose_is_allowed(bundle_copy: Path, keys: Keys) -> None:
    open_bundle(bundle_copy, purpose="statistics", role="analyst", user="ada",
                public_key=keys.public, now=INSIDE)
    assert _entries(bundle_copy)[0]["outcome"] == "allowed"


def test_without_a_trusted_key_open_is_refused_and_logged(bundle_copy: Path) -> None:
    with pytest.raises(VerificationError, match="not a key you trust") as info:
        open_bundle(bundle_copy, purpose="statistics", role="analyst", user="ada", now=INSIDE)
    assert info.value.reason == "untrusted"
    (entry,) = _entries(bundle_copy)
    assert (entry["outcome"], entry["reason"]) == ("failed", "untrusted:signature")


def test_accepting_an_untrusted_signature_is_logged_and_warned(bundle_copy: Path) -> None:
    with pytest.warns(UntrustedSignatureWarning, match="not a key you trust"):
        open_bundle(bundle_copy, purpose="statistics", role="analyst", user="ada", now=INSIDE,
                    accept_untrusted=True)
    reason = _entries(bundle_copy)[0]["reason"]
    assert reason == ("signature_untrusted; accepted_untrusted; test_clock; "
                      "checked_at=2026-06-01T00:00:00Z")


def test_a_key_in_the_keyring_is_trusted(bundle_copy: Path, keys: Keys, tmp_path: Path) -> None:
    ring = Keyring(tmp_path / "ring")
    ring.add(keys.public, name="General Hospital")
    open_bundle(bundle_copy, purpose="statistics", role="analyst", user="ada", now=INSIDE,
                keyring=ring)
    assert _entries(bundle_copy)[0]["reason"] == "test_clock; checked_at=2026-06-01T00:00:00Z"


@pytest.mark.parametrize(
    ("purpose", "role", "now", "reason"),
    [
        ("marketing", "analyst", INSIDE, "purpose"),
        ("scientific-research", "intern", INSIDE, "role"),
        ("scientific-research", "analyst", AFTER, "expired"),
        ("scientific-research", "analyst", BEFORE, "not_yet_valid"),
        ("re-identification", "analyst", INSIDE, "prohibited"),
    ],
)
def test_refusals_are_logged_then_raised(bundle_copy: Path, keys: Keys, purpose: str, role: str,
                                         now: dt.datetime, reason: str) -> None:
    with pytest.raises(AccessDeniedError) as info:
        open_bundle(bundle_copy, purpose=purpose, role=role, user="bob",
                    public_key=keys.public, now=now)
    assert info.value.reason == reason
    (entry,) = _entries(bundle_copy)
    assert entry["outcome"] == "refused"
    assert entry["reason"] == reason
    assert entry["purpose"] == purpose


def test_expiry_with_a_fixed_clock(bundle_copy: Path, keys: Keys, pristine: Bundle) -> None:
    last_day = pristine.license.valid_until
    open_bundle(bundle_copy, purpose="statistics", role="analyst", user="ada",
                public_key=keys.public, now=last_day)
    with pytest.raises(AccessDeniedError, match="expired"):
        open_bundle(bundle_copy, purpose="statistics", role="analyst", user="ada",
                    public_key=keys.public, now=last_day + dt.timedelta(seconds=1))
    assert [e["outcome"] for e in _entries(bundle_copy)] == ["allowed", "refused"]


def test_a_tampered_bundle_is_logged_as_failed(bundle_copy: Path, keys: Keys) -> None:
    raw = bytearray((bundle_copy / "data.parquet").read_bytes())
    raw[100] ^= 0xFF
    (bundle_copy / "data.parquet").write_bytes(bytes(raw))
    with pytest.raises(VerificationError, match=r"data\.parquet"):
        open_bundle(bundle_copy, purpose="statistics", role="analyst", user="ada",
                    public_key=keys.public, now=INSIDE)
    (entry,) = _entries(bundle_copy)
    assert entry["outcome"] == "failed"
    assert entry["reason"] == "changed_file:data.parquet"
    assert entry["license_id"] is None


def test_wrong_key_is_refused(bundle_copy: Path, other_keys: Keys) -> None:
    with pytest.raises(VerificationError, match="not with the given public key"):
        open_bundle(bundle_copy, purpose="statistics", role="analyst", user="ada",
                    public_key=other_keys.public, now=INSIDE)
    assert _entries(bundle_copy)[0]["reason"] == "wrong_key:signature"


def test_custom_log_path_and_the_folder_stays_verifiable(bundle_copy: Path, keys: Keys,
                                                         tmp_path: Path) -> None:
    log = tmp_path / "logs" / "mine.jsonl"
    for _ in range(2):
        open_bundle(bundle_copy, purpose="statistics", role="analyst", user="ada",
                    public_key=keys.public, audit_log=log, now=INSIDE)
    assert len(AuditLog(log)) == 2
    assert AuditLog.for_bundle(bundle_copy, log).verify().genesis_checked
    with pytest.raises(ParameterError, match="inside the bundle folder"):
        open_bundle(bundle_copy, purpose="statistics", role="analyst", user="ada",
                    audit_log=bundle_copy / "audit.jsonl", now=INSIDE)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"user": "ada\nINJECTED"}, "control character"),
        ({"user": ""}, "non-empty"),
        ({"role": "x" * 201}, "at most 200"),
        ({"purpose": "stats\u202e"}, "control character"),
        ({"backend": "spark"}, "backend"),
        ({"now": dt.datetime(2026, 6, 1)}, "tz-aware"),
    ],
)
def test_bad_arguments(bundle_copy: Path, kwargs: dict, message: str) -> None:
    args = {"purpose": "statistics", "role": "analyst", "user": "ada", "now": INSIDE, **kwargs}
    with pytest.raises(ParameterError, match=message):
        open_bundle(bundle_copy, **args)
    assert _entries(bundle_copy) == []


def test_bundle_open_method(pristine: Bundle, keys: Keys, tmp_path: Path) -> None:
    frame = pristine.open(purpose="statistics", role="analyst", user="ada",
                          public_key=keys.public, audit_log=tmp_path / "a.jsonl", now=INSIDE)
    assert frame.height == pristine.license.dataset["records"]


def test_no_cell_value_enters_the_log(bundle_copy: Path, keys: Keys, source: Source) -> None:
    open_bundle(bundle_copy, purpose="statistics", role="analyst", user="ada",
                public_key=keys.public, now=INSIDE)
    with pytest.raises(AccessDeniedError):
        open_bundle(bundle_copy, purpose="marketing", role="analyst", user="ada",
                    public_key=keys.public, now=INSIDE)
    text = AuditLog.for_bundle(bundle_copy).path.read_text()
    for column in ("email", "mrn", "diagnosis", "city", "note"):
        for value in source.data[column].drop_nulls().head(20):
            assert str(value) not in text, column


def test_a_missing_bundle_leaves_no_stray_log(tmp_path: Path) -> None:
    with pytest.raises(VerificationError, match="does not exist"):
        open_bundle(tmp_path / "typo", purpose="statistics", role="analyst", user="ada")
    assert list(tmp_path.iterdir()) == []


# -- declared actions -------------------------------------------------------------------------
ROLES = [Role("analyst", ("use",)), Role("modeller", ("train-model",)),
         Role("counter", ("aggregate",)), Role("publisher", ("use", "publish")),
         Role("partner", ("read", "distribute")), Role("auditor", ("read-audit-log",))]


@pytest.fixture(scope="module")
def roles_bundle(source: Source, keys: Keys, tmp_path_factory: pytest.TempPathFactory) -> Bundle:
    lic = License.from_template(TEMPLATE, licensee="University Lab", licensor="General Hospital",
                                issued=ISSUED, expires=EXPIRES, roles=ROLES,
                                licensee_keys=LICENSEE_KEYS)
    return make_bundle(source, keys, tmp_path_factory.mktemp("roles") / "release", license=lic)


@pytest.fixture
def roles_copy(roles_bundle: Bundle, tmp_path: Path) -> Path:
    target = tmp_path / "release"
    shutil.copytree(roles_bundle.path, target)
    return target


def _open_as(bundle: Path, keys: Keys, role: str, **kwargs: object) -> object:
    return open_bundle(bundle, purpose="statistics", role=role, user="ada",
                       public_key=keys.public, now=INSIDE, **kwargs)


@pytest.mark.parametrize(
    ("role", "action", "granted"),
    [
        ("analyst", "read", "read"),            # the default: use covers reading
        ("analyst", "aggregate", "aggregate"),  # and every other non-export action
        ("modeller", "train-model", "train-model"),  # a role with only train-model opens
        ("counter", "aggregate", "aggregate"),
        ("publisher", "publish", "publish"),
        ("partner", "share", "distribute"),     # share is ODRL's old name for distribute
        ("partner", "read", "read"),
    ],
)
def test_a_granted_action_opens_and_tags_the_access(roles_copy: Path, roles_bundle: Bundle,
                                                    keys: Keys, role: str, action: str,
                                                    granted: str) -> None:
    frame = _open_as(roles_copy, keys, role, action=action)
    assert isinstance(frame, pl.DataFrame)
    access = last_access()
    lic = roles_bundle.license
    assert access is not None
    assert (access.license_id, access.action, access.role) == (lic.id, granted, role)
    (entry,) = _entries(roles_copy)
    assert (entry["outcome"], entry["declared_action"], entry["seq"]) == (
        "allowed", granted, access.audit_seq)


@pytest.mark.parametrize(
    ("role", "action"),
    [
        ("modeller", "read"),         # the default action needs read or use
        ("modeller", "aggregate"),
        ("counter", "train-model"),
        ("analyst", "publish"),       # use does not include export actions
        ("analyst", "distribute"),
        ("analyst", "share"),
        ("partner", "publish"),       # distribute does not include publish
        ("auditor", "read"),
    ],
)
def test_an_action_not_granted_is_refused_and_logged(roles_copy: Path, keys: Keys, role: str,
                                                     action: str) -> None:
    _open_as(roles_copy, keys, "analyst")  # an earlier access ...
    assert last_access() is not None
    kwargs = {} if action == "read" else {"action": action}
    with pytest.raises(AccessDeniedError, match="is not granted") as info:
        _open_as(roles_copy, keys, role, **kwargs)
    assert info.value.reason == "action"
    assert last_access() is None  # ... is not what the refused one returns
    entry = _entries(roles_copy)[-1]
    assert (entry["outcome"], entry["reason"], entry["role"]) == ("refused", "action", role)
    assert entry["declared_action"] == ("distribute" if action == "share" else action)


@pytest.mark.parametrize("action", ["read-audit-log", "fly", "", 3])
def test_an_action_that_is_not_on_the_data_is_a_parameter_error(roles_copy: Path, keys: Keys,
                                                                 action: object) -> None:
    with pytest.raises(ParameterError, match="not an action on the data"):
        _open_as(roles_copy, keys, "auditor", action=action)
    assert _entries(roles_copy) == []


def test_pandas_and_pyarrow_frames_carry_the_tag(bundle_copy: Path, keys: Keys,
                                                 pristine: Bundle) -> None:
    frame = open_bundle(bundle_copy, purpose="statistics", role="analyst", user="ada",
                        public_key=keys.public, backend="pandas", now=INSIDE,
                        action="aggregate")
    access = last_access()
    assert access is not None and frame.attrs["anonlab"] == access.to_dict()
    assert access.action == "aggregate" and access.test_clock
    table = open_bundle(bundle_copy, purpose="statistics", role="analyst", user="ada",
                        public_key=keys.public, backend="pyarrow", now=INSIDE)
    tag = json.loads(table.schema.metadata[ACCESS_METADATA_KEY.encode()])
    assert (tag["license_id"], tag["action"], tag["audit_seq"]) == (
        pristine.license.id, "read", 2)
