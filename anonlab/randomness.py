"""Keyed randomness: the draws of random steps, which nobody without the key can replay.

A random step (noise, PRAM, shuffle, the tie-breaks of microaggregation) must not be undone by a
recipient who holds everything a bundle ships: the recipe, its parameters, the row order. So its
numbers come from a keyed pseudo-random function of the *record*, never from a seed written in the
recipe nor from the row's position:

1. **The master secret.** The step's ``key`` reference (``"env:NAME"``, ``"file:PATH"`` or an
   :class:`~anonlab.Key`, as for hashing) or, without one, 32 fresh bytes from the operating
   system drawn once per :meth:`Recipe.apply <anonlab.Recipe.apply>` run, held in memory and never
   written (the run is then not reproducible, which is the point). A ``seed`` (tests only) stands
   in for the secret and makes the draws replayable by anyone who reads it: :func:`anonlab.export`
   runs the replay attack (:mod:`anonlab.evidence.replay`) and refuses such a release.
2. **The step's key.** HKDF-SHA256 (RFC 5869, from ``cryptography``) expands the master into a
   256-bit key per *purpose*: the transform's op, the column, which occurrence of that (op, column)
   pair in the recipe it is, and the step's other parameters (canonical JSON), so that two steps,
   or one step with two scales, never share draws (equal draws at two scales would let
   ``(5 y_100 - y_500) / 4`` recover a Laplace-noised value exactly).
3. **The record.** Each input record gets a 64-bit fingerprint of all its values (polars'
   ``hash`` of the row) and of its occurrence among identical records, computed once before the
   first step and carried in a hidden column, so a record draws the same numbers however the
   table is ordered, split into batches or partitioned, and two identical records still draw
   independent numbers (which of them gets which is immaterial: they are identical). The
   fingerprint is never output.
4. **The draw.** 128 random bits per record and counter are the AES-256 encryption, under the
   step's key, of the block ``fingerprint || counter`` (both little-endian 64-bit): AES as a
   pseudo-random permutation on distinct blocks, i.e. the counter-mode keystream with the record's
   fingerprint as the counter. One ``cryptography`` call encrypts a whole batch (tens of millions
   of blocks a second); ``hashlib`` or ``hmac`` per row would be two orders of magnitude slower,
   which is why the construction is composed here rather than taken whole from a library.

A uniform number is ``((bits >> 11) + 0.5) / 2**53``, in the open interval (0, 1).
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import polars as pl
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

__all__ = [
    "FINGERPRINT_SEED",
    "Draws",
    "derive_key",
    "fresh_secret",
    "record_fingerprint",
    "seed_secret",
]

FINGERPRINT_SEED = 0x616E6F6E6C6162
"""The public seed of the row fingerprint (polars ``hash``); the fingerprint is not a secret."""

_RANDOM_SALT = b"anonlab/random/v1"
_SEED_PREFIX = b"anonlab replayable test seed\x00"


def _info(parts: tuple[str, ...]) -> bytes:
    """Length-prefixed labels, so that no two label lists give the same bytes."""
    out = bytearray()
    for part in parts:
        raw = part.encode("utf-8", "surrogatepass")
        out += len(raw).to_bytes(4, "big") + raw
    return bytes(out)


def derive_key(master: bytes, salt: bytes, *labels: str) -> bytes:
    """A 256-bit key for one purpose: HKDF-SHA256 of ``master`` with ``salt`` and the labels.

    Examples
    --------
    >>> a = derive_key(b"m" * 32, b"s", "noise", "x")
    >>> a != derive_key(b"m" * 32, b"s", "noise", "y") and len(a)
    32
    """
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=salt, info=_info(labels)).derive(
        master
    )


def fresh_secret() -> bytes:
    """32 bytes from the operating system's secure source (never written anywhere)."""
    return secrets.token_bytes(32)


def seed_secret(seed: int) -> bytes:
    """The stand-in secret of a test seed: public, so the draws it gives are replayable."""
    return _SEED_PREFIX + int(seed).to_bytes(16, "big")


def record_fingerprint(columns: list[str], schema: Mapping[str, pl.DataType]) -> pl.Expr:
    """A 64-bit fingerprint of each record's values in ``columns`` and of its occurrence among
    the records with the same values (UInt64).

    Values are hashed in a canonical form, so that the same table gives the same fingerprints
    whichever frame kind it came in as (pandas turns a Date into a Datetime and an integer column
    with gaps into floats): categories as text, numbers as Float64, dates and datetimes as
    microseconds since the epoch (UTC). The fingerprint identifies a record by its *content*,
    wherever it is in the table; the ``k``-th of several identical records gets the fingerprint
    of ``(values, k)``, so even values that the canonical form confuses draw apart.
    """
    parts = [_canonical(pl.col(name), schema[name]) for name in columns]
    content = pl.struct(parts).hash(seed=FINGERPRINT_SEED) if parts else pl.lit(0, pl.UInt64)
    occurrence = content.map_batches(_occurrences, return_dtype=pl.UInt64)
    return pl.struct(content.alias("content"), occurrence.alias("k")).hash(seed=FINGERPRINT_SEED)


def _canonical(col: pl.Expr, dtype: pl.DataType) -> pl.Expr:
    if isinstance(dtype, pl.Categorical | pl.Enum):
        return col.cast(pl.String)
    if dtype.is_numeric():
        return col.cast(pl.Float64)
    if dtype == pl.Date:
        return col.cast(pl.Int64) * 86_400_000_000
    if isinstance(dtype, pl.Datetime):
        return col.dt.epoch("us")
    return col


def _occurrences(s: pl.Series) -> pl.Series:
    """A distinct number (0, 1, ...) for each of several equal values, by one sort: a window
    ``over`` the fingerprint is ten times slower on a million distinct values."""
    values = s.to_numpy()
    n = len(values)
    out = np.zeros(n, dtype=np.uint64)
    if n < 2:
        return pl.Series(s.name, out)
    order = np.argsort(values)  # which of several equal values comes first is immaterial
    ordered = values[order]
    start = np.empty(n, dtype=bool)
    start[0] = True
    start[1:] = ordered[1:] != ordered[:-1]
    index = np.arange(n)
    first = np.maximum.accumulate(np.where(start, index, 0))
    out[order] = (index - first).astype(np.uint64)
    return pl.Series(s.name, out)


def _params(transform: Any) -> str:
    """The step's parameters other than its key and seed, as canonical JSON."""
    import dataclasses

    from anonlab.transforms.base import _plain

    plain = {}
    for f in dataclasses.fields(transform):
        if f.name in ("key", "seed"):
            continue
        plain[f.name] = _plain(getattr(transform, f.name), f"{transform.op}.{f.name}")
    return json.dumps(plain, sort_keys=True, default=str, ensure_ascii=True)


@dataclass(frozen=True)
class Draws:
    """The random numbers of one step: a keyed function of each record's fingerprint.

    Built by :meth:`anonlab.transforms.Context.draws`; holds key material, so it is never
    printed, pickled or written.

    Attributes
    ----------
    replayable : bool
        True when the master secret was a test seed: anyone who reads the recipe can replay
        the draws.
    """

    _key: bytes = field(repr=False)
    row: pl.Expr = field(repr=False)
    replayable: bool = False

    @classmethod
    def for_step(
        cls,
        master: bytes,
        transform: Any,
        column: str,
        occurrence: int,
        row: pl.Expr,
        *,
        replayable: bool,
    ) -> Draws:
        """The draws of ``transform`` on ``column`` (its ``occurrence``-th such step)."""
        key = derive_key(
            master, _RANDOM_SALT, transform.op, column, str(occurrence), _params(transform)
        )
        return cls(key, row, replayable)

    def __repr__(self) -> str:
        return f"Draws(replayable={self.replayable}, key withheld)"

    def __reduce__(self) -> Any:
        raise TypeError("anonlab Draws hold a secret key and cannot be pickled")

    # -- numbers --------------------------------------------------------------------------------
    def _blocks(self, fingerprints: np.ndarray, counter: int) -> np.ndarray:
        """Two 64-bit words per record: AES-256(key, fingerprint || counter)."""
        n = len(fingerprints)
        blocks = np.empty((n, 2), dtype="<u8")
        blocks[:, 0] = fingerprints
        blocks[:, 1] = counter
        encryptor = Cipher(algorithms.AES(self._key), modes.ECB()).encryptor()
        out = encryptor.update(blocks.tobytes()) + encryptor.finalize()
        return np.frombuffer(out, dtype="<u8").reshape(n, 2)

    def bits_array(self, fingerprints: np.ndarray, counter: int = 0) -> np.ndarray:
        """64 random bits (uint64) per fingerprint, for ``counter``."""
        return self._blocks(fingerprints, counter)[:, 0].copy()

    def uniform_array(self, fingerprints: np.ndarray, counter: int = 0) -> np.ndarray:
        """A uniform number in (0, 1) per fingerprint (float64), for ``counter``."""
        top = self._blocks(fingerprints, counter)[:, 0] >> np.uint64(11)
        return (top.astype(np.float64) + 0.5) * 2.0**-53

    def bits(self, counter: int = 0) -> pl.Expr:
        """64 random bits per record (UInt64), as a polars expression."""
        return self.row.map_batches(
            lambda s: pl.Series(s.name, self.bits_array(_fingerprints(s), counter)),
            return_dtype=pl.UInt64,
            is_elementwise=True,
        )

    def uniform(self, counter: int = 0) -> pl.Expr:
        """A uniform number in (0, 1) per record (Float64), as a polars expression."""
        return self.row.map_batches(
            lambda s: pl.Series(s.name, self.uniform_array(_fingerprints(s), counter)),
            return_dtype=pl.Float64,
            is_elementwise=True,
        )


def _fingerprints(s: pl.Series) -> np.ndarray:
    return s.cast(pl.UInt64).fill_null(0).to_numpy().astype("<u8", copy=False)
