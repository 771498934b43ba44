"""``suggest_recipe``: a sensible first recipe from a profile, for the analyst to refine."""

from __future__ import annotations

from typing import Any

from anonlab.errors import ParameterError
from anonlab.keys import KeyRef, check_key_ref
from anonlab.profiling.kinds import ColumnRole, Kind
from anonlab.profiling.names import name_hints
from anonlab.profiling.profile import ColumnProfile, Profile
from anonlab.recipe import Recipe, Step, Targets
from anonlab.transforms import Drop, Keep, Scrub, Transform

__all__ = ["suggest_recipe"]

# Direct identifiers that carry no analytic value once the person is gone: dropped.
_DROP = {
    Kind.PERSON_NAME, Kind.PHONE, Kind.SSN, Kind.STREET_ADDRESS, Kind.CREDIT_CARD, Kind.IBAN,
    Kind.URL, Kind.IPV4, Kind.IPV6, Kind.MAC_ADDRESS, Kind.GEO_COORDINATES,
}
# Identifiers worth keeping as keyed hashes: records stay linkable (within and across releases
# made with the same key) without revealing the value.
_HASH = {Kind.EMAIL, Kind.RECORD_ID}


def suggest_recipe(
    profile: Profile,
    *,
    key: KeyRef = "env:ANONLAB_KEY",
    k: int = 5,
    name: str = "",
    template: Any = None,
) -> Recipe:
    """Propose a first recipe for a profiled frame.

    The rules, column by column (each step's note says which applied):

    - direct identifiers that serve no analysis (names, phones, SSNs, street addresses, card
      numbers, IBANs, URLs, IP and MAC addresses, precise coordinates, binary content) are
      dropped, and so is a nested column (struct, list) holding any identifier, or with parts
      that cannot be inspected;
    - e-mails and record identifiers are replaced with keyed hashes, so records stay linkable;
    - free text is scrubbed of every identifier kind :class:`~anonlab.transforms.Scrub` finds,
      and of each record's own values of the identifier, date and place columns;
    - dates of birth are generalized to the year, other dates tied to a person to the month;
    - ZIP codes are cut to their first three digits;
    - ages are top-coded at 90 (``90+``), as HIPAA Safe Harbor requires;
    - everything else is kept.

    The quasi-identifiers and sensitive columns of the profile become the recipe's targets,
    with k-anonymity at ``k``. Hash steps reference ``key`` (by default the environment
    variable ``ANONLAB_KEY``); the key is read only when the recipe is applied, which fails
    with a clear error if it is missing.

    Parameters
    ----------
    profile : Profile
        From :func:`anonlab.profile`.
    key : str or Key, default "env:ANONLAB_KEY"
        The key reference for hash steps.
    k : int, default 5
        The k-anonymity target (5 matches a 0.2 maximum re-identification risk).
    name : str
        A name for the recipe.
    template : str or Template, optional
        A license template id (``"hipaa-safe-harbor"``, ``"gdpr-anonymous"``...): the recipe is
        then built to pass that template's checks (see
        :func:`anonlab.licensing.suggest_for_template`); for Safe Harbor, identifiers are
        dropped rather than hashed, since a keyed hash is a code derived from the identifier.

    Returns
    -------
    Recipe
    """
    if not isinstance(profile, Profile):
        raise ParameterError(
            "suggest_recipe takes the Profile that anonlab.profile(frame) returns. "
            f"Got {type(profile).__name__} instead."
        )
    if template is not None:
        from anonlab.licensing.suggest import suggest_for_template

        return suggest_for_template(profile, template, key=key, k=k, name=name)
    check_key_ref(key, "suggest_recipe")
    context = _scrub_context(profile)
    steps = [Step(c.name, t, note) for c in profile for t, note in [_suggest(c, key, context)]]
    quasi = tuple(c.name for c in profile if c.role is ColumnRole.QUASI_IDENTIFIER)
    sensitive = tuple(c.name for c in profile if c.role is ColumnRole.SENSITIVE)
    targets = Targets(quasi_identifiers=quasi, sensitive=sensitive, k=k) if quasi else None
    return Recipe(steps=tuple(steps), targets=targets, name=name)


def _scrub_context(profile: Profile) -> tuple[str, ...]:
    """The columns whose values free text is scrubbed of: the record's direct identifiers,
    its dates and its places."""
    from anonlab.licensing.checks import DIRECT_KINDS

    places = {Kind.CITY, Kind.ZIP_CODE, Kind.DATE_OF_BIRTH, Kind.DATE}
    return tuple(
        c.name for c in profile
        if c.kind is not Kind.FREE_TEXT_WITH_IDENTIFIERS
        and (c.kind in DIRECT_KINDS or c.kind in places or c.role is ColumnRole.IDENTIFIER)
    )


def _suggest(c: ColumnProfile, key: KeyRef, context: tuple[str, ...] = ()) -> tuple[Transform, str]:
    from anonlab.transforms.coding import TopBottomCode
    from anonlab.transforms.generalization import Generalize
    from anonlab.transforms.hashing import Hash

    kind = c.kind
    if c.detection.opaque:
        if c.polars_dtype == "Binary":
            return Drop(), "binary content cannot be inspected"
        return Drop(), "nested values with parts that cannot be inspected"
    if kind in _DROP:
        return Drop(), f"{kind.value}: a direct identifier with no analytic use"
    if kind is not None and is_nested(c):
        return Drop(), f"{kind.value} inside nested values: dropped (flatten it to keep parts)"
    if kind in _HASH:
        return Hash(key=key), f"{kind.value}: keyed hash keeps records linkable"
    if kind is Kind.FREE_TEXT_WITH_IDENTIFIERS:
        others = tuple(n for n in context if n != c.name)
        why = "free text: remove the identifiers in it"
        if others:
            why += f", and each record's own {', '.join(others)}"
        return Scrub(context=others), why
    if c.role is ColumnRole.IDENTIFIER and kind is None:
        if c.polars_dtype == "Binary":
            return Drop(), "binary content cannot be inspected"
        return Hash(key=key), "unique values: keyed hash keeps records linkable"
    if kind is Kind.DATE_OF_BIRTH:
        return Generalize(unit="year"), "date of birth: keep the year only"
    if kind is Kind.DATE:
        return Generalize(unit="month"), "a date tied to a person: keep year and month"
    if kind is Kind.ZIP_CODE and c.polars_dtype == "String":
        return Generalize(keep=3), "ZIP code: keep the first three digits"
    if _is_age(c):
        return (
            TopBottomCode(top=89, top_label="90+"),
            "age: group ages over 89 as 90+ (HIPAA Safe Harbor)",
        )
    return Keep(), f"{c.role.value.replace('_', '-')}: kept"


def is_nested(c: ColumnProfile) -> bool:
    """Whether the profiled column holds nested values (struct, list or array)."""
    return c.polars_dtype.startswith(("Struct", "List", "Array"))


def _is_age(c: ColumnProfile) -> bool:
    numeric = c.polars_dtype.startswith(("Int", "UInt", "Float"))
    top: Any = c.max
    return numeric and "age" in name_hints(c.name) and isinstance(top, int | float) and top > 89
