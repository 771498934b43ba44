"""License amendments: renewing, reading, and which terms apply."""

from __future__ import annotations

import base64
import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from anonlab.bundle._signed import sign_body
from anonlab.bundle.amendment import (
    SIGNING_DOMAIN,
    Amendment,
    EffectiveTerms,
    effective_terms,
    load_amendment,
    renew,
)
from anonlab.bundle.canonical import canonical_bytes, sha256_hex
from anonlab.bundle.signing import SigningKey
from anonlab.errors import AccessDeniedError, BundleError, ParameterError
from anonlab.licensing import License
from tests.bundle.conftest import ISSUED, TEMPLATE, fixed_license
from tests.identities import LICENSEE_KEYS

NOW = dt.datetime(2026, 6, 1, tzinfo=dt.UTC)
END = dt.datetime(2026, 12, 31, 23, 59, 59, tzinfo=dt.UTC)  # fixed_license's valid_until
Y2027 = dt.datetime(2027, 12, 31, 23, 59, 59, tzinfo=dt.UTC)
Y2028 = dt.datetime(2028, 12, 31, 23, 59, 59, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def key() -> SigningKey:
    return SigningKey.generate()


@pytest.fixture(scope="module")
def other() -> SigningKey:
    return SigningKey.generate()


@pytest.fixture(scope="module")
def lic() -> License:
    return fixed_license()


@pytest.fixture(scope="module")
def raw(lic: License) -> bytes:
    return lic.to_json().encode("utf-8")


def _write(path: Path, doc: dict[str, Any]) -> Path:
    path.write_bytes(canonical_bytes(doc))
    return path


def _signed(key: SigningKey, amendment: Amendment, **changes: Any) -> Amendment:
    """A validly signed amendment with some fields changed (what renew would refuse to make)."""
    body = {**amendment.to_dict(), **changes}
    del body["signature"]
    return Amendment(sign_body(body, key, SIGNING_DOMAIN, what="test"))


# --------------------------------------------------------------------------- renew


def test_renew_body_and_signature(raw: bytes, lic: License, key: SigningKey) -> None:
    amendment = renew(raw, key, valid_until=Y2027, now=NOW)
    doc = amendment.to_dict()
    signature = base64.b64decode(doc.pop("signature"))
    assert doc == {
        "type": "anonlab-license-amendment", "format_version": 1, "license_id": lic.id,
        "license_sha256": sha256_hex(raw), "number": 1, "issued": "2026-06-01T00:00:00Z",
        "valid_until": "2027-12-31T23:59:59Z", "delete_by": "2027-12-31T23:59:59Z",
        "issuer": key.fingerprint, "issuer_key": key.public_key.base64,
    }
    assert key.public_key.verify(signature, SIGNING_DOMAIN + canonical_bytes(doc))
    assert amendment.valid_until == Y2027 and amendment.issuer_key == key.public_key


def test_default_delete_by_keeps_a_later_license_deletion(key: SigningKey) -> None:
    lic = License.from_template(TEMPLATE, licensee_keys=LICENSEE_KEYS,
                                licensee="Lab", issued=ISSUED, expires="2026-12-31",
                                retention="P2Y")
    raw = lic.to_json().encode()
    assert renew(raw, key, valid_until=Y2027, now=NOW).delete_by == lic.retention.delete_by
    assert renew(raw, key, valid_until=dt.datetime(2030, 1, 1, tzinfo=dt.UTC),
                 now=NOW).delete_by == dt.datetime(2030, 1, 1, tzinfo=dt.UTC)


def test_write_load_round_trip(raw: bytes, key: SigningKey, tmp_path: Path) -> None:
    amendment = renew(raw, key, valid_until=Y2027, delete_by=Y2028, number=3, now=NOW)
    path = amendment.write(tmp_path / "a.json")
    assert path.read_bytes() == amendment.to_bytes()
    again = load_amendment(path)
    assert again.to_dict() == amendment.to_dict()
    assert (again.number, again.delete_by, again.license_id) == (3, Y2028, amendment.license_id)
    assert str(path) in again.source


@pytest.mark.parametrize("until", [END, END - dt.timedelta(days=30)])
def test_renew_refuses_to_shorten(raw: bytes, key: SigningKey, until: dt.datetime) -> None:
    with pytest.raises(ParameterError, match="only extends") as info:
        renew(raw, key, valid_until=until, now=NOW)
    assert "revoke" in str(info.value)


@pytest.mark.parametrize(("kwargs", "fault"), [
    ({"valid_until": Y2027, "delete_by": Y2027 - dt.timedelta(seconds=1)}, "before valid_until"),
    ({"valid_until": Y2027, "number": 0}, "number"),
    ({"valid_until": Y2027, "number": True}, "number"),
    ({"valid_until": dt.datetime(2027, 1, 1)}, "naive"),
    ({"valid_until": "2027-12-31"}, "must be a datetime"),
    ({"valid_until": Y2027, "now": dt.datetime(2028, 1, 1, tzinfo=dt.UTC)}, "already past"),
])
def test_renew_refuses(raw: bytes, key: SigningKey, kwargs: dict[str, Any], fault: str) -> None:
    kwargs.setdefault("now", NOW)
    with pytest.raises(ParameterError, match=fault):
        renew(raw, key, **kwargs)


def test_renew_refuses_an_earlier_deletion_than_the_license(key: SigningKey) -> None:
    lic = License.from_template(TEMPLATE, licensee_keys=LICENSEE_KEYS,
                                licensee="Lab", issued=ISSUED, expires="2026-12-31",
                                retention="P2Y")
    with pytest.raises(ParameterError, match="license's own delete_by"):
        renew(lic.to_json().encode(), key, valid_until=Y2027, delete_by=Y2027, now=NOW)


def test_renew_needs_license_bytes(raw: bytes, key: SigningKey) -> None:
    with pytest.raises(ParameterError, match="bytes"):
        renew(raw.decode(), key, valid_until=Y2027, now=NOW)  # type: ignore[arg-type]
    with pytest.raises(ParameterError, match="not a valid license"):
        renew(b'{"id": 1}', key, valid_until=Y2027, now=NOW)


# --------------------------------------------------------------------------- effective terms


def test_no_amendment_gives_the_license_terms(lic: License, raw: bytes, key: SigningKey) -> None:
    assert effective_terms(lic, raw, [], signer=key.public_key) == EffectiveTerms(END, END, None)


def test_the_highest_number_applies(lic: License, raw: bytes, key: SigningKey) -> None:
    first = renew(raw, key, valid_until=Y2028, number=1, now=NOW)  # the longer one
    second = renew(raw, key, valid_until=Y2027, number=2, now=NOW)
    for given in ([first, second], [second, first]):  # a replayed older one changes nothing
        terms = effective_terms(lic, raw, given, signer=key.public_key)
        assert terms.valid_until == Y2027 and terms.amendment is second
    only = effective_terms(lic, raw, (a for a in [first]), signer=key.public_key)
    assert only.valid_until == Y2028 and only.delete_by == Y2028


def test_the_same_amendment_twice_is_fine(lic: License, raw: bytes, key: SigningKey) -> None:
    one = renew(raw, key, valid_until=Y2027, now=NOW)
    again = renew(raw, key, valid_until=Y2027, now=NOW + dt.timedelta(hours=1))
    assert effective_terms(lic, raw, [one, again], signer=key.public_key).valid_until == Y2027


def _refused(lic: License, raw: bytes, amendments: list[Amendment], key: SigningKey) -> str:
    with pytest.raises(AccessDeniedError) as info:
        effective_terms(lic, raw, amendments, signer=key.public_key)
    assert info.value.reason == "amendment_invalid"
    return str(info.value)


def test_same_number_different_terms(lic: License, raw: bytes, key: SigningKey,
                                     tmp_path: Path) -> None:
    a = load_amendment(renew(raw, key, valid_until=Y2027, now=NOW).write(tmp_path / "a.json"))
    b = load_amendment(renew(raw, key, valid_until=Y2028, now=NOW).write(tmp_path / "b.json"))
    message = _refused(lic, raw, [a, b], key)
    assert "b.json" in message and "a.json" in message and "number 1" in message


def test_an_amendment_by_another_key(lic: License, raw: bytes, key: SigningKey,
                                     other: SigningKey, tmp_path: Path) -> None:
    forged = load_amendment(renew(raw, other, valid_until=Y2028, number=9, now=NOW)
                            .write(tmp_path / "forged.json"))
    genuine = renew(raw, key, valid_until=Y2027, now=NOW)
    message = _refused(lic, raw, [genuine, forged], key)
    assert other.fingerprint in message and "forged.json" in message and "number 9" in message


def test_an_amendment_for_another_license(lic: License, raw: bytes, key: SigningKey) -> None:
    another = fixed_license()  # a new id
    assert another.id != lic.id
    amendment = renew(another.to_json().encode(), key, valid_until=Y2027, now=NOW)
    assert another.id in _refused(lic, raw, [amendment], key)


def test_an_amendment_for_other_license_bytes(lic: License, raw: bytes, key: SigningKey) -> None:
    # the same id re-issued with other terms: the amendment binds to the bytes, not the id alone
    reissued = License.from_template(TEMPLATE, licensee_keys=LICENSEE_KEYS,
                                licensee="Another Lab", issued=ISSUED,
                                     expires="2026-12-31", id=lic.id)
    amendment = renew(reissued.to_json().encode(), key, valid_until=Y2027, now=NOW)
    assert "other license.json bytes" in _refused(lic, raw, [amendment], key)


def test_a_signed_shortening_is_refused(lic: License, raw: bytes, key: SigningKey) -> None:
    base = renew(raw, key, valid_until=Y2027, now=NOW)
    shorter = _signed(key, base, valid_until="2026-11-30T00:00:00Z",
                      delete_by="2026-12-31T23:59:59Z")
    assert "may only extend" in _refused(lic, raw, [shorter], key)
    equal = _signed(key, base, valid_until="2026-12-31T23:59:59Z")
    assert "may only extend" in _refused(lic, raw, [equal], key)


def test_a_signed_earlier_deletion_is_refused(key: SigningKey) -> None:
    lic = License.from_template(TEMPLATE, licensee_keys=LICENSEE_KEYS,
                                licensee="Lab", issued=ISSUED, expires="2026-12-31",
                                retention="P2Y")
    raw = lic.to_json().encode()
    base = renew(raw, key, valid_until=Y2027, now=NOW)
    early = _signed(key, base, delete_by="2027-12-31T23:59:59Z")
    assert "delete_by" in _refused(lic, raw, [early], key)


def test_a_newer_invalid_amendment_is_not_skipped(lic: License, raw: bytes,
                                                  key: SigningKey) -> None:
    good = renew(raw, key, valid_until=Y2027, number=1, now=NOW)
    bad = _signed(key, good, number=2, valid_until="2026-06-30T00:00:00Z",
                  delete_by="2026-12-31T23:59:59Z")
    _refused(lic, raw, [good, bad], key)


def test_effective_terms_arguments(lic: License, raw: bytes, key: SigningKey) -> None:
    with pytest.raises(ParameterError, match="PublicKey"):
        effective_terms(lic, raw, [], signer=key)  # type: ignore[arg-type]
    with pytest.raises(ParameterError, match="Amendment"):
        effective_terms(lic, raw, [{}], signer=key.public_key)  # type: ignore[list-item]
    with pytest.raises(ParameterError, match="License"):
        effective_terms(raw, raw, [], signer=key.public_key)  # type: ignore[arg-type]


# --------------------------------------------------------------------------- tampered files


@pytest.mark.parametrize(("field", "value"), [
    ("valid_until", "2099-12-31T23:59:59Z"),
    ("delete_by", "2099-12-31T23:59:59Z"),
    ("number", 7),
    ("license_id", "urn:uuid:00000000-0000-4000-8000-000000000000"),
    ("license_sha256", "0" * 64),
])
def test_an_edited_amendment_does_not_verify(raw: bytes, key: SigningKey, tmp_path: Path,
                                             field: str, value: Any) -> None:
    doc = {**renew(raw, key, valid_until=Y2027, now=NOW).to_dict(), field: value}
    if field == "valid_until":
        doc["delete_by"] = value
    path = _write(tmp_path / "a.json", doc)
    with pytest.raises(BundleError, match="does not verify") as info:
        load_amendment(path)
    assert str(path) in str(info.value)


def test_a_status_list_signature_is_not_an_amendment_signature(raw: bytes,
                                                               key: SigningKey) -> None:
    body = renew(raw, key, valid_until=Y2027, now=NOW).to_dict()
    del body["signature"]
    with pytest.raises(BundleError, match="does not verify"):
        Amendment(sign_body(body, key, b"anonlab-status-list-v1\n", what="x"))


@pytest.mark.parametrize(("change", "fault"), [
    (lambda d: d.pop("number"), "missing number"),
    (lambda d: d.update(note="x"), "unknown note"),
    (lambda d: d.update(type="anonlab-status-list"), "type"),
    (lambda d: d.update(format_version=2), "format_version"),
    (lambda d: d.update(number=0), "number"),
    (lambda d: d.update(license_sha256="A" * 64), "license_sha256"),
    (lambda d: d.update(license_id="urn:uuid:x"), "license_id"),
    (lambda d: d.update(valid_until="2027-02-30T00:00:00Z"), "valid_until"),
    (lambda d: d.update(delete_by="2027-01-01T00:00:00Z"), "delete_by is before"),
    (lambda d: d.update(issuer_key=d["issuer_key"][:-2]), "issuer_key"),
    (lambda d: d.update(signature="%%%"), "signature"),
])
def test_malformed_amendment(raw: bytes, key: SigningKey, tmp_path: Path, change: Any,
                             fault: str) -> None:
    doc = renew(raw, key, valid_until=Y2027, now=NOW).to_dict()
    change(doc)
    path = _write(tmp_path / "a.json", doc)
    with pytest.raises(BundleError, match=fault) as info:
        load_amendment(path)
    assert str(path) in str(info.value) and "malformed" in str(info.value)


def test_a_number_written_as_a_float_is_refused(raw: bytes, key: SigningKey,
                                                tmp_path: Path) -> None:
    data = renew(raw, key, valid_until=Y2027, now=NOW).to_bytes()
    assert b'"number":1,' in data
    path = tmp_path / "a.json"
    path.write_bytes(data.replace(b'"number":1,', b'"number":1.0,'))
    with pytest.raises(BundleError, match="number is not a whole number"):
        load_amendment(path)


@pytest.mark.parametrize("content", [b"", b"\x00", b"[]", b'{"type":1,"type":2}'])
def test_not_an_amendment(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "a.json"
    path.write_bytes(content)
    with pytest.raises(BundleError, match="license amendment"):
        load_amendment(path)
    with pytest.raises(BundleError, match="There is no license amendment"):
        load_amendment(tmp_path / "absent.json")
