# %% [markdown]
# # 2. HIPAA Safe Harbor: remove the 18 identifiers, prove it, and ship the data
#
# Under HIPAA (45 CFR §164.514(b)(2)), health data counts as de-identified by the *Safe Harbor*
# method when 18 kinds of identifiers are removed: names, geographic units smaller than a state
# (ZIP codes may keep three digits, except in sparsely populated areas), every date element
# except the year (and ages over 89), phone numbers, e-mail addresses, SSNs, medical record
# numbers, and so on, and the releasing party has no actual knowledge that what is left could
# identify someone.
#
# This tutorial finds the identifiers in a patient table, fixes each, watches the Safe Harbor
# checks pass, and exports a signed bundle under the `hipaa-safe-harbor` license template.
# Embedded data only; under a minute. Nothing here is legal advice.

# %%
import datetime as dt
import tempfile
from pathlib import Path

import polars as pl

import anonlab
from anonlab.licensing import check_compliance

raw = anonlab.datasets.patients(n=2000, seed=2)
work = Path(tempfile.mkdtemp(prefix="anonlab-safe-harbor-"))

# %% [markdown]
# ## Which of the 18 identifiers does the table hold?

# %%
# NBVAL_CHECK_OUTPUT
profile = anonlab.profile(raw)
for column, category in profile.hipaa_identifiers.items():
    print(f"{column:15} {category}")

# %% [markdown]
# ## The raw table fails, check by check
#
# `check_compliance` runs the template's checks and says what fails and why. It never raises: the
# caller decides. (`export` does raise, and writes nothing, when a check fails.)

# %%
# NBVAL_CHECK_OUTPUT
print(check_compliance("hipaa-safe-harbor", frame=raw).summary())

# %% [markdown]
# ## A recipe built for the template
#
# `suggest_recipe(profile, template=...)` proposes steps that pass that template's checks. For
# Safe Harbor it drops direct identifiers rather than hashing them: a keyed hash of an SSN is a
# code *derived from* the identifier, which §164.514(c) does not allow to travel with the data.
# Dates become years; birth years that would reveal an age over 89 are pooled; ZIP codes keep
# three digits, and the 17 three-digit areas with 20,000 people or fewer become `000`.

# %%
recipe = anonlab.suggest_recipe(profile, template="hipaa-safe-harbor")
print(recipe.summary())

# %%
released = recipe.apply(raw)
released.head(5)

# %% [markdown]
# `released` is a *preview*: the recipe applied here, in the original row order. Checking it
# with `preview=True` runs every rule check and the attacks that need no more than the preview;
# the two that judge how `export` makes the release itself (tokens keyed to the release alone,
# the rows in a secret order) wait for the export, and say so.

# %%
# NBVAL_CHECK_OUTPUT
result = check_compliance("hipaa-safe-harbor", frame=released, recipe=recipe, original=raw,
                          preview=True)
print("\n".join(line.split(":")[0] for line in result.summary().splitlines()))

# %% [markdown]
# ## Free text: scrub it, then scan what is left
#
# The suggestion drops the `note` column, the safe choice for text nobody has read. To keep
# notes, scrub them: `Scrub` finds the Safe Harbor identifiers written in prose (names from
# titles, relations and the US Census name lists, dates in 16 written forms, ages over 89,
# phone and SSN numbers formatted or not, e-mail, URL, IP, street addresses and cities, ZIP
# codes, record and account codes), and with `context=` each record's own name, phone, MRN and
# the rest, whatever the text does to them. `clinical_notes` is a labelled corpus of hard notes
# (names that are ordinary words, dates in prose, numbers next to units):

# %%
# NBVAL_CHECK_OUTPUT
from anonlab.transforms import Drop, Scrub

notes = anonlab.datasets.clinical_notes(400, seed=2)
identifiers = ["name", "email", "phone", "ssn", "mrn", "address", "city", "zip"]
print(notes["note"][3][:260])
scrub = Scrub(context=[*identifiers, "date_of_birth", "admission_date", "discharge_date"])
print(anonlab.Recipe().then("note", scrub).apply(notes)["note"][3][:260])

# %% [markdown]
# The template's `residual-identifiers` check does not trust the scrubber: it looks for each
# record's own original identifier values in its released text, with a detector that shares no
# code with `Scrub`, and names the column and the count (never the value) of what it finds. A
# scrub limited to e-mail addresses and URLs, what `Scrub` knew before, is refused:

# %%
# NBVAL_CHECK_OUTPUT
def residual(scrubber: Scrub) -> str:
    notes_recipe = anonlab.Recipe(steps=tuple(
        anonlab.Step(c, Drop()) for c in identifiers)).then("note", scrubber)
    kept = notes.drop("spans")
    result = check_compliance("hipaa-safe-harbor", frame=notes_recipe.apply(kept),
                              recipe=notes_recipe, original=kept, preview=True)
    check = next(c for c in result.checks if c.name == "residual-identifiers")
    return f"{'pass' if check.passed else 'FAIL'}: {check.detail[:200]}"


print(residual(Scrub(kinds=["email", "url"])))
print(residual(scrub))

# %% [markdown]
# On the whole labelled corpus, `python -m benchmarks --only scrub` prints recall and precision
# per kind (recall is the share of labelled identifiers removed entirely). No rule set reads
# prose the way a person does, and no scan can look for an identifier the data does not hold (a
# relative's name in no column), so the Safe Harbor statement that the licensor has no actual
# knowledge of remaining identifiers stays the licensor's to make.

# %% [markdown]
# ## Safe Harbor is a rule list, not a risk measure
#
# The 18 identifiers are gone, yet someone who knows a patient's birth year, sex, ethnicity,
# three-digit ZIP and admission year may still single them out:

# %%
qi = list(recipe.targets.quasi_identifiers)
report = anonlab.assess_risk(released, qi, k=5)
print(report.summary())

# %% [markdown]
# The license records this risk as evidence, so the recipient knows what they hold. To lower
# it, release less: leave out the admission and discharge years, keep one ZIP digit and the
# decade of birth (`198*`). A second recipe on top of the first:

# %%
from anonlab.transforms import Drop, Generalize, SuppressRecords

QI = ["zip", "date_of_birth", "sex", "ethnicity"]
coarser = (
    anonlab.Recipe()
    .then("admission_date", Drop())
    .then("discharge_date", Drop())
    .then("zip", Generalize(keep=1))
    .then("date_of_birth", Generalize(keep=3))
)
coarse = coarser.apply(released)
print(anonlab.assess_risk(coarse, QI, k=5).summary())

# %% [markdown]
# Better, but many records are still in small classes. Suppressing them reaches 5-anonymity, at
# the price of the records removed: the trade-off tutorial 5 optimizes.

# %%
five = coarser.then(None, SuppressRecords(quasi_identifiers=QI, k=5)).apply(released)
print(f"{released.height - five.height:,} of {released.height:,} records suppressed")
print(anonlab.assess_risk(five, QI, k=5).summary())

# %% [markdown]
# ## Export under the template
#
# A signing key pair (Ed25519), then the bundle. `export` takes the original table and the
# recipe: it makes the release itself, attacks it against the original, and signs only what
# survives the attacks (next section). The bundle holds the data, a license issued from the
# template with the measured evidence, its ODRL policy and LICENSE.md, the recipe, the evidence
# and risk report, a SHA-256 manifest and the signature. The private key never enters it.

# %%
private, public = anonlab.generate_keypair(work / "keys" / "hospital")
bundle = anonlab.export(
    raw,
    recipe=recipe,
    license="hipaa-safe-harbor",
    license_terms={
        "licensee": "Cancer registry analytics team",
        "licensor": "General Hospital",
        "purposes": ["research"],
        "expires": dt.date(2027, 12, 31),
    },
    path=work / "safe-harbor-release",
    signing_key=private,
    profile=profile,
)
bundle

# %% [markdown]
# ## The evidence behind every claim
#
# Each claim the license makes stands because an attack that would disprove it was run on this
# release, against the original, and failed. The figures are in `license.json` (under
# `anonymization.checks`), in LICENSE.md and at the top of `report.html`:

# %%
# NBVAL_CHECK_OUTPUT
checks = {c["name"]: c for c in bundle.license.anonymization["checks"]}
for name, check in checks.items():
    print(f"[{'pass' if check['passed'] else 'FAIL'}] {name}")

# %%
for name, check in checks.items():
    print(f"{name}: {check['detail']}\n")

# %% [markdown]
# What each attack measured:
#
# - **replay**: a recipient re-runs the shipped `recipe.yaml` on the original records, with keys
#   of their own, and counts the random draws (noise, PRAM, shuffles) it reproduces, against a
#   blind replay's chance level. This recipe has no random step, so nothing is claimed about
#   perturbations.
# - **irreversibility**, **cross-release**: there are no keyed hashes or pseudonyms left (Safe
#   Harbor forbids codes derived from identifiers), so nothing to reverse or to join with another
#   release.
# - **row-order**: the share of consecutive rows in their original order, about 50% for a secret
#   random order; 100% would let a recipient who knows the original order link rows by position.
# - **linkage**: every original record is looked up in the release by its quasi-identifiers, as
#   someone who knows them and the recipe would; the share re-identified uniquely, the mean and
#   highest risk, checked against the `k` the license states (here k = 1: most records are
#   unique, which Safe Harbor does not forbid and the license says plainly).
# - **singling-out**, **linkability**, **inference**: the three criteria of the WP29 Opinion
#   05/2014, measured as anonymeter does, on a release made without a random control sample of
#   records: the residual risk is how much better the attack does on records in the data than on
#   records not in it, with its 95% interval. Safe Harbor sets no threshold for them, so they are
#   recorded; the templates for anonymous data refuse a release above theirs (tutorial 3).
# - **residual-identifiers**: every free-text column is scanned for each record's own original
#   identifiers (above); this recipe dropped the notes, so there is nothing to scan.
#
# An attack that succeeds stops the export. A recipe that adds noise with a seed (a number any
# recipient reads in `recipe.yaml`) is refused, with the attack and the figure:

# %%
# NBVAL_CHECK_OUTPUT
from anonlab.transforms import Noise

seeded = recipe.then("total_charges", Noise(distribution="laplace", scale=500.0, seed=7))
try:
    anonlab.export(raw, recipe=seeded, license="hipaa-safe-harbor", path=work / "refused",
                   signing_key=private, license_terms={"licensee": "Registry"})
except anonlab.ComplianceError as exc:
    for check in exc.failures:
        print(f"refused by {check.name}: {check.detail[:130]}")
print((work / "refused").exists())

# %%
# NBVAL_CHECK_OUTPUT
print(sorted(p.name for p in bundle.path.iterdir()))
print(bundle.license.template, bundle.license.anonymization["claimed_status"])

# %% [markdown]
# LICENSE.md, for people: what the licensee may do, must do and must not do, the
# de-identification statement with its evidence, and how to verify the bundle.

# %%
print((bundle.path / "LICENSE.md").read_text()[:2500])

# %% [markdown]
# ## The recipient verifies it
#
# Every byte of every file is covered by the manifest, and the manifest by the signature. A
# changed byte is caught and named:

# %%
# NBVAL_CHECK_OUTPUT
print(anonlab.verify(bundle.path, public_key=public).ok)
data_file = bundle.path / "data.parquet"
original_bytes = data_file.read_bytes()
data_file.write_bytes(original_bytes[:-1] + bytes([original_bytes[-1] ^ 1]))
try:
    anonlab.verify(bundle.path, public_key=public)
except anonlab.VerificationError as exc:
    print("tampered:", exc.reason, exc.file)
data_file.write_bytes(original_bytes)
print(anonlab.verify(bundle.path, public_key=public).ok)

# %%
import shutil

shutil.rmtree(work)

# %% [markdown]
# ## What next
#
# - [Tutorial 3](03-gdpr-vendor.ipynb): sharing with a vendor under GDPR, pseudonymous versus
#   anonymous, and the recipient's side: open for a purpose, refusals, the audit log.
# - [Tutorial 5](05-optimal-k-anonymity.ipynb): reach k-anonymity with the least loss.
# - From the command line: `anonlab export`, `anonlab verify`, `anonlab license show`.
