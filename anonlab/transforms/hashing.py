"""Keyed hashing and pseudonyms: replace each value with a token that only the key holder can link.

Two transforms share one keyed-hash core:

:class:`Hash`
    a fixed-length keyed hash (HMAC-SHA256 by default, or keyed BLAKE2b) of each value, as hex
    or base32 text. The same value and key always give the same output, in any run.
:class:`Pseudonymize`
    a short readable token per distinct value (``ID-000042`` or ``ID-K3F9QZ``), consistent within
    a run and deterministic for a key, optionally with the value -> token lookup table.

Both take their key by reference (``"env:NAME"``, ``"file:PATH"`` or an in-memory
:class:`~anonlab.keys.Key`); the key is read when the step is applied and never appears in a
``repr``, a message, an output or a recipe file.

How values become messages
--------------------------
A value is hashed as the UTF-8 bytes of its text. A column that is not a string column is cast
to its polars string form first, so the integer ``123`` and the string ``"123"`` hash alike, a
date hashes as ``"2024-01-10"``, a datetime as ``"2024-01-10 08:30:00.000000"``, a boolean as
``"true"``, a float as ``"1.5"``. A ``Binary`` column is hashed as its bytes. Nested columns
(lists, arrays, structs) and durations are refused; cast them to strings yourself first.

Speed
-----
Only the distinct values of a batch are hashed, with one ``hashlib`` call chain per value: the
HMAC inner and outer pad states are computed once per step and copied per value. On one core
this measures about 1.2 million distinct values per second for HMAC-SHA256 through a polars
query (``python -m benchmarks --only hashing``); repeated values cost almost nothing.
"""

from __future__ import annotations

import hashlib
import math
import warnings
from dataclasses import dataclass
from typing import Any, NoReturn

import numpy as np
import polars as pl

from anonlab._validation import check_int, check_one_of, dtype_name, fresh_name
from anonlab.errors import ParameterError, TransformError
from anonlab.keys import KeyRef, check_key_ref
from anonlab.transforms.base import Context, Transform
from anonlab.transforms.registry import builtin

__all__ = ["Hash", "Pseudonymize", "UnkeyedHashWarning"]

ALGORITHMS = ("hmac-sha256", "blake2b")
ENCODINGS = ("hex", "base32")
STYLES = ("sequential", "random")

DIGEST_BYTES = 32
"""Both algorithms give 32-byte digests (BLAKE2b is used with ``digest_size=32``)."""
MAX_LENGTH = {"hex": 2 * DIGEST_BYTES, "base32": math.ceil(DIGEST_BYTES * 8 / 5)}
"""The most characters a digest gives in each encoding: 64 hex, 52 base32."""
SEPARATOR = b"\x1f"
"""Between the salt (or the pseudonym context) and the value in the hashed message."""
PSEUDONYM_CONTEXT = b"anonlab.pseudonymize"
"""Put before every value Pseudonymize hashes, so its digests are not those of Hash."""

_BASE32 = np.frombuffer(b"abcdefghijklmnopqrstuvwxyz234567", dtype=np.uint8)


class UnkeyedHashWarning(UserWarning):
    """A :class:`Hash` step runs without a key (``key=None, allow_unkeyed=True``).

    An unkeyed hash of a small domain (SSNs, phone numbers, dates of birth) is reversed by
    hashing every candidate value and looking the outputs up.
    """


def _refuse_pickle() -> NoReturn:
    raise TypeError(
        "an anonlab hash or pseudonym function holds its secret key and cannot be pickled or "
        "serialized; rebuild the query from the recipe where it runs"
    )


class _Digester:
    """Digests of many messages under one key; holds key material, so never printed or pickled.

    With a key, HMAC-SHA256 follows RFC 2104: a key longer than the 64-byte block is first
    replaced by its SHA-256, then zero-padded; the inner state (key XOR ipad, then ``prefix``) and
    the outer state (key XOR opad) are computed once and copied per message. Keyed BLAKE2b uses
    the key as BLAKE2b's own key parameter (a key longer than 64 bytes is first replaced by its
    64-byte BLAKE2b digest). Without a key: plain SHA-256 or BLAKE2b-256 of the message.
    """

    __slots__ = ("_inner", "_keyed_hmac", "_outer")

    def __init__(self, key: bytes | None, algorithm: str, prefix: bytes = b"") -> None:
        self._keyed_hmac = key is not None and algorithm == "hmac-sha256"
        self._outer: Any = None
        if algorithm == "hmac-sha256":
            if key is None:
                self._inner: Any = hashlib.sha256()
            else:
                block = hashlib.sha256(key).digest() if len(key) > 64 else key
                block = block.ljust(64, b"\x00")
                self._inner = hashlib.sha256(bytes(b ^ 0x36 for b in block))
                self._outer = hashlib.sha256(bytes(b ^ 0x5C for b in block))
        elif key is None:
            self._inner = hashlib.blake2b(digest_size=DIGEST_BYTES)
        else:
            if len(key) > 64:
                key = hashlib.blake2b(key).digest()
            self._inner = hashlib.blake2b(key=key, digest_size=DIGEST_BYTES)
        if prefix:
            self._inner.update(prefix)

    def digests(self, messages: list[bytes]) -> list[bytes]:
        """The 32-byte digest of each message, in order."""
        inner = self._inner.copy
        out: list[bytes] = []
        append = out.append
        if self._keyed_hmac:
            outer = self._outer.copy
            for message in messages:
                i = inner()
                i.update(message)
                o = outer()
                o.update(i.digest())
                append(o.digest())
        else:
            for message in messages:
                h = inner()
                h.update(message)
                append(h.digest())
        return out

    def __repr__(self) -> str:
        return "<anonlab digester (key withheld)>"

    def __reduce__(self) -> NoReturn:
        _refuse_pickle()


def _encode(digests: list[bytes], encoding: str, length: int) -> pl.Series:
    """The first ``length`` characters of each digest as lowercase hex or base32 (no padding)."""
    if encoding == "hex":
        return pl.Series(digests, dtype=pl.Binary).bin.encode("hex").str.slice(0, length)
    n = len(digests)
    if n == 0:
        return pl.Series([], dtype=pl.String)
    # RFC 4648 base32, vectorized: each 5-byte group is a 40-bit big-endian integer, 8 characters
    groups = math.ceil(length / 8)
    raw = np.frombuffer(b"".join(digests), dtype=np.uint8).reshape(n, DIGEST_BYTES)
    take = min(groups * 5, DIGEST_BYTES)
    wide = np.zeros((n, groups, 8), dtype=np.uint8)
    padded = np.zeros((n, groups * 5), dtype=np.uint8)
    padded[:, :take] = raw[:, :take]
    wide[:, :, 3:] = padded.reshape(n, groups, 5)
    value = wide.view(">u8").reshape(n, groups)
    index = np.empty((n, groups, 8), dtype=np.uint8)
    for j in range(8):
        index[:, :, j] = (value >> np.uint64(35 - 5 * j)) & np.uint64(31)
    chars = np.ascontiguousarray(_BASE32[index.reshape(n, groups * 8)[:, :length]])
    return pl.Series(chars.view(f"S{length}").ravel()).cast(pl.String)


def _messages(values: pl.Series) -> list[bytes]:
    """The bytes of each value (UTF-8 text for strings, raw bytes for Binary)."""
    return values.cast(pl.Binary).to_list()


class _HashBatch:
    """The function Hash hands to ``map_batches``: hashes the distinct values of a batch."""

    __slots__ = ("_digester", "_encoding", "_length")

    def __init__(self, digester: _Digester, encoding: str, length: int) -> None:
        self._digester = digester
        self._encoding = encoding
        self._length = length

    def __call__(self, s: pl.Series) -> pl.Series:
        present = s.drop_nulls()
        distinct = present.unique(maintain_order=True)
        hashed = _encode(self._digester.digests(_messages(distinct)), self._encoding, self._length)
        if len(distinct) < len(present):  # repeated values: map each row to its value's hash
            return s.replace_strict(distinct, hashed, return_dtype=pl.String)
        # every value distinct (an identifier column): the hashes are already in row order
        if len(present) == len(s):
            return hashed.alias(s.name)
        out = pl.repeat(None, len(s), dtype=pl.String, eager=True).alias(s.name)
        return out.scatter(s.is_not_null().arg_true(), hashed)

    def __repr__(self) -> str:
        return "<anonlab hash (key withheld)>"

    def __reduce__(self) -> NoReturn:
        _refuse_pickle()


def _text(column: str, dtype: pl.DataType | None) -> pl.Expr:
    """The column as the text (or, for a Binary column, the bytes) that is hashed."""
    if dtype == pl.Binary:
        return pl.col(column)
    return pl.col(column).cast(pl.String)


def _check_hashable(op: str, column: str, dtype: pl.DataType) -> None:
    """Refuse columns whose values have no faithful text form."""
    kind = dtype if isinstance(dtype, type) else type(dtype)  # a dtype or a dtype class
    if issubclass(kind, pl.List | pl.Array | pl.Struct | pl.Object | pl.Duration):
        raise TransformError(
            f"The {op!r} transform cannot apply to column {column!r} of dtype "
            f"{dtype_name(dtype)}: it hashes each value's text, and such values have no "
            "faithful text form. Cast the column to strings first (for example with a JSON "
            "encoding) or choose another transform."
        )


@builtin
@dataclass(frozen=True, kw_only=True)
class Hash(Transform):
    """Replace each value with a keyed hash of it, as fixed-length hex or base32 text.

    The same value and key give the same output in every run and every frame, so hashed columns
    still join; without the key nobody can compute the hash of a candidate value, so an attacker
    cannot hash every possible SSN and look the outputs up (a dictionary attack). Nulls stay null.

    Parameters
    ----------
    key : str, Key or None, default "env:ANONLAB_KEY"
        Where the secret key comes from: ``"env:NAME"``, ``"file:PATH"`` or an in-memory
        :class:`~anonlab.keys.Key` (which a recipe file cannot hold). ``None`` means an unkeyed
        hash and is refused unless ``allow_unkeyed=True``.
    algorithm : {"hmac-sha256", "blake2b"}, default "hmac-sha256"
        HMAC-SHA256 (RFC 2104), the standard choice that other tools reproduce, or keyed
        BLAKE2b with a 32-byte digest. Unkeyed, plain SHA-256 or BLAKE2b-256.
    length : int, default 16
        Characters of output, 8 to 64 (8 to 52 for base32): a prefix of the encoded digest.
        Outputs are not checked for clashes: with ``b`` bits of output (4 a hex character, 5 a
        base32 one) the chance that two of ``n`` distinct values share one is about
        ``n**2 / 2**(b + 1)``; for the default 64 bits, 1 in 370,000 at 10 million values.
    encoding : {"hex", "base32"}, default "hex"
        Lowercase hex, or lowercase RFC 4648 base32 without padding (5 bits a character).
    allow_unkeyed : bool, default False
        Permit ``key=None``. Applying such a step warns with :class:`UnkeyedHashWarning`.
    salt : str, default ""
        A public context string mixed into every message, e.g. the release name, so that two
        releases hashed with the same key do not share outputs. It is NOT a secret (it is written
        into the recipe); the key is what protects the values. It may not contain ``"\\x1f"``.

    Notes
    -----
    The message hashed for a value ``v`` (as text, see the module docstring) is
    ``v.encode("utf-8")`` when ``salt`` is empty and
    ``salt.encode("utf-8") + b"\\x1f" + v.encode("utf-8")`` otherwise. So with HMAC-SHA256, hex
    encoding and no salt the output equals
    ``hmac.new(key, v.encode(), "sha256").hexdigest()[:length]``.

    Examples
    --------
    >>> import polars as pl
    >>> from anonlab.keys import Key
    >>> from anonlab.transforms.base import Context
    >>> lf = pl.LazyFrame({"ssn": ["123-45-6789", None, "123-45-6789"]})
    >>> t = Hash(key=Key("an example key, 32 bytes long..."), length=12)
    >>> t.apply(lf, "ssn", Context(schema=lf.collect_schema())).collect()["ssn"].to_list()
    ['7f543a7e8d50', None, '7f543a7e8d50']
    """

    op = "hash"
    hides_values = True
    linkage = "hidden"
    key: KeyRef | None = "env:ANONLAB_KEY"
    algorithm: str = "hmac-sha256"
    length: int = 16
    encoding: str = "hex"
    allow_unkeyed: bool = False
    salt: str = ""

    def validate(self) -> None:
        owner = type(self).__name__
        if not isinstance(self.allow_unkeyed, bool):
            raise self._bad("allow_unkeyed", "a bool", self.allow_unkeyed)
        if self.key is None:
            if not self.allow_unkeyed:
                raise ParameterError(
                    f"The 'key' parameter of {owner} is None, which makes an unkeyed hash: anyone "
                    "can hash every candidate value (every SSN, every phone number) and look the "
                    "outputs up, a dictionary attack that reverses the hash. Give a key reference "
                    "such as key='env:ANONLAB_KEY', or pass allow_unkeyed=True if the values come "
                    "from a domain too large to enumerate."
                )
        else:
            check_key_ref(self.key, owner)
        check_one_of(self.algorithm, "algorithm", owner, ALGORITHMS)
        check_one_of(self.encoding, "encoding", owner, ENCODINGS)
        check_int(self.length, "length", owner, min_value=8, max_value=MAX_LENGTH[self.encoding])
        if not isinstance(self.salt, str) or "\x1f" in self.salt:
            raise self._bad("salt", "a str without the character '\\x1f'", self.salt)

    def check_input(self, column: str, dtype: pl.DataType) -> None:
        _check_hashable(self.op, column, dtype)

    def expr(self, column: str, ctx: Context) -> pl.Expr:
        if self.key is None:
            warnings.warn(
                f"Hash on column {column!r} has no key (allow_unkeyed=True): an unkeyed hash of "
                "a small domain such as SSNs or phone numbers can be reversed by hashing every "
                "candidate value. Give key='env:NAME' to make it a keyed hash.",
                UnkeyedHashWarning,
                stacklevel=3,
            )
            key = None
        else:
            key = ctx.token_key(self.key, "hash")
        prefix = self.salt.encode() + SEPARATOR if self.salt else b""
        batch = _HashBatch(_Digester(key, self.algorithm, prefix), self.encoding, self.length)
        text = _text(column, ctx.schema.get(column))
        return text.map_batches(batch, return_dtype=pl.String, is_elementwise=True)


class _Tokens:
    """Builds the value -> token table from all distinct values of a column (one frame)."""

    __slots__ = ("_column", "_digester", "_digits", "_prefix", "_style")

    def __init__(
        self, digester: _Digester, style: str, prefix: str, digits: int, column: str
    ) -> None:
        self._digester = digester
        self._style = style
        self._prefix = prefix
        self._digits = digits
        self._column = column

    def __call__(self, df: pl.DataFrame) -> pl.DataFrame:
        values = df.get_column(_VALUE)
        digests = self._digester.digests(_messages(values))
        n = len(digests)
        if self._style == "sequential":
            width = max(self._digits, len(str(n)))
            ordered = pl.DataFrame(
                {_VALUE: values, "digest": pl.Series(digests, dtype=pl.Binary)}
            ).sort("digest")
            number = pl.int_range(1, pl.len() + 1, dtype=pl.Int64).cast(pl.String)
            return ordered.select(
                _VALUE, pl.concat_str(pl.lit(self._prefix), number.str.zfill(width)).alias(_TOKEN)
            )
        codes = _encode(digests, "base32", self._digits).str.to_uppercase()
        clashes = n - codes.n_unique()
        if clashes:
            wanted = _digits_for(n)
            raise TransformError(
                f"Pseudonymize(style='random', digits={self._digits}) gave {clashes} of the {n} "
                f"distinct values of column {self._column!r} a token another value already has. "
                f"Tokens must be unique: use more digits (digits={wanted} makes a clash unlikely "
                "for this many values), or style='sequential'."
            )
        return pl.DataFrame({_VALUE: values, _TOKEN: self._prefix + codes}).sort(_TOKEN)

    def __repr__(self) -> str:
        return "<anonlab pseudonym table (key withheld)>"

    def __reduce__(self) -> NoReturn:
        _refuse_pickle()


_VALUE = "value"
_TOKEN = "token"


def _digits_for(n: int) -> int:
    """Base32 digits that make any clash among ``n`` random tokens unlikely (< 1 in a million)."""
    # expected clashing pairs ~ n^2 / 2^(5d + 1); ask for 2^-20
    return max(4, math.ceil((2 * math.log2(max(n, 2)) + 19) / 5))


@builtin
@dataclass(frozen=True, kw_only=True)
class Pseudonymize(Transform):
    """Replace each distinct value with a readable token, consistent within the column.

    Equal values get equal tokens and distinct values distinct tokens, so the column still
    counts, groups and joins (within the release); the tokens themselves carry nothing about the
    values. Nulls stay null.

    Parameters
    ----------
    key : str or Key, default "env:ANONLAB_KEY"
        Where the secret key comes from: ``"env:NAME"``, ``"file:PATH"`` or an in-memory
        :class:`~anonlab.keys.Key`. Tokens are deterministic for a key; another key gives other
        tokens.
    style : {"sequential", "random"}, default "sequential"
        ``"sequential"``: ``ID-000001`` to ``ID-<n>``, numbering the ``n`` distinct values in
        the order of their keyed hashes, so the numbers reveal neither the values nor the row
        order. A token depends on the whole set of distinct values: adding or removing a value
        renumbers others. ``"random"``: the prefix and the first ``digits`` characters of the
        uppercase base32 keyed hash of the value; a token depends on the value and key alone,
        so it is stable across releases. Should two distinct values get the same token, the step
        fails with :class:`~anonlab.TransformError` asking for more digits (tokens are never
        shared silently).
    prefix : str, default "ID-"
        Put before every token (``"PATIENT-"``).
    digits : int, default 6
        Sequential: the zero-padded width of the number, widened when the number of distinct
        values needs more (1,234,567 values with ``digits=6`` give ``ID-0000001``...). Random:
        the number of base32 characters, 1 to 52 (5 bits each; ``digits=6`` is only 30 bits,
        so for more than a few thousand distinct values use 10 or more).
    lookup : str or None, default None
        Put the value -> token table into ``ctx.side_outputs[lookup]`` (``Recipe.apply(...,
        side_outputs=...)``), a DataFrame with String columns ``value`` (each distinct value as
        text, as it was hashed) and ``token``. It re-identifies the data: keep it apart. ``None``
        keeps no table. A plain name (no path separator, ``:`` or ``..``): ``anonlab apply
        --lookup-dir DIR --lookup-key env:NAME`` writes it to ``DIR/<lookup>.lookup``, encrypted
        with AES-256-GCM and mode 0600 (:func:`anonlab.write_lookup` does the same from Python;
        :func:`anonlab.read_lookup` reads it back). anonlab never writes it as plaintext.

    Notes
    -----
    The message hashed for a value ``v`` is ``b"anonlab.pseudonymize\\x1f" + v.encode()`` under
    HMAC-SHA256 (non-strings cast to text as :class:`Hash` does), so a pseudonym never equals a
    :class:`Hash` output of the same key. This is a frame step: it needs every distinct value of
    the column before it can number them. In a lazy query the table is built when the query is
    collected, except with ``lookup`` set, when it is built (reading the input once) as the step
    is planned, so that the table exists when ``Recipe.apply`` returns.

    Examples
    --------
    >>> import polars as pl
    >>> from anonlab.keys import Key
    >>> from anonlab.transforms.base import Context
    >>> lf = pl.LazyFrame({"mrn": ["A17", "B02", None, "A17", "C99"]})
    >>> ctx = Context(schema=lf.collect_schema())
    >>> key = Key("an example key, 32 bytes long...")
    >>> t = Pseudonymize(key=key, prefix="PATIENT-", lookup="mrn")
    >>> t.apply(lf, "mrn", ctx).collect()["mrn"].to_list()
    ['PATIENT-000002', 'PATIENT-000003', None, 'PATIENT-000002', 'PATIENT-000001']
    >>> ctx.side_outputs["mrn"].sort("token").rows()
    [('C99', 'PATIENT-000001'), ('A17', 'PATIENT-000002'), ('B02', 'PATIENT-000003')]
    >>> t = Pseudonymize(key=key, style="random", digits=8)
    >>> t.apply(lf, "mrn", ctx).collect()["mrn"].to_list()
    ['ID-RZGLTPFD', 'ID-WVGZL3IY', None, 'ID-RZGLTPFD', 'ID-MGUFTHNK']
    """

    op = "pseudonymize"
    scope = "frame"
    hides_values = True
    linkage = "hidden"
    key: KeyRef = "env:ANONLAB_KEY"
    style: str = "sequential"
    prefix: str = "ID-"
    digits: int = 6
    lookup: str | None = None

    def validate(self) -> None:
        owner = type(self).__name__
        check_key_ref(self.key, owner)
        check_one_of(self.style, "style", owner, STYLES)
        if not isinstance(self.prefix, str):
            raise self._bad("prefix", "a str", self.prefix)
        check_int(self.digits, "digits", owner, min_value=1, max_value=MAX_LENGTH["base32"])
        if self.lookup is not None:
            from anonlab._paths import name_problem

            # the name becomes a file under `anonlab apply --lookup-dir`: a plain name only
            if name_problem(self.lookup) is not None or ":" in self.lookup:
                raise self._bad("lookup", "a plain table name (no '/', '\\', ':' or '..'), "
                                "or None", self.lookup)

    def check_input(self, column: str, dtype: pl.DataType) -> None:
        _check_hashable(self.op, column, dtype)

    def apply(self, lf: pl.LazyFrame, column: str, ctx: Context) -> pl.LazyFrame:
        schema = lf.collect_schema()
        key = ctx.token_key(self.key, "pseudonymize")
        digester = _Digester(key, "hmac-sha256", PSEUDONYM_CONTEXT + SEPARATOR)
        tokens = _Tokens(digester, self.style, self.prefix, self.digits, column)
        join_key = fresh_name(schema.names(), "__anonlab_pseudonym_value")
        token = fresh_name(schema.names(), "__anonlab_pseudonym_token")
        dtype = schema.get(column)
        text = _text(column, dtype)
        distinct = lf.select(text.alias(_VALUE)).drop_nulls().unique()
        value_dtype = pl.Binary if dtype == pl.Binary else pl.String
        table = distinct.map_batches(tokens, schema={_VALUE: value_dtype, _TOKEN: pl.String})
        if self.lookup is not None:
            collected = table.collect()
            ctx.side_outputs[self.lookup] = collected
            table = collected.lazy()
        table = table.rename({_VALUE: join_key, _TOKEN: token})
        return (
            lf.with_columns(text.alias(join_key))
            .join(table, on=join_key, how="left", validate="m:1", maintain_order="left")
            .with_columns(pl.col(token).alias(column))
            .drop(join_key, token)
        )

