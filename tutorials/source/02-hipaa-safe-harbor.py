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

# %%
# NBVAL_CHECK_OUTPUT
result = check_compliance("hipaa-safe-harbor", frame=released, recipe=recipe, original=raw)
print(result.summary())

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
# A signing key pair (Ed25519), then the bundle: the data, a license issued from the template with
# the measured evidence, its ODRL policy and LICENSE.md, the recipe, a risk report, a SHA-256
# manifest and the signature. The private key never enters the bundle.

# %%
private, public = anonlab.generate_keypair(work / "keys" / "hospital")
bundle = anonlab.export(
    released,
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
    report=report,
)
bundle

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
