"""anonlab.open with the licensor's status list and signed renewals: a revoked, stale, foreign or
rolled-back list refuses; a renewal extends the license without a new export."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from anonlab.bundle import AuditLog, open_bundle
from anonlab.bundle.amendment import renew
from anonlab.bundle.status import StatusRegister, publish_status
from anonlab.errors import AccessDeniedError
from anonlab.licensing import License
from tests.bundle.conftest import (
    AFTER,
    EXPIRES,
    INSIDE,
    ISSUED,
    TEMPLATE,
    Keys,
    Source,
    make_bundle,
)
from tests.identities import LICENSEE_KEYS

DAY = dt.timedelta(days=1)


def _open(bundle: Path, keys: Keys, **kw: object) -> None:
    kw.setdefault("now", INSIDE)
    open_bundle(bundle, purpose="statistics", role="analyst", user="ada",
                public_key=keys.public, **kw)  # type: ignore[arg-type]


def _reason(bundle: Path, keys: Keys, **kw: object) -> str:
    with pytest.raises(AccessDeniedError) as err:
        _open(bundle, keys, **kw)
    return err.value.reason


def _license_id(bundle: Path) -> str:
    return License.from_json((bundle / "license.json").read_bytes()).id


def _publish(tmp: Path, keys: Keys, *, revoke: str | None = None,
             at: dt.datetime = INSIDE - DAY, name: str = "status.json") -> Path:
    register = StatusRegister.load(tmp / "register.json")
    if revoke:
        register.revoke(revoke, reason="breach of the license", at=at)
    return publish_status(register, keys.private, now=at).write(tmp / name)


def test_a_current_list_opens_and_is_logged(bundle_copy: Path, keys: Keys,
                                            tmp_path: Path) -> None:
    path = _publish(tmp_path, keys)
    _open(bundle_copy, keys, status=path)
    entry = AuditLog.for_bundle(bundle_copy).entries()[-1]
    assert entry["outcome"] == "allowed" and entry["status_serial"] == 1


def test_a_revoked_license_refuses(bundle_copy: Path, keys: Keys, tmp_path: Path) -> None:
    path = _publish(tmp_path, keys, revoke=_license_id(bundle_copy))
    assert _reason(bundle_copy, keys, status=path) == "revoked"
    assert AuditLog.for_bundle(bundle_copy).entries()[-1]["reason"] == "revoked"


def test_a_stale_foreign_or_older_list_refuses(bundle_copy: Path, keys: Keys,
                                               other_keys: Keys, tmp_path: Path) -> None:
    stale = _publish(tmp_path, keys, at=INSIDE - 30 * DAY, name="stale.json")
    assert _reason(bundle_copy, keys, status=stale) == "status_stale"
    foreign = _publish(tmp_path / "o", other_keys, name="foreign.json")
    assert _reason(bundle_copy, keys, status=foreign) == "status_untrusted"
    old = _publish(tmp_path, keys, name="old.json")
    new = _publish(tmp_path, keys, name="new.json")
    _open(bundle_copy, keys, status=new)
    assert _reason(bundle_copy, keys, status=old) == "status_rollback"  # an old list put back
    (tmp_path / "broken.json").write_text("{}")
    assert _reason(bundle_copy, keys, status=tmp_path / "broken.json") == "status_missing"


def test_a_license_naming_a_status_list_needs_it(source: Source, keys: Keys,
                                                 tmp_path: Path) -> None:
    lic = License.from_template(TEMPLATE, licensee="Lab", issued=ISSUED, expires=EXPIRES,
                                licensee_keys=LICENSEE_KEYS, status_list="licensor.status.json")
    bundle = make_bundle(source, keys, tmp_path / "release", license=lic).path
    assert "licensor.status.json" in (bundle / "LICENSE.md").read_text()
    assert _reason(bundle, keys) == "status_missing"
    _publish(tmp_path, keys, name="licensor.status.json")  # beside the bundle folder
    _open(bundle, keys)
    _publish(tmp_path, keys, revoke=lic.id, name="licensor.status.json")
    assert _reason(bundle, keys) == "revoked"


def test_a_renewal_extends_the_license(bundle_copy: Path, keys: Keys, tmp_path: Path) -> None:
    assert _reason(bundle_copy, keys, now=AFTER) == "expired"
    raw = (bundle_copy / "license.json").read_bytes()
    until = dt.datetime(2027, 12, 31, tzinfo=dt.UTC)
    renewal = renew(raw, keys.private, valid_until=until, now=INSIDE)
    path = renewal.write(bundle_copy.with_name(bundle_copy.name + ".amendment.json"))
    _open(bundle_copy, keys, now=AFTER)  # found beside the bundle
    assert "amendment=1" in AuditLog.for_bundle(bundle_copy).entries()[-1]["reason"]
    assert _reason(bundle_copy, keys, now=until + DAY) == "expired"
    path.write_bytes(path.read_bytes().replace(b"2027-12-31", b"2029-12-31"))
    assert _reason(bundle_copy, keys, now=AFTER) == "amendment_invalid"
