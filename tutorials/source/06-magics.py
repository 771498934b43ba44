# %% [markdown]
# # 6. Magics for the impatient
#
# The whole flow in a few lines: `%load_ext anonlab` adds two magics and a `.anonlab` accessor to
# every pandas and polars frame. `%anonymize` profiles a frame, applies a suggested (or your)
# recipe, measures the risk and stores the result; `%%anonymize` takes the recipe as YAML in the
# cell; `%anonlab` does the rest (profile, risk, export, verify). Every option has help:
# `%anonymize?`, `%anonlab help`.
#
# Embedded data only; under a minute.

# %%
%load_ext anonlab

# %%
import os
import tempfile
from pathlib import Path

import anonlab

patients = anonlab.datasets.patients(n=3000, seed=6)
work = Path(tempfile.mkdtemp(prefix="anonlab-magics-"))
home = Path.cwd()
os.chdir(work)  # the keys and the bundle go to a scratch folder, removed at the end
# The suggested recipe hashes e-mails and record numbers with the key in ANONLAB_KEY; a random
# one for this session (never printed).
os.environ["ANONLAB_KEY"] = os.urandom(32).hex()

# %% [markdown]
# ## `%anonymize`: one line
#
# With no recipe, the suggested one; the quasi-identifiers and k become the targets the summary
# checks. The anonymized frame is stored under `-o` (default `<name>_anon`) and returned.

# %%
%anonymize patients --qi zip,sex,ethnicity --k 5 -o released

# %%
# NBVAL_CHECK_OUTPUT
print(type(released).__name__, released.shape)
print(sorted(set(patients.columns) - set(released.columns)))

# %% [markdown]
# ## `%%anonymize`: the recipe in the cell
#
# The suggested recipe leaves ZIP3 and ethnicity fine-grained enough that some patients are
# alone in their class. Here one ZIP digit, birth decades (`198*`), and the records still
# in classes under 5 suppressed. The cell
# body is a recipe in YAML, the same format `recipe.to_yaml()` writes and
# `anonlab apply` reads. Regular expressions and `$` survive as written: the magics turn off
# IPython's variable expansion.

# %%
%%anonymize patients -o coarse
format_version: 1
steps:
  - {column: name, op: drop}
  - {column: email, op: drop}
  - {column: phone, op: drop}
  - {column: ssn, op: drop}
  - {column: mrn, op: drop}
  - {column: address, op: drop}
  - {column: city, op: drop}
  - {column: note, op: drop}
  - {column: zip, op: generalize, keep: 1}
  - {column: date_of_birth, op: generalize, unit: year}
  - {column: date_of_birth, op: generalize, keep: 3}
  - {column: admission_date, op: drop}
  - {column: discharge_date, op: drop}
  - {column: null, op: suppress_records, quasi_identifiers: [zip, date_of_birth, sex, ethnicity], k: 5}
targets:
  quasi_identifiers: [zip, date_of_birth, sex, ethnicity]
  k: 5

# %% [markdown]
# ## `%anonlab`: profile, risk, export, verify

# %%
%anonlab risk coarse --qi zip,date_of_birth,sex,ethnicity --k 5

# %% [markdown]
# The `.anonlab` accessor does the same from Python, on pandas and polars frames alike:

# %%
# NBVAL_CHECK_OUTPUT
report = coarse.anonlab.risk(["zip", "date_of_birth", "sex"], k=5)
print(report.classes > 0, report.records)

# %% [markdown]
# Export needs a signing key; `anonlab.generate_keypair` makes one (the private half stays out of
# every bundle). Pseudonymised research data may only be opened by identified people, so the
# license names the study team's identity key (`anonlab identity new` on their side; here made
# on the spot). The export runs the template's compliance checks and refuses, listing them, if
# the data does not pass.

# %%
from anonlab.bundle import new_identity

private, public = anonlab.generate_keypair("signing")  # signing.key and signing.pub
new_identity("study-team")  # the study team's study-team.key and study-team.pub

# %%
%anonlab export released --template gdpr-pseudonymous-research --licensee "Study team" --licensee-key study-team.pub --purpose scientific-research --expires P1Y --signing-key signing.key --to release

# %%
%anonlab verify release --public-key signing.pub

# %% [markdown]
# Mistakes are one clear line, not a traceback:

# %%
try:
    get_ipython().run_line_magic("anonymize", "nonexistent --k 5")
except Exception as exc:  # a UsageError, shown as one line in a notebook
    print(type(exc).__name__, exc)

# %%
import shutil

os.chdir(home)
shutil.rmtree(work)
del os.environ["ANONLAB_KEY"]

# %% [markdown]
# ## What next
#
# - [Tutorial 1](01-quickstart.ipynb): the panel, where every step of this tutorial is a click.
# - [Tutorial 3](03-gdpr-vendor.ipynb): what the recipient of the bundle does with it.
# - `%anonymize?` and `%anonlab help` list every option.
