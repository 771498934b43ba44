"""The writer of one synthetic clinical note: it records each identifier's offsets as it writes.

A :class:`Note` holds the text written so far and the spans of the identifiers in it. Its
``slot_<name>`` methods are what the note templates call: each writes one piece of a sentence
(a name, a date, a dose, ...), as plain text or, for an identifier, with :meth:`Note.ident`,
which records the span at the moment the text is appended. Nothing is ever searched for.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Sequence
from typing import NamedTuple, TypeVar

import numpy as np

from anonlab.datasets import _note_vocabulary as vocab
from anonlab.datasets._census_names import Census
from anonlab.datasets._note_dates import (
    DAY_FORMATS,
    MONTH_DAY_FORMATS,
    MONTH_YEAR_FORMATS,
    WEEKDAY_FORMATS,
    YEAR_FORMATS,
    Formats,
)

__all__ = ["Draws", "Note", "Person", "Record"]

_T = TypeVar("_T")

_UNITS_WORDS = ("", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")


def _number_word(n: int) -> str:
    """90-109 in words ("ninety-three", "one hundred two")."""
    tens, units = divmod(n, 10)
    if tens == 9:
        return "ninety" + (f"-{_UNITS_WORDS[units]}" if units else "")
    return "one hundred" + (f" {_UNITS_WORDS[units]}" if units else "")


# --------------------------------------------------------------------------------------------
# Random draws: blocks of numpy uniforms consumed one by one.


class Draws:
    __slots__ = ("_buf", "_i", "_rng")

    def __init__(self, rng: np.random.Generator) -> None:
        self._rng = rng
        self._buf: list[float] = []
        self._i = 0

    def u(self) -> float:
        i = self._i
        if i >= len(self._buf):
            self._buf = self._rng.random(1 << 15).tolist()
            i = 0
        self._i = i + 1
        return self._buf[i]

    def below(self, k: int) -> int:
        return min(int(self.u() * k), k - 1)

    def between(self, lo: int, hi: int) -> int:
        """An int in ``[lo, hi]``, both included."""
        return lo + self.below(hi - lo + 1)

    def pick(self, seq: Sequence[_T]) -> _T:
        return seq[self.below(len(seq))]

    def chance(self, p: float) -> bool:
        return self.u() < p

    def weighted(self, cum: Sequence[float]) -> int:
        return min(bisect.bisect_right(cum, self.u() * cum[-1]), len(cum) - 1)

    def digits(self, k: int) -> str:
        return str(self.below(10**k)).zfill(k)


# --------------------------------------------------------------------------------------------
# The patient of a note and the other people in it.


class Record(NamedTuple):
    first: str
    last: str
    female: bool
    email: str
    phone: tuple[int, int, int]  # area code, exchange, line
    ssn: str
    mrn: str
    address: str
    city: str
    zip: str
    dob: dt.date
    adm: dt.date
    dis: dt.date
    age: int  # completed years at admission
    dx_code: str
    dx: str


class Person(NamedTuple):
    first: str
    last: str
    female: bool


class Note:
    """One note being written: its text so far, its spans, and the people it names."""

    def __init__(self, d: Draws, census: Census, rec: Record) -> None:
        self.d = d
        self.census = census
        self.rec = rec
        self.parts: list[str] = []
        self.pos = 0
        self.spans: list[tuple[int, int, str]] = []
        self.cap = False
        self._rel: tuple[str, Person] | None = None
        self._rel_phone: tuple[int, int, int] | None = None
        self._pcp: Person | None = None
        self._other: Person | None = None

    # -- writing --------------------------------------------------------------------------

    def text(self, s: str) -> None:
        if self.cap and s:
            s = s[0].upper() + s[1:]
            self.cap = False
        self.parts.append(s)
        self.pos += len(s)

    def ident(self, s: str, kind: str) -> None:
        if self.cap:
            s = s[0].upper() + s[1:]
            self.cap = False
        self.spans.append((self.pos, self.pos + len(s), kind))
        self.parts.append(s)
        self.pos += len(s)

    def date(self, day: dt.date, formats: Formats) -> None:
        funcs, cum = formats
        before, span, after = funcs[self.d.weighted(cum)](day)
        if before:
            self.text(before)
        self.ident(span, "date")
        if after:
            self.text(after)

    # -- people ---------------------------------------------------------------------------

    def person(self, female: bool, last: str | None = None) -> Person:
        """Someone other than the patient; about a third of them carry a hard-word name."""
        d, census = self.d, self.census
        firsts = census.female if female else census.male
        first = firsts.names[d.weighted(firsts.cum)]
        surname = last if last is not None else census.last.names[d.weighted(census.last.cum)]
        if d.chance(0.4):
            mode = d.below(3)
            if mode != 1:
                first = d.pick(firsts.hard)
            if mode != 0 and last is None:
                surname = d.pick(census.last.hard)
        return Person(first, surname, female)

    def relative(self) -> tuple[str, Person]:
        if self._rel is None:
            age = self.rec.age
            roles = (
                vocab.RELATIVES_CHILD
                if age < 18
                else vocab.RELATIVES_YOUNG
                if age < 45
                else vocab.RELATIVES_OLDER
            )
            role, female = roles[self.d.below(len(roles))]
            same_last = role in {"mother", "father", "son", "daughter", "brother", "grandson"}
            if role in {"wife", "husband"} and self.d.chance(0.7):
                same_last = True
            self._rel = (role, self.person(female, self.rec.last if same_last else None))
        return self._rel

    def pcp(self) -> Person:
        if self._pcp is None:
            self._pcp = self.person(self.d.chance(0.5))
        return self._pcp

    def other(self) -> Person:
        if self._other is None:
            self._other = self.person(self.d.chance(0.6))
        return self._other

    def old_role(self) -> str:
        age = self.rec.age
        roles = vocab.OLD_RELATIVES[0 if age < 40 else 1 if age < 75 else 2]
        return self.d.pick(roles)

    def full_name(self, p: Person) -> None:
        self.ident(f"{p.first} {p.last}", "name")

    # -- slots: the patient ---------------------------------------------------------------

    def _title(self) -> str:
        if self.rec.age < 18:
            return ""
        if not self.rec.female:
            return "Mr."
        return "Mrs." if self.d.chance(0.35) else "Ms."

    def slot_pt(self) -> None:
        """The patient, named the way running prose names them."""
        r, k = self.rec, self.d.below(20)
        if k < 8 and r.age >= 18:
            self.text(self._title() + " ")
            self.ident(r.last, "name")
        elif k < 13:
            self.ident(f"{r.first} {r.last}", "name")
        elif k < 18:
            self.ident(r.first, "name")
        else:
            self.ident(r.last, "name")

    def slot_pt_full(self) -> None:
        self.ident(f"{self.rec.first} {self.rec.last}", "name")

    def slot_pt_title(self) -> None:
        if self.rec.age < 18:
            self.ident(self.rec.first, "name")
        else:
            self.text(self._title() + " ")
            self.ident(self.rec.last, "name")

    def slot_pt_first(self) -> None:
        self.ident(self.rec.first, "name")

    def slot_pt_poss(self) -> None:
        """The patient's name with a possessive "'s" (outside the span)."""
        r, k = self.rec, self.d.below(4)
        if k == 0 and r.age >= 18:
            self.text(self._title() + " ")
            self.ident(r.last, "name")
        elif k == 1:
            self.ident(f"{r.first} {r.last}", "name")
        elif k == 2:
            self.ident(r.first, "name")
        else:
            self.ident(r.last, "name")
        self.text("'" if r.last.endswith("s") and k in {0, 1, 3} else "'s")

    def slot_pt_upper(self) -> None:
        self.ident(f"{self.rec.first} {self.rec.last}".upper(), "name")

    def slot_pt_lastfirst(self) -> None:
        last = self.rec.last.upper() if self.d.chance(0.6) else self.rec.last
        self.ident(f"{last}, {self.rec.first}", "name")

    def slot_pron(self) -> None:
        self.text("she" if self.rec.female else "he")

    def slot_obj(self) -> None:
        self.text("her" if self.rec.female else "him")

    def slot_poss(self) -> None:
        self.text("her" if self.rec.female else "his")

    def slot_sexword(self) -> None:
        age, f = self.rec.age, self.rec.female
        if age < 13:
            self.text("girl" if f else "boy")
        elif age < 18:
            self.text("adolescent girl" if f else "adolescent boy")
        elif self.d.chance(0.3):
            self.text("female" if f else "male")
        else:
            self.text("woman" if f else "man")

    def _age_number(self, age: int) -> None:
        """An age as digits: an identifier over 89, plain text otherwise."""
        if age > 89:
            self.ident(str(age), "age")
        else:
            self.text(str(age))

    def _age_phrase(self, age: int, article: bool) -> None:
        if age < 2:
            months = self._months()
            if article:
                self.text("an " if months in {8, 11, 18} else "a ")
            self.text(f"{months}-month-old")
            return
        if article:
            self.text("an " if age in {8, 11, 18} or 80 <= age <= 89 else "a ")
        k = self.d.below(20)
        if age > 89 and k == 19:
            self.ident(_number_word(age), "age")
            self.text("-year-old")
            return
        self._age_number(age)
        self.text(
            ("-year-old", " year old", " yo", " y/o")[
                0 if k < 12 else 1 if k < 15 else 2 if k < 17 else 3
            ]
        )

    def _months(self) -> int:
        return max(1, (self.rec.adm - self.rec.dob).days // 30)

    def slot_a_age(self) -> None:
        """ "a 67-year-old" / "an 81 yo" for the patient."""
        self._age_phrase(self.rec.age, article=True)

    def slot_age_num(self) -> None:
        if self.rec.age < 2:
            self.text(f"{self._months()} months")
        else:
            self._age_number(self.rec.age)

    def slot_age_sex(self) -> None:
        """ "67F" / "67 M": a clinician's shorthand for age and sex."""
        self._age_number(max(self.rec.age, 1))
        self.text((" " if self.d.chance(0.4) else "") + ("F" if self.rec.female else "M"))

    # -- slots: other people --------------------------------------------------------------

    def slot_rel(self) -> None:
        """A relative introduced by role and name: "daughter Hope", "son Will Grant"."""
        role, p = self.relative()
        self.text(role + " ")
        if self.d.chance(0.55):
            self.ident(p.first, "name")
        else:
            self.full_name(p)

    def slot_rel_full(self) -> None:
        self.full_name(self.relative()[1])

    def slot_rel_first(self) -> None:
        self.ident(self.relative()[1].first, "name")

    def slot_rel_role(self) -> None:
        self.text(self.relative()[0])

    def slot_rel_phone(self) -> None:
        if self._rel_phone is None:
            self._rel_phone = self._random_phone(self.rec.city)
        self._phone(self._rel_phone)

    def slot_rel_email(self) -> None:
        self.ident(self._email_for(self.relative()[1]), "email")

    def slot_old_rel(self) -> None:
        """A very old relative, unnamed: "94-year-old mother" (the age labelled if over 89)."""
        role = self.old_role()
        age = self.d.between(90, 104) if self.d.chance(0.8) else self.d.between(78, 89)
        self._age_number(age)
        self.text((" year old " if self.d.chance(0.25) else "-year-old ") + role)

    def slot_old_rel_end(self) -> None:
        """A very old relative at the end of a sentence: "mother, aged 95", "father (93 yo)"."""
        role = self.old_role()
        age = self.d.between(90, 104) if self.d.chance(0.8) else self.d.between(78, 89)
        k = self.d.below(5)
        if k < 2:
            self._age_number(age)
            self.text(("-year-old ", " year old ")[k] + role)
        elif k == 2:
            self.text(f"{role}, aged ")
            self._age_number(age)
        elif k == 3:
            self.text(f"{role} (")
            self._age_number(age)
            self.text(self.d.pick((" yo)", " y/o)", " years old)")))
        else:
            self.text(f"{role}, age ")
            self._age_number(age)

    def slot_old_role(self) -> None:
        self.text(self.old_role())

    def slot_old_kin(self) -> None:
        """A very old family member (no neighbours)."""
        role = self.old_role()
        self.text("sister" if role == "neighbor" else role)

    def slot_age_old(self) -> None:
        """An age of 90-104, labelled, as digits."""
        self.ident(str(self.d.between(90, 104)), "age")

    def slot_age_word(self) -> None:
        """An age of 90-99 in words, labelled."""
        self.ident(_number_word(self.d.between(90, 99)), "age")

    def slot_age_young(self) -> None:
        """An age of 21-89, unlabelled (Safe Harbor keeps ages up to 89)."""
        self.text(str(self.d.between(21, 89)))

    def _doctor(self, p: Person) -> None:
        k = self.d.below(10)
        if k < 6:
            self.text("Dr. ")
            self.ident(p.last, "name")
        elif k < 9:
            self.text("Dr. ")
            self.full_name(p)
        else:
            self.full_name(p)
            self.text(", MD")

    def slot_dr(self) -> None:
        self._doctor(self.person(self.d.chance(0.45)))

    def slot_dr_full(self) -> None:
        p = self.person(self.d.chance(0.45))
        if self.d.chance(0.5):
            self.text("Dr. ")
            self.full_name(p)
        else:
            self.full_name(p)
            self.text(self.d.pick((", MD", ", DO", ", NP", ", PA-C")))

    def slot_dr_last(self) -> None:
        self.ident(self.person(self.d.chance(0.45)).last, "name")

    def slot_dr_poss(self) -> None:
        p = self.person(self.d.chance(0.45))
        self.text("Dr. ")
        self.ident(p.last, "name")
        self.text("'" if p.last.endswith("s") else "'s")

    def slot_pcp(self) -> None:
        self.text("Dr. ")
        self.ident(self.pcp().last, "name")

    def slot_nurse_full(self) -> None:
        self.full_name(self.person(self.d.chance(0.8)))

    def slot_nurse_first(self) -> None:
        self.ident(self.person(self.d.chance(0.8)).first, "name")

    def slot_other_full(self) -> None:
        self.full_name(self.other())

    def slot_other_first(self) -> None:
        self.ident(self.other().first, "name")

    def slot_spouse(self) -> None:
        p = self.person(not self.rec.female, self.rec.last if self.d.chance(0.7) else None)
        self.full_name(p)

    # -- slots: dates ---------------------------------------------------------------------

    def _shift(self, day: dt.date, lo: int, hi: int) -> dt.date:
        """A day ``lo`` to ``hi`` days from ``day``, never before the date of birth."""
        return max(day + dt.timedelta(days=self.d.between(lo, hi)), self.rec.dob)

    def slot_adm(self) -> None:
        self.date(self.rec.adm, DAY_FORMATS)

    def slot_dis(self) -> None:
        self.date(self.rec.dis, DAY_FORMATS)

    def slot_adm_y(self) -> None:
        self.date(self.rec.adm, YEAR_FORMATS)

    def slot_dis_y(self) -> None:
        self.date(self.rec.dis, YEAR_FORMATS)

    def slot_dob(self) -> None:
        self.date(self.rec.dob, YEAR_FORMATS)

    def slot_past(self) -> None:
        self.date(self._shift(self.rec.adm, -400, -3), DAY_FORMATS)

    def slot_past_y(self) -> None:
        self.date(self._shift(self.rec.adm, -900, -20), YEAR_FORMATS)

    def slot_recent(self) -> None:
        self.date(self._shift(self.rec.adm, -14, -1), DAY_FORMATS)

    def slot_recent_weekday(self) -> None:
        self.date(self._shift(self.rec.adm, -6, -1), WEEKDAY_FORMATS)

    def slot_hosp(self) -> None:
        self.date(self._shift(self.rec.adm, 0, (self.rec.dis - self.rec.adm).days), DAY_FORMATS)

    def slot_hosp_md(self) -> None:
        day = self._shift(self.rec.adm, 0, (self.rec.dis - self.rec.adm).days)
        self.date(day, MONTH_DAY_FORMATS)

    def slot_fut(self) -> None:
        self.date(self._shift(self.rec.dis, 5, 90), DAY_FORMATS)

    def slot_fut_md(self) -> None:
        self.date(self._shift(self.rec.dis, 1, 10), MONTH_DAY_FORMATS)

    def slot_fut_weekday(self) -> None:
        self.date(self._shift(self.rec.dis, 2, 12), WEEKDAY_FORMATS)

    def slot_past_my(self) -> None:
        self.date(self._shift(self.rec.adm, -1500, -60), MONTH_YEAR_FORMATS)

    def slot_fut_my(self) -> None:
        self.date(self._shift(self.rec.dis, 40, 200), MONTH_YEAR_FORMATS)

    def slot_year(self) -> None:
        """A bare year before the admission: not an identifier."""
        lo = max(self.rec.dob.year, self.rec.adm.year - 30)
        hi = max(lo, self.rec.adm.year - 1)
        self.text(str(self.d.between(lo, hi)))

    # -- slots: contact details -----------------------------------------------------------

    def _random_phone(self, city: str) -> tuple[int, int, int]:
        codes = vocab.AREA_CODES[city]
        area = codes[self.d.below(len(codes))]
        exchange = self.d.between(201, 989)
        if exchange % 100 == 11 or exchange == 555:
            exchange += 1
        return area, exchange, self.d.below(10000)

    def _phone(self, number: tuple[int, int, int]) -> None:
        a, e, n = number
        k = self.d.below(20)
        if k < 2:
            s = f"{a}{e}{n:04d}"
        elif k < 8:
            s = f"({a}) {e}-{n:04d}"
        elif k < 13:
            s = f"{a}-{e}-{n:04d}"
        elif k < 15:
            s = f"{a}.{e}.{n:04d}"
        elif k < 17:
            s = f"+1 {a} {e} {n:04d}"
        elif k < 18:
            s = f"1-{a}-{e}-{n:04d}"
        elif k < 19:
            s = f"{a} {e} {n:04d}"
        else:
            s = f"+1 ({a}) {e}-{n:04d}"
        self.ident(s, "phone")

    def slot_phone(self) -> None:
        self._phone(self.rec.phone)

    def slot_phone_other(self) -> None:
        city = self.rec.city if self.d.chance(0.7) else self.d.pick(vocab.CITY_NAMES)
        self._phone(self._random_phone(city))

    def slot_ext(self) -> None:
        self.text(str(self.d.between(2, 4999)))

    def _email_for(self, p: Person) -> str:
        f = "".join(ch for ch in p.first.lower() if ch.isalpha())
        last = "".join(ch for ch in p.last.lower() if ch.isalpha())
        k = self.d.below(5)
        local = (
            f"{f}.{last}",
            f"{f[0]}{last}",
            f"{f}{last}{self.d.between(1, 99)}",
            f"{last}.{f}",
            f"{f}_{last}{self.d.between(50, 99)}",
        )[k]
        return f"{local}@{self.d.pick(vocab.EMAIL_DOMAINS)}"

    def slot_email(self) -> None:
        self.ident(self.rec.email, "email")

    def slot_email_staff(self) -> None:
        p = self.person(self.d.chance(0.5))
        f = "".join(ch for ch in p.first.lower() if ch.isalpha())
        last = "".join(ch for ch in p.last.lower() if ch.isalpha())
        self.ident(f"{f[0]}{last}@{self.d.pick(vocab.HOSPITAL_DOMAINS)}", "email")

    def slot_url(self) -> None:
        d, r = self.d, self.rec
        k = d.below(8)
        host = d.pick(vocab.HOSPITAL_DOMAINS)
        first = "".join(ch for ch in r.first.lower() if ch.isalpha())
        last = "".join(ch for ch in r.last.lower() if ch.isalpha())
        code = "".join(d.pick("abcdefghjkmnpqrstuvwxyz23456789") for _ in range(7))
        if k == 0:
            url = f"https://mychart.{host}/patient/{d.digits(7)}"
        elif k == 1:
            url = f"http://telehealth.{host}/join/{code}"
        elif k == 2:
            url = f"www.caringbridge.org/visit/{first}{last}"
        elif k == 3:
            url = f"portal.example-health.com/p/{d.between(100, 99999)}"
        elif k == 4:
            url = f"https://www.facebook.com/{first}.{last}.{d.between(1, 999)}"
        elif k == 5:
            url = f"https://www.gofundme.com/f/help-{first}-{last}-recover"
        elif k == 6:
            url = f"www.{last}family.net/updates"
        else:
            url = f"https://{host}/records/request?id={d.digits(8)}"
        self.ident(url, "url")

    def slot_ip(self) -> None:
        d = self.d
        k = d.below(10)
        if k < 4:
            ip = f"{d.between(24, 99)}.{d.between(0, 255)}.{d.between(0, 255)}.{d.between(1, 254)}"
        elif k < 6:
            ip = f"10.{d.between(0, 255)}.{d.between(0, 255)}.{d.between(1, 254)}"
        elif k < 8:
            ip = f"192.168.{d.between(0, 20)}.{d.between(2, 254)}"
        elif k < 9:
            a, b, c = d.between(128, 223), d.between(0, 255), d.between(0, 255)
            ip = f"{a}.{b}.{c}.{d.between(1, 254)}"
        else:
            groups = [f"{d.below(65536):x}" for _ in range(4)]
            ip = f"2601:{groups[0]}:{groups[1]}::{groups[2]}:{groups[3]}"
        self.ident(ip, "ip")

    def slot_ssn(self) -> None:
        s, k = self.rec.ssn, self.d.below(10)
        if k >= 6:
            s = s.replace("-", " ") if k < 8 else s.replace("-", "")
        self.ident(s, "ssn")

    def slot_addr(self) -> None:
        self.ident(self.rec.address, "address")

    def _street(self) -> str:
        d = self.d
        direction = d.pick(("N ", "S ", "E ", "W ")) if d.chance(0.2) else ""
        s = f"{d.between(1, 9999)} {direction}{d.pick(vocab.STREETS)} {d.pick(vocab.SUFFIXES)}"
        k = d.below(8)
        if k == 0:
            s += f" Apt {d.between(1, 30)}{d.pick('ABCDEF')}"
        elif k == 1:
            s += f" Unit {d.between(1, 400)}"
        elif k == 2:
            s += f", Suite {d.between(100, 900)}"
        return s

    def slot_addr_other(self) -> None:
        self.ident(self._street(), "address")

    def slot_pobox(self) -> None:
        prefix = self.d.pick(("PO Box", "P.O. Box", "PO Box"))
        self.ident(f"{prefix} {self.d.between(1, 9999)}", "address")

    def slot_city(self) -> None:
        self.ident(self.rec.city, "address")

    def slot_city_other(self) -> None:
        city = self.d.pick(vocab.CITY_NAMES)
        if city == self.rec.city:
            city = vocab.CITY_NAMES[(vocab.CITY_NAMES.index(city) + 1) % len(vocab.CITY_NAMES)]
        self.ident(city, "address")

    def slot_state(self) -> None:
        self.text(vocab.STATES[self.rec.city])

    def slot_zip(self) -> None:
        z = self.rec.zip
        if self.d.chance(0.3):
            z += f"-{self.d.digits(4)}"
        self.ident(z, "zip")

    def slot_addr_line(self) -> None:
        """Street, city, state and ZIP: three spans (the state is not an identifier)."""
        r = self.rec
        if self.d.chance(0.75):
            self.ident(r.address, "address")
            self.text(", ")
            self.ident(r.city, "address")
            self.text(f", {vocab.STATES[r.city]} ")
            self.slot_zip()
        else:
            city = self.d.pick(vocab.CITY_NAMES)
            self.ident(self._street(), "address")
            self.text(", ")
            self.ident(city, "address")
            self.text(f", {vocab.STATES[city]} ")
            zip3 = self.d.pick(vocab.ZIP3[city])
            self.ident(zip3 + self.d.digits(2), "zip")

    # -- slots: record numbers ------------------------------------------------------------

    def slot_mrn_record(self) -> None:
        """The record's MRN as the column writes it, "MRN-0048213": one token, all labelled."""
        self.ident(self.rec.mrn, "mrn")

    def slot_mrn(self) -> None:
        """The MRN's digits after a label written by the template ("MRN: 0048213")."""
        digits = self.rec.mrn.removeprefix("MRN-")
        if self.d.chance(0.3):
            digits = digits.lstrip("0") or "0"
        self.ident(digits, "mrn")

    def slot_acct(self) -> None:
        d = self.d
        k = d.below(3)
        code = (d.digits(6), f"{d.digits(2)}-{d.digits(4)}-{d.digits(1)}", d.digits(9))[k]
        self.ident(code, "mrn")

    def slot_member(self) -> None:
        d = self.d
        letters = "ABCDEFGHJKLMNPRSTUVWXYZ"
        k = d.below(3)
        if k == 0:
            code = "".join(d.pick(letters) for _ in range(3)) + d.digits(6)
        elif k == 1:
            code = d.pick(letters) + d.digits(8)
        else:  # Medicare Beneficiary Identifier shape
            code = (
                f"{d.between(1, 9)}{d.pick(letters)}{d.pick(letters)}{d.below(10)}-"
                f"{d.pick(letters)}{d.pick(letters)}{d.below(10)}-"
                f"{d.pick(letters)}{d.pick(letters)}{d.digits(2)}"
            )
        self.ident(code, "mrn")

    def slot_rx(self) -> None:
        self.ident(self.d.digits(7), "mrn")

    def slot_serial(self) -> None:
        d = self.d
        k = d.below(3)
        code = (
            f"{d.pick('PRSKM')}{d.pick('JNTXQ')}{d.pick('NBWD')}{d.digits(6)}{d.pick('SHR')}",
            f"SN-{d.digits(4)}-{d.digits(5)}",
            f"{d.digits(2)}-{d.digits(4)}-{d.digits(2)}",
        )[k]
        self.ident(code, "mrn")

    def slot_license(self) -> None:
        self.ident(self.d.pick("ABCDFGHKLMNPRSTW") + self.d.digits(7), "mrn")

    # -- slots: clinical values (never identifiers) ---------------------------------------

    def slot_dx(self) -> None:
        self.text(self.rec.dx)

    def slot_dx_lc(self) -> None:
        dx = self.rec.dx
        self.text(dx if dx[:2].isupper() or dx.startswith("COVID") else dx[0].lower() + dx[1:])

    def slot_dxcode(self) -> None:
        self.text(self.rec.dx_code)

    def slot_complaint(self) -> None:
        self.text(self.d.pick(vocab.COMPLAINTS_CHILD if self.rec.age < 18 else vocab.COMPLAINTS))

    def slot_pmh(self) -> None:
        self.text(self.d.pick(vocab.PMH_CHILD if self.rec.age < 18 else vocab.PMH))

    def slot_fhx(self) -> None:
        self.text(self.d.pick(vocab.FHX))

    def slot_med(self) -> None:
        self.text(self.d.pick(vocab.MEDS)[0])

    def slot_med_dose(self) -> None:
        name, dose = vocab.MEDS[self.d.below(len(vocab.MEDS))]
        self.text(f"{name} {dose}")

    def slot_analgesic(self) -> None:
        self.text(self.d.pick(vocab.ANALGESICS))

    def slot_tablet(self) -> None:
        self.text(self.d.pick(vocab.TABLETS))

    def slot_bp_med(self) -> None:
        self.text(self.d.pick(vocab.BP_MEDS))

    def slot_freq(self) -> None:
        self.text(self.d.pick(vocab.FREQS))

    def slot_spec(self) -> None:
        self.text(self.d.pick(vocab.SPECIALTIES))

    def slot_test(self) -> None:
        self.text(self.d.pick(vocab.TESTS))

    def slot_proc(self) -> None:
        self.text(self.d.pick(vocab.PROCEDURES))

    def slot_job(self) -> None:
        if self.rec.age >= 67:
            self.text("retired " + self.d.pick(vocab.RETIRED_JOBS))
        else:
            self.text(self.d.pick(vocab.JOBS))

    def slot_dispo(self) -> None:
        self.text(self.d.pick(vocab.DISPOSITIONS))

    def slot_agency(self) -> None:
        self.text(self.d.pick(vocab.AGENCIES))

    def slot_insurer(self) -> None:
        self.text(self.d.pick(vocab.INSURERS))

    def slot_event(self) -> None:
        self.text(self.d.pick(vocab.EVENTS))

    def slot_page_reason(self) -> None:
        self.text(self.d.pick(vocab.PAGES))

    def slot_time(self) -> None:
        d = self.d
        if d.chance(0.7):
            self.text(f"{d.between(0, 23):02d}:{d.pick(('00', '15', '30', '45', '10', '50'))}")
        else:
            self.text(f"{d.between(1, 12)}:{d.between(0, 5)}{d.below(10)} {d.pick(('am', 'pm'))}")

    def slot_clinic_time(self) -> None:
        d = self.d
        if d.chance(0.6):
            self.text(f"{d.between(8, 16)}:{d.pick(('00', '15', '30', '45'))}")
        else:
            self.text(f"{d.between(1, 4)}:{d.pick(('00', '20', '40'))} pm")

    def slot_room(self) -> None:
        self.text(f"{self.d.between(1, 9)}{self.d.between(0, 4)}{self.d.between(1, 9)}")

    def slot_n(self) -> None:
        self.text(str(self.d.between(2, 14)))

    def slot_pain(self) -> None:
        self.text(str(self.d.between(2, 10)))

    def slot_pain_low(self) -> None:
        self.text(str(self.d.between(0, 4)))

    def slot_bp(self) -> None:
        self.text(f"{self.d.between(92, 188)}/{self.d.between(48, 108)}")

    def slot_hr(self) -> None:
        self.text(str(self.d.between(52, 128)))

    def slot_rr(self) -> None:
        self.text(str(self.d.between(12, 28)))

    def slot_temp(self) -> None:
        self.text(f"{self.d.between(970, 1026) / 10:.1f}")

    def slot_spo2(self) -> None:
        self.text(str(self.d.between(86, 100)))

    def slot_wbc(self) -> None:
        self.text(f"{self.d.between(30, 220) / 10:.1f}")

    def slot_hgb(self) -> None:
        self.text(f"{self.d.between(70, 165) / 10:.1f}")

    def slot_cr(self) -> None:
        self.text(f"{self.d.between(5, 45) / 10:.1f}")

    def slot_k(self) -> None:
        self.text(f"{self.d.between(30, 58) / 10:.1f}")

    def slot_a1c(self) -> None:
        self.text(f"{self.d.between(55, 125) / 10:.1f}")

    def slot_strength(self) -> None:
        self.text(str(self.d.between(2, 5)))

    def slot_grade(self) -> None:
        self.text(str(self.d.between(1, 4)))

    def slot_size(self) -> None:
        self.text(str(self.d.between(3, 14)))

    def slot_weight(self) -> None:
        self.text(f"{self.d.between(450, 1300) / 10:.1f}")

    def slot_height(self) -> None:
        self.text(str(self.d.between(150, 193)))

    def slot_packyears(self) -> None:
        self.text(str(self.d.between(5, 60)))

    def slot_smoke_years(self) -> None:
        self.text(str(self.d.between(5, 45)))

    def slot_drinks(self) -> None:
        self.text(str(self.d.between(1, 12)))

    def slot_nkids(self) -> None:
        self.text(self.d.pick(("two", "three", "four", "2", "3")))
