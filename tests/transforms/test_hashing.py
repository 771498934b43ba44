"""Keyed hashing (Hash) and pseudonyms (Pseudonymize).

The outputs are pinned to the standards they claim (RFC 2104 HMAC-SHA256 through Python's hmac,
keyed BLAKE2b, RFC 4648 base32), and the key is checked never to leak into a repr, a message, an
output or a recipe.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import pickle
from typing import Any

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from anonlab.errors import ParameterError, RecipeError, SecretKeyError, TransformError
from anonlab.keys import Key
from anonlab.transforms import hashing
from anonlab.transforms.base import Context, Transform
from anonlab.transforms.hashing import Hash, Pseudonymize, UnkeyedHashWarning
from anonlab.transforms.registry import transform_from_dict

ENV = "ANONLAB_TEST_HASHING_KEY"
REF = f"env:{ENV}"
SECRET = "SECRET-hashing-test-key-0123456789"
KEY = SECRET.encode()
OTHER = Key("another key, also long enough 9876")
CONTEXT = b"anonlab.pseudonymize\x1f"

SSNS = ["123-45-6789", "987-65-4321", "000-00-0000", "555-12-3456"]


@pytest.fixture(autouse=True)
def key_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV, SECRET)


def run(t: Transform, values: Any, dtype: Any = None, column: str = "c") -> pl.DataFrame:
    """Apply ``t`` to one column holding ``values``; the collected frame."""
    series = pl.Series(column, values, dtype=dtype)
    lf = pl.LazyFrame([series])
    if series.dtype != pl.Null:
        t.check_input(column, series.dtype)
    return t.apply(lf, column, Context(schema=lf.collect_schema(), seed=0)).collect()


def out(t: Transform, values: Any, dtype: Any = None) -> list[Any]:
    return run(t, values, dtype).get_column("c").to_list()


def hmac_hex(value: str, key: bytes = KEY, message_prefix: bytes = b"") -> str:
    return hmac.new(key, message_prefix + value.encode(), "sha256").hexdigest()


def b32(digest: bytes) -> str:
    return base64.b32encode(digest).decode().rstrip("=").lower()


# -- Hash: the standards -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        # default: HMAC-SHA256, 16 hex characters, no salt -> hmac.new(key, v, sha256)
        ({}, lambda v: hmac_hex(v)[:16]),
        # the full 64 hex characters and the shortest, 8
        ({"length": 64}, lambda v: hmac_hex(v)),
        ({"length": 8}, lambda v: hmac_hex(v)[:8]),
        # a salt goes before the value, separated by the unit separator \x1f
        ({"salt": "release-2024"}, lambda v: hmac_hex(v, message_prefix=b"release-2024\x1f")[:16]),
        # base32: RFC 4648 lowercase without padding, up to 52 characters of the 32-byte digest
        ({"encoding": "base32", "length": 26},
         lambda v: b32(hmac.new(KEY, v.encode(), "sha256").digest())[:26]),
        ({"encoding": "base32", "length": 52},
         lambda v: b32(hmac.new(KEY, v.encode(), "sha256").digest())),
        # keyed BLAKE2b with a 32-byte digest
        ({"algorithm": "blake2b", "length": 64},
         lambda v: hashlib.blake2b(v.encode(), key=KEY, digest_size=32).hexdigest()),
        ({"algorithm": "blake2b", "encoding": "base32", "length": 20, "salt": "s"},
         lambda v: b32(hashlib.blake2b(b"s\x1f" + v.encode(), key=KEY, digest_size=32).digest())[
             :20]),
    ],
)
def test_hash_equals_the_standard(params: dict[str, Any], expected: Any) -> None:
    values = [*SSNS, "", "naïve café ☕", "a\x1fb"]
    assert out(Hash(key=REF, **params), values) == [expected(v) for v in values]


@pytest.mark.parametrize("algorithm", ["hmac-sha256", "blake2b"])
def test_keys_longer_than_a_block_follow_the_standard(algorithm: str) -> None:
    # HMAC hashes a key longer than its 64-byte block (RFC 2104); BLAKE2b takes at most 64 bytes,
    # so a longer key is first replaced by its 64-byte BLAKE2b digest
    long_key = bytes(range(100))
    got = out(Hash(key=Key(long_key), algorithm=algorithm, length=64), SSNS)
    if algorithm == "hmac-sha256":
        want = [hmac_hex(v, key=long_key) for v in SSNS]
    else:
        derived = hashlib.blake2b(long_key).digest()
        want = [hashlib.blake2b(v.encode(), key=derived, digest_size=32).hexdigest() for v in SSNS]
    assert got == want


def test_unkeyed_hash_is_refused_unless_allowed_and_then_warns() -> None:
    with pytest.raises(ParameterError, match="dictionary attack"):
        Hash(key=None)
    t = Hash(key=None, allow_unkeyed=True, length=64)
    with pytest.warns(UnkeyedHashWarning, match=r"column 'c'.*reversed by hashing every"):
        got = out(t, SSNS)
    # unkeyed means plain SHA-256 (or BLAKE2b-256) of the message
    assert got == [hashlib.sha256(v.encode()).hexdigest() for v in SSNS]
    assert issubclass(UnkeyedHashWarning, UserWarning)


# -- Hash: values --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "dtype", "texts"),
    [
        # non-strings are hashed as their polars string form (documented)
        ([1, 22, None, -3], pl.Int64, ["1", "22", None, "-3"]),
        ([1, 22], pl.UInt8, ["1", "22"]),
        ([1.5, None], pl.Float64, ["1.5", None]),
        ([dt.date(2024, 1, 10), None], pl.Date, ["2024-01-10", None]),
        ([dt.datetime(2024, 1, 10, 8, 30)], pl.Datetime("us"), ["2024-01-10 08:30:00.000000"]),
        ([True, False], pl.Boolean, ["true", "false"]),
        (["x", "y", "x"], pl.Categorical, ["x", "y", "x"]),
        (["x", None], pl.Enum(["x", "y"]), ["x", None]),
        # nulls stay null; an all-null column stays all null
        ([None, None], pl.String, [None, None]),
        ([None, None], pl.Null, [None, None]),
        ([], pl.String, []),
    ],
)
def test_non_strings_hash_as_their_text(values: list[Any], dtype: Any, texts: list[Any]) -> None:
    got = run(Hash(key=REF), values, dtype)
    assert got.schema["c"] == pl.String
    assert got.get_column("c").to_list() == [None if v is None else hmac_hex(v)[:16] for v in texts]


def test_binary_hashes_as_its_bytes() -> None:
    raw = [b"\xff\x00\x01", None, b"abc"]
    got = out(Hash(key=REF, length=64), raw, pl.Binary)
    assert got == [None if v is None else hmac.new(KEY, v, "sha256").hexdigest() for v in raw]


@pytest.mark.parametrize(
    ("dtype", "value"),
    [
        (pl.List(pl.Int64), [1, 2]),
        (pl.Struct({"a": pl.Int64}), {"a": 1}),
        (pl.Duration("us"), dt.timedelta(days=1)),
    ],
)
@pytest.mark.parametrize("cls", [Hash, Pseudonymize])
def test_values_without_a_faithful_text_are_refused(
    cls: type[Transform], dtype: Any, value: Any
) -> None:
    with pytest.raises(TransformError, match=r"column 'c' of dtype .*Cast the column"):
        run(cls(key=REF), [value], dtype)


def test_hash_is_deterministic_and_consistent_within_a_column() -> None:
    values = ["a", "b", "a", None, "c", "b"]
    first = out(Hash(key=REF), values)
    assert first == out(Hash(key=REF), values)
    assert first[0] == first[2] and first[1] == first[5] and first[3] is None
    assert len({first[0], first[1], first[4]}) == 3


@pytest.mark.parametrize("algorithm", ["hmac-sha256", "blake2b"])
def test_a_new_key_changes_every_hash(algorithm: str) -> None:
    values = [f"{i:03d}-{i % 97:02d}-{i:04d}" for i in range(20_000)]
    a = out(Hash(key=REF, algorithm=algorithm), values)
    b = out(Hash(key=OTHER, algorithm=algorithm), values)
    assert all(x != y for x, y in zip(a, b, strict=True))
    assert not set(a) & set(b)  # not even shared across values
    assert len(set(a)) == len(values)  # and no two values share a hash


def test_eager_lazy_and_streaming_agree() -> None:
    # many batches with repeated values and nulls: hashing is per value, so batching can't matter
    n = 300_000
    frame = pl.DataFrame(
        {"c": [None if i % 11 == 0 else f"v{i % 40_000}" for i in range(n)], "k": range(n)}
    )
    lf = frame.lazy()
    t = Hash(key=REF)
    query = t.apply(lf, "c", Context(schema=lf.collect_schema()))
    in_memory = query.collect()
    streamed = query.collect(engine="streaming")
    eager = frame.with_columns(t.expr("c", Context(schema=frame.schema)).alias("c"))
    assert in_memory.equals(streamed)
    assert in_memory.equals(eager)
    assert in_memory.get_column("k").to_list() == list(range(n))
    assert in_memory.get_column("c").null_count() == frame.get_column("c").null_count()
    sample = frame.get_column("c")[1]
    assert in_memory.get_column("c")[1] == hmac_hex(sample)[:16]


# -- Hash: parameters ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"key": "ANONLAB_KEY"}, "reference 'env:NAME'"),  # a bare name, not a reference
        ({"key": b"raw key bytes, never allowed here"}, "Got bytes instead"),
        ({"key": None}, "dictionary attack"),
        ({"algorithm": "md5"}, "'algorithm' parameter of Hash must be one of"),
        ({"length": 7}, "'length' parameter of Hash must be an int >= 8 and <= 64"),
        ({"length": 65}, "<= 64"),
        ({"length": 53, "encoding": "base32"}, "<= 52"),
        ({"length": True}, "'length'"),
        ({"encoding": "base64"}, "'encoding' parameter of Hash must be one of"),
        ({"allow_unkeyed": "yes"}, "'allow_unkeyed' parameter of Hash must be a bool"),
        ({"salt": 5}, "'salt' parameter of Hash must be a str"),
        ({"salt": "a\x1fb"}, "without the character"),
    ],
)
def test_hash_parameters_are_checked(params: dict[str, Any], message: str) -> None:
    with pytest.raises(ParameterError, match=message):
        Hash(**params)


# -- Pseudonymize --------------------------------------------------------------------------------


def rank_by_keyed_hash(values: list[str], key: bytes = KEY) -> dict[str, int]:
    """The documented sequential numbering: distinct values ordered by their keyed hash."""
    digest = {v: hmac.new(key, CONTEXT + v.encode(), "sha256").digest() for v in set(values)}
    return {v: i for i, v in enumerate(sorted(digest, key=digest.__getitem__), start=1)}


def test_sequential_tokens_number_values_in_keyed_hash_order() -> None:
    values = ["Ann", "Bob", None, "Ann", "Cy", "Dee", "Bob"]
    got = out(Pseudonymize(key=REF), values)
    rank = rank_by_keyed_hash([v for v in values if v is not None])
    assert got == [None if v is None else f"ID-{rank[v]:06d}" for v in values]
    # 1..n, each distinct value its own number
    assert sorted({t for t in got if t}) == [f"ID-{i:06d}" for i in range(1, 5)]


@pytest.mark.parametrize(
    ("n", "digits", "width"),
    [
        (9, 1, 1),  # fits
        (10, 1, 2),  # 10 values need two digits: the width grows
        (1_000, 2, 4),
        (5, 6, 6),  # the default pads to six
    ],
)
def test_sequential_width_grows_with_the_number_of_values(n: int, digits: int, width: int) -> None:
    got = out(Pseudonymize(key=REF, prefix="P", digits=digits), [f"v{i}" for i in range(n)])
    assert {len(t) for t in got} == {1 + width}
    assert sorted(got) == [f"P{i:0{width}d}" for i in range(1, n + 1)]


def test_random_tokens_are_the_base32_keyed_hash() -> None:
    values = ["Ann", "Bob", None, "Ann"]
    got = out(Pseudonymize(key=REF, style="random", prefix="", digits=12), values)

    def token(v: str) -> str:
        return b32(hmac.new(KEY, CONTEXT + v.encode(), "sha256").digest())[:12].upper()

    assert got == [None if v is None else token(v) for v in values]


def test_random_tokens_never_collide_silently() -> None:
    # one base32 digit has 32 values: 100 distinct values must collide
    values = [f"person {i}" for i in range(100)]
    with pytest.raises(TransformError, match=r"column 'c'.*use more digits \(digits=\d+") as info:
        out(Pseudonymize(key=REF, style="random", digits=1), values)
    assert not [v for v in values if v in str(info.value)]  # names counts, never values
    # enough digits: all distinct
    got = out(Pseudonymize(key=REF, style="random", digits=8), values)
    assert len(set(got)) == len(values)


@pytest.mark.parametrize("style", ["sequential", "random"])
def test_pseudonyms_are_deterministic_and_key_dependent(style: str) -> None:
    values = [f"MRN{i:05d}" for i in range(2_000)] * 2
    a = out(Pseudonymize(key=REF, style=style, digits=10), values)
    assert a == out(Pseudonymize(key=REF, style=style, digits=10), values)
    assert a[:2_000] == a[2_000:]  # consistent within the column
    b = out(Pseudonymize(key=OTHER, style=style, digits=10), values)
    same = sum(x == y for x, y in zip(a, b, strict=True))
    if style == "random":
        assert same == 0  # every token changes
    else:
        # sequential tokens are a renumbering: a value may keep its number by chance (about one
        # value per renumbering), never more than a handful
        assert same <= 2 * 10


@pytest.mark.parametrize(
    ("values", "dtype", "texts"),
    [
        ([3, 1, None, 3], pl.Int64, ["3", "1", None, "3"]),
        ([dt.date(2024, 1, 2), dt.date(2023, 5, 6)], pl.Date, ["2024-01-02", "2023-05-06"]),
        (["b", "a", "b"], pl.Categorical, ["b", "a", "b"]),
        ([], pl.String, []),
        ([None], pl.String, [None]),
    ],
)
def test_pseudonymize_non_strings_and_lookup(
    values: list[Any], dtype: Any, texts: list[Any]
) -> None:
    series = pl.Series("c", values, dtype=dtype)
    lf = pl.LazyFrame([series, pl.Series("row", range(len(values)))])
    ctx = Context(schema=lf.collect_schema(), seed=0)
    got = Pseudonymize(key=REF, lookup="c_lookup").apply(lf, "c", ctx).collect()
    assert got.columns == ["c", "row"] and got.schema["c"] == pl.String
    rank = rank_by_keyed_hash([t for t in texts if t is not None])
    want = [None if t is None else f"ID-{rank[t]:06d}" for t in texts]
    assert got.get_column("c").to_list() == want
    table = ctx.side_outputs["c_lookup"]
    assert table.schema == pl.Schema({"value": pl.String, "token": pl.String})
    assert sorted(table.rows()) == sorted((t, f"ID-{n:06d}") for t, n in rank.items())


def test_no_lookup_table_unless_asked() -> None:
    lf = pl.LazyFrame({"c": ["a", "b"]})
    ctx = Context(schema=lf.collect_schema())
    Pseudonymize(key=REF).apply(lf, "c", ctx).collect()
    assert ctx.side_outputs == {}


@pytest.mark.parametrize("style", ["sequential", "random"])
def test_pseudonymize_eager_lazy_and_streaming_agree(style: str) -> None:
    n = 200_000
    frame = pl.DataFrame(
        {"k": range(n), "c": [None if i % 13 == 0 else f"v{(i * 7919) % 50_000}" for i in range(n)]}
    )
    lf = frame.lazy()
    t = Pseudonymize(key=REF, style=style, digits=12)
    query = t.apply(lf, "c", Context(schema=lf.collect_schema()))
    in_memory = query.collect()
    assert in_memory.equals(query.collect(engine="streaming"))
    eager = t.apply(frame.lazy(), "c", Context(schema=frame.schema)).collect()
    assert in_memory.equals(eager)
    assert in_memory.columns == ["k", "c"]
    assert in_memory.get_column("k").to_list() == list(range(n))  # rows keep their order
    pairs = pl.DataFrame({"v": frame.get_column("c"), "t": in_memory.get_column("c")})
    assert pairs.drop_nulls().unique().height == 50_000  # one token per value, one value per token
    assert pairs.get_column("t").null_count() == frame.get_column("c").null_count()


def test_temporary_columns_do_not_clash() -> None:
    lf = pl.LazyFrame({"c": ["a", "b"], "__anonlab_pseudonym_value": [1, 2], "value": [3, 4]})
    got = Pseudonymize(key=REF).apply(lf, "c", Context(schema=lf.collect_schema())).collect()
    assert got.columns == ["c", "__anonlab_pseudonym_value", "value"]
    assert got.get_column("value").to_list() == [3, 4]


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"key": None}, "reference 'env:NAME'"),
        ({"key": "file:"}, "reference 'env:NAME'"),
        ({"style": "hashed"}, "'style' parameter of Pseudonymize must be one of"),
        ({"prefix": 1}, "'prefix' parameter of Pseudonymize must be a str"),
        ({"digits": 0}, "'digits' parameter of Pseudonymize must be an int >= 1 and <= 52"),
        ({"digits": 53}, "<= 52"),
        ({"lookup": ""}, "'lookup' parameter of Pseudonymize must be a plain table name"),
        ({"lookup": 3}, "'lookup'"),
    ],
)
def test_pseudonymize_parameters_are_checked(params: dict[str, Any], message: str) -> None:
    with pytest.raises(ParameterError, match=message):
        Pseudonymize(**params)


# -- both: nothing of the values, nothing of the key ---------------------------------------------

TEXTS = st.lists(st.one_of(st.none(), st.text(max_size=20)), max_size=30)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(values=TEXTS)
@pytest.mark.parametrize(
    "t",
    [
        Hash(key=REF),
        Hash(key=REF, encoding="base32", algorithm="blake2b", length=8),
        Pseudonymize(key=REF),
        Pseudonymize(key=REF, style="random", digits=10),
    ],
    ids=repr,
)
def test_no_original_value_survives(t: Transform, values: list[str | None]) -> None:
    got = out(t, values, pl.String)
    originals = {v for v in values if v is not None}
    assert not originals & {g for g in got if g is not None}
    assert [g is None for g in got] == [v is None for v in values]
    # equal values, equal outputs; distinct values, distinct outputs
    pairs = {(v, g) for v, g in zip(values, got, strict=True) if v is not None}
    assert len(pairs) == len(originals) == len({g for _, g in pairs})


@pytest.mark.parametrize(
    "t",
    [
        Hash(key=REF, salt="r1"),
        Pseudonymize(key="file:/etc/anonlab/key", lookup="ids", style="random"),
    ],
    ids=repr,
)
def test_round_trip_through_plain_data(t: Transform) -> None:
    data = t.to_dict()
    assert data["key"] in (REF, "file:/etc/anonlab/key")
    assert transform_from_dict(data) == t
    assert type(t).from_dict(data) == t


def test_unkeyed_round_trip() -> None:
    t = Hash(key=None, allow_unkeyed=True)
    assert t.to_dict()["key"] is None
    assert transform_from_dict(t.to_dict()) == t
    with pytest.raises(RecipeError, match=r"dictionary attack"):
        transform_from_dict({"op": "hash", "key": None})


@pytest.mark.parametrize("cls", [Hash, Pseudonymize])
def test_an_in_memory_key_applies_but_cannot_be_written(cls: type[Transform]) -> None:
    key = Key(SECRET)
    assert out(cls(key=key), SSNS) == out(cls(key=REF), SSNS)
    with pytest.raises(RecipeError, match=r"in-memory Key") as info:
        cls(key=key).to_dict()
    assert SECRET not in str(info.value)


@pytest.mark.parametrize("cls", [Hash, Pseudonymize])
def test_a_missing_key_names_the_variable(
    cls: type[Transform], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(ENV)
    with pytest.raises(SecretKeyError, match=ENV):
        out(cls(key=REF), SSNS)


@pytest.mark.parametrize("cls", [Hash, Pseudonymize])
def test_a_short_key_is_refused_without_showing_it(
    cls: type[Transform], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(ENV, "shortsecret")
    with pytest.raises(SecretKeyError, match="at least 16") as info:
        out(cls(key=REF), SSNS)
    assert "shortsecret" not in str(info.value)


@pytest.mark.parametrize(
    "t",
    [
        Hash(key=Key(SECRET)),
        Hash(key=REF),
        Pseudonymize(key=Key(SECRET), lookup="t"),
        Pseudonymize(key=REF, style="random"),
    ],
    ids=lambda t: type(t).__name__,
)
def test_the_key_never_shows(t: Transform) -> None:
    shown = [repr(t), str(t), t.describe()]
    try:
        shown.append(str(t.to_dict()))
    except RecipeError as exc:
        shown.append(str(exc))
    frame = pl.DataFrame({"c": SSNS})
    ctx = Context(schema=frame.schema)
    query = t.apply(frame.lazy(), "c", ctx)
    shown += [query.explain(), query.collect().write_csv(), repr(ctx)]
    shown += [table.write_csv() for table in ctx.side_outputs.values()]
    assert not [s for s in shown if SECRET in s]
    # the hashing functions in the query hold the key: they refuse to be pickled
    funcs = [hashing._HashBatch(hashing._Digester(KEY, "hmac-sha256"), "hex", 16),
             hashing._Tokens(hashing._Digester(KEY, "hmac-sha256"), "random", "", 6, "c")]
    for f in funcs:
        assert SECRET not in repr(f)
        with pytest.raises(TypeError, match="cannot be pickled"):
            pickle.dumps(f)
