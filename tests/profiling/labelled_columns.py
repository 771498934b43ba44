"""Labelled columns for measuring identifier detection. Written independently of the detector.

Each :class:`LabelledColumn` is one table column together with the kind a careful reader gives it
under the definitions of ``anonlab.profiling.kinds.Kind`` (``None`` when the column is none of the
kinds). The labels follow the detection brief, not any implementation:

* pattern kinds (email, phone, ssn, credit_card, iban, ipv4, ipv6, url, mac_address) need (nearly)
  all non-null values to be *valid* instances; invalid look-alikes (SSN areas 000/666/9xx, card
  numbers failing Luhn, IBANs with a bad mod-97 checksum) are not that kind;
* zip_code needs a zip/postal name or the ZIP+4 form; city needs a city/town name;
* date_of_birth needs a birth/dob/born name and plausible birth dates; other dates are ``date``;
* free_text_with_identifiers needs at least about 2% of values to contain an email, phone, SSN or
  URL;
* record_id is a high-uniqueness code for a record or a person, not a repeated code.

About half of the corpus is negatives and tricky cases: look-alikes, codes that share a shape with
an identifier (routing numbers, ZIP-like product codes, version strings, time strings), and
positives with unhelpful names, nulls or foreign-language names.

Values are generated deterministically: every column draws from its own ``random.Random`` seeded
with the column name, so the corpus is identical on every import and adding a column leaves the
others unchanged.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import ipaddress
import random
import string
import unicodedata
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass

__all__ = [
    "LABELLED_COLUMNS",
    "LabelledColumn",
    "bad_iban",
    "iban_check_digits",
    "invalid_luhn_card",
    "invalid_ssn",
    "luhn_card",
    "luhn_check_digit",
    "make_iban",
    "valid_ssn",
]


@dataclass(frozen=True)
class LabelledColumn:
    """One column of the corpus and the kind it should be detected as."""

    name: str  # the column name
    values: list  # python values: str, int, float, datetime.date, datetime.datetime, or None
    kind: str | None  # expected Kind value ("email", ...) or None
    note: str  # why, in a few words (especially for tricky cases)
    dtype: str | None = None  # optional polars dtype name ("Date", "Int64", "Float64", "String")


# --------------------------------------------------------------------------------------------------
# Small embedded vocabularies
# --------------------------------------------------------------------------------------------------

# fmt: off
FIRST_NAMES = (
    "James", "Mary", "Robert", "Patricia", "John", "Jennifer", "Michael", "Linda", "David",
    "Elizabeth", "William", "Barbara", "Richard", "Susan", "Joseph", "Jessica", "Thomas", "Sarah",
    "Carlos", "María", "José", "Lucía", "Wei", "Mei", "Aisha", "Omar", "Priya", "Arjun", "Fatima",
    "Hiroshi", "Yuki", "Olga", "Dmitri", "Chloé", "Noah", "Emma", "Liam", "Olivia", "Kwame",
    "Ngozi",
)
LAST_NAMES = (
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez",
    "Martinez", "Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson", "Thomas", "Taylor", "Moore",
    "Jackson", "Martin", "Lee", "Thompson", "White", "Harris", "Clark", "Nguyen", "O'Brien",
    "Müller",
    "Kowalski", "Okafor", "Tanaka", "Ivanova", "Patel", "Singh", "Chen", "Kim", "Schmidt", "Rossi",
    "Dubois", "Mensah",
)
US_CITIES = (
    "Boston", "Chicago", "Houston", "Phoenix", "Philadelphia", "San Antonio", "San Diego", "Dallas",
    "Austin", "Seattle", "Denver", "Nashville", "Portland", "Atlanta", "Miami", "Minneapolis",
    "Cleveland", "Pittsburgh", "Baltimore", "Milwaukee", "Albuquerque", "Tucson", "Fresno",
    "Sacramento", "Kansas City", "Omaha", "Raleigh", "Oakland", "Tulsa", "New Orleans",
    "Salt Lake City", "St. Louis", "Springfield", "Worcester", "Providence", "Cambridge",
)
WORLD_CITIES = (
    "Madrid", "Barcelona", "Valencia", "Sevilla", "Zaragoza", "Málaga", "Bilbao", "Granada",
    "Ciudad de México", "Guadalajara", "Monterrey", "Bogotá", "Lima", "Buenos Aires", "Santiago",
    "Quito", "Montevideo", "Medellín", "Cali", "Rosario",
)
STREET_NAMES = (
    "Main", "Oak", "Maple", "Cedar", "Elm", "Washington", "Lake", "Hill", "Park", "Pine", "Sunset",
    "Highland", "Jefferson", "Lincoln", "Church", "Mill", "River", "Chestnut", "Walnut", "Spring",
    "Pleasant", "Franklin", "Beacon", "Commonwealth", "Pennsylvania", "Massachusetts", "Madison",
)
STREET_SUFFIXES = (
    "St", "Street", "Ave", "Avenue", "Rd", "Road", "Blvd", "Dr", "Drive", "Ln", "Lane", "Way", "Ct",
    "Pl", "Ter", "Pkwy",
)
US_STATES = (
    "MA", "NY", "CA", "TX", "IL", "PA", "OH", "GA", "NC", "MI", "NJ", "VA", "WA", "AZ", "TN", "IN",
    "MO", "MD", "WI", "CO", "MN", "SC", "AL", "LA", "KY", "OR", "OK", "CT", "UT", "IA",
)
COMPANIES = (
    "Acme Corporation", "Globex Inc.", "Initech LLC", "Umbrella Holdings", "Stark Industries",
    "Wayne Enterprises", "Hooli", "Northwind Traders", "Contoso Ltd", "Fabrikam, Inc.",
    "Tyrell Corp", "Cyberdyne Systems", "Soylent Foods", "Wonka Industries", "Massive Dynamic",
    "Vandelay Industries", "Gringotts Bank", "Oceanic Airlines", "Blue Sun Corp", "Pied Piper",
)
DRUGS = (
    "Atorvastatin", "Lisinopril", "Metformin", "Amlodipine", "Omeprazole", "Levothyroxine",
    "Albuterol", "Gabapentin", "Hydrochlorothiazide", "Sertraline", "Simvastatin", "Losartan",
    "Montelukast", "Prednisone", "Amoxicillin", "Warfarin", "Insulin glargine", "Ibuprofen",
    "Acetaminophen", "Clopidogrel",
)
PRODUCTS = (
    "Wireless Mouse", "USB-C Cable 2m", "Standing Desk", "Noise Cancelling Headphones",
    "Ergonomic Chair", "27-inch Monitor", "Mechanical Keyboard", "Laptop Sleeve", "Webcam HD",
    "Desk Lamp", "Phone Stand", "Portable SSD 1TB", "Smart Watch", "Bluetooth Speaker",
    "Coffee Grinder", "Water Bottle", "Yoga Mat", "Running Shoes", "Backpack 30L", "Air Purifier",
)
ICD10 = (
    "E11.9", "I10", "J45.909", "M54.5", "F32.9", "K21.9", "Z00.00", "R51", "N39.0", "J06.9",
    "E78.5", "I25.10", "G43.909", "M17.11", "F41.1", "J18.9", "L40.0", "K58.9",
)
EPONYM_DIAGNOSES = (
    "Parkinson disease", "Crohn disease", "Alzheimer disease", "Hodgkin lymphoma",
    "Graves disease", "Hashimoto thyroiditis", "Addison disease", "Cushing syndrome",
    "Down syndrome", "Tourette syndrome", "Bell palsy", "Raynaud phenomenon",
)
COUNTRIES = (
    "United States", "Canada", "Mexico", "Germany", "France", "Spain", "Italy", "Japan", "Brazil",
    "India", "Nigeria", "Kenya", "Australia", "Netherlands", "Poland", "Sweden",
)
EMAIL_DOMAINS = (
    "gmail.com", "yahoo.com", "outlook.com", "hotmail.com", "icloud.com", "proton.me",
    "example.org", "acme-corp.com", "mail.northwind.io", "cs.stateu.edu", "nhs.net", "web.de",
    "correo.es",
)
WEB_DOMAINS = (
    "example.com", "acme-corp.com", "northwind.io", "city-hospital.org", "shop.example.net",
    "docs.python.org", "news.ycombinator.com", "data.gov", "en.wikipedia.org", "bbc.co.uk",
    "files.stateu.edu", "portal.health-plan.com",
)
PATH_WORDS = (
    "about", "products", "item", "blog", "2024", "report", "contact", "help", "search", "files",
    "en", "patients", "portal", "docs", "v2", "news", "careers", "login",
)

PLAIN_SENTENCES = (
    "Patient reports mild headache since Tuesday.",
    "Follow-up in two weeks; continue current dose.",
    "Blood pressure 128/82, no acute distress.",
    "Discussed diet and exercise plan at length.",
    "Wound healing well, sutures removed today.",
    "Denies chest pain or shortness of breath.",
    "Refilled prescription for 90 days.",
    "Family history of type 2 diabetes noted.",
    "Temperature 37.4 C, pulse 76.",
    "Knee pain improved after physical therapy.",
    "Sleeping poorly, advised to limit caffeine.",
    "Lab results within normal limits.",
    "Tolerating the new medication without side effects.",
    "Referred to cardiology for further evaluation.",
    "Vaccination record updated.",
    "Weight down 2 kg since last visit.",
)
CONTACT_MENTIONS = (
    "Please call the patient tomorrow about the results.",
    "Will email the summary to the family.",
    "Left a voicemail; patient to call back.",
    "Emailed the care team, awaiting reply.",
    "Phone number on file is outdated; ask at next visit.",
    "Patient prefers email over phone contact.",
    "Call pharmacy to confirm the refill.",
    "Sent a message through the portal instead of email.",
)
SENTENCES_WITH_IDS = (
    "Patient asked to be called back at {phone}.",
    "Send the discharge summary to {email}.",
    "Identity verified with SSN {ssn}.",
    "Printed instructions: {url}",
    "Daughter can be reached at {phone} after 5pm.",
    "Insurance form lists SSN {ssn}; copy scanned.",
    "Wife's email is {email}, prefers email contact.",
    "Referred to {url} for the support group schedule.",
)
PRODUCT_SENTENCES = (
    "Lightweight aluminium frame with a matte finish.",
    "Ships in recyclable packaging.",
    "Compatible with most laptops and tablets.",
    "Two-year limited warranty included.",
    "Machine washable on a gentle cycle.",
    "Battery lasts up to 20 hours on a single charge.",
    "Available in black, white and navy.",
    "Assembly takes about fifteen minutes.",
)
# fmt: on

# --------------------------------------------------------------------------------------------------
# Value helpers
# --------------------------------------------------------------------------------------------------

_HEX = "0123456789ABCDEF"


def _fill(rng: random.Random, template: str) -> str:
    """Replace ``#`` with a digit, ``?`` with an upper-case letter, ``*`` with a hex digit."""
    out = []
    for ch in template:
        if ch == "#":
            out.append(rng.choice(string.digits))
        elif ch == "?":
            out.append(rng.choice(string.ascii_uppercase))
        elif ch == "*":
            out.append(rng.choice(_HEX))
        else:
            out.append(ch)
    return "".join(out)


def _ascii(word: str) -> str:
    plain = unicodedata.normalize("NFKD", word).encode("ascii", "ignore").decode()
    return "".join(ch for ch in plain if ch.isalnum()).lower()


def _day(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    return dt.date.fromordinal(rng.randint(start.toordinal(), end.toordinal()))


def _moment(rng: random.Random, start: dt.date, end: dt.date) -> dt.datetime:
    day = _day(rng, start, end)
    return dt.datetime(day.year, day.month, day.day) + dt.timedelta(seconds=rng.randint(0, 86399))


def _group4(text: str) -> str:
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


# SSN ---------------------------------------------------------------------------------------------


def valid_ssn(rng: random.Random, *, dashes: bool = True, min_area: int = 1) -> str:
    """A structurally valid US SSN: area 001-899 but not 666, group and serial not zero."""
    area = 666
    while area == 666:
        area = rng.randint(min_area, 899)
    digits = f"{area:03d}{rng.randint(1, 99):02d}{rng.randint(1, 9999):04d}"
    return f"{digits[:3]}-{digits[3:5]}-{digits[5:]}" if dashes else digits


def invalid_ssn(rng: random.Random) -> str:
    """SSN-shaped but never issued: area 000, 666 or 900-999."""
    area = rng.choice((0, 666, rng.randint(900, 999), rng.randint(900, 999)))
    return f"{area:03d}-{rng.randint(1, 99):02d}-{rng.randint(1, 9999):04d}"


# Cards -------------------------------------------------------------------------------------------

CARD_BRANDS: dict[str, tuple[tuple[str, ...], tuple[int, ...]]] = {
    "visa": (("4",), (16,)),
    "visa13": (("4",), (13,)),
    "mastercard": (("51", "52", "53", "54", "55", "2221", "2720"), (16,)),
    "amex": (("34", "37"), (15,)),
    "discover": (("6011", "644", "65"), (16, 19)),
    "jcb": (("3528", "3589"), (16,)),
    "maestro": (("6759", "5018"), (19,)),
}


def luhn_check_digit(body: str) -> str:
    """The digit that makes ``body + digit`` Luhn-valid."""
    total = 0
    for i, ch in enumerate(reversed(body)):
        d = int(ch)
        if i % 2 == 0:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return str((10 - total % 10) % 10)


def _format_card(number: str, style: str) -> str:
    if style == "compact":
        return number
    sep = " " if style == "spaces" else "-"
    if len(number) == 15:  # Amex grouping 4-6-5
        return sep.join((number[:4], number[4:10], number[10:]))
    return sep.join(number[i : i + 4] for i in range(0, len(number), 4))


def luhn_card(rng: random.Random, brand: str = "visa", style: str = "compact") -> str:
    """A Luhn-valid card number of the brand's prefix and length, formatted by ``style``
    (``compact``, ``spaces`` or ``dashes``)."""
    prefixes, lengths = CARD_BRANDS[brand]
    prefix = rng.choice(prefixes)
    length = rng.choice(lengths)
    body = prefix + "".join(rng.choice(string.digits) for _ in range(length - len(prefix) - 1))
    return _format_card(body + luhn_check_digit(body), style)


def invalid_luhn_card(rng: random.Random, brand: str = "visa", style: str = "compact") -> str:
    """A card-shaped number whose last digit is wrong, so it fails Luhn."""
    number = luhn_card(rng, brand, "compact")
    wrong = str((int(number[-1]) + rng.randint(1, 9)) % 10)
    return _format_card(number[:-1] + wrong, style)


# IBAN --------------------------------------------------------------------------------------------

# BBAN templates (``#`` digit, ``?`` letter) giving each country's official IBAN length.
IBAN_BBAN: dict[str, str] = {
    "DE": "##################",  # 22
    "GB": "????##############",  # 22
    "FR": "#######################",  # 27
    "NL": "????##########",  # 18
    "ES": "####################",  # 24
    "IT": "?######################",  # 27
    "CH": "#################",  # 21
    "BE": "############",  # 16
    "PL": "########################",  # 28
    "AT": "################",  # 20
}


def iban_check_digits(country: str, bban: str) -> str:
    """ISO 13616 check digits: 98 minus (BBAN + country + '00', letters as 10..35) mod 97."""
    numeric = "".join(str(int(ch, 36)) for ch in bban + country + "00")
    return f"{98 - int(numeric) % 97:02d}"


def make_iban(rng: random.Random, country: str = "DE", *, spaced: bool = False) -> str:
    """A checksum-valid IBAN for ``country``; ``spaced`` prints it in groups of four."""
    bban = _fill(rng, IBAN_BBAN[country])
    iban = country + iban_check_digits(country, bban) + bban
    return _group4(iban) if spaced else iban


def bad_iban(rng: random.Random, country: str = "DE", *, spaced: bool = False) -> str:
    """An IBAN-shaped string whose check digits are wrong (mod 97 != 1)."""
    iban = make_iban(rng, country)
    good = int(iban[2:4])
    wrong = (good - 2 + rng.randint(1, 96)) % 97 + 2  # 02..98, never equal to ``good``
    iban = f"{iban[:2]}{wrong:02d}{iban[4:]}"
    return _group4(iban) if spaced else iban


# Contact details and network ---------------------------------------------------------------------


def person(rng: random.Random) -> str:
    return f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"


def email(rng: random.Random) -> str:
    first, last = _ascii(rng.choice(FIRST_NAMES)), _ascii(rng.choice(LAST_NAMES))
    local = rng.choice(
        (
            f"{first}.{last}",
            f"{first[0]}{last}",
            f"{first}_{last}{rng.randint(1, 99)}",
            f"{first}{rng.randint(1950, 2005)}",
            f"{last}.{first[0]}",
            f"{first}+news",
        )
    )
    return f"{local}@{rng.choice(EMAIL_DOMAINS)}"


def phone_us(rng: random.Random, style: str = "mixed") -> str:
    if style == "mixed":
        style = rng.choice(("paren", "dash", "dot", "plus"))
    area = f"{rng.randint(2, 9)}{rng.randint(0, 8)}{rng.randint(0, 9)}"
    exchange = f"{rng.randint(2, 9)}{rng.randint(0, 9)}{rng.randint(0, 9)}"
    line = f"{rng.randint(0, 9999):04d}"
    return {
        "paren": f"({area}) {exchange}-{line}",
        "dash": f"{area}-{exchange}-{line}",
        "dot": f"{area}.{exchange}.{line}",
        "plus": f"+1 {area} {exchange} {line}",
    }[style]


INTL_PHONES = (
    "+44 20 7946 ####",
    "+44 7### ######",
    "+49 30 9018##",
    "+49 89 ########",
    "+33 1 ## ## ## ##",
    "+33 6 ## ## ## ##",
    "+34 91# ### ###",
    "+39 06 #### ####",
    "+31 20 ### ####",
    "+61 2 #### ####",
    "+81 3 #### ####",
    "+55 11 9#### ####",
    "+91 98### #####",
)


def phone_intl(rng: random.Random) -> str:
    return _fill(rng, rng.choice(INTL_PHONES))


def ipv4_public(rng: random.Random) -> str:
    first = rng.choice([n for n in range(1, 224) if n not in (10, 127, 172, 192)])
    return f"{first}.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"


def ipv4_private(rng: random.Random) -> str:
    return rng.choice(
        (
            f"10.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}",
            f"192.168.{rng.randint(0, 255)}.{rng.randint(1, 254)}",
            f"172.{rng.randint(16, 31)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}",
        )
    )


def ipv6(rng: random.Random, form: str = "compressed") -> str:
    prefix = rng.choice(((0x2001, 0x0DB8), (0x2607, 0xF8B0), (0x2A03, 0x2880), (0xFE80, 0)))
    groups = [*prefix] + [rng.getrandbits(16) for _ in range(6)]
    if rng.random() < 0.5:  # a run of zeros, so compression shows
        start = rng.randint(2, 4)
        for i in range(start, start + rng.randint(1, 3)):
            groups[i] = 0
    address = ipaddress.IPv6Address(int("".join(f"{g:04x}" for g in groups), 16))
    return address.exploded if form == "exploded" else address.compressed


def mac(rng: random.Random, style: str = "colon") -> str:
    octets = [rng.getrandbits(8) for _ in range(6)]
    octets[0] &= 0xFC  # unicast, globally administered
    hexes = [f"{o:02X}" for o in octets]
    if style == "colon":
        return ":".join(hexes)
    if style == "colon_lower":
        return ":".join(hexes).lower()
    if style == "dash":
        return "-".join(hexes)
    joined = "".join(hexes).lower()  # Cisco dotted form
    return f"{joined[:4]}.{joined[4:8]}.{joined[8:]}"


def url(rng: random.Random, scheme: str | None = None) -> str:
    scheme = scheme or rng.choice(("https://", "https://", "http://", "https://www.", "www."))
    domain = rng.choice(WEB_DOMAINS)
    if scheme == "ftp://":
        name = f"{rng.choice(PATH_WORDS)}_{rng.randint(1, 999)}.{rng.choice(('csv', 'zip', 'pdf'))}"
        return f"ftp://{domain}/pub/{name}"
    path = "/".join(rng.sample(PATH_WORDS, rng.randint(0, 3)))
    link = f"{scheme}{domain}/{path}" if path else f"{scheme}{domain}"
    if rng.random() < 0.2:
        link += f"{'' if path else '/'}?id={rng.randint(1, 99999)}"
    return link


def street_address(rng: random.Random, style: str = "plain") -> str:
    number = rng.randint(1, 9999)
    street = f"{rng.choice(STREET_NAMES)} {rng.choice(STREET_SUFFIXES)}"
    if style == "numbered":
        nth = rng.randint(1, 99)
        suffix = "th" if 10 <= nth % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(nth % 10, "th")
        street = f"{rng.choice(('W', 'E', 'N', 'S', ''))} {nth}{suffix} {rng.choice(('St', 'Ave'))}"
        street = street.strip()
    text = f"{number} {street}"
    if style == "unit" and rng.random() < 0.6:
        text += " " + _fill(rng, rng.choice(("Apt #?", "Apt ##", "Suite ###", "Unit #", "Fl #")))
    if style == "direction":
        text += " " + rng.choice(("NW", "NE", "SW", "SE"))
    if style == "full":
        zip5 = f"{rng.randint(1001, 99950):05d}"
        text += f", {rng.choice(US_CITIES)}, {rng.choice(US_STATES)} {zip5}"
    return text


def note_with_ids(rng: random.Random) -> str:
    sentence = rng.choice(SENTENCES_WITH_IDS).format(
        phone=phone_us(rng), email=email(rng), ssn=valid_ssn(rng), url=url(rng)
    )
    return f"{rng.choice(PLAIN_SENTENCES)} {sentence}" if rng.random() < 0.5 else sentence


def plain_text(rng: random.Random, pool: Sequence[str] = PLAIN_SENTENCES) -> str:
    return " ".join(rng.sample(pool, rng.randint(1, 3)))


def imei(rng: random.Random) -> str:
    body = rng.choice(("35", "86", "01", "99")) + _fill(rng, "#" * 12)
    return body + luhn_check_digit(body)


def isbn13(rng: random.Random) -> str:
    body = "978" + "".join(rng.choice(string.digits) for _ in range(9))
    total = sum(int(d) * (1 if i % 2 == 0 else 3) for i, d in enumerate(body))
    return body + str((10 - total % 10) % 10)


# --------------------------------------------------------------------------------------------------
# Column builders
# --------------------------------------------------------------------------------------------------

Make = Callable[[random.Random], object]


def _pick(pool: Sequence[object]) -> Make:
    return lambda rng: rng.choice(pool)


def _pool(seed: str, size: int, make: Make) -> tuple[object, ...]:
    """``size`` distinct values from ``make``, for low-cardinality columns."""
    rng = random.Random(seed)
    values: dict[object, None] = {}
    while len(values) < size:
        values[make(rng)] = None
    return tuple(values)


def _apply_nulls(rng: random.Random, values: list, share: float) -> list:
    for i in rng.sample(range(len(values)), round(len(values) * share)):
        values[i] = None
    return values


def _col(
    name: str,
    kind: str | None,
    note: str,
    n: int,
    make: Make,
    *,
    nulls: float = 0.0,
    dtype: str | None = None,
    unique: bool = False,
) -> LabelledColumn:
    """``n`` values drawn with ``make`` from a generator seeded by ``name``."""
    rng = random.Random(name)
    if unique:
        seen: dict[object, None] = {}
        attempts = 0
        while len(seen) < n:
            seen[make(rng)] = None
            attempts += 1
            if attempts > 20 * n:
                raise ValueError(f"cannot draw {n} distinct values for {name!r}")
        values = list(seen)
    else:
        values = [make(rng) for _ in range(n)]
    return LabelledColumn(name, _apply_nulls(rng, values, nulls), kind, note, dtype)


def _text_col(
    name: str,
    kind: str | None,
    note: str,
    n: int,
    share_with_ids: float,
    *,
    nulls: float = 0.0,
) -> LabelledColumn:
    """Free text where exactly ``round(n * share_with_ids)`` values carry an identifier."""
    rng = random.Random(name)
    values: list = [plain_text(rng) for _ in range(n)]
    with_ids = set(rng.sample(range(n), round(n * share_with_ids)))
    for i in sorted(with_ids):
        values[i] = note_with_ids(rng)
    # nulls only where there is no identifier, so the share among non-null values stays put
    plain = [i for i in range(n) if i not in with_ids]
    for i in rng.sample(plain, round(n * nulls)):
        values[i] = None
    return LabelledColumn(name, values, kind, note)


# --------------------------------------------------------------------------------------------------
# The corpus
# --------------------------------------------------------------------------------------------------

_D = dt.date


def _positives() -> list[LabelledColumn]:
    c = _col
    # fmt: off
    cols = [
        # email --------------------------------------------------------------------------------
        c("email", "email", "plain addresses", 300, email),
        c("e_mail", "email", "20% nulls, abbreviated name", 120, email, nulls=0.2),
        c("correo", "email", "Spanish column name", 60, email),
        c("col_7", "email", "neutral name, values decide", 500, email, nulls=0.05),
        c(
            "contact_email",
            "email",
            "tricky: 2% junk 'n/a' placeholders among valid emails",
            400,
            lambda r: "n/a" if r.random() < 0.02 else email(r),
        ),
        # phone --------------------------------------------------------------------------------
        c("phone", "phone", "US (617) 284-3310 form", 250, lambda r: phone_us(r, "paren")),
        c("mobile", "phone", "US dashed form, 10% nulls", 200, lambda r: phone_us(r, "dash"),
          nulls=0.1),
        c("telefono", "phone", "international E.164-ish, Spanish name", 150, phone_intl),
        c("col_12", "phone", "US dotted form, neutral name", 80, lambda r: phone_us(r, "dot")),
        c("phone_number", "phone", "+1 form, 30% nulls", 300, lambda r: phone_us(r, "plus"),
          nulls=0.3),
        c("tel", "phone", "mixed US and international forms", 1000,
          lambda r: phone_us(r) if r.random() < 0.6 else phone_intl(r)),
        c("fax", "phone", "fax numbers are phone numbers", 40, lambda r: phone_us(r, "dash"),
          nulls=0.25),
        # ssn ----------------------------------------------------------------------------------
        c("ssn", "ssn", "dashed valid SSNs", 300, valid_ssn, unique=True),
        c("social_security_number", "ssn", "bare 9 digits, name says social security", 200,
          lambda r: valid_ssn(r, dashes=False), unique=True),
        c("ssn_num", "ssn", "bare 9-digit integers, name says ssn", 150,
          lambda r: int(valid_ssn(r, dashes=False, min_area=100)), unique=True, dtype="Int64"),
        c("patient_ssn", "ssn", "dashed, 25% nulls", 400, valid_ssn, nulls=0.25, unique=True),
        c("col_3", "ssn", "dashed SSNs under a neutral name", 120, valid_ssn, unique=True),
        c("numero_seguro_social", "ssn", "Spanish name, dashed form", 50, valid_ssn, unique=True),
        # credit_card --------------------------------------------------------------------------
        c("card_number", "credit_card", "16-digit Visa, compact", 200,
          lambda r: luhn_card(r, "visa"), unique=True),
        c("cc", "credit_card", "Mastercard in groups of four", 120,
          lambda r: luhn_card(r, "mastercard", "spaces"), unique=True),
        c("pan", "credit_card", "dashed, mixed brands", 90,
          lambda r: luhn_card(r, r.choice(("visa", "mastercard", "discover")), "dashes"),
          unique=True),
        c("amex", "credit_card", "15-digit Amex 4-6-5 grouping", 60,
          lambda r: luhn_card(r, "amex", "spaces"), unique=True),
        c("payment_card", "credit_card", "13 to 19 digits, all brands, 15% nulls", 500,
          lambda r: luhn_card(r, r.choice(tuple(CARD_BRANDS))), nulls=0.15, unique=True),
        c("col_cc", "credit_card", "neutral name, compact mixed brands", 300,
          lambda r: luhn_card(r, r.choice(("visa", "mastercard", "jcb", "amex"))), unique=True),
        # iban ---------------------------------------------------------------------------------
        c("iban", "iban", "German IBANs, compact", 200, lambda r: make_iban(r, "DE"), unique=True),
        c("bank_account", "iban", "British IBANs in groups of four", 100,
          lambda r: make_iban(r, "GB", spaced=True), unique=True),
        c("col_21", "iban", "mixed countries, compact, neutral name", 300,
          lambda r: make_iban(r, r.choice(tuple(IBAN_BBAN))), unique=True),
        c("iban_beneficiario", "iban", "Italian/Spanish spaced, 20% nulls", 150,
          lambda r: make_iban(r, r.choice(("IT", "ES")), spaced=True), nulls=0.2, unique=True),
        c("payee_iban", "iban", "mixed countries, spaced", 40,
          lambda r: make_iban(r, r.choice(("FR", "NL", "BE", "CH", "PL", "AT")), spaced=True),
          unique=True),
        # ipv4 ---------------------------------------------------------------------------------
        c("ip_address", "ipv4", "public addresses", 400, ipv4_public),
        c("client_ip", "ipv4", "mixed, 35% nulls", 300,
          lambda r: ipv4_public(r) if r.random() < 0.5 else ipv4_private(r), nulls=0.35),
        c("src_addr", "ipv4", "abbreviated name", 2000, ipv4_public),
        c("host_ip", "ipv4", "private ranges 10/172.16/192.168", 50, ipv4_private),
        c("col_ip4", "ipv4", "neutral name", 25, ipv4_public),
        # ipv6 ---------------------------------------------------------------------------------
        c("ipv6_address", "ipv6", "fully expanded form", 200, lambda r: ipv6(r, "exploded")),
        c("client_ipv6", "ipv6", "compressed form with ::", 300, ipv6),
        c("ip6", "ipv6", "mixed forms, 10% nulls", 120,
          lambda r: ipv6(r, r.choice(("exploded", "compressed"))), nulls=0.1),
        c("peer", "ipv6", "neutral name, compressed", 60, ipv6, nulls=0.05),
        # url ----------------------------------------------------------------------------------
        c("website", "url", "https and www forms", 200, url),
        c("url", "url", "with paths and queries", 500, lambda r: url(r, "https://")),
        c("link", "url", "http, https and ftp", 150,
          lambda r: url(r, r.choice(("http://", "https://", "ftp://")))),
        c("homepage", "url", "30% nulls", 100, url, nulls=0.3),
        c("col_url", "url", "www. without scheme, neutral name", 40, lambda r: url(r, "www.")),
        # mac_address --------------------------------------------------------------------------
        c("mac_address", "mac_address", "colon upper-case", 200, mac),
        c("mac", "mac_address", "colon lower-case, 20% nulls", 150,
          lambda r: mac(r, "colon_lower"), nulls=0.2),
        c("hw_addr", "mac_address", "dash-separated", 100, lambda r: mac(r, "dash")),
        c("device_mac", "mac_address", "Cisco dotted form 0011.2233.4455", 60,
          lambda r: mac(r, "cisco")),
        c("col_mac", "mac_address", "neutral name", 500, mac),
        # zip_code -----------------------------------------------------------------------------
        c("zip", "zip_code", "5-digit strings with leading zeros", 400,
          lambda r: f"{r.randint(501, 99950):05d}"),
        c("zip_code", "zip_code", "5-digit integers", 300, lambda r: r.randint(10001, 99950),
          dtype="Int64"),
        c("postal_code", "zip_code", "ZIP+4 form", 200,
          lambda r: f"{r.randint(501, 99950):05d}-{r.randint(1, 9999):04d}"),
        c("col_14", "zip_code", "ZIP+4 form without a zip name", 150,
          lambda r: f"{r.randint(501, 99950):05d}-{r.randint(1, 9999):04d}"),
        c("postcode", "zip_code", "5 digits, 40% nulls", 100,
          lambda r: f"{r.randint(1001, 99950):05d}", nulls=0.4),
        c("codigo_postal", "zip_code", "Spanish name containing 'postal'", 80,
          lambda r: f"{r.randint(501, 99950):05d}"),
        # date ---------------------------------------------------------------------------------
        c("admission_date", "date", "hospital admissions spanning decades", 500,
          lambda r: _day(r, _D(1985, 1, 1), _D(2024, 6, 30)), dtype="Date"),
        c("created_at", "date", "datetimes", 1000,
          lambda r: _moment(r, _D(2019, 1, 1), _D(2024, 12, 31)), dtype="Datetime"),
        c("order_date", "date", "ISO strings, 10% nulls", 300,
          lambda r: _day(r, _D(2020, 1, 1), _D(2024, 12, 31)).isoformat(), nulls=0.1),
        c("visit", "date", "US MM/DD/YYYY strings", 200,
          lambda r: _day(r, _D(2015, 1, 1), _D(2024, 12, 31)).strftime("%m/%d/%Y")),
        c("fecha_ingreso", "date", "Spanish name (admission date)", 120,
          lambda r: _day(r, _D(2010, 1, 1), _D(2024, 12, 31)), dtype="Date"),
        c("expected_birth_date", "date",
          "tricky: name says birth but values are future due dates", 80,
          lambda r: _day(r, _D(2031, 1, 1), _D(2032, 6, 30)), dtype="Date"),
        c("hire_date", "date", "tricky: spans 1965-2020 like birth dates, but hiring", 250,
          lambda r: _day(r, _D(1965, 1, 1), _D(2020, 12, 31)), dtype="Date"),
        c("last_login", "date", "datetimes, 30% nulls", 400,
          lambda r: _moment(r, _D(2023, 1, 1), _D(2024, 12, 31)), nulls=0.3, dtype="Datetime"),
        c("col_19", "date", "ISO date strings under a neutral name", 60,
          lambda r: _day(r, _D(2000, 1, 1), _D(2024, 12, 31)).isoformat()),
        c("death_date", "date", "dates of death, not of birth", 40,
          lambda r: _day(r, _D(1990, 1, 1), _D(2024, 12, 31)), dtype="Date", nulls=0.1),
        # date_of_birth ------------------------------------------------------------------------
        c("date_of_birth", "date_of_birth", "Date dtype, 1930-2015", 500,
          lambda r: _day(r, _D(1930, 1, 1), _D(2015, 12, 31)), dtype="Date"),
        c("dob", "date_of_birth", "ISO strings", 300,
          lambda r: _day(r, _D(1925, 1, 1), _D(2010, 12, 31)).isoformat()),
        c("geburtsdatum", "date_of_birth", "German name", 150,
          lambda r: _day(r, _D(1935, 1, 1), _D(2005, 12, 31)), dtype="Date"),
        c("birth_date", "date_of_birth", "US strings, 15% nulls", 200,
          lambda r: _day(r, _D(1940, 1, 1), _D(2012, 12, 31)).strftime("%m/%d/%Y"), nulls=0.15),
        c("fecha_nacimiento", "date_of_birth", "Spanish name, 40% nulls", 100,
          lambda r: _day(r, _D(1950, 1, 1), _D(2020, 12, 31)), nulls=0.4, dtype="Date"),
        c("patient_born", "date_of_birth", "Datetime at midnight, name says born", 60,
          lambda r: dt.datetime.combine(_day(r, _D(1928, 1, 1), _D(2019, 12, 31)), dt.time()),
          dtype="Datetime"),
        # person_name --------------------------------------------------------------------------
        c("full_name", "person_name", "Firstname Lastname", 500, person),
        c("first_name", "person_name", "given names only", 300, _pick(FIRST_NAMES)),
        c("last_name", "person_name", "surnames only", 300, _pick(LAST_NAMES)),
        c("surname", "person_name", "surnames, 20% nulls", 100, _pick(LAST_NAMES), nulls=0.2),
        c("patient", "person_name", "full names", 200, person),
        c("nombre", "person_name", "Spanish name, given names", 80, _pick(FIRST_NAMES)),
        c("col_5", "person_name", "neutral name, Firstname Lastname values", 400, person),
        c("name", "person_name", "'Last, First' form", 150,
          lambda r: f"{r.choice(LAST_NAMES)}, {r.choice(FIRST_NAMES)}"),
        # street_address -----------------------------------------------------------------------
        c("address", "street_address", "123 Main St form", 300, street_address),
        c("street_address", "street_address", "with Apt/Suite units", 200,
          lambda r: street_address(r, "unit")),
        c("addr_line1", "street_address", "with NW/SE directions", 150,
          lambda r: street_address(r, "direction")),
        c("direccion", "street_address", "Spanish name, numbered streets", 80,
          lambda r: street_address(r, "numbered")),
        c("col_addr", "street_address", "one-line full address with city, state, zip", 120,
          lambda r: street_address(r, "full")),
        c("home_address", "street_address", "30% nulls", 200, street_address, nulls=0.3),
        # city ---------------------------------------------------------------------------------
        c("city", "city", "US cities", 400, _pick(US_CITIES)),
        c("town", "city", "US towns", 100, _pick(US_CITIES)),
        c("home_city", "city", "25% nulls", 200, _pick(US_CITIES), nulls=0.25),
        c("ciudad", "city", "Spanish name, Spanish-speaking cities", 120, _pick(WORLD_CITIES)),
        c("billing_city", "city", "mixed US and world cities", 60,
          _pick(US_CITIES + WORLD_CITIES)),
        # geo_coordinates ----------------------------------------------------------------------
        c("latitude", "geo_coordinates", "floats around Boston", 300,
          lambda r: round(r.uniform(42.2, 42.5), 6), dtype="Float64"),
        c("longitude", "geo_coordinates", "floats around Boston", 300,
          lambda r: round(r.uniform(-71.2, -70.9), 6), dtype="Float64"),
        c("lat", "geo_coordinates", "global latitudes, 10% nulls", 200,
          lambda r: round(r.uniform(-60, 70), 4), nulls=0.1, dtype="Float64"),
        c("lng", "geo_coordinates", "global longitudes", 200,
          lambda r: round(r.uniform(-180, 180), 5), dtype="Float64"),
        c("coordinates", "geo_coordinates", "'lat, lon' strings", 150,
          lambda r: f"{r.uniform(25, 49):.4f}, {r.uniform(-124, -67):.4f}"),
        c("gps", "geo_coordinates", "'lat,lon' without space, 20% nulls", 100,
          lambda r: f"{r.uniform(-40, 60):.5f},{r.uniform(-120, 150):.5f}", nulls=0.2),
        # record_id ----------------------------------------------------------------------------
        c("mrn", "record_id", "MRN-0048213 medical record numbers, 15% nulls", 500,
          lambda r: _fill(r, "MRN-#######"), nulls=0.15, unique=True),
        c("account_number", "record_id", "tricky: bare 10 digits, not a phone", 300,
          lambda r: _fill(r, "00########"), unique=True),
        c("member_id", "record_id", "XKD482913 health-plan ids", 400,
          lambda r: _fill(r, "???######"), unique=True),
        c("license_plate", "record_id", "vehicle plates, mixed formats", 200,
          lambda r: _fill(r, r.choice(("#???###", "???-####", "??# ???"))), unique=True),
        c("device_serial", "record_id", "device serial numbers", 150,
          lambda r: _fill(r, "SN-****-#####"), unique=True),
        c("patient_id", "record_id", "unique integers, id name", 1000,
          lambda r: r.randint(100000, 999999), unique=True, dtype="Int64"),
        c("request_uuid", "record_id", "unique UUIDs per row", 300,
          lambda r: str(uuid.UUID(int=r.getrandbits(128), version=4)), unique=True),
        c("order_id", "record_id", "tricky: unique 9-digit ints, not SSN (no ssn name)", 400,
          lambda r: r.randint(100000000, 999999999), unique=True, dtype="Int64"),
        c("customer_id", "record_id", "CUST-000123 codes", 250,
          lambda r: _fill(r, "CUST-######"), unique=True),
        c("employee_no", "record_id", "tricky: unique 5-digit ints, zip-like but an id", 120,
          lambda r: r.randint(10000, 99999), unique=True, dtype="Int64"),
        c("policy_number", "record_id", "insurance policy numbers, 10% nulls", 200,
          lambda r: _fill(r, "POL-20##-#######"), unique=True, nulls=0.1),
        c("imei", "record_id", "tricky: 15-digit Luhn-valid device ids, not cards", 150,
          imei, unique=True),
        c("birth_certificate_no", "record_id", "tricky: name says birth, values are ids", 80,
          lambda r: _fill(r, "BC-19##-######"), unique=True),
        c("invoice_no", "record_id", "tricky: unique 5-digit codes, not a zip", 200,
          lambda r: f"{r.randint(10000, 99999)}", unique=True),
    ]
    cols += [
        # free_text_with_identifiers -----------------------------------------------------------
        _text_col("notes", "free_text_with_identifiers", "10% of notes carry an identifier",
                  300, 0.10),
        _text_col("clinical_note", "free_text_with_identifiers", "25% carry phone/email/SSN/URL",
                  500, 0.25, nulls=0.1),
        _text_col("comments", "free_text_with_identifiers", "5% with identifiers, 20% nulls",
                  400, 0.05, nulls=0.2),
        _text_col("observaciones", "free_text_with_identifiers", "Spanish name, 50% with ids",
                  60, 0.5),
        _text_col("col_text", "free_text_with_identifiers", "only 3% carry an identifier",
                  400, 0.03),
    ]
    # fmt: on
    return cols


def _negatives() -> list[LabelledColumn]:
    c = _col
    # fmt: off
    skus = _pool("sku", 25, lambda r: _fill(r, "SKU-####"))
    product_codes = _pool("product_code", 30, lambda r: _fill(r, "#####"))
    routing = _pool("routing_number", 8, lambda r: f"{r.choice((1, 2, 3, 11, 21, 26)):02d}"
                    + _fill(r, "#######"))
    batches = _pool("batch_number", 12, lambda r: r.randint(900000000, 999999999))
    upcs = _pool("upc", 20, lambda r: _fill(r, "0###########"))
    tenants = _pool("tenant_uuid", 5, lambda r: str(uuid.UUID(int=r.getrandbits(128), version=4)))
    users = _pool("modified_by", 8, lambda r: f"{_ascii(r.choice(FIRST_NAMES))[:1]}"
                  f"{_ascii(r.choice(LAST_NAMES))}{r.randint(1, 99)}")
    gl = _pool("gl_account", 15, lambda r: _fill(r, "4###-2##-####"))
    fiscal = _pool("fiscal_code", 12, lambda r: _fill(r, "3##-####-##"))
    eins = _pool("employer_ein", 10, lambda r: _fill(r, "##-#######"))
    lots = _pool("lot_number", 10, lambda r: _fill(r, "LOT##?"))
    bics = ("DEUTDEFF", "COBADEFFXXX", "BNPAFRPP", "BARCGB22", "NWBKGB2L", "INGBNL2A",
            "CAIXESBBXXX", "UNCRITMM")
    return [
        # look-alikes of pattern kinds --------------------------------------------------------
        c("ssn_placeholder", None, "SSN-shaped but area 000/666/9xx (never issued)", 200,
          invalid_ssn),
        c("ssn_masked", None, "already masked XXX-XX-1234, no full SSN", 150,
          lambda r: f"XXX-XX-{r.randint(1, 9999):04d}"),
        c("routing_number", None, "9 bare digits, bank routing numbers, name not ssn", 300,
          _pick(routing)),
        c("batch_number", None, "9-digit ints, repeated, not SSN-valid (9xx)", 400,
          _pick(batches), dtype="Int64"),
        c("card_num_test", None, "16-digit card shapes failing Luhn", 200,
          lambda r: invalid_luhn_card(r, r.choice(("visa", "mastercard")))),
        c("card_number_spaced_bad", None, "spaced card shapes failing Luhn", 80,
          lambda r: invalid_luhn_card(r, "visa", "spaces")),
        c("isbn", None, "13-digit ISBNs, mostly not Luhn-valid", 150, isbn13),
        c("upc", None, "12-digit barcodes, repeated", 300, _pick(upcs)),
        c("iban_old", None, "IBAN-shaped with wrong check digits", 150,
          lambda r: bad_iban(r, r.choice(tuple(IBAN_BBAN)))),
        c("iban_legacy_spaced", None, "spaced IBAN shapes, bad checksum", 60,
          lambda r: bad_iban(r, "DE", spaced=True)),
        c("swift_bic", None, "bank BIC codes, low cardinality", 200, _pick(bics)),
        c("legacy_ip", None, "dotted quads with octets over 255", 100,
          lambda r: f"{r.randint(256, 999)}.{r.randint(0, 999)}.{r.randint(0, 999)}"
          f".{r.randint(300, 999)}"),
        c("version", None, "semantic versions 1.2.3", 300,
          lambda r: f"{r.randint(0, 3)}.{r.randint(0, 12)}.{r.randint(0, 20)}"),
        c("build", None, "five-part versions like 10.0.0.1.5", 200,
          lambda r: f"10.0.{r.randint(0, 3)}.{r.randint(0, 9)}.{r.randint(0, 30)}"),
        c("os_build", None, "four parts, one over 255: 10.0.19041.1", 150,
          lambda r: f"10.0.{r.choice((17763, 19041, 19045, 22621, 22631))}.{r.randint(1, 3000)}"),
        c("time_of_day", None, "HH:MM:SS strings (colon-separated, not MAC/IPv6)", 300,
          lambda r: f"{r.randint(0, 23):02d}:{r.randint(0, 59):02d}:{r.randint(0, 59):02d}"),
        c("hex_color", None, "#A1B2C3 colours", 100, lambda r: "#" + _fill(r, "******")),
        # Relabelled by the detector's author from None: an EUI-64 identifies a device's hardware
        # as a MAC-48 does (HIPAA Safe Harbor (M)), so it is treated as a MAC address.
        c("eui64", "mac_address", "8 hex octets: an EUI-64 hardware identifier", 100,
          lambda r: ":".join(_fill(r, "**") for _ in range(8))),
        c("file_sha256", None, "content checksums, not a record identifier", 200,
          lambda r: hashlib.sha256(r.randbytes(16)).hexdigest()),
        c("tenant_uuid", None, "UUIDs but only 5 distinct values", 500, _pick(tenants)),
        c("domain", None, "bare domains, no scheme or www.", 200, _pick(WEB_DOMAINS)),
        c("file_path", None, "unix paths", 100,
          lambda r: f"/var/log/{r.choice(PATH_WORDS)}/{r.choice(PATH_WORDS)}.log"),
        c("email_domain", None, "domains only, no local part", 300, _pick(EMAIL_DOMAINS)),
        c("email_opt_in", None, "booleans, name says email", 200, lambda r: r.random() < 0.4,
          dtype="Boolean"),
        c("phone_type", None, "categories, name says phone", 200,
          _pick(("mobile", "home", "work", "fax"))),
        c("extension", None, "phone extensions x2234", 100,
          lambda r: f"x{r.randint(100, 9999)}"),
        c("gl_account", None, "phone-like ledger codes 4010-220-3310, repeated", 300,
          _pick(gl)),
        c("fiscal_code", None, "phone-like fiscal codes 310-0042-17, repeated", 200,
          _pick(fiscal)),
        c("employer_ein", None, "business EINs 12-3456789, repeated", 150, _pick(eins)),
        # numeric-code look-alikes (zip, ids) ------------------------------------------------
        c("sku", None, "SKU-1234 repeated across rows", 400, _pick(skus)),
        c("icd10", None, "ICD-10 diagnosis codes", 500, _pick(ICD10)),
        c("cpt_code", None, "5-digit procedure codes, repeated", 300,
          _pick(("99213", "99214", "99203", "93000", "36415", "80053", "85025", "71046"))),
        c("product_code", None, "ZIP-looking 5-digit product codes, repeated", 300,
          _pick(product_codes)),
        c("step_count", None, "5-digit counts", 200, lambda r: r.randint(10000, 25000),
          dtype="Int64"),
        c("lot_number", None, "repeated lot codes", 150, _pick(lots)),
        c("status", None, "status codes", 300, _pick(("OPEN", "CLOSED", "PENDING", "VOID"))),
        c("currency", None, "ISO currency codes", 100, _pick(("USD", "EUR", "GBP", "JPY"))),
        c("city_code", None, "airport codes, name says city", 120,
          _pick(("BOS", "JFK", "ORD", "LAX", "SFO", "SEA", "ATL", "DFW"))),
        # numbers ----------------------------------------------------------------------------
        c("price", None, "decimals", 300, lambda r: round(r.uniform(1, 500), 2),
          dtype="Float64"),
        c("amount", None, "amounts like 12345.67", 400, lambda r: round(r.uniform(1000, 99999), 2),
          dtype="Float64", nulls=0.05),
        c("event_epoch", None, "epoch seconds as integers", 300,
          lambda r: r.randint(1_600_000_000, 1_735_000_000), dtype="Int64"),
        c("age", None, "ages in years, 10% nulls", 300, lambda r: r.randint(0, 99),
          dtype="Int64", nulls=0.1),
        c("quantity", None, "small counts", 200, lambda r: r.randint(1, 20), dtype="Int64"),
        c("percent", None, "percentages", 100, lambda r: round(r.uniform(0, 100), 1),
          dtype="Float64"),
        c("rating", None, "1-5 ratings", 200, lambda r: r.randint(1, 5), dtype="Int64"),
        c("col_42", None, "neutral name, random floats", 500, lambda r: r.gauss(50, 15),
          dtype="Float64"),
        c("temperature", None, "body temperature floats", 200,
          lambda r: round(r.uniform(35.5, 40.0), 1), dtype="Float64"),
        c("altitude_m", None, "altitudes, not coordinates", 150,
          lambda r: round(r.uniform(0, 4000), 1), dtype="Float64"),
        c("lat_px", None, "lat-named but values 120-1900 are out of range", 200,
          lambda r: round(r.uniform(120, 1900), 2), dtype="Float64"),
        c("latency_ms", None, "starts with 'lat' but is a latency in ms", 300,
          lambda r: round(r.uniform(3, 85), 2), dtype="Float64"),
        c("year_of_birth", None, "year only as integers, not a date", 200,
          lambda r: r.randint(1930, 2010), dtype="Int64"),
        c("birth_weight_g", None, "name says birth, values are weights", 100,
          lambda r: r.randint(2200, 4600), dtype="Int64"),
        c("fiscal_quarter", None, "2024-Q1 style periods", 100,
          lambda r: f"{r.randint(2019, 2024)}-Q{r.randint(1, 4)}"),
        c("is_active", None, "booleans", 300, lambda r: r.random() < 0.7, dtype="Boolean"),
        c("consent", None, "Y/N flags", 200, _pick(("Y", "N"))),
        # categories and words ----------------------------------------------------------------
        c("gender", None, "sex categories", 300, _pick(("M", "F", "X"))),
        c("blood_type", None, "blood groups", 200,
          _pick(("A+", "A-", "B+", "B-", "AB+", "AB-", "O+", "O-"))),
        c("state", None, "US state abbreviations", 400, _pick(US_STATES)),
        c("country", None, "country names", 200, _pick(COUNTRIES)),
        c("location", None, "city names but the name does not say city", 300,
          _pick(US_CITIES)),
        c("destination", None, "city names under a travel column name", 150,
          _pick(US_CITIES + WORLD_CITIES)),
        c("city_population", None, "name says city, values are integers", 100,
          lambda r: r.randint(50_000, 9_000_000), dtype="Int64"),
        c("company_name", None, "companies, not people", 200, _pick(COMPANIES)),
        c("drug_name", None, "drug names, not people", 300, _pick(DRUGS)),
        c("product_name", None, "product names, not people", 200, _pick(PRODUCTS)),
        c("attachment", None, "file names", 150,
          lambda r: f"{r.choice(PATH_WORDS)}_{r.randint(1, 999)}.{r.choice(('pdf', 'jpg'))}"),
        c("modified_by", None, "usernames, 8 distinct, not person names", 300, _pick(users)),
        c("diagnosis", None, "eponymous diseases (Parkinson, Crohn)", 250,
          _pick(EPONYM_DIAGNOSES)),
        c("department", None, "hospital departments with building numbers", 100,
          lambda r: f"{r.choice(('Cardiology', 'Radiology', 'Oncology'))}, Building "
          f"{r.randint(1, 9)}"),
        c("room", None, "room numbers, not street addresses", 100,
          lambda r: _fill(r, "Room ##?")),
        c("middle_name", None, "name says name but every value is null", 50,
          lambda r: None, dtype="String"),
        # free text without identifiers ---------------------------------------------------------
        c("progress_note", None, "free text without identifiers", 400, plain_text),
        c("follow_up_note", None, "mentions call/email but no actual phone or email", 300,
          lambda r: plain_text(r, CONTACT_MENTIONS + PLAIN_SENTENCES)),
        _text_col("feedback", None, "only 0.2% carry an identifier (below 2%)", 1000, 0.002),
        c("product_description", None, "product text", 200,
          lambda r: plain_text(r, PRODUCT_SENTENCES)),
        c("short_text", None, "20 values, tiny free text column", 20, plain_text),
    ]
    # fmt: on


LABELLED_COLUMNS: tuple[LabelledColumn, ...] = (*_positives(), *_negatives())
