"""Evidence that hashed and pseudonymized columns cannot be reversed without the key.

The ``irreversibility`` check runs a dictionary attack on every column the recipe hashed or
pseudonymized, the attack an unkeyed hash falls to: it hashes candidate values *without a key*
(MD5, SHA-1, SHA-256, SHA-512, BLAKE2b-256 and BLAKE2b-512 of the value's UTF-8 text, and of the
text behind the step's public salt or pseudonym context), encodes each digest as the transforms
do (lowercase hex, lowercase and uppercase base32), and looks every output token up among them.

The candidates are the original column's own values, when the original frame is given (the
strongest test: the attacker knows every true value and only needs to match them), plus a small
enumeration shaped like the column's kind (SSN-, phone-, e-mail- and record-number-shaped
strings).

What it shows
    That no output token equals an unkeyed digest of any candidate: the tokens cannot be
    reversed by hashing guesses, so whoever wants to reverse them needs the key. A step with no
    key (``Hash(key=None, allow_unkeyed=True)``) fails outright, whatever the attack finds.
What it does not show
    That the key is secret, strong, or kept apart from the data; that it was destroyed; that
    the tokens cannot be linked across releases made with the same key; or that the rest of the
    record does not single the person out. Keyed codes stay pseudonyms: a key holder reverses
    them by hashing candidates *with* the key. Sequential pseudonyms are numbers, not digests,
    so the attack does not apply to them (they are recorded as such).

The evidence records, per column, the operation, whether it is keyed, the key *reference* (an
environment variable's name or a key fingerprint, never the key), the number of candidates of
each source, the algorithms tried, the tokens tested and the matches found. No value, token or
digest is recorded.
"""

from __future__ import annotations

import polars as pl

from anonlab.evidence.dictionary import ALGORITHMS, dictionary_attack, enumeration
from anonlab.keys import Key, describe_key_ref
from anonlab.licensing.checks import Check, CheckContext, ComplianceCheck, _builtin
from anonlab.profiling.kinds import Kind
from anonlab.profiling.names import name_hints
from anonlab.transforms.hashing import Pseudonymize

__all__ = ["ALGORITHMS", "dictionary_attack", "enumeration"]

_PSEUDONYM_CONTEXT = b"anonlab.pseudonymize\x1f"
_MAX_ORIGINAL = 50_000


def _kind_of(context: CheckContext, column: str) -> str | None:
    kinds = {k.value for k in context.kinds(column)}
    for kind in ("ssn", "phone", "email", "record_id"):
        if kind in kinds:
            return kind
    hints = name_hints(column)
    for family, kind in (("ssn", "ssn"), ("phone", "phone"), ("email", "email")):
        if family in hints:
            return kind
    return "record_id" if hints.record_id or Kind.RECORD_ID in context.kinds(column) else None


@_builtin
class Irreversibility(ComplianceCheck):
    """A dictionary attack with unkeyed hashes finds no token of a hashed column."""

    name = "irreversibility"
    title = "Hashes and pseudonyms resist a dictionary attack"

    def run(self, context: CheckContext) -> Check:
        columns = []
        failing: dict[str, str] = {}
        for c in context.frame.columns:
            step = context.hiding_step(c)
            if step is None or step.transform.op not in ("hash", "pseudonymize"):
                continue
            t = step.transform
            key = getattr(t, "key", None)
            entry: dict[str, object] = {
                "column": c, "op": t.op, "keyed": key is not None,
                "key_reference": describe_key_ref(key) if isinstance(key, Key | str) else None,
            }
            tokens = context.frame.get_column(c).drop_nulls().cast(pl.String).unique()
            if t.op == "pseudonymize":
                assert isinstance(t, Pseudonymize)  # the one transform of that op
                tokens = tokens.str.strip_prefix(t.prefix)
                if t.style == "sequential":
                    entry.update(attack="not applicable: sequential pseudonyms are numbers, "
                                 "not digests", tokens_tested=0, attempts=0, matches=0)
                    columns.append(entry)
                    continue
                prefixes = [b"", _PSEUDONYM_CONTEXT]
            else:
                salt = getattr(t, "salt", "")
                prefixes = [b""] + ([salt.encode() + b"\x1f"] if salt else [])
            originals: list[str] = []
            if context.original is not None and c in context.original.columns:
                originals = (context.original.get_column(c).drop_nulls().cast(pl.String)
                             .unique().head(_MAX_ORIGINAL).to_list())
            enumerated = enumeration(_kind_of(context, c))
            attempts, matches = dictionary_attack(tokens.to_list(), originals + enumerated,
                                                  prefixes)
            entry.update(
                attack="unkeyed dictionary attack",
                candidates={"original_values": len(originals), "enumerated": len(enumerated)},
                algorithms=list(ALGORITHMS), encodings=["hex", "base32"],
                tokens_tested=len(tokens), attempts=attempts, matches=matches,
            )
            columns.append(entry)
            if key is None:
                failing[c] = "hashed without a key: anyone can hash candidates and match them"
            elif matches:
                failing[c] = f"{matches:,} token(s) equal an unkeyed hash of a candidate value"
        evidence = {"columns": columns,
                    "original_values_available": context.original is not None}
        if failing:
            listed = "; ".join(f"{c}: {why}" for c, why in failing.items())
            return self.result(False, f"Hashed columns can be reversed ({listed}). Use a keyed "
                               "hash (key='env:NAME').", **evidence)
        if not columns:
            return self.result(True, "No hashed or pseudonymized column remains; nothing to "
                               "reverse.", **evidence)
        note = "" if context.original is not None else (
            " (the original values were not given: only an enumeration was tried)")
        return self.result(
            True,
            f"No token of {len(columns)} hashed or pseudonymized column(s) matched an unkeyed "
            f"hash of any candidate{note}: reversing them needs the key.",
            **evidence,
        )
