"""Canonical JSON (RFC 8785 style)."""

from __future__ import annotations

import math

import pytest

from anonlab.licensing.canonical import canonical_json


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (0.0, "0"), (-0.0, "0"), (1.0, "1"), (0.5, "0.5"), (100.0, "100"), (1e21, "1e+21"),
        (1e20, "100000000000000000000"), (1e-7, "1e-7"), (1e-6, "0.000001"),
        (123.456, "123.456"), (-2.5e-10, "-2.5e-10"), (1.5e300, "1.5e+300"),
        (5e-324, "5e-324"), (0.1 + 0.2, "0.30000000000000004"), (2**53, "9007199254740992"),
    ],
)
def test_numbers_as_ecmascript(value, text):
    assert canonical_json(value) == text.encode()


def test_rfc8785_example_shape():
    data = {"numbers": [333333333.33333329, 1e30, 4.5, 2e-3, 1e-27],
            "string": "\u20ac$\u000f\nA'B\"\\\\\"/", "literals": [None, True, False]}
    assert canonical_json(data) == (
        '{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],'
        '"string":"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}'
    ).encode()


def test_keys_sorted_by_utf16_units():
    data = {"\u20ac": 1, "\r": 2, "\ufb33": 3, "1": 4, "\U0001f600": 5, "\u0080": 6, "ö": 7}
    out = canonical_json(data).decode()
    keys = list(data)
    order = sorted(keys, key=lambda k: k.encode("utf-16-be"))
    positions = [out.index(canonical_json(k).decode()) for k in order]
    assert positions == sorted(positions)
    # a non-BMP key sorts by its surrogates, before U+FB33 (unlike code-point order)
    assert out.index("\U0001f600") < out.index("\ufb33")


@pytest.mark.parametrize("bad", [math.nan, math.inf, 2**60, {1: "a"}, {"a": object()},
                                 "\ud800"])
def test_refuses_what_i_json_cannot_hold(bad):
    with pytest.raises(ValueError, match=r"\$"):
        canonical_json(bad)
