"""Identity: the license names the keys that may open it; every record is signed by the opener's
key; an unknown, missing, uncertified or mis-named key is refused and logged."""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import importlib
import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from anonlab.bundle import AuditLog, SigningKey, generate_keypair, open_bundle
from anonlab.bundle.audit import check_chain, entry_hash
from anonlab.bundle.identity import Certificate, Identity, certify, load_certificate
from anonlab.errors import AccessDeniedError, BundleError, LicenseError, ParameterError
from anonlab.licensing import License
from anonlab.licensing.templates import register_template, template
from tests.bundle.conftest import EXPIRES, INSIDE, ISSUED, TEMPLATE, Keys, Source, make_bundle

ADA = SigningKey.generate()
ACME = SigningKey.generate()  # the licensee organisation's key
MALLORY = SigningKey.generate()


@pytest.fixture(scope="module")
def named(source: Source, keys: Keys, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A bundle whose license names ada's user key and Acme's organisation key."""
    lic = License.from_template(
        TEMPLATE, licensee="Acme Research", licensor="General Hospital", issued=ISSUED,
        expires=EXPIRES, licensee_keys=[
            {"key": ADA.public_key, "name": "ada"},
            {"public_key": ACME.public_key.base64, "kind": "organisation", "name": "Acme"}])
    return make_bundle(source, keys, tmp_path_factory.mktemp("named") / "release",
                       license=lic).path


@pytest.fixture
def copy(named: Path, tmp_path: Path) -> Path:
    target = tmp_path / "release"
    shutil.copytree(named, target)
    return target


def _open(bundle: Path, keys: Keys, **kwargs: object) -> object:
    kwargs.setdefault("user", None)
    return open_bundle(bundle, purpose="statistics", role="analyst", public_key=keys.public,
                       now=INSIDE, **kwargs)  # type: ignore[arg-type]


def _last(bundle: Path) -> dict:
    return AuditLog.for_bundle(bundle).entries()[-1]


def test_a_named_key_opens_and_signs_its_record(copy: Path, keys: Keys) -> None:
    _open(copy, keys, identity=ADA)
    entry = _last(copy)
    assert entry["outcome"] == "allowed"
    assert entry["identity"] == ADA.fingerprint and entry["user"] == "ada"
    assert entry["identity_key"] == ADA.public_key.base64
    assert ADA.public_key.verify(base64.b64decode(entry["signature"]),
                                 b"anonlab-audit-entry-v1\n" + entry["hash"].encode())
    assert AuditLog.for_bundle(copy).verify().ok


def test_without_a_key_the_open_is_refused_as_unauthenticated(
    copy: Path, keys: Keys, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("ANONLAB_IDENTITY")
    with pytest.raises(AccessDeniedError) as err:
        _open(copy, keys, user="ada")
    assert err.value.reason == "unauthenticated"
    entry = _last(copy)
    assert entry["outcome"] == "refused" and entry["identity"] == "unauthenticated"
    assert "signature" not in entry


def test_an_unknown_key_is_refused_and_its_attempt_signed(copy: Path, keys: Keys) -> None:
    with pytest.raises(AccessDeniedError) as err:
        _open(copy, keys, identity=MALLORY, user="CEO")
    assert err.value.reason == "identity"
    assert MALLORY.fingerprint in str(err.value)
    entry = _last(copy)
    assert entry["outcome"] == "refused" and entry["identity"] == MALLORY.fingerprint
    assert AuditLog.for_bundle(copy).verify().ok  # a signed refusal


def test_the_user_is_the_name_the_key_has(copy: Path, keys: Keys) -> None:
    with pytest.raises(AccessDeniedError) as err:
        _open(copy, keys, identity=ADA, user="CEO")
    assert err.value.reason == "identity" and "'ada'" in str(err.value)
    _open(copy, keys, identity=ADA, user="ada")


def test_an_organisation_certifies_its_users(copy: Path, keys: Keys, tmp_path: Path) -> None:
    bob = SigningKey.generate()
    cert = certify(ACME, bob.public_key, name="bob", valid_until=dt.timedelta(days=30))
    path = cert.write(tmp_path / "bob.cert.json")
    _open(copy, keys, identity=bob, certificate=path)
    entry = _last(copy)
    assert entry["user"] == "bob" and entry["identity"] == bob.fingerprint
    assert entry["identity_certificate"]["issuer"] == ACME.fingerprint
    assert AuditLog.for_bundle(copy).verify().ok
    # the same key without its certificate, or certified by someone else, is refused
    with pytest.raises(AccessDeniedError, match="does not accept"):
        _open(copy, keys, identity=bob)
    forged = certify(MALLORY, bob.public_key, name="bob")
    with pytest.raises(AccessDeniedError, match="does not name as an organisation key"):
        _open(copy, keys, identity=Identity(bob, forged))


def test_an_expired_certificate_is_refused(copy: Path, keys: Keys) -> None:
    carol = SigningKey.generate()
    old = certify(ACME, carol.public_key, name="carol", valid_until=dt.timedelta(days=1),
                  now=dt.datetime(2020, 1, 1, tzinfo=dt.UTC))
    with pytest.raises(AccessDeniedError) as err:
        _open(copy, keys, identity=Identity(carol, old))
    assert err.value.reason == "identity" and "2020-01-02" in str(err.value)


def test_an_altered_certificate_does_not_load(tmp_path: Path) -> None:
    cert = certify(ACME, ADA.public_key, name="ada")
    data = cert.to_dict() | {"name": "root"}
    path = tmp_path / "c.json"
    path.write_text(json.dumps(data))
    with pytest.raises(BundleError, match="altered or forged"):
        load_certificate(path)
    with pytest.raises(ParameterError, match="for the key"):
        Identity(MALLORY, cert)


def test_a_forged_record_is_detected_without_the_key(copy: Path, keys: Keys) -> None:
    """The holder rewrites ada's allowed record as bob's refusal and recomputes the chain: the
    signature no longer holds, and it cannot be redone without ada's key."""
    _open(copy, keys, identity=ADA)
    log = AuditLog.for_bundle(copy)
    entries = log.entries()
    entries[-1]["purpose"] = "scientific-research"
    entries[-1]["hash"] = entry_hash(entries[-1])
    from anonlab.bundle.canonical import canonical_bytes

    log.path.write_bytes(b"".join(canonical_bytes(e) + b"\n" for e in entries))
    result = log.verify()
    assert not result.ok and result.line == len(entries)
    assert "signature" in result.reason
    # and stripping the signature leaves a record that names an identity it is not signed by
    del entries[-1]["signature"]
    line, reason, _ = check_chain([canonical_bytes(e) for e in entries], log.genesis)
    assert line == len(entries) and "missing" in reason
    del entries[-1]["identity_key"]
    entries[-1]["hash"] = entry_hash(entries[-1])
    line, reason, _ = check_chain([canonical_bytes(e) for e in entries], log.genesis)
    assert line == len(entries) and "not signed" in reason


@pytest.fixture
def open_template() -> Iterator[str]:
    """A template like the bundle tests' one that does not require identity."""
    tpl = dataclasses.replace(template(TEMPLATE), id="open-research", requires_identity=False)
    register_template(tpl)
    yield tpl.id
    importlib.import_module("anonlab.licensing.templates")._USER.pop(tpl.id, None)


def test_without_keys_anyone_opens_unauthenticated(
    source: Source, keys: Keys, tmp_path: Path, open_template: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    lic = License.from_template(open_template, licensee="Anyone", issued=ISSUED, expires=EXPIRES)
    assert not lic.requires_identity
    path = make_bundle(source, keys, tmp_path / "open", license=lic).path
    monkeypatch.delenv("ANONLAB_IDENTITY")
    with pytest.raises(ParameterError, match="user="):
        _open(path, keys)
    _open(path, keys, user="ada")
    assert _last(path)["identity"] == "unauthenticated" and _last(path)["outcome"] == "allowed"
    _open(path, keys, user="ada", identity=MALLORY)  # a key nobody named: signed, not vouched
    assert _last(path)["identity"] == MALLORY.fingerprint


def test_templates_that_require_identity_refuse_a_license_without_keys() -> None:
    assert template(TEMPLATE).requires_identity
    with pytest.raises(LicenseError, match="requires identified licensees"):
        License.from_template(TEMPLATE, licensee="Anyone")


def test_licensee_keys_in_the_license_round_trip(named: Path) -> None:
    lic = License.from_json((named / "license.json").read_bytes())
    fps = {k.fingerprint for k in lic.licensee_keys}
    assert fps == {ADA.fingerprint, ACME.fingerprint}
    data = lic.to_dict()
    key = data["parties"]["licensees"][0]["keys"][0]
    key["fingerprint"] = "ed25519:" + "0" * 32
    with pytest.raises(LicenseError, match="does not match"):
        License.from_dict(data)
    assert ADA.fingerprint in (named / "LICENSE.md").read_text()


def test_a_key_file_is_a_licensee_key(tmp_path: Path) -> None:
    _, pub = generate_keypair(tmp_path / "dan")
    lic = License.from_template(TEMPLATE, licensee="Lab", licensee_keys=[str(pub)])
    assert lic.licensee_keys[0].kind == "user" and lic.licensee_keys[0].name is None
    with pytest.raises(LicenseError, match="only licensees"):
        License.from_template(TEMPLATE, licensee="Lab", licensee_keys=[str(pub)],
                              licensor={"name": "H", "keys": [{"key": str(pub)}]})


def test_certificate_round_trip(tmp_path: Path) -> None:
    cert = certify(ACME, ADA.public_key, name="ada")
    again = load_certificate(cert.write(tmp_path / "a.json"))
    assert again == cert and again.signature_valid
    assert isinstance(again, Certificate)
