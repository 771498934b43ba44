"""What a column's name says about its content.

Names are split into lower-case tokens (``patientDOB`` -> ``patient dob``, ``e-mail_2`` ->
``e mail 2``) and matched against small multilingual vocabularies. A hint never decides a kind on
its own: the values must agree (see :mod:`anonlab.profiling.detect`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

__all__ = ["NameHints", "name_hints", "tokens"]

_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
_SPLIT = re.compile(r"[^0-9a-zA-Z]+")


def tokens(name: str) -> tuple[str, ...]:
    """Split a column name into lower-case word tokens."""
    spaced = _CAMEL.sub(" ", name)
    return tuple(t.lower() for t in _SPLIT.split(spaced) if t)


# Each family: whole tokens that signal it, and substrings of the joined name that do
# (for compounds such as "geburtsdatum" or "dateofbirth").
_FAMILIES: dict[str, tuple[frozenset[str], tuple[str, ...]]] = {
    "email": (frozenset({"email", "mail", "correo", "courriel"}), ("email", "e_mail", "emailaddr")),
    "phone": (
        frozenset({"phone", "tel", "telephone", "mobile", "cell", "cellphone", "fax", "telefono",
                   "telefon", "handy", "portable", "phonenumber", "msisdn", "contact"}),
        ("phone", "telefon", "telephone", "mobilenumber"),
    ),
    "fax": (frozenset({"fax", "facsimile"}), ("fax",)),
    "ssn": (frozenset({"ssn", "socsec", "ss"}), ("socialsecurity", "ssn")),
    "zip": (
        frozenset({"zip", "zipcode", "postal", "postcode", "plz", "cp", "zip5", "zip3"}),
        ("zipcode", "postalcode", "postcode", "codigopostal"),
    ),
    "birth": (
        frozenset({"dob", "birth", "born", "birthday", "birthdate", "bday", "nacimiento",
                   "naissance", "geburtstag", "geboren", "nascita"}),
        ("birth", "geburts", "nacimiento", "naissance", "dateofbirth"),
    ),
    "date": (
        frozenset({"date", "dt", "day", "time", "timestamp", "ts", "datetime", "fecha", "datum",
                   "at", "on", "when"}),
        ("datum", "fecha", "datetime"),  # no bare "date": it is inside "update", "candidate"
    ),
    "name": (
        frozenset({"name", "names", "firstname", "lastname", "surname", "fullname", "forename",
                   "given", "family", "patient", "nombre", "apellido", "vorname", "nachname",
                   "prenom", "nom", "fname", "lname", "middle", "maiden", "person", "customer",
                   "contact", "employee", "member", "client", "guardian", "physician", "doctor",
                   "nurse", "provider", "author", "owner", "recipient", "sender"}),
        ("firstname", "lastname", "surname", "fullname", "vorname", "nachname", "apellido"),
    ),
    "not_person": (
        frozenset({"product", "company", "file", "filename", "user", "username", "login", "host",
                   "hostname", "brand", "drug", "medication", "item", "street", "city", "town",
                   "org", "organization", "organisation", "business", "vendor", "employer",
                   "hospital", "facility", "insurer", "plan", "school", "country", "state",
                   "team", "project", "app", "domain", "table", "column", "category", "dept",
                   "department", "store", "shop", "merchant", "bank", "device", "model", "sku",
                   "event", "campaign", "display", "screen", "nick", "nickname", "handle",
                   "pet", "ship", "field", "species", "diagnosis", "procedure", "test", "lab"}),
        ("username", "hostname", "filename", "company", "product"),
    ),
    "city": (
        frozenset({"city", "town", "municipality", "ciudad", "stadt", "ville", "locality",
                   "village", "citta", "ort", "hometown", "birthplace"}),
        # no bare "city" fragment: it is inside "ethnicity", "capacity", "velocity"
        ("stadt", "ciudad", "hometown", "cityname"),
    ),
    "address": (
        frozenset({"address", "addr", "street", "direccion", "strasse", "adresse", "adres",
                   "addr1", "addr2", "line1", "residence"}),
        ("address", "street", "strasse", "adresse"),
    ),
    "lat": (frozenset({"lat", "latitude", "breite", "latitud"}), ("latitude",)),
    "lon": (
        frozenset({"lon", "lng", "long", "longitude", "laenge", "longitud"}),
        ("longitude",),
    ),
    "geo": (
        frozenset({"geo", "coords", "coordinates", "coordinate", "latlon", "latlng", "location",
                   "position", "gps", "point", "geolocation", "coord"}),
        ("latlon", "latlng", "coordinates", "geoloc", "gps"),
    ),
    "id": (
        frozenset({"id", "ids", "mrn", "record", "account", "acct", "member", "policy", "number",
                   "no", "num", "nr", "customer", "client", "license", "licence", "plate", "vin",
                   "serial", "device", "badge", "passport", "uuid", "guid", "key", "code",
                   "identifier", "beneficiary", "subscriber", "enrollee", "employee", "student",
                   "patient", "chart", "case", "claim", "user", "msisdn", "imei", "iccid",
                   "tax", "tin", "nin", "nhs", "medicare", "medicaid", "registration"}),
        ("patientid", "customerid", "accountno", "accountnumber", "recordnumber", "memberid",
         "userid", "uuid", "guid"),
    ),
    "weak_id": (
        # Words that make "id"-ish words name a category or a code list, not one person or record.
        # (A unique order, invoice or request number does identify a record: it links the row to
        # another database, so those are not here.)
        frozenset({"product", "sku", "item", "batch", "lot", "version", "build", "status",
                   "category", "icd", "diagnosis", "procedure", "cpt", "drg", "zip", "postal",
                   "country", "state", "currency", "language", "color", "colour", "size",
                   "type", "class", "group", "dept", "department", "region", "store", "error",
                   "city", "airport", "area", "phone", "extension"}),
        ("productid", "statuscode", "errorcode"),
    ),
    "ip": (frozenset({"ip", "ipaddr", "ipv4", "ipv6", "ipaddress"}), ("ipaddr", "ipaddress")),
    "url": (
        frozenset({"url", "uri", "link", "website", "homepage", "web", "href", "site"}),
        ("website", "homepage"),
    ),
    "mac": (frozenset({"mac", "macaddr", "macaddress", "bssid"}), ("macaddr", "macaddress")),
    "card": (
        frozenset({"card", "cc", "pan", "creditcard", "ccnum", "cardnumber"}),
        ("creditcard", "cardnumber", "cardno"),
    ),
    "iban": (frozenset({"iban", "bank", "bic"}), ("iban",)),
    "vehicle": (
        frozenset({"vin", "plate", "vehicle", "licenseplate", "registration"}),
        ("licenseplate", "numberplate"),  # no bare "plate": it is inside "template"
    ),
    "device": (frozenset({"device", "serial", "imei", "udid", "mac", "iccid"}), ("serial",)),
    "health_plan": (
        frozenset({"member", "policy", "plan", "beneficiary", "subscriber", "insurance",
                   "medicare", "medicaid", "enrollee", "insured"}),
        ("policy", "beneficiary", "subscriber"),
    ),
    "medical_record": (
        frozenset({"mrn", "medical", "chart", "patient", "record", "ehr", "emr"}),
        ("medicalrecord", "patientid", "mrn"),
    ),
    "account": (frozenset({"account", "acct", "iban", "card", "bank"}), ("account", "acct")),
    "certificate": (
        frozenset({"license", "licence", "certificate", "cert", "npi", "dea", "permit"}),
        ("license", "licence", "certificate"),
    ),
    "age": (frozenset({"age", "edad", "alter", "years", "yrs"}), ()),
    "sex": (frozenset({"sex", "gender", "geschlecht", "sexo", "genre"}), ("gender",)),
    "ethnicity": (
        frozenset({"race", "ethnicity", "ethnic", "ethnie", "raza", "etnia"}),
        ("ethnic",),
    ),
    "quasi": (
        frozenset({"marital", "education", "occupation", "job", "profession", "workclass",
                   "nationality", "country", "citizenship", "language", "state", "county",
                   "region", "province", "district", "height", "weight", "bmi", "employer",
                   "income_bracket", "household", "children", "veteran", "disability",
                   "native", "degree", "title", "rank", "zodiac", "blood", "birthplace"}),
        ("marital", "nationality", "occupation", "education", "workclass"),
    ),
    "sensitive": (
        frozenset({"diagnosis", "diagnoses", "dx", "icd", "disease", "condition", "illness",
                   "medication", "medications", "drug", "drugs", "prescription", "rx",
                   "procedure", "treatment", "therapy", "charge", "charges", "cost", "salary",
                   "income", "wage", "wages", "balance", "debt", "credit", "score", "religion",
                   "religious", "sexual", "orientation", "political", "party", "union", "hiv",
                   "pregnancy", "pregnant", "genetic", "genotype", "biometric", "criminal",
                   "conviction", "offense", "offence", "result", "results", "lab", "test",
                   "symptom", "symptoms", "note", "notes", "comment", "comments", "allergy",
                   "allergies", "mental", "psychiatric", "substance", "alcohol", "smoker",
                   "smoking", "payment", "amount", "price", "revenue", "spend", "class",
                   "outcome", "label", "grade", "rating", "insurer", "insurance", "payer"}),
        ("diagnos", "salary", "income", "religio", "medicat", "prescri"),
    ),
    "text": (
        frozenset({"note", "notes", "comment", "comments", "text", "description", "desc",
                   "remarks", "remark", "message", "body", "summary", "narrative", "memo",
                   "free", "freetext", "feedback", "review", "transcript", "details"}),
        ("comment", "narrative", "freetext", "description"),
    ),
}


@dataclass(frozen=True)
class NameHints:
    """The families a column's name belongs to (``"email"``, ``"birth"``, ``"id"``, ...)."""

    name: str
    tokens: tuple[str, ...]
    families: frozenset[str]

    def __contains__(self, family: object) -> bool:
        return family in self.families

    @property
    def person_name(self) -> bool:
        """The name says people's names (``last_name``) and not a thing's (``product_name``)."""
        return "name" in self.families and "not_person" not in self.families

    @property
    def record_id(self) -> bool:
        """The name says an identifier of a person or record, not of a product or event."""
        return "id" in self.families and "weak_id" not in self.families


@lru_cache(maxsize=4096)
def name_hints(name: str) -> NameHints:
    """The :class:`NameHints` of a column name."""
    toks = tokens(name)
    joined = "".join(toks)
    found = set()
    for family, (words, fragments) in _FAMILIES.items():
        if any(t in words for t in toks) or any(f in joined for f in fragments):
            found.add(family)
    # "id" as a suffix glued to a word (patientid, custid) counts as an id token.
    if any(t.endswith("id") and len(t) > 3 for t in toks):
        found.add("id")
    return NameHints(name=name, tokens=toks, families=frozenset(found))
