# %% [markdown]
# # 1. Quickstart: from a sensitive table to a signed, licensed bundle
#
# The whole flow on a synthetic patient table, in a few minutes:
#
# 1. **profile** the table: what in it identifies people;
# 2. **explore** it in the panel, where every change shows its effect on the risk;
# 3. **anonymize** it with a suggested recipe;
# 4. **measure** the re-identification risk that is left;
# 5. **export** a signed bundle whose license says what the recipient may do, and check it.
#
# It runs on the embedded example data only.

# %%
import datetime as dt
import tempfile
from pathlib import Path

import polars as pl

import anonlab

anonlab.__version__

# %% [markdown]
# ## The data
#
# `anonlab.datasets.patients` makes a synthetic patient table: it looks real (names, contact
# details, SSNs, medical record numbers, addresses, ICD-10 diagnoses, clinical notes) but nobody in
# it exists. The same `n` and `seed` always give the same table. Everything below works the same
# on a pandas DataFrame, and gives you back pandas.

# %%
df = anonlab.datasets.patients(n=2000, seed=0)
df.select("sex", "ethnicity", "diagnosis_code", "diagnosis", "total_charges", "insurer").head(3)

# %% [markdown]
# ## 1. Profile: what identifies people?
#
# Per column: statistics, the kind of identifier detected (with its evidence), the role it should
# play, and its HIPAA Safe Harbor category. Values of identifier columns are shown masked.

# %%
profile = anonlab.profile(df)
profile

# %%
# NBVAL_CHECK_OUTPUT
print("identifiers:      ", ", ".join(profile.identifiers))
print("quasi-identifiers:", ", ".join(profile.quasi_identifiers))
print("sensitive:        ", ", ".join(profile.sensitive))

# %% [markdown]
# ## 2. The panel
#
# `anonlab.panel(df)` opens the interactive panel: **Profile** (roles are editable), **Transform**
# (a transform per column with its options, a before/after preview, *suggest* and *optimize*
# buttons), **Risk** (the headline numbers, targets and figures, refreshed after each change),
# **Code** (the recipe as Python and YAML) and **Export** (template, licensee, purposes, expiry,
# signing key: one click writes the signed bundle). Undo and redo keep the history of changes.
#
# The panel is also plain Python: `panel.recipe` is the recipe built so far and `panel.report` its
# risk report, so what you do by hand can be saved and rerun.

# %%
# NBVAL_IGNORE_OUTPUT
panel = anonlab.panel(df, quasi_identifiers=["zip", "date_of_birth", "sex", "ethnicity"], k=5)
panel

# %% [markdown]
# ## 3. Anonymize with a suggested recipe
#
# For the HIPAA Safe Harbor license template: direct identifiers dropped (a keyed hash would be a
# code derived from the identifier, which Safe Harbor does not allow), dates to the year, ages
# over 89 pooled, ZIP codes to three digits with sparsely populated areas set to `000`.

# %%
recipe = anonlab.suggest_recipe(profile, template="hipaa-safe-harbor")
print(recipe.summary())

# %%
released = recipe.apply(df)
released.head(3)

# %% [markdown]
# A recipe is a value you can keep: YAML (`recipe.to_yaml()`, read by `anonlab apply` in a
# pipeline) or Python (`recipe.to_python()`). It never holds a key, only references to one.

# %%
print(recipe.to_yaml()[:600])

# %% [markdown]
# ## 4. The risk that is left
#
# An attacker who knows someone's ZIP area, birth year, sex and ethnicity looks them up. The
# report says how many people share each combination, and which targets pass.

# %%
report = anonlab.assess_risk(released, ["zip", "date_of_birth", "sex", "ethnicity"], k=5)
report

# %% [markdown]
# Safe Harbor removes the 18 identifiers but does not promise k-anonymity. One ZIP digit, birth
# decades and suppressing the records left in small classes reach it (tutorial 5 finds the
# least-loss way):

# %%
from anonlab.transforms import Generalize, SuppressRecords

QI = ["zip", "date_of_birth", "sex", "ethnicity"]
safer = (
    recipe.then("zip", Generalize(keep=1))
    .then("date_of_birth", Generalize(keep=3))
    .then(None, SuppressRecords(quasi_identifiers=QI, k=5))
)
released = safer.apply(df)
report = anonlab.assess_risk(released, QI, k=5)
print(f"{released.height:,} of {df.height:,} records kept")
print(report.summary())

# %% [markdown]
# ## 5. A signed, licensed bundle
#
# `export` takes the *original* data and the recipe. It makes the release itself (keys for this
# release alone, the rows in a secret order), attacks it against the original (can the recipe be
# replayed? can records be linked back on the quasi-identifiers? do tokens join other
# releases?), checks it against the template, and only then issues the license with the evidence
# and writes the bundle atomically: data, `license.json`, `LICENSE.md`, the ODRL policy, the
# recipe, the evidence and risk report, a SHA-256 manifest and an Ed25519 signature. If any check
# or attack fails it refuses, naming it and its figure, and writes nothing. The private key never
# enters the bundle.

# %%
work = Path(tempfile.mkdtemp(prefix="anonlab-quickstart-"))
private, public = anonlab.generate_keypair(work / "keys" / "hospital")
bundle = anonlab.export(
    df,
    recipe=safer,
    license="hipaa-safe-harbor",
    license_terms={
        "licensee": "Outcomes research team",
        "licensor": "General Hospital",
        "purposes": ["research"],
        "expires": dt.date(2027, 12, 31),
    },
    path=work / "patients-release",
    signing_key=private,
)
bundle

# %% [markdown]
# The evidence the export recorded, one line per check and attack (tutorials 2 and 3 explain
# each figure):

# %%
for check in bundle.license.anonymization["checks"]:
    print(f"[{'pass' if check['passed'] else 'FAIL'}] {check['name']}: {check['detail']}")

# %% [markdown]
# The recipient verifies every byte against the signature, and opens the data for a licensed
# purpose; anything else is refused and logged.

# %%
# NBVAL_CHECK_OUTPUT
print(anonlab.verify(bundle.path, public_key=public).ok)
data = anonlab.open(bundle.path, purpose="research", role="analyst", user="dr.lee",
                    public_key=public)
print(data.shape == released.shape)
try:
    anonlab.open(bundle.path, purpose="marketing", role="analyst", user="dr.lee",
                 public_key=public)
except anonlab.AccessDeniedError as exc:
    print("refused:", exc.reason)
print([e["outcome"] for e in anonlab.AuditLog.for_bundle(bundle.path).entries()])

# %%
import shutil

shutil.rmtree(work)

# %% [markdown]
# ## What next
#
# - [Tutorial 2](02-hipaa-safe-harbor.ipynb): HIPAA Safe Harbor, identifier by identifier.
# - [Tutorial 3](03-gdpr-vendor.ipynb): sharing with a vendor under GDPR, and the recipient's side.
# - [Tutorial 4](04-risk-adult.ipynb) and [5](05-optimal-k-anonymity.ipynb): measuring risk and
#   finding the optimal generalization on the Adult census data.
# - [Tutorial 6](06-magics.ipynb): the same flow with `%anonymize`; [7](07-large-files.ipynb):
#   files larger than memory.
# - `make demo` runs this flow from the command line.
