"""Suggest a column's role (identifier, quasi-identifier, sensitive, insensitive), the reason in
words, and the HIPAA Safe Harbor category it falls under."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from anonlab.profiling.detect import Detection
from anonlab.profiling.kinds import ColumnRole, HipaaCategory, Kind
from anonlab.profiling.names import NameHints, name_hints

__all__ = ["RoleSuggestion", "suggest_role"]

_IDENTIFIER_KINDS = {
    Kind.EMAIL, Kind.PHONE, Kind.SSN, Kind.CREDIT_CARD, Kind.IBAN, Kind.IPV4, Kind.IPV6,
    Kind.URL, Kind.MAC_ADDRESS, Kind.PERSON_NAME, Kind.STREET_ADDRESS, Kind.GEO_COORDINATES,
    Kind.FREE_TEXT_WITH_IDENTIFIERS, Kind.RECORD_ID,
}
_QUASI_KINDS = {Kind.ZIP_CODE, Kind.DATE, Kind.DATE_OF_BIRTH, Kind.CITY}

_KIND_HIPAA = {
    Kind.EMAIL: HipaaCategory.EMAIL,
    Kind.SSN: HipaaCategory.SSN,
    Kind.CREDIT_CARD: HipaaCategory.ACCOUNT,
    Kind.IBAN: HipaaCategory.ACCOUNT,
    Kind.IPV4: HipaaCategory.IP_ADDRESS,
    Kind.IPV6: HipaaCategory.IP_ADDRESS,
    Kind.URL: HipaaCategory.URL,
    Kind.MAC_ADDRESS: HipaaCategory.DEVICE,
    Kind.ZIP_CODE: HipaaCategory.GEOGRAPHIC,
    Kind.DATE: HipaaCategory.DATES,
    Kind.DATE_OF_BIRTH: HipaaCategory.DATES,
    Kind.PERSON_NAME: HipaaCategory.NAMES,
    Kind.STREET_ADDRESS: HipaaCategory.GEOGRAPHIC,
    Kind.CITY: HipaaCategory.GEOGRAPHIC,
    Kind.GEO_COORDINATES: HipaaCategory.GEOGRAPHIC,
}

_WHY = {
    Kind.EMAIL: "an e-mail address points at one person",
    Kind.PHONE: "a telephone number points at one person or household",
    Kind.SSN: "a Social Security number identifies one person",
    Kind.CREDIT_CARD: "a card number identifies its holder's account",
    Kind.IBAN: "an IBAN identifies its holder's bank account",
    Kind.IPV4: "an IP address can be traced to a subscriber",
    Kind.IPV6: "an IP address can be traced to a subscriber",
    Kind.URL: "a web address can point at a person's page",
    Kind.MAC_ADDRESS: "a MAC address identifies a person's device",
    Kind.PERSON_NAME: "a name identifies a person",
    Kind.STREET_ADDRESS: "a street address identifies a household",
    Kind.GEO_COORDINATES: "precise coordinates locate a household",
    Kind.FREE_TEXT_WITH_IDENTIFIERS: "the text contains direct identifiers",
    Kind.RECORD_ID: "a unique code links every row to one person or record",
    Kind.ZIP_CODE: "a ZIP code narrows a person down to an area; with birth date and sex it "
    "singles out most people",
    Kind.DATE: "a date tied to a person (an admission, a visit) can be matched to other records",
    Kind.DATE_OF_BIRTH: "a date of birth combined with ZIP and sex singles out most people",
    Kind.CITY: "a city places a person geographically",
}


@dataclass(frozen=True)
class RoleSuggestion:
    """A suggested role, why, and the HIPAA Safe Harbor category if any."""

    role: ColumnRole
    reason: str
    hipaa: HipaaCategory | None


def _record_id_category(hints: NameHints) -> HipaaCategory:
    for family, category in (
        ("medical_record", HipaaCategory.MEDICAL_RECORD),
        ("health_plan", HipaaCategory.HEALTH_PLAN),
        ("account", HipaaCategory.ACCOUNT),
        ("certificate", HipaaCategory.CERTIFICATE),
        ("vehicle", HipaaCategory.VEHICLE),
        ("device", HipaaCategory.DEVICE),
    ):
        if family in hints:
            return category
    return HipaaCategory.OTHER_UNIQUE


def _text_category(detection: Detection) -> HipaaCategory:
    order = {
        Kind.SSN: HipaaCategory.SSN,
        Kind.EMAIL: HipaaCategory.EMAIL,
        Kind.PHONE: HipaaCategory.TELEPHONE,
        Kind.URL: HipaaCategory.URL,
    }
    for kind in detection.text_kinds:
        if kind in order:
            return order[kind]
    return HipaaCategory.OTHER_UNIQUE


def suggest_role(
    name: str,
    dtype: pl.DataType,
    detection: Detection,
    *,
    uniqueness: float,
    non_null: int,
    max_value: object = None,
) -> RoleSuggestion:
    """Suggest the role of a column from its detected kind, name, dtype and uniqueness.

    Parameters
    ----------
    name : str
        Column name.
    dtype : polars.DataType
        The column's polars dtype.
    detection : Detection
        What :func:`~anonlab.profiling.detect.detect_values` found.
    uniqueness : float
        Distinct non-null values divided by non-null values.
    non_null : int
        Number of non-null values.
    max_value : object, optional
        The column's maximum, used to flag ages over 89 (HIPAA Safe Harbor (C)).
    """
    hints = name_hints(name)
    kind = detection.kind
    if kind is not None:
        if kind in _IDENTIFIER_KINDS:
            if kind is Kind.PHONE:
                hipaa = HipaaCategory.FAX if "fax" in hints else HipaaCategory.TELEPHONE
            elif kind is Kind.RECORD_ID:
                hipaa = _record_id_category(hints)
            elif kind is Kind.FREE_TEXT_WITH_IDENTIFIERS:
                hipaa = _text_category(detection)
            else:
                hipaa = _KIND_HIPAA[kind]
            return RoleSuggestion(ColumnRole.IDENTIFIER, f"identifier: {_WHY[kind]}", hipaa)
        return RoleSuggestion(
            ColumnRole.QUASI_IDENTIFIER, f"quasi-identifier: {_WHY[kind]}", _KIND_HIPAA[kind]
        )

    if dtype == pl.Binary:
        return RoleSuggestion(
            ColumnRole.IDENTIFIER,
            "identifier until reviewed: binary content cannot be inspected and may be a photo "
            "or a biometric template (HIPAA (P), (Q))",
            None,
        )
    if "age" in hints and (dtype.is_numeric()):
        over_89 = isinstance(max_value, int | float) and max_value > 89
        return RoleSuggestion(
            ColumnRole.QUASI_IDENTIFIER,
            "quasi-identifier: age narrows a person down; combined with sex and place it singles "
            "people out" + ("; ages over 89 must be grouped as 90+" if over_89 else ""),
            HipaaCategory.DATES if over_89 else None,
        )
    if "sex" in hints:
        return RoleSuggestion(
            ColumnRole.QUASI_IDENTIFIER,
            "quasi-identifier: sex, with birth date and ZIP, singles out most people",
            None,
        )
    if "ethnicity" in hints:
        return RoleSuggestion(
            ColumnRole.QUASI_IDENTIFIER,
            "quasi-identifier: ethnicity is public in many registers and narrows a person down",
            None,
        )
    if "zip" in hints or "city" in hints or "address" in hints:
        return RoleSuggestion(
            ColumnRole.QUASI_IDENTIFIER,
            f"quasi-identifier: the name {name!r} says it locates a person",
            HipaaCategory.GEOGRAPHIC,
        )
    if "sensitive" in hints or "text" in hints:
        return RoleSuggestion(
            ColumnRole.SENSITIVE,
            f"sensitive: the name {name!r} suggests information about a person that must not be "
            "learned from the release (health, finances, beliefs or private notes)",
            None,
        )
    if "quasi" in hints:
        return RoleSuggestion(
            ColumnRole.QUASI_IDENTIFIER,
            f"quasi-identifier: the name {name!r} suggests a demographic that is often public",
            None,
        )
    if non_null >= 20 and uniqueness >= 0.99 and not dtype.is_float():
        return RoleSuggestion(
            ColumnRole.IDENTIFIER,
            "identifier: every value is distinct, so each one singles out its row",
            HipaaCategory.OTHER_UNIQUE,
        )
    return RoleSuggestion(
        ColumnRole.INSENSITIVE,
        "insensitive: no identifier was detected and the name suggests nothing personal; "
        "review it if the column describes people",
        None,
    )
