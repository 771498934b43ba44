"""A synthetic, realistic-looking hospital patient table, generated on the fly.

Everything is drawn with one :func:`numpy.random.default_rng` and assembled with polars
expressions, column by column, so no Python code runs per row and a million rows take about two
seconds on two cores. The lookup tables below (names, cities, diagnoses, ...) are small; the
per-row work is array indexing, ``gather`` from small :class:`polars.Series` and ``concat_str``.

No row describes a real person. The name lists are public-domain frequency lists (the US Social
Security Administration's baby-name statistics and the 2010 Census surname list), the cities, area
codes and ZIP3 prefixes are public facts, and the ICD-10-CM codes and titles come from the public
classification published by CDC/NCHS.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any, Literal, overload

import numpy as np
import polars as pl

from anonlab._validation import check_int, check_one_of

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

__all__ = ["BACKENDS", "COLUMNS", "MAX_ROWS", "patients"]

BACKENDS = ("polars", "pandas", "arrow")

#: Column names and polars dtypes of :func:`patients`, in order.
COLUMNS: dict[str, type[pl.DataType]] = {
    "name": pl.String,
    "email": pl.String,
    "phone": pl.String,
    "ssn": pl.String,
    "mrn": pl.String,
    "address": pl.String,
    "city": pl.String,
    "zip": pl.String,
    "date_of_birth": pl.Date,
    "sex": pl.String,
    "ethnicity": pl.String,
    "admission_date": pl.Date,
    "discharge_date": pl.Date,
    "diagnosis_code": pl.String,
    "diagnosis": pl.String,
    "note": pl.String,
    "total_charges": pl.Float64,
    "insurer": pl.String,
}

#: The largest ``n``: medical record numbers have 7 digits and are unique.
MAX_ROWS = 10_000_000

# --------------------------------------------------------------------------------------------
# Lookup tables. Weights are relative frequencies (they need not sum to anything).

# Given names, with approximate relative frequency (SSA counts over the birth years of today's
# population, in units of 10,000 births).
_FEMALE_NAMES = """
Mary 330 Patricia 160 Jennifer 147 Linda 145 Elizabeth 140 Barbara 135 Susan 110 Jessica 105
Sarah 100 Karen 98 Lisa 96 Nancy 95 Betty 93 Sandra 87 Margaret 86 Ashley 85 Kimberly 84
Emily 84 Donna 83 Michelle 81 Carol 80 Amanda 78 Melissa 76 Deborah 74 Stephanie 73 Dorothy 72
Rebecca 71 Sharon 70 Laura 69 Cynthia 68 Amy 66 Kathleen 66 Angela 65 Shirley 64 Brenda 63
Emma 62 Anna 62 Pamela 61 Nicole 60 Samantha 60 Katherine 59 Christine 58 Helen 57 Debra 57
Rachel 56 Carolyn 55 Janet 55 Maria 55 Catherine 54 Heather 54 Diane 53 Olivia 53 Julie 52
Joyce 51 Victoria 50 Ruth 50 Virginia 49 Lauren 49 Kelly 48 Christina 48 Joan 47 Evelyn 47
Judith 46 Andrea 45 Hannah 45 Megan 44 Cheryl 44 Jacqueline 43 Martha 43 Madison 42 Teresa 42
Gloria 41 Sara 41 Janice 40 Ann 40 Kathryn 39 Abigail 39 Sophia 38 Frances 37 Jean 37 Alice 36
Judy 36 Isabella 35 Julia 35 Grace 34 Amber 34 Denise 33 Danielle 33 Marilyn 32 Beverly 32
Charlotte 31 Natalie 31 Theresa 30 Diana 30 Brittany 29 Kayla 28 Alexis 28 Lori 27 Ana 26
Rosa 24 Carmen 24 Ava 23 Mia 22 Camila 20 Sofia 20
"""

_MALE_NAMES = """
James 480 Robert 470 John 450 Michael 440 David 360 William 360 Richard 250 Joseph 260
Thomas 230 Christopher 200 Charles 230 Daniel 190 Matthew 160 Anthony 140 Mark 130 Donald 140
Steven 130 Andrew 130 Paul 140 Joshua 120 Kenneth 110 Kevin 120 Brian 120 George 130
Timothy 110 Ronald 110 Jason 100 Edward 120 Jeffrey 100 Ryan 95 Jacob 90 Gary 90 Nicholas 90
Eric 80 Jonathan 80 Stephen 80 Larry 80 Justin 70 Scott 70 Brandon 70 Benjamin 70 Samuel 60
Gregory 60 Alexander 70 Patrick 60 Frank 60 Raymond 70 Jack 60 Dennis 60 Jerry 60 Tyler 60
Aaron 60 Jose 60 Adam 55 Nathan 55 Henry 55 Zachary 50 Douglas 50 Peter 50 Kyle 50 Noah 50
Ethan 50 Jeremy 45 Walter 45 Christian 45 Keith 45 Roger 40 Terry 40 Austin 40 Sean 40
Gerald 40 Carl 40 Harold 40 Dylan 40 Arthur 38 Lawrence 38 Jordan 36 Jesse 36 Bryan 35
Billy 35 Bruce 34 Gabriel 34 Joe 33 Logan 32 Alan 32 Juan 32 Albert 31 Willie 30 Elijah 30
Wayne 30 Randy 29 Vincent 29 Mason 28 Roy 28 Ralph 27 Bobby 27 Russell 26 Bradley 26
Philip 25 Eugene 25 Liam 24 Carlos 24 Luis 23 Oliver 22 Lucas 21 Miguel 21 Antonio 20
"""

# Surnames with their frequency per 100,000 people (2010 US Census, rounded).
_SURNAMES = """
Smith 828 Johnson 655 Williams 551 Brown 487 Jones 483 Garcia 424 Miller 424 Davis 398
Rodriguez 379 Martinez 363 Hernandez 357 Lopez 299 Gonzalez 294 Wilson 266 Anderson 262
Thomas 253 Taylor 251 Moore 242 Jackson 241 Martin 239 Lee 229 Perez 226 Thompson 225
White 224 Harris 205 Sanchez 205 Clark 183 Ramirez 181 Lewis 177 Robinson 175 Walker 173
Young 164 Allen 161 King 160 Wright 159 Scott 146 Torres 142 Nguyen 141 Hill 140 Flores 140
Green 138 Adams 136 Nelson 134 Baker 133 Hall 132 Rivera 128 Campbell 127 Mitchell 125
Carter 124 Roberts 124 Gomez 118 Phillips 117 Evans 117 Turner 115 Diaz 115 Parker 114
Cruz 113 Edwards 112 Collins 112 Reyes 111 Stewart 110 Morris 106 Morales 106 Murphy 104
Cook 104 Rogers 103 Gutierrez 100 Ortiz 98 Morgan 98 Cooper 97 Peterson 97 Bailey 96 Reed 96
Kelly 95 Howard 94 Ramos 93 Kim 93 Cox 92 Ward 92 Richardson 91 Watson 91 Brooks 90
Chavez 90 Wood 89 James 89 Bennett 88 Gray 88 Mendoza 87 Ruiz 86 Hughes 86 Price 85
Alvarez 85 Castillo 84 Sanders 84 Patel 84 Myers 83 Long 82 Ross 82 Foster 81 Jimenez 81
Powell 80 Jenkins 80 Perry 79 Russell 79 Sullivan 78 Bell 78 Coleman 78 Butler 77
Henderson 77 Barnes 76 Gonzales 76 Fisher 75 Vasquez 75 Simmons 75 Romero 74 Jordan 74
Patterson 73 Alexander 73 Hamilton 73 Graham 72 Reynolds 72 Griffin 72 Wallace 71 Moreno 71
West 71 Cole 70 Hayes 70 Bryant 69 Herrera 69 Gibson 69 Ellis 68 Tran 68 Medina 68 Aguilar 67
Stevens 67 Murray 67 Ford 66 Castro 66 Marshall 66 Owens 66 Harrison 65 Fernandez 65
McDonald 65 Woods 64 Washington 64 Kennedy 63 Wells 63 Vargas 63 Henry 62 Chen 62 Freeman 62
Webb 62 Tucker 62 Guzman 61 Burns 61 Crawford 61 Olson 60 Simpson 60 Porter 60 Hunter 60
Gordon 59 Mendez 59 Silva 59 Shaw 58 Snyder 58 Mason 58 Dixon 57 O'Brien 30 O'Connor 28
"""

# City, population (thousands), area codes, ZIP3 prefixes. The state is implied by the city.
_CITIES: tuple[tuple[str, int, tuple[int, ...], tuple[str, ...]], ...] = (
    ("New York", 8336, (212, 646, 332, 718, 347, 929, 917),
     ("100", "101", "102", "103", "104", "112", "113", "114", "116")),
    ("Los Angeles", 3822, (213, 323, 310, 424, 818, 747), ("900", "913", "914")),
    ("Chicago", 2665, (312, 773, 872), ("606",)),
    ("Houston", 2302, (713, 281, 832, 346), ("770",)),
    ("Phoenix", 1644, (602, 623, 480), ("850",)),
    ("Philadelphia", 1567, (215, 267, 445), ("191",)),
    ("San Antonio", 1472, (210, 726), ("782",)),
    ("San Diego", 1381, (619, 858), ("921",)),
    ("Dallas", 1300, (214, 469, 972), ("752",)),
    ("San Jose", 971, (408, 669), ("951",)),
    ("Austin", 974, (512, 737), ("787",)),
    ("Jacksonville", 971, (904,), ("322",)),
    ("Fort Worth", 956, (817, 682), ("761",)),
    ("Columbus", 907, (614, 380), ("432",)),
    ("Indianapolis", 880, (317, 463), ("462",)),
    ("Charlotte", 880, (704, 980), ("282",)),
    ("San Francisco", 808, (415, 628), ("941",)),
    ("Seattle", 749, (206,), ("981",)),
    ("Denver", 711, (303, 720), ("802",)),
    ("Washington", 671, (202,), ("200",)),
    ("Nashville", 683, (615, 629), ("372",)),
    ("Oklahoma City", 694, (405,), ("731",)),
    ("El Paso", 678, (915,), ("799",)),
    ("Boston", 651, (617, 857), ("021", "022")),
    ("Las Vegas", 656, (702, 725), ("891",)),
    ("Detroit", 620, (313,), ("482",)),
    ("Memphis", 626, (901,), ("381",)),
    ("Louisville", 624, (502,), ("402",)),
    ("Baltimore", 570, (410, 443, 667), ("212",)),
    ("Milwaukee", 563, (414,), ("532",)),
    ("Albuquerque", 562, (505,), ("871",)),
    ("Tucson", 546, (520,), ("857",)),
    ("Fresno", 545, (559,), ("937",)),
    ("Sacramento", 528, (916, 279), ("958",)),
    ("Atlanta", 500, (404, 470, 678), ("303",)),
    ("Omaha", 486, (402,), ("681",)),
    ("Raleigh", 475, (919, 984), ("276",)),
    ("Miami", 449, (305, 786), ("331",)),
    ("Minneapolis", 426, (612,), ("554",)),
    ("Tampa", 398, (813,), ("336",)),
    ("New Orleans", 370, (504,), ("701",)),
    ("Cleveland", 362, (216,), ("441",)),
    ("Honolulu", 345, (808,), ("968",)),
    ("Cincinnati", 309, (513,), ("452",)),
    ("Newark", 305, (973, 862), ("071",)),
    ("St. Louis", 287, (314,), ("631",)),
    ("Pittsburgh", 300, (412,), ("152",)),
    ("Salt Lake City", 200, (801, 385), ("841",)),
    ("Providence", 190, (401,), ("029",)),
    ("Hartford", 121, (860, 959), ("061",)),
)

# Cities where Kaiser Permanente runs health plans; elsewhere it is replaced by another insurer.
_KAISER_CITIES = frozenset({
    "Los Angeles", "San Diego", "San Jose", "San Francisco", "Fresno", "Sacramento", "Denver",
    "Atlanta", "Honolulu", "Seattle", "Washington", "Baltimore",
})

# Share of each 5-year age band (0-4, 5-9, ..., 90-94, 95-100) among hospital patients: more
# adults than the census, and a tail over 89 (about 1.6%) so that top-coding ages matters.
_AGE_BAND_WEIGHTS = (
    5.5, 3.5, 3.5, 4.0, 5.0, 6.0, 6.5, 6.3, 6.0, 6.0,
    6.5, 7.0, 7.2, 7.0, 6.5, 5.3, 4.0, 2.6, 1.1, 0.5,
)

_ETHNICITIES = (
    ("White", 58.4),
    ("Black or African American", 12.4),
    ("Hispanic or Latino", 19.1),
    ("Asian", 6.0),
    ("American Indian or Alaska Native", 0.7),
    ("Native Hawaiian or Other Pacific Islander", 0.2),
    ("Two or more races", 3.2),
)

# ICD-10-CM code, its official title, the sex it is restricted to ("" = both), relative weight in
# the age groups 0-17, 18-44, 45-64 and 65+, mean length of stay in days, the service that
# follows the patient up, and a cost factor.
_DIAGNOSES: tuple[tuple[str, str, str, tuple[float, float, float, float], float, str, float],
                  ...] = (
    ("E11.9", "Type 2 diabetes mellitus without complications", "",
     (0.2, 3, 6, 6), 2.5, "endocrinology", 1.0),
    ("I10", "Essential (primary) hypertension", "", (0.1, 3, 7, 8), 1.5, "primary care", 0.8),
    ("J45.909", "Unspecified asthma, uncomplicated", "", (8, 3, 2, 1.5), 1.5, "pulmonology", 0.8),
    ("M54.50", "Low back pain, unspecified", "", (0.3, 4, 4, 3), 1.0, "physical therapy", 0.7),
    ("F32.9", "Major depressive disorder, single episode, unspecified", "",
     (1, 4, 3, 1.5), 4.5, "psychiatry", 0.9),
    ("N39.0", "Urinary tract infection, site not specified", "",
     (2, 3, 3, 6), 3.0, "primary care", 0.8),
    ("J18.9", "Pneumonia, unspecified organism", "", (4, 2, 4, 8), 4.5, "pulmonology", 1.2),
    ("I50.9", "Heart failure, unspecified", "", (0, 0.3, 3, 8), 4.5, "cardiology", 1.3),
    ("K21.9", "Gastro-esophageal reflux disease without esophagitis", "",
     (1, 2, 2.5, 2), 1.0, "gastroenterology", 0.7),
    ("E78.5", "Hyperlipidemia, unspecified", "", (0, 1, 3, 3), 0.8, "primary care", 0.6),
    ("S72.001A",
     "Fracture of unspecified part of neck of right femur, initial encounter for closed fracture",
     "", (0.05, 0.2, 0.8, 4), 5.0, "orthopedics", 2.0),
    ("O80", "Encounter for full-term uncomplicated delivery", "F",
     (0, 12, 0, 0), 2.0, "obstetrics", 0.9),
    ("C50.911", "Malignant neoplasm of unspecified site of right female breast", "F",
     (0, 0.4, 1.5, 1.5), 3.0, "oncology", 1.8),
    ("U07.1", "COVID-19", "", (2, 2, 3, 4), 5.0, "infectious disease", 1.3),
    ("C61", "Malignant neoplasm of prostate", "M", (0, 0, 1.2, 2.5), 2.5, "urology", 1.6),
    ("J44.1", "Chronic obstructive pulmonary disease with (acute) exacerbation", "",
     (0, 0.2, 2.5, 5), 4.0, "pulmonology", 1.2),
    ("I21.4", "Non-ST elevation (NSTEMI) myocardial infarction", "",
     (0, 0.3, 2.5, 4), 3.5, "cardiology", 2.2),
    ("I48.91", "Unspecified atrial fibrillation", "", (0, 0.3, 1.5, 5), 3.0, "cardiology", 1.3),
    ("A41.9", "Sepsis, unspecified organism", "", (1, 1, 3, 6), 6.0, "infectious disease", 2.0),
    ("N17.9", "Acute kidney failure, unspecified", "", (0.2, 0.5, 2, 4), 4.0, "nephrology", 1.3),
    ("I63.9", "Cerebral infarction, unspecified", "", (0, 0.3, 2, 4), 4.5, "neurology", 1.8),
    ("K35.80", "Unspecified acute appendicitis", "",
     (4, 3, 1, 0.4), 2.0, "general surgery", 1.7),
    ("K80.20", "Calculus of gallbladder without cholecystitis without obstruction", "",
     (0.1, 2, 2, 1.5), 2.0, "general surgery", 1.5),
    ("R07.9", "Chest pain, unspecified", "", (0.5, 4, 5, 4), 0.8, "cardiology", 0.7),
    ("R10.9", "Unspecified abdominal pain", "", (4, 5, 3, 2), 1.0, "primary care", 0.7),
    ("J06.9", "Acute upper respiratory infection, unspecified", "",
     (10, 2, 1, 0.5), 0.2, "primary care", 0.3),
    ("A09", "Infectious gastroenteritis and colitis, unspecified", "",
     (6, 2, 1, 1.5), 1.5, "primary care", 0.6),
    ("F10.20", "Alcohol dependence, uncomplicated", "",
     (0, 2, 2, 0.5), 4.0, "addiction medicine", 0.9),
    ("G43.909", "Migraine, unspecified, not intractable, without status migrainosus", "",
     (1.5, 3, 1.5, 0.3), 0.8, "neurology", 0.6),
    ("M17.11", "Unilateral primary osteoarthritis, right knee", "",
     (0, 0.2, 2, 3), 2.0, "orthopedics", 2.5),
    ("L03.115", "Cellulitis of right lower limb", "", (1.5, 2, 2, 2), 3.5, "primary care", 0.9),
    ("E86.0", "Dehydration", "", (3, 1, 1, 2.5), 1.5, "primary care", 0.6),
    ("D64.9", "Anemia, unspecified", "", (0.5, 1, 1.5, 2.5), 2.0, "hematology", 0.8),
    ("F41.9", "Anxiety disorder, unspecified", "", (1, 3, 2, 1), 1.0, "psychiatry", 0.6),
    ("H66.90", "Otitis media, unspecified, unspecified ear", "",
     (9, 0.3, 0.1, 0.1), 0.2, "pediatrics", 0.3),
    ("S06.0X0A", "Concussion without loss of consciousness, initial encounter", "",
     (4, 2, 1, 1.5), 1.0, "neurology", 0.8),
    ("N40.0", "Benign prostatic hyperplasia without lower urinary tract symptoms", "M",
     (0, 0, 1, 2.5), 1.0, "urology", 0.7),
)

_INSURERS = (
    "Medicare", "Medicaid", "Blue Cross Blue Shield", "Aetna", "UnitedHealthcare", "Cigna",
    "Humana", "Kaiser Permanente", "Self-pay",
)
# Insurer mix for ages 0-17, 18-64 and 65+ (Medicare is mostly 65+).
_INSURER_WEIGHTS = (
    (0, 40, 18, 8, 12, 6, 2, 6, 8),
    (3, 18, 22, 10, 15, 9, 3, 7, 13),
    (80, 5, 3, 2, 5, 1, 3, 1, 0.5),
)

_STREETS = """
Main|Oak|Maple|Cedar|Elm|Pine|Washington|Lake|Hill|Park|Walnut|Sunset|Lincoln|Jefferson|Madison
Highland|Church|Spring|Chestnut|Willow|Jackson|Franklin|Adams|Ridge|River|Meadow|Forest|Center
Mill|Prospect|Cherry|Birch|Hickory|Dogwood|Magnolia|Sycamore|Valley|Railroad|School|Broad
Union|Liberty|Grant|Lafayette|Hamilton|Monroe|Front|Water|Market|Summit|Woodland|Orchard|Poplar
Spruce|Laurel|Locust|Cypress|Aspen|Cambridge|Essex|Belmont|Harbor|Bay|Mulberry|Fairview
Green|Grove|Academy|King|Martin Luther King Jr|2nd|3rd|4th|5th|6th|7th|8th|10th|12th
"""

_SUFFIXES = (
    ("St", 24), ("Ave", 16), ("Rd", 10), ("Dr", 10), ("Ln", 6), ("Blvd", 4), ("Way", 5),
    ("Ct", 5), ("Pl", 3), ("Street", 6), ("Avenue", 4), ("Road", 3), ("Drive", 2), ("Lane", 1),
    ("Terrace", 1), ("Pkwy", 1),
)

_EMAIL_DOMAINS = (
    ("gmail.com", 40), ("yahoo.com", 14), ("outlook.com", 9), ("hotmail.com", 10),
    ("icloud.com", 10), ("aol.com", 5), ("comcast.net", 4), ("att.net", 3), ("msn.com", 2),
    ("proton.me", 1), ("verizon.net", 2),
)

# Note templates: (text before, text after) around a value.
_NOTE_OPENINGS = (
    ("Admitted for ", "."),
    ("Primary diagnosis: ", "."),
    ("Assessment: ", "; plan discussed with patient."),
    ("Presented to the emergency department with findings consistent with ", "."),
    ("Reason for visit: ", "; vitals stable on arrival."),
    ("Evaluated and treated for ", "."),
    ("Working diagnosis of ", " confirmed on review."),
    ("Dx: ", "; labs and imaging reviewed."),
)
_NOTE_COURSES = (
    "Symptoms improved with treatment.",
    "Hospital course was uncomplicated.",
    "Discharged home in stable condition.",
    "Medications were reconciled at discharge.",
    "Pain well controlled on oral medication.",
    "Tolerating a regular diet at discharge.",
    "Patient and family educated on warning signs.",
    "No acute distress at time of discharge.",
)
# Follow-up: prefix, number, unit, then " with <service>." or similar.
_NOTE_FOLLOWUPS = (
    ("Follow up in ", " weeks with "),
    ("Return to clinic in ", " days; referral to "),
    ("Recheck in ", " weeks with "),
    ("Follow-up appointment in ", " days with "),
)
_NOTE_PHONE = (
    ("Patient asked to be called at ", "."),
    ("Best contact number: ", "."),
    ("Prefers a call at ", " for test results."),
    ("Call back number confirmed as ", "."),
)
_NOTE_EMAIL = (
    ("Discharge instructions sent to ", "."),
    ("Patient requested portal invitation at ", "."),
    ("Lab results to be e-mailed to ", "."),
)

# Phone formats: text before the area code, between area code and exchange, before the line.
_PHONE_FORMATS = (
    ("(", ") ", "-", 40),
    ("", "-", "-", 30),
    ("+1 ", " ", " ", 10),
    ("", ".", ".", 20),
)

_EPOCH_ORDINAL = dt.date(1970, 1, 1).toordinal()


def _days(d: dt.date) -> int:
    return d.toordinal() - _EPOCH_ORDINAL


_REFERENCE_DAY = _days(dt.date(2025, 1, 1))  # ages are counted at this date
_FIRST_ADMISSION = _days(dt.date(2023, 1, 1))
_LAST_ADMISSION = _days(dt.date(2025, 12, 31))


def _parse_weighted(text: str) -> tuple[list[str], np.ndarray]:
    tokens = text.split()
    return tokens[0::2], np.array(tokens[1::2], dtype=np.float64)


def _email_part(name: str) -> str:
    return "".join(ch for ch in name.lower() if ch.isalpha())


_FEMALE, _FEMALE_W = _parse_weighted(_FEMALE_NAMES)
_MALE, _MALE_W = _parse_weighted(_MALE_NAMES)
_LAST, _LAST_W = _parse_weighted(_SURNAMES)
_FIRST_ALL = _FEMALE + _MALE


# --------------------------------------------------------------------------------------------
# Drawing helpers (vectorized).


def _cdf(weights: np.ndarray) -> np.ndarray:
    c = np.cumsum(np.asarray(weights, dtype=np.float64))
    c /= c[-1]
    c[-1] = 1.0
    return c


_RESOLUTION = 1 << 16


def _quantile_table(weights: Any) -> np.ndarray:
    """Lookup table: entry ``i`` is the category at quantile ``(i + 0.5) / 65536``."""
    probe = (np.arange(_RESOLUTION) + 0.5) / _RESOLUTION
    table = np.searchsorted(_cdf(np.asarray(weights, dtype=np.float64)), probe, side="right")
    return table.astype(np.int32)


def _draw(rng: np.random.Generator, weights: Any, size: int) -> np.ndarray:
    """Indices 0..len(weights)-1 drawn with the given relative weights.

    A uniform 16-bit integer indexes a quantile table, which is much faster than a search per
    row; weights are honoured to 1/65536, far below what any use of this data can notice.
    """
    return _quantile_table(weights)[rng.integers(0, _RESOLUTION, size, dtype=np.uint16)]


def _draw_by_group(rng: np.random.Generator, weights: np.ndarray, group: np.ndarray) -> np.ndarray:
    """Per row, an index drawn with the weights of that row's group (``weights[group]``)."""
    tables = np.vstack([_quantile_table(w) for w in weights])
    drawn: np.ndarray = tables[group, rng.integers(0, _RESOLUTION, group.shape[0], dtype=np.uint16)]
    return drawn


def _uniform_int(rng: np.random.Generator, low: np.ndarray, high: np.ndarray) -> np.ndarray:
    """Per row, an integer uniform in ``[low, high]`` (inclusive, arrays)."""
    drawn: np.ndarray = low + np.floor(rng.random(low.shape[0]) * (high - low + 1)).astype(np.int64)
    return drawn


def _distinct_integers(rng: np.random.Generator, high: int, size: int) -> np.ndarray:
    """``size`` distinct integers drawn uniformly from ``[0, high)``, in random order."""
    if size * 5 > high:
        return rng.choice(high, size, replace=False)
    pool = np.empty(0, dtype=np.int64)
    while pool.shape[0] < size:  # rarely more than one round
        pool = np.sort(np.concatenate([pool, rng.integers(0, high, size + size // 8 + 16)]))
        pool = pool[np.concatenate([[True], pool[1:] != pool[:-1]])]
    return rng.permutation(pool)[:size]


# Precomputed, immutable lookup tables; per-row strings are gathered from them.
def _table(values: Any) -> pl.Series:
    return pl.Series(values=list(values), dtype=pl.String)


_CITY_NAMES = [c[0] for c in _CITIES]
_CITY_W = np.array([c[1] for c in _CITIES], dtype=np.float64)
_AREA_CODES = np.array([a for c in _CITIES for a in c[2]], dtype=np.int64)
_AREA_START = np.cumsum([0] + [len(c[2]) for c in _CITIES])[:-1]
_AREA_COUNT = np.array([len(c[2]) for c in _CITIES])
_ZIP3_START = np.cumsum([0] + [len(c[3]) for c in _CITIES])[:-1]
_ZIP3_COUNT = np.array([len(c[3]) for c in _CITIES])
_KAISER = np.array([name in _KAISER_CITIES for name in _CITY_NAMES])
# Exchanges: 200-999 without the N11 service codes and without 555.
_EXCHANGES = np.array([e for e in range(200, 1000) if e != 555 and e % 100 != 11], dtype=np.int64)
_STREET_NAMES = [s.strip() for s in _STREETS.replace("\n", "|").split("|") if s.strip()]
_DX_LOS = np.array([d[4] for d in _DIAGNOSES])
_DX_COST = np.array([d[6] for d in _DIAGNOSES])
_SERVICES = sorted({d[5] for d in _DIAGNOSES})
_DX_SERVICE = np.array([_SERVICES.index(d[5]) for d in _DIAGNOSES])
# Diagnosis weights per group: sex (0 = F, 1 = M) * 4 + age group (0-17, 18-44, 45-64, 65+).
_DX_WEIGHTS = np.array(
    [
        [0.0 if d[2] and d[2] != sex else d[3][age] for d in _DIAGNOSES]
        for sex in ("F", "M")
        for age in range(4)
    ]
)

_T_DIGITS2 = _table(f"{i:02d}" for i in range(100))
_T_DIGITS3 = _table(f"{i:03d}" for i in range(1000))
_T_DIGITS4 = _table(f"{i:04d}" for i in range(10_000))
_T_FIRST = _table(_FIRST_ALL)
_T_LAST = _table(_LAST)
_T_SEX = _table(["F", "M"])
_T_CITY = _table(_CITY_NAMES)
_T_ZIP3 = _table(z for c in _CITIES for z in c[3])
_T_ETHNICITY = _table(e for e, _ in _ETHNICITIES)
_T_DX_CODE = _table(d[0] for d in _DIAGNOSES)
_T_DX_TEXT = _table(d[1] for d in _DIAGNOSES)
_T_INSURER = _table(_INSURERS)
_T_STREET = _table(_STREET_NAMES)
_T_SUFFIX = _table(f" {s}" for s, _ in _SUFFIXES)
_T_DIRECTION = _table(["N ", "S ", "E ", "W ", ""])
# Units, with their leading space: "Apt 1A".."Apt 9F", "Apt 1".."Apt 40", "Unit 1".."Unit 20",
# "#101".."#999", and "" (no unit, the last entry).
_UNITS = (
    [f" Apt {i}{ch}" for i in range(1, 10) for ch in "ABCDEF"]
    + [f" Apt {i}" for i in range(1, 41)]
    + [f" Unit {i}" for i in range(1, 21)]
    + [f" #{i}" for i in range(101, 1000)]
    + [""]
)
_T_UNIT = _table(_UNITS)
_UNIT_KIND_START = np.array([0, 54, 94, 114, len(_UNITS) - 1])
_UNIT_KIND_COUNT = np.array([54, 40, 20, 899, 1])
_T_PHONE = tuple(_table(f[i] for f in _PHONE_FORMATS) for i in range(3))
# E-mail local parts are built from tokens: first names, surnames, then the letters a-z.
_FIRST_E = [_email_part(x) for x in _FIRST_ALL]
_LAST_E = [_email_part(x) for x in _LAST]
_T_EMAIL_TOKEN = _table(_FIRST_E + _LAST_E + [chr(ord("a") + i) for i in range(26)] + [""])
_TOK_LAST = len(_FIRST_E)
_TOK_LETTER = _TOK_LAST + len(_LAST_E)
_TOK_EMPTY = _TOK_LETTER + 26
_FIRST_INITIAL = np.array([ord(x[0]) - ord("a") for x in _FIRST_E])
_LAST_INITIAL = np.array([ord(x[0]) - ord("a") for x in _LAST_E])
_T_EMAIL_SEP = _table(["", ".", "_"])
# E-mail number suffixes: "" | year of birth 1900-2029 | its last two digits | 1-999.
_T_EMAIL_NUMBER = _table(
    [""] + [str(y) for y in range(1900, 2030)] + [f"{y % 100:02d}" for y in range(1900, 2030)]
    + [str(i) for i in range(1, 1000)]
)
_T_EMAIL_DOMAIN = _table(f"@{d}" for d, _ in _EMAIL_DOMAINS)
_T_OPEN_A = _table([o[0] for o in _NOTE_OPENINGS] + [" presenting with ", " admitted for "])
_T_OPEN_B = _table([o[1] for o in _NOTE_OPENINGS] + [".", "."])
# Leads of the age-and-sex openings: "" | "Infant" | "<age>-year-old girl/boy/woman/man".
_PERSONS = ("girl", "boy", "woman", "man")
_MAX_AGE = 110
_T_LEAD = _table(
    ["", "Infant"] + [f"{a}-year-old {p}" for a in range(_MAX_AGE + 1) for p in _PERSONS]
)
_FOLLOWUP_NUMBERS = range(2, 7)
# Sentences after the first carry their leading space; a missing one is null.
_T_FOLLOWUP = pl.Series(
    [
        f" {a}{k}{b}{service}."
        for a, b in _NOTE_FOLLOWUPS
        for k in _FOLLOWUP_NUMBERS
        for service in _SERVICES
    ] + [None],
    dtype=pl.String,
)
# The optional last sentence: phone templates, e-mail templates, course sentences, nothing.
_T_EXTRA_A = pl.Series(
    [f" {a}" for a, _ in _NOTE_PHONE] + [f" {a}" for a, _ in _NOTE_EMAIL]
    + [f" {c}" for c in _NOTE_COURSES] + [None],
    dtype=pl.String,
)
_T_EXTRA_B = _table(
    [b for _, b in _NOTE_PHONE] + [b for _, b in _NOTE_EMAIL] + [""] * len(_NOTE_COURSES) + [""]
)


def _convert(df: pl.DataFrame, backend: str) -> pl.DataFrame | pd.DataFrame | pa.Table:
    if backend == "pandas":
        return df.to_pandas()
    if backend == "arrow":
        return df.to_arrow()
    return df


# --------------------------------------------------------------------------------------------


@overload
def patients(
    n: int = ..., seed: int = ..., *, backend: Literal["polars"] = ...
) -> pl.DataFrame: ...
@overload
def patients(n: int = ..., seed: int = ..., *, backend: Literal["pandas"]) -> pd.DataFrame: ...
@overload
def patients(n: int = ..., seed: int = ..., *, backend: Literal["arrow"]) -> pa.Table: ...
@overload
def patients(
    n: int = ..., seed: int = ..., *, backend: str
) -> pl.DataFrame | pd.DataFrame | pa.Table: ...
def patients(
    n: int = 1000, seed: int = 0, *, backend: str = "polars"
) -> pl.DataFrame | pd.DataFrame | pa.Table:
    """A synthetic hospital patient table that looks real.

    Every value is invented: the table is drawn at random and describes **no real person**. It
    is meant for trying anonymization on data shaped like an electronic health record extract,
    with direct identifiers (name, SSN, ...), quasi-identifiers (ZIP, date of birth, sex, ...),
    sensitive attributes (diagnosis, charges) and free text that leaks identifiers.

    The table is **deterministic**: the same ``n`` and ``seed`` always give the identical
    frame (on any machine), and another ``seed`` gives other data. The first ``m`` rows of
    ``patients(n)`` are not ``patients(m)``; ask for the size you need.

    Parameters
    ----------
    n : int, default 1000
        Number of rows, from 0 (an empty frame with the full schema) to 10,000,000.
    seed : int, default 0
        Seed of the random generator (an int >= 0).
    backend : {"polars", "pandas", "arrow"}, default "polars"
        Return a ``polars.DataFrame``, a ``pandas.DataFrame`` or a ``pyarrow.Table``.

    Returns
    -------
    polars.DataFrame or pandas.DataFrame or pyarrow.Table
        ``n`` rows and these 18 columns, in this order:

        ========================  =======  =====================================================
        column                    dtype    content
        ========================  =======  =====================================================
        ``name``                  String   "First Last"; the given name matches ``sex``
        ``email``                 String   derived from the name, e.g. "maria.garcia83@gmail.com";
                                           unique
        ``phone``                 String   US number, mixed formats ("(617) 284-3310",
                                           "617-284-3310", "+1 617 284 3310", "617.284.3310");
                                           the area code belongs to ``city``
        ``ssn``                   String   "123-45-6789", valid by SSA rules, unique
        ``mrn``                   String   medical record number "MRN-0048213", unique
        ``address``               String   street address, sometimes with a unit ("Apt 3B")
        ``city``                  String   one of 50 US cities (state implied), by population
        ``zip``                   String   5 digits, the first 3 a real ZIP3 of ``city``
        ``date_of_birth``         Date     age 0-100 on 2025-01-01, about 1.6% aged 90+
        ``sex``                   String   "F" or "M"
        ``ethnicity``             String   US census race/ethnicity category
        ``admission_date``        Date     2023-01-01 to 2025-12-31, after ``date_of_birth``
        ``discharge_date``        Date     admission plus a 0-30 day stay
        ``diagnosis_code``        String   ICD-10-CM code, consistent with sex and age
        ``diagnosis``             String   the official title of ``diagnosis_code``
        ``note``                  String   1-3 sentence clinical note; about 10% contain the
                                           patient's phone number and 5% the e-mail address
        ``total_charges``         Float64  USD, rounded to cents, growing with the stay
        ``insurer``               String   payer; "Medicare" mostly for ages 65+
        ========================  =======  =====================================================

    Raises
    ------
    ParameterError
        ``n`` or ``seed`` is not a non-negative int, ``n`` is over 10,000,000, or ``backend``
        is unknown.

    Examples
    --------
    >>> import anonlab
    >>> df = anonlab.datasets.patients(500, seed=1)
    >>> df.shape
    (500, 18)
    >>> df.columns[:4]
    ['name', 'email', 'phone', 'ssn']
    """
    check_int(n, "n", "patients", min_value=0, max_value=MAX_ROWS)
    check_int(seed, "seed", "patients", min_value=0)
    check_one_of(backend, "backend", "patients", BACKENDS)
    return _convert(_generate(n, seed), backend)


def _generate(n: int, seed: int) -> pl.DataFrame:
    rng = np.random.default_rng(seed)

    # --- people -------------------------------------------------------------------------
    female = rng.random(n) < 0.51
    first_idx = np.where(
        female, _draw(rng, _FEMALE_W, n), len(_FEMALE) + _draw(rng, _MALE_W, n)
    )
    last_idx = _draw(rng, _LAST_W, n)
    band = _draw(rng, _AGE_BAND_WEIGHTS, n)
    band_years = np.where(band == len(_AGE_BAND_WEIGHTS) - 1, 6, 5)
    age_days = np.floor((band * 5 + rng.random(n) * band_years) * 365.2425).astype(np.int64)
    dob = _REFERENCE_DAY - 1 - age_days
    ethnicity_idx = _draw(rng, [w for _, w in _ETHNICITIES], n)

    # --- place ----------------------------------------------------------------------------
    city_idx = _draw(rng, _CITY_W, n)
    area = _AREA_CODES[_AREA_START[city_idx] + rng.integers(0, 1 << 30, n) % _AREA_COUNT[city_idx]]
    exchange = _EXCHANGES[rng.integers(0, len(_EXCHANGES), n)]
    line = rng.integers(0, 10_000, n)
    phone_fmt = _draw(rng, [f[3] for f in _PHONE_FORMATS], n)
    zip3_idx = _ZIP3_START[city_idx] + rng.integers(0, 1 << 30, n) % _ZIP3_COUNT[city_idx]
    zip_tail = rng.integers(1, 99, n)
    digits = _draw(rng, [5, 20, 35, 38, 2], n)  # house numbers with 1 to 5 digits
    house = _uniform_int(rng, np.array([1, 10, 100, 1000, 10000])[digits],
                         np.array([9, 99, 999, 9999, 24999])[digits])
    direction = np.where(rng.random(n) < 0.08, rng.integers(0, 4, n), 4)  # 4: none
    street_idx = rng.integers(0, len(_STREET_NAMES), n)
    suffix_idx = _draw(rng, [w for _, w in _SUFFIXES], n)
    unit_kind = np.where(rng.random(n) < 0.15, rng.integers(0, 4, n), 4)  # 4: no unit
    unit_idx = _UNIT_KIND_START[unit_kind] + rng.integers(0, 1 << 30, n) % _UNIT_KIND_COUNT[
        unit_kind]

    # --- unique identifiers ------------------------------------------------------------------
    # SSNs: a sample without replacement from the valid space, decoded into area/group/serial.
    ssn_idx = _distinct_integers(rng, 898 * 99 * 9999, n)
    ssn_serial = ssn_idx % 9999 + 1
    ssn_group = (ssn_idx // 9999) % 99 + 1
    ssn_area = ssn_idx // (9999 * 99) + 1
    ssn_area = ssn_area + (ssn_area >= 666)
    mrn = _distinct_integers(rng, MAX_ROWS, n)

    # --- stay -----------------------------------------------------------------------------
    first_adm = np.maximum(_FIRST_ADMISSION, dob + 1)
    admission = _uniform_int(rng, first_adm, np.full(n, _LAST_ADMISSION))
    age_at_admission = (admission - dob) / 365.2425
    age_group = np.digitize(age_at_admission, [18, 45, 65])
    dx_idx = _draw_by_group(rng, _DX_WEIGHTS, np.where(female, 0, 4) + age_group)
    los = np.minimum(rng.geometric(1.0 / (_DX_LOS[dx_idx] + 1.0)) - 1, 30)
    discharge = admission + los
    charges = _DX_COST[dx_idx] * (
        rng.lognormal(np.log(2600.0), 0.55, n) + los * rng.lognormal(np.log(3500.0), 0.35, n)
    )
    insurer_idx = _draw_by_group(rng, np.array(_INSURER_WEIGHTS, dtype=np.float64),
                                 np.digitize(age_at_admission, [18, 65]))
    kaiser = _INSURERS.index("Kaiser Permanente")
    insurer_idx = np.where((insurer_idx == kaiser) & ~_KAISER[city_idx], 2, insurer_idx)

    # --- e-mail: up to three name tokens with up to two separators, a number, a domain -------
    pattern = _draw(rng, [35, 20, 15, 10, 5, 5, 10], n)
    f_tok = first_idx
    l_tok = _TOK_LAST + last_idx
    f_init = _TOK_LETTER + _FIRST_INITIAL[first_idx]
    l_init = _TOK_LETTER + _LAST_INITIAL[last_idx]
    m_init = _TOK_LETTER + rng.integers(0, 26, n)
    empty = np.full(n, _TOK_EMPTY)
    #            first.last  flast   firstlast  first_last last.first firstl  first.m.last
    tok1 = np.where(pattern == 1, f_init, np.where(pattern == 4, l_tok, f_tok))
    tok2 = np.where(pattern == 4, f_tok,
                    np.where(pattern == 5, l_init, np.where(pattern == 6, m_init, l_tok)))
    tok3 = np.where(pattern == 6, l_tok, empty)
    sep1 = np.array([1, 0, 0, 2, 1, 0, 1])[pattern]
    sep2 = np.array([0, 0, 0, 0, 0, 0, 1])[pattern]
    number_kind = _draw(rng, [12, 30, 10, 48], n)  # none, yy of birth, yyyy of birth, random
    birth_year = np.clip(dob.astype("datetime64[D]").astype("datetime64[Y]").astype(np.int64)
                         + 1970, 1900, 2029) - 1900
    random_number = np.where(rng.random(n) < 0.5, rng.integers(1, 100, n),
                             rng.integers(100, 1000, n))
    number_idx = np.choose(
        number_kind, [np.zeros(n, np.int64), 131 + birth_year, 1 + birth_year, 260 + random_number]
    )
    domain_idx = _draw(rng, [w for _, w in _EMAIL_DOMAINS], n)

    # --- note -----------------------------------------------------------------------------
    opening = rng.integers(0, len(_NOTE_OPENINGS) + 2, n)  # the last two state age and sex
    age_years = np.minimum(np.floor(age_at_admission).astype(np.int64), _MAX_AGE)
    person = np.where(age_years < 18, 0, 2) + (~female)
    lead = np.where(opening < len(_NOTE_OPENINGS), 0,
                    np.where(age_years < 1, 1, 2 + age_years * len(_PERSONS) + person))
    followup = (
        (rng.integers(0, len(_NOTE_FOLLOWUPS), n) * len(_FOLLOWUP_NUMBERS)
         + rng.integers(0, len(_FOLLOWUP_NUMBERS), n)) * len(_SERVICES)
        + _DX_SERVICE[dx_idx]
    )
    followup = np.where(rng.random(n) < 0.7, followup, len(_T_FOLLOWUP) - 1)
    # The last sentence: the phone number (10%), the e-mail address (5%), a remark on the
    # hospital course (30%) or nothing.
    extra_kind = np.digitize(rng.random(n), [0.10, 0.15, 0.45])
    n_phone, n_email, n_course = len(_NOTE_PHONE), len(_NOTE_EMAIL), len(_NOTE_COURSES)
    extra = np.choose(extra_kind, [
        rng.integers(0, n_phone, n),
        n_phone + rng.integers(0, n_email, n),
        n_phone + n_email + rng.integers(0, n_course, n),
        np.full(n, n_phone + n_email + n_course),
    ])
    email_seed = int(rng.integers(0, 2**62))

    # --- strings ----------------------------------------------------------------------------
    # Every string column is gathered from a small table by an index computed above, or
    # concatenated from such gathers, in one parallel polars query.
    u32 = np.uint32
    idx = pl.DataFrame(
        {
            "first": first_idx.astype(u32),
            "last": last_idx.astype(u32),
            "tok1": tok1.astype(u32),
            "sep1": sep1.astype(u32),
            "tok2": tok2.astype(u32),
            "sep2": sep2.astype(u32),
            "tok3": tok3.astype(u32),
            "number": number_idx.astype(u32),
            "domain": domain_idx.astype(u32),
            "fmt": phone_fmt.astype(u32),
            "area": area.astype(u32),
            "exchange": exchange.astype(u32),
            "line": line.astype(u32),
            "ssn_area": ssn_area.astype(u32),
            "ssn_group": ssn_group.astype(u32),
            "ssn_serial": ssn_serial.astype(u32),
            "mrn_hi": (mrn // 10_000).astype(u32),
            "mrn_lo": (mrn % 10_000).astype(u32),
            "house": house.astype(u32),
            "direction": direction.astype(u32),
            "street": street_idx.astype(u32),
            "suffix": suffix_idx.astype(u32),
            "unit": unit_idx.astype(u32),
            "city": city_idx.astype(u32),
            "zip3": zip3_idx.astype(u32),
            "zip_tail": zip_tail.astype(u32),
            "dob": dob.astype(np.int32),
            "sex": (~female).astype(u32),
            "ethnicity": ethnicity_idx.astype(u32),
            "admission": admission.astype(np.int32),
            "discharge": discharge.astype(np.int32),
            "dx": dx_idx.astype(u32),
            "lead": lead.astype(u32),
            "opening": opening.astype(u32),
            "followup": followup.astype(u32),
            "extra": extra.astype(u32),
            "extra_kind": extra_kind.astype(np.int8),
            "charges": np.round(charges, 2),
            "insurer": insurer_idx.astype(u32),
        }
    )
    col, lit = pl.col, pl.lit

    def g(table: pl.Series, column: str) -> pl.Expr:
        return lit(table).gather(col(column))

    strings = idx.select(
        name=pl.concat_str([g(_T_FIRST, "first"), g(_T_LAST, "last")], separator=" "),
        email=pl.concat_str([
            g(_T_EMAIL_TOKEN, "tok1"), g(_T_EMAIL_SEP, "sep1"), g(_T_EMAIL_TOKEN, "tok2"),
            g(_T_EMAIL_SEP, "sep2"), g(_T_EMAIL_TOKEN, "tok3"), g(_T_EMAIL_NUMBER, "number"),
            g(_T_EMAIL_DOMAIN, "domain"),
        ]),
        phone=pl.concat_str([
            g(_T_PHONE[0], "fmt"), g(_T_DIGITS3, "area"), g(_T_PHONE[1], "fmt"),
            g(_T_DIGITS3, "exchange"), g(_T_PHONE[2], "fmt"), g(_T_DIGITS4, "line"),
        ]),
        ssn=pl.concat_str([
            g(_T_DIGITS3, "ssn_area"), lit("-"), g(_T_DIGITS2, "ssn_group"), lit("-"),
            g(_T_DIGITS4, "ssn_serial"),
        ]),
        mrn=pl.concat_str([lit("MRN-"), g(_T_DIGITS3, "mrn_hi"), g(_T_DIGITS4, "mrn_lo")]),
        address=pl.concat_str([
            col("house").cast(pl.String), lit(" "), g(_T_DIRECTION, "direction"),
            g(_T_STREET, "street"), g(_T_SUFFIX, "suffix"), g(_T_UNIT, "unit"),
        ]),
        city=g(_T_CITY, "city"),
        zip=pl.concat_str([g(_T_ZIP3, "zip3"), g(_T_DIGITS2, "zip_tail")]),
        date_of_birth=col("dob").cast(pl.Date),
        sex=g(_T_SEX, "sex"),
        ethnicity=g(_T_ETHNICITY, "ethnicity"),
        admission_date=col("admission").cast(pl.Date),
        discharge_date=col("discharge").cast(pl.Date),
        diagnosis_code=g(_T_DX_CODE, "dx"),
        diagnosis=g(_T_DX_TEXT, "dx"),
        total_charges=col("charges"),
        insurer=g(_T_INSURER, "insurer"),
        # note pieces that do not depend on the e-mail address
        lead=g(_T_LEAD, "lead"),
        open_a=g(_T_OPEN_A, "opening"),
        open_b=g(_T_OPEN_B, "opening"),
        followup=g(_T_FOLLOWUP, "followup"),
        extra_a=g(_T_EXTRA_A, "extra"),
        extra_b=g(_T_EXTRA_B, "extra"),
        extra_kind=col("extra_kind"),
    )
    strings = strings.with_columns(_unique_emails(strings.get_column("email"), email_seed))
    return strings.select(
        *[col(name) for name in COLUMNS if name != "note"],
        note=pl.concat_str(
            [
                col("lead"), col("open_a"), col("diagnosis"), col("open_b"), col("followup"),
                col("extra_a"),
                pl.when(col("extra_kind") == 0).then(col("phone"))
                .when(col("extra_kind") == 1).then(col("email")),
                col("extra_b"),
            ],
            ignore_nulls=True,
        ),
    ).select(col(name).cast(dtype) for name, dtype in COLUMNS.items())


def _unique_emails(email: pl.Series, seed: int) -> pl.Series:
    """Make the e-mail addresses unique: where one repeats, append digits to its local part.

    One pass over the column finds the repeats (every occurrence but the first). Each round
    appends two digits to those, then checks only the changed addresses against the column, so
    the loop runs a few times over a shrinking set, never once per row. Strings are compared
    directly (not hashed), so the result does not depend on the platform or polars version.
    """
    rng = np.random.default_rng(seed)
    todo = (~email.is_first_distinct()).arg_true()
    while todo.len() > 0:
        parts = email.gather(todo).str.split_exact("@", 1).struct.unnest()
        changed = pl.select(pl.concat_str([
            parts.get_column("field_0"), _T_DIGITS2.gather(rng.integers(10, 100, todo.len())),
            pl.lit("@"), parts.get_column("field_1"),
        ])).to_series()
        email = email.scatter(todo, changed)
        # Rows equal to a changed address: the changed rows themselves and any address they
        # now collide with. Among those, every repeat but the first is redone. Rows outside
        # this set were distinct before and still are.
        near = email.is_in(changed.implode()).arg_true()
        todo = near.filter(~email.gather(near).is_first_distinct())
    return email
