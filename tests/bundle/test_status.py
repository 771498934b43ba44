"""Revocation status lists: the register, publishing, reading, and the check an open runs."""

from __future__ import annotations

import base64
import datetime as dt
import json
import uuid
from pathlib import Path
from typing import Any

import pytest

from anonlab.bundle._signed import sign_body
from anonlab.bundle.canonical import canonical_bytes
from anonlab.bundle.clock import CLOCK_TOLERANCE
from anonlab.bundle.signing import SigningKey
from anonlab.bundle.status import (
    SIGNING_DOMAIN,
    StatusList,
    StatusRegister,
    load_status_list,
    publish_status,
)
from anonlab.errors import AccessDeniedError, BundleError, ParameterError

NOW = dt.datetime(2026, 6, 1, 12, 0, tzinfo=dt.UTC)
A = "urn:uuid:00000000-0000-4000-8000-00000000000a"
B = "urn:uuid:00000000-0000-4000-8000-00000000000b"
C = "urn:uuid:00000000-0000-4000-8000-00000000000c"


@pytest.fixture(scope="module")
def key() -> SigningKey:
    return SigningKey.generate()


@pytest.fixture(scope="module")
def other() -> SigningKey:
    return SigningKey.generate()


@pytest.fixture
def register(tmp_path: Path) -> StatusRegister:
    reg = StatusRegister.load(tmp_path / "register.json")
    reg.revoke(B, reason="shared beyond the licensee", at=NOW - dt.timedelta(days=1))
    reg.revoke(A, reason="consent withdrawn", at=NOW - dt.timedelta(days=2))
    return reg


@pytest.fixture
def status(register: StatusRegister, key: SigningKey) -> StatusList:
    return publish_status(register, key, now=NOW)


def _write(path: Path, doc: dict[str, Any]) -> Path:
    path.write_bytes(canonical_bytes(doc))
    return path


# --------------------------------------------------------------------------- the register


def test_missing_register_is_empty_and_nothing_is_written(tmp_path: Path) -> None:
    reg = StatusRegister.load(tmp_path / "none.json")
    assert reg.serial == 0 and reg.revoked == ()
    assert not (tmp_path / "none.json").exists()


def test_revoke_twice_keeps_the_first(tmp_path: Path) -> None:
    reg = StatusRegister.load(tmp_path / "r.json")
    assert reg.revoke(A, reason="first", at=NOW) is True
    assert reg.revoke(A, reason="second", at=NOW + dt.timedelta(days=1)) is False
    entry = reg.get(A)
    assert entry is not None and entry.reason == "first" and entry.revoked_at == NOW


def test_register_round_trip_sorted(register: StatusRegister) -> None:
    register.save()
    again = StatusRegister.load(register.path)
    assert [r.license_id for r in again.revoked] == [A, B]
    assert again.revoked == register.revoked and again.serial == 0
    data = json.loads(register.path.read_text())
    assert data["type"] == "anonlab-status-register" and data["serial"] == 0


@pytest.mark.parametrize("license_id", [
    "fae1aaec-6e2f-4ae6-a037-24a62c864c48",            # no urn:uuid:
    "urn:uuid:FAE1AAEC-6E2F-4AE6-A037-24A62C864C48",   # upper case
    "urn:uuid:fae1aaec-6e2f-1ae6-a037-24a62c864c48",   # not version 4
    "urn:uuid:fae1aaec-6e2f-4ae6-a037-24a62c864c48\n",
    42,
])
def test_revoke_refuses_what_is_not_a_license_id(tmp_path: Path, license_id: Any) -> None:
    with pytest.raises(ParameterError, match="urn:uuid"):
        StatusRegister.load(tmp_path / "r.json").revoke(license_id, reason="x")


@pytest.mark.parametrize("reason", ["", "   ", "x" * 201, "two\nlines", "tab\there",
                                    "esc\x1b[31m", "bidi \u202eevil", "sep\u2028x", None])
def test_revoke_refuses_a_bad_reason(tmp_path: Path, reason: Any) -> None:
    with pytest.raises(ParameterError, match="revocation reason"):
        StatusRegister.load(tmp_path / "r.json").revoke(A, reason=reason)


def test_revoke_takes_a_200_character_unicode_reason(tmp_path: Path) -> None:
    reg = StatusRegister.load(tmp_path / "r.json")
    assert reg.revoke(A, reason="é" * 200)


def test_revoke_refuses_a_naive_time(tmp_path: Path) -> None:
    with pytest.raises(ParameterError, match="naive"):
        StatusRegister.load(tmp_path / "r.json").revoke(A, reason="x", at=dt.datetime(2026, 1, 1))


@pytest.mark.parametrize(("content", "fault"), [
    (b"{not json", "not valid JSON"),
    (b'{"type":"anonlab-status-register","type":"x"}', "not valid JSON"),
    (b"[]", "not a JSON object"),
    (b'{"type":"anonlab-status-register","format_version":1,"serial":0}', "missing revoked"),
    (b'{"type":"anonlab-status-register","format_version":2,"serial":0,"revoked":[]}',
     "format_version"),
    (b'{"type":"anonlab-status-register","format_version":1,"serial":-1,"revoked":[]}',
     "serial"),
    (b'{"type":"anonlab-status-register","format_version":1,"serial":0,"revoked":[],"x":1}',
     "unknown x"),
])
def test_malformed_register(tmp_path: Path, content: bytes, fault: str) -> None:
    path = tmp_path / "r.json"
    path.write_bytes(content)
    with pytest.raises(BundleError, match=fault) as info:
        StatusRegister.load(path)
    assert str(path) in str(info.value)


# --------------------------------------------------------------------------- publishing


def test_publish_counts_the_serial_in_the_register(register: StatusRegister,
                                                   key: SigningKey) -> None:
    first = publish_status(register, key, now=NOW)
    second = publish_status(register, key, now=NOW)
    assert (first.serial, second.serial) == (1, 2)
    assert StatusRegister.load(register.path).serial == 2


def test_publish_body_and_signature(status: StatusList, key: SigningKey) -> None:
    doc = status.to_dict()
    signature = base64.b64decode(doc.pop("signature"))
    assert doc == {
        "type": "anonlab-status-list", "format_version": 1, "issuer": key.fingerprint,
        "issuer_key": key.public_key.base64, "serial": 1, "issued": "2026-06-01T12:00:00Z",
        "next_update": "2026-06-08T12:00:00Z",
        "revoked": [
            {"license_id": A, "revoked_at": "2026-05-30T12:00:00Z", "reason": "consent withdrawn"},
            {"license_id": B, "revoked_at": "2026-05-31T12:00:00Z",
             "reason": "shared beyond the licensee"},
        ],
    }
    assert key.public_key.verify(signature, SIGNING_DOMAIN + canonical_bytes(doc))
    assert not key.public_key.verify(signature, canonical_bytes(doc))  # the domain is signed
    assert status.issuer == key.fingerprint and status.issued == NOW
    assert status.next_update == NOW + dt.timedelta(days=7)


def test_write_load_round_trip(status: StatusList, tmp_path: Path) -> None:
    path = status.write(tmp_path / "status.json")
    assert path.read_bytes() == status.to_bytes() == canonical_bytes(status.to_dict())
    again = load_status_list(path)
    assert again.to_dict() == status.to_dict() and again.revoked == status.revoked


@pytest.mark.parametrize("valid_for", [dt.timedelta(0), dt.timedelta(days=-1), 7])
def test_publish_refuses_a_bad_validity(register: StatusRegister, key: SigningKey,
                                        valid_for: Any) -> None:
    with pytest.raises(ParameterError, match="valid_for"):
        publish_status(register, key, valid_for=valid_for, now=NOW)
    assert register.serial == 0


def test_a_failed_save_publishes_nothing(tmp_path: Path, key: SigningKey) -> None:
    (tmp_path / "file").write_text("not a folder")
    reg = StatusRegister.load(tmp_path / "file" / "register.json")
    with pytest.raises(BundleError, match="Cannot write the status register"):
        publish_status(reg, key, now=NOW)
    assert reg.serial == 0


# --------------------------------------------------------------------------- the check


def test_check_allows_an_unlisted_license(status: StatusList, key: SigningKey) -> None:
    status.check(C, signer=key.public_key, at=NOW + dt.timedelta(days=7))  # inclusive


def test_check_refuses_a_revoked_license(status: StatusList, key: SigningKey) -> None:
    with pytest.raises(AccessDeniedError) as info:
        status.check(B, signer=key.public_key, at=NOW)
    assert info.value.reason == "revoked"
    assert "2026-05-31T12:00:00Z" in str(info.value)
    assert "shared beyond the licensee" in str(info.value)


def test_a_stale_list_is_refused(status: StatusList, key: SigningKey) -> None:
    with pytest.raises(AccessDeniedError) as info:
        status.check(C, signer=key.public_key, at=NOW + dt.timedelta(days=7, seconds=1))
    assert info.value.reason == "status_stale"
    assert "2026-06-08T12:00:00Z" in str(info.value) and "fresh" in str(info.value)


def test_a_list_from_the_future_is_refused(status: StatusList, key: SigningKey) -> None:
    status.check(C, signer=key.public_key, at=NOW - CLOCK_TOLERANCE)  # within tolerance
    with pytest.raises(AccessDeniedError) as info:
        status.check(C, signer=key.public_key, at=NOW - CLOCK_TOLERANCE - dt.timedelta(seconds=1))
    assert info.value.reason == "status_future"


def test_a_list_by_another_key_is_untrusted(register: StatusRegister, key: SigningKey,
                                            other: SigningKey) -> None:
    foreign = publish_status(register, other, now=NOW)  # a valid list, but not the bundle's signer
    with pytest.raises(AccessDeniedError) as info:
        foreign.check(C, signer=key.public_key, at=NOW)
    assert info.value.reason == "status_untrusted"
    assert other.fingerprint in str(info.value) and key.fingerprint in str(info.value)


def test_check_arguments(status: StatusList, key: SigningKey) -> None:
    with pytest.raises(ParameterError, match="PublicKey"):
        status.check(C, signer=key, at=NOW)  # type: ignore[arg-type]
    with pytest.raises(ParameterError, match="naive"):
        status.check(C, signer=key.public_key, at=dt.datetime(2026, 6, 1))


# --------------------------------------------------------------------------- tampering


def test_removing_a_revoked_id_breaks_the_signature(status: StatusList, key: SigningKey,
                                                    tmp_path: Path) -> None:
    doc = status.to_dict()
    doc["revoked"] = [e for e in doc["revoked"] if e["license_id"] != B]
    path = _write(tmp_path / "status.json", doc)
    with pytest.raises(BundleError, match="does not verify") as info:
        load_status_list(path)
    assert str(path) in str(info.value)


@pytest.mark.parametrize(("field", "value"), [
    ("next_update", "2099-01-01T00:00:00Z"),
    ("serial", 99),
    ("issued", "2026-06-02T12:00:00Z"),
])
def test_editing_a_field_breaks_the_signature(status: StatusList, tmp_path: Path, field: str,
                                              value: Any) -> None:
    doc = {**status.to_dict(), field: value}
    with pytest.raises(BundleError, match="does not verify"):
        load_status_list(_write(tmp_path / "s.json", doc))


def test_swapping_in_another_key_breaks_the_signature(status: StatusList, other: SigningKey,
                                                      tmp_path: Path) -> None:
    doc = {**status.to_dict(), "issuer": other.fingerprint,
           "issuer_key": other.public_key.base64}
    with pytest.raises(BundleError, match="does not verify"):
        load_status_list(_write(tmp_path / "s.json", doc))


def test_a_status_signature_over_another_domain_does_not_verify(status: StatusList,
                                                                key: SigningKey) -> None:
    doc = status.to_dict()
    del doc["signature"]
    forged = sign_body(doc, key, b"anonlab-license-amendment-v1\n", what="x")
    with pytest.raises(BundleError, match="does not verify"):
        StatusList(forged)


def test_non_canonical_base64_is_refused(status: StatusList, tmp_path: Path) -> None:
    doc = status.to_dict()
    sig = doc["signature"]
    assert sig.endswith("==")
    # the last data character's unused bits set: decodes to the same bytes, another encoding
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
    doc["signature"] = sig[:-3] + alphabet[alphabet.index(sig[-3]) ^ 1] + "=="
    assert base64.b64decode(doc["signature"]) == base64.b64decode(sig)
    with pytest.raises(BundleError, match="signature is not canonical base64"):
        load_status_list(_write(tmp_path / "s.json", doc))


@pytest.mark.parametrize(("change", "fault"), [
    (lambda d: d.pop("next_update"), "missing next_update"),
    (lambda d: d.update(extra=1), "unknown extra"),
    (lambda d: d.update(type="anonlab-license-amendment"), "type"),
    (lambda d: d.update(format_version=2), "format_version"),
    (lambda d: d.update(serial=True), "serial"),
    (lambda d: d.update(serial=0), "serial"),
    (lambda d: d.update(issued="2026-06-01 12:00:00"), "issued"),
    (lambda d: d.update(next_update="2026-06-08T12:00:00+00:00"), "next_update"),
    (lambda d: d.update(issuer_key="not base64!"), "issuer_key"),
    (lambda d: d.update(issuer="ed25519:" + "0" * 32), "not the fingerprint"),
    (lambda d: d.update(signature="AAAA"), "not the 64"),
    (lambda d: d.update(revoked=list(reversed(d["revoked"]))), "not sorted"),
    (lambda d: d.update(revoked=[d["revoked"][0]] * 2), "not sorted"),
    (lambda d: d.update(revoked=[{**d["revoked"][0], "reason": "a\x1bb"}]), "reason"),
    (lambda d: d.update(revoked=[{**d["revoked"][0], "x": 1}]), "revoked\\[0\\]"),
    (lambda d: d.update(revoked={}), "revoked is not a list"),
])
def test_malformed_status_list(status: StatusList, tmp_path: Path, change: Any,
                               fault: str) -> None:
    doc = status.to_dict()
    change(doc)
    path = _write(tmp_path / "s.json", doc)
    with pytest.raises(BundleError, match=fault) as info:
        load_status_list(path)
    assert str(path) in str(info.value)


@pytest.mark.parametrize("content", [b"", b"{", b"\xff\xfe", b"[1]", b'{"a":1,"a":2}', b"null"])
def test_not_a_status_list(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "s.json"
    path.write_bytes(content)
    with pytest.raises(BundleError, match="status list") as info:
        load_status_list(path)
    assert str(path) in str(info.value)


def test_missing_and_non_regular_files(tmp_path: Path) -> None:
    with pytest.raises(BundleError, match="There is no status list"):
        load_status_list(tmp_path / "absent.json")
    with pytest.raises(BundleError, match="folder"):
        load_status_list(tmp_path)


def test_many_revocations_stay_sorted(tmp_path: Path, key: SigningKey) -> None:
    reg = StatusRegister.load(tmp_path / "r.json")
    ids = [f"urn:uuid:{uuid.uuid4()}" for _ in range(50)]
    for license_id in ids:
        reg.revoke(license_id, reason="bulk", at=NOW)
    status = load_status_list(publish_status(reg, key, now=NOW).write(tmp_path / "s.json"))
    assert [r.license_id for r in status.revoked] == sorted(ids)
    for license_id in ids:
        with pytest.raises(AccessDeniedError, match="revoked"):
            status.check(license_id, signer=key.public_key, at=NOW)


def test_a_status_list_is_not_changed_through_its_data(status: StatusList,
                                                       key: SigningKey) -> None:
    before = status.to_bytes()
    status.to_dict()["revoked"].clear()
    doc = status.to_dict()
    again = StatusList(doc)
    doc["revoked"].clear()
    assert status.to_bytes() == again.to_bytes() == before
    with pytest.raises(AccessDeniedError, match="revoked"):
        again.check(A, signer=key.public_key, at=NOW)
