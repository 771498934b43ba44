"""The vocabulary of profiling: what a column is (its kind), what it is for (its role), and which of
HIPAA Safe Harbor's 18 identifier categories it falls under."""

from __future__ import annotations

from enum import Enum, StrEnum

__all__ = ["ColumnRole", "HipaaCategory", "Kind"]


class Kind(StrEnum):
    """What a column's values are, as far as identification goes.

    A column with none of these kinds has ``kind=None`` in its profile.
    """

    EMAIL = "email"
    PHONE = "phone"
    SSN = "ssn"
    CREDIT_CARD = "credit_card"
    IBAN = "iban"
    IPV4 = "ipv4"
    IPV6 = "ipv6"
    URL = "url"
    MAC_ADDRESS = "mac_address"
    ZIP_CODE = "zip_code"
    DATE = "date"
    DATE_OF_BIRTH = "date_of_birth"
    PERSON_NAME = "person_name"
    STREET_ADDRESS = "street_address"
    CITY = "city"
    GEO_COORDINATES = "geo_coordinates"
    FREE_TEXT_WITH_IDENTIFIERS = "free_text_with_identifiers"
    RECORD_ID = "record_id"


class ColumnRole(StrEnum):
    """What a column is for when the table is anonymized.

    ``identifier``
        Points at a person by itself (name, SSN, email): remove, hash or pseudonymize it.
    ``quasi_identifier``
        Harmless alone, identifying in combination (ZIP, date of birth, sex): generalize it.
    ``sensitive``
        What must not be learned about a person (diagnosis, income): protect it with l-diversity or
        t-closeness.
    ``insensitive``
        Neither: kept as it is.
    """

    IDENTIFIER = "identifier"
    QUASI_IDENTIFIER = "quasi_identifier"
    SENSITIVE = "sensitive"
    INSENSITIVE = "insensitive"


class HipaaCategory(Enum):
    """The 18 identifier categories of HIPAA Safe Harbor, 45 CFR 164.514(b)(2)(i)(A)-(R).

    The value is ``(number, letter, label)``; ``number`` runs 1..18 in the rule's order.
    """

    NAMES = (1, "A", "Names")
    GEOGRAPHIC = (2, "B", "Geographic subdivisions smaller than a state")
    DATES = (3, "C", "Dates (except year) related to an individual, and ages over 89")
    TELEPHONE = (4, "D", "Telephone numbers")
    FAX = (5, "E", "Fax numbers")
    EMAIL = (6, "F", "Email addresses")
    SSN = (7, "G", "Social Security numbers")
    MEDICAL_RECORD = (8, "H", "Medical record numbers")
    HEALTH_PLAN = (9, "I", "Health plan beneficiary numbers")
    ACCOUNT = (10, "J", "Account numbers")
    CERTIFICATE = (11, "K", "Certificate/license numbers")
    VEHICLE = (12, "L", "Vehicle identifiers and serial numbers")
    DEVICE = (13, "M", "Device identifiers and serial numbers")
    URL = (14, "N", "Web URLs")
    IP_ADDRESS = (15, "O", "IP addresses")
    BIOMETRIC = (16, "P", "Biometric identifiers")
    PHOTO = (17, "Q", "Full-face photographs and comparable images")
    OTHER_UNIQUE = (18, "R", "Any other unique identifying number, characteristic or code")

    @property
    def number(self) -> int:
        """The category's position, 1..18."""
        return self.value[0]

    @property
    def letter(self) -> str:
        """The paragraph letter in 164.514(b)(2)(i), A..R."""
        return self.value[1]

    @property
    def label(self) -> str:
        """The category's name in words."""
        return self.value[2]

    def __str__(self) -> str:
        return f"({self.letter}) {self.label}"
