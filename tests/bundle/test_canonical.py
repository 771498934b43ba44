"""The canonical JSON helpers of the bundle."""

from __future__ import annotations

import math

import pytest

from anonlab.bundle.canonical import canonical_bytes, pretty_bytes, read_canonical, sha256_hex
from anonlab.errors import BundleError, VerificationError


def test_canonical_form() -> None:
    assert canonical_bytes({"b": [1, 2.5, 1e-7], "a": "é", "c": None}) == (
        '{"a":"é","b":[1,2.5,1e-7],"c":null}'.encode())
    # members sorted by UTF-16 code units: U+1F600 (D83D DE00) before U+FB01
    assert canonical_bytes({"\ufb01": 1, "\U0001f600": 2, "z": 3}) == (
        '{"z":3,"\U0001f600":2,"\ufb01":1}'.encode())


@pytest.mark.parametrize("bad", [math.nan, math.inf, 2**60, "\ud800", {1: "x"}, {1, 2}])
def test_refusals(bad: object) -> None:
    with pytest.raises(BundleError, match="canonical JSON"):
        canonical_bytes({"x": bad})
    with pytest.raises(BundleError):
        pretty_bytes({"x": bad})


def test_read_canonical() -> None:
    raw = canonical_bytes({"a": [1, {"b": True}]})
    assert read_canonical(raw, file="f.json") == {"a": [1, {"b": True}]}
    for text in (b'{"a": 1}', b'{"b":1,"a":2}', b'{"a":1,"a":1}', b"nope", b'{"a":1.0}'):
        with pytest.raises(VerificationError, match=r"f\.json") as info:
            read_canonical(text, file="f.json")
        assert info.value.reason == "malformed"
        assert info.value.file == "f.json"


def test_pretty_and_hash() -> None:
    assert pretty_bytes({"b": 1, "a": "é"}) == '{\n  "a": "é",\n  "b": 1\n}\n'.encode()
    assert sha256_hex(b"") == (
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
