# %% [markdown]
# # 3. Sharing with an external vendor under GDPR
#
# A clinic group wants an analytics vendor to study service use. Under the GDPR the first question
# is what the shared data *is*:
#
# - **pseudonymous** data (identifiers replaced by keyed hashes or tokens) is still personal data
#   (Art. 4(5); EDPB Guidelines 01/2025): the GDPR applies in full, and a contract must bind the
#   recipient;
# - **anonymous** data (Recital 26) is outside the GDPR, but only if no one can reasonably
#   re-identify anybody: identifiers gone *and* the re-identification risk low.
#
# This tutorial prepares both, issues the license under the `vendor-analytics` template, and then
# plays the vendor: verify the bundle, open it for a permitted purpose, be refused a forbidden one,
# and read the audit log. Embedded data only; under a minute. Nothing here is legal advice.

# %%
import datetime as dt
import json
import os
import tempfile
from pathlib import Path

import polars as pl

import anonlab
from anonlab.licensing import check_compliance

raw = anonlab.datasets.patients(n=5000, seed=3)
profile = anonlab.profile(raw)
work = Path(tempfile.mkdtemp(prefix="anonlab-vendor-"))
# Keyed hashes need a secret key. A recipe only references it (here the environment variable
# ANONLAB_KEY); in production it comes from a secret store. A random one for this session:
os.environ["ANONLAB_KEY"] = os.urandom(32).hex()

# %% [markdown]
# ## Pseudonymous is not anonymous
#
# The default suggestion replaces e-mails and record numbers with keyed hashes so the vendor can
# still link a patient's records. The `gdpr-anonymous` template refuses that, and says why; the
# pseudonymous research template accepts it and labels the data *pseudonymous*.

# %%
# NBVAL_CHECK_OUTPUT
pseudo = anonlab.suggest_recipe(profile)
pseudo_data = pseudo.apply(raw)
for tid in ("gdpr-anonymous", "gdpr-pseudonymous-research"):
    result = check_compliance(tid, frame=pseudo_data, recipe=pseudo, original=raw,
                              preview=True)
    print(f"{tid}: {'PASS' if result.passed else 'FAIL'}, status {result.status}")
    print(f"  failing: {', '.join(c.name for c in result.failures) or 'none'}")
    print(f"  deferred to the export: {', '.join(result.deferred)}")

# %% [markdown]
# For `gdpr-anonymous` the keyed hashes fail *pseudonymisation*, and the attacks show why the
# recipe is far from anonymous: the linkage attack re-identifies records uniquely on their
# quasi-identifiers, single records are singled out, and their diagnoses inferred (their
# figures are in each check's `detail`). The *irreversibility* check hashed every original
# value, and common candidates, without the key and found no match among the released tokens:
# reversing them needs the key. That is evidence, not proof: it shows the hashes are keyed, not
# that nobody holds the key.
#
# ## A release for the vendor
#
# The `vendor-analytics` template allows service analytics only, forbids re-identification,
# linking, onward transfer, sale and use for the vendor's own purposes, and requires the highest
# re-identification risk to stay under 0.09 (the threshold health-data regulators use for public
# or less trusted recipients). The suggestion for it generalizes harder and suppresses the records
# that remain in classes under 12:

# %%
recipe = anonlab.suggest_recipe(profile, template="vendor-analytics")
print(recipe.summary())

# %%
release = recipe.apply(raw)
targets = recipe.targets
report = anonlab.assess_risk(release, list(targets.quasi_identifiers),
                             list(targets.sensitive_columns), targets=targets.models())
print(f"{release.height:,} of {raw.height:,} records kept")
report

# %% [markdown]
# ## The license and its machine-readable policy
#
# `export` takes the original table and the recipe: it makes the vendor's release itself, with
# keys derived for this release alone and the rows in a secret order, attacks it, runs the
# template's checks, issues the license with the measured evidence, and writes the signed bundle.
# The license is also an ODRL 2.2 policy: a permission to *use* for the purpose
# `service-analytics` until the expiry date, prohibitions, and duties (log every access, erase at
# expiry, report incidents).

# %%
private, public = anonlab.generate_keypair(work / "keys" / "clinic")
# The vendor's analyst makes an identity key (`anonlab identity new j.smith`) and sends the
# clinic the public half; the license names it, and only that key opens the data.
analyst_key, analyst_pub = anonlab.bundle.new_identity(work / "keys" / "j.smith")
bundle = anonlab.export(
    raw,
    recipe=recipe,
    license="vendor-analytics",
    license_terms={
        "licensee": "Acme Analytics Ltd",
        "licensor": "Northside Clinic Group",
        "expires": "P6M",  # six months from today
        "licensee_keys": [{"key": analyst_pub, "name": "j.smith"}],
    },
    path=work / "vendor-release",
    signing_key=private,
    profile=profile,
)
license = bundle.license
print(license.anonymization["claimed_status"], license.purposes, license.prohibited)

# %% [markdown]
# ## The evidence, and the thresholds it was held to
#
# The template claims the vendor's copy is anonymous (or pseudonymous where keyed tokens remain)
# and cannot be joined with other releases. Each claim was attacked on this release:

# %%
# NBVAL_CHECK_OUTPUT
checks = {c["name"]: c for c in license.anonymization["checks"]}
print({name: check["passed"] for name, check in checks.items()})
print(anonlab.licensing.template("vendor-analytics").attack_thresholds)

# %%
for name in ("linkage", "singling-out", "linkability", "inference", "cross-release"):
    print(f"{name}: {checks[name]['detail']}\n")

# %% [markdown]
# - **linkage** looks each of the records up by its quasi-identifiers, as someone who knows them
#   and the recipe would: the highest risk must stay within the `1/k` the license states and the
#   template's 0.09.
# - **singling-out**, **linkability** and **inference** are the WP29 Opinion 05/2014 criteria,
#   measured as anonymeter measures them: the residual risk is how much better each attack does
#   on records in the data than on a control sample held out of a second, shadow release made by
#   the same recipe. The template refuses a release whose 95% interval reaches above 0.09
#   (singling out), 0.2 (linkability) or 0.5 (inference): documented choices that a k = 12
#   release stays under and a release of the original records does not.
# - **cross-release** makes the release another licensee would get from the same data and keys
#   and joins the two on every token column: no more records may link than chance.
# - **residual-identifiers** scans every free-text column for each record's own original
#   identifiers (its name and each part of it, phone, e-mail, record number, address, dates);
#   this recipe dropped the notes, so there is nothing to scan (tutorial 2 scrubs them instead).
#
# Two vendors, two releases: not one keyed token in common, because each release's tokens come
# from a key derived for it alone (the license records its scope). Only a declared family of
# releases (`export(..., linkable_family="name")`, refused by this template) shares them.

# %%
# NBVAL_CHECK_OUTPUT
other = anonlab.export(raw, recipe=recipe, license="vendor-analytics",
                       license_terms={"licensee": "Other Analytics GmbH"},
                       path=work / "other-vendor", signing_key=private, profile=profile)
first, second = (pl.read_parquet(b.path / "data.parquet") for b in (bundle, other))
tokens = [c for c in first.columns if c in ("email", "mrn")]
for column in tokens:
    shared = set(first[column].drop_nulls()) & set(second[column].drop_nulls())
    print(column, "tokens shared by the two vendors:", len(shared))

# %%
policy = json.loads((bundle.path / "policy.odrl.jsonld").read_text())
print(json.dumps({k: policy[k] for k in ("@type", "conflict", "permission", "prohibition")},
                 indent=1)[:2000])

# %% [markdown]
# ## The vendor's side
#
# The vendor receives the folder and the clinic's public key. `anonlab.open` verifies every
# byte, checks the bundle was signed by that key (passed as `public_key=`, or kept once in the
# vendor's keyring with `anonlab trust add clinic.pub`; any other signer is refused), checks the
# opener's identity key is one the license names, that the license is in force and that their
# role may use the purpose, logs the access (signed with the identity key) and returns the data.

# %%
# NBVAL_CHECK_OUTPUT
data = anonlab.open(bundle.path, purpose="service-analytics", role="analyst",
                    identity=analyst_key, public_key=public, backend="pandas")
print(type(data).__name__, data.shape)

# %% [markdown]
# Anything the license does not allow is refused with the reason, and the refusal is logged too:

# %%
# NBVAL_CHECK_OUTPUT
attempts = [
    dict(purpose="marketing", role="analyst"),                 # a purpose not licensed
    dict(purpose="service-analytics", role="data-scientist"),  # a role not licensed
    dict(purpose="service-analytics", role="analyst",          # in a year: expired by then
         now=dt.datetime.now(dt.UTC) + dt.timedelta(days=365)),
    dict(purpose="service-analytics", role="analyst", identity=None,
         user="CEO"),                                           # no identity key
]
for attempt in attempts:
    try:
        anonlab.open(bundle.path, public_key=public, **{"identity": analyst_key, **attempt})
    except anonlab.AccessDeniedError as exc:
        print(f"refused ({exc.reason})")

# %% [markdown]
# ## The audit log
#
# Every access, allowed or refused, is a line of JSON beside the bundle, chained to the one before
# by its SHA-256 (the first to the license itself). Never a cell value.

# %%
log = anonlab.AuditLog.for_bundle(bundle.path)
for entry in log.entries():
    print(entry["seq"], entry["user"], entry["role"], entry["purpose"], entry["action"],
          entry["outcome"], entry.get("reason") or "", entry.get("identity", "")[:16])

# %% [markdown]
# Editing, removing or reordering a line breaks the chain, and `verify` names where. But whoever
# holds the whole file can also *shorten* it, or rewrite it and recompute every hash: a chain
# alone cannot tell. What anchors it is the **usage report**: the vendor signs the log's state
# with their identity key (`anonlab usage-report BUNDLE`) and sends it to the clinic, which checks
# it (`anonlab usage-verify REPORT --license ... --history DIR`) and keeps it. Every later report
# must extend every earlier one.

# %%
report = anonlab.bundle.usage_report(bundle.path, identity=analyst_key)
print(report.summary())
print(anonlab.bundle.verify_usage_report(report, license=license).summary().splitlines()[0])

# %% [markdown]
# Now the vendor drops the refusals at the end of the log. The shorter chain is intact, and a
# new report of it is signed, but against the report the clinic holds it is rejected:

# %%
# NBVAL_CHECK_OUTPUT
lines = log.path.read_text().splitlines()
log.path.write_text("\n".join(lines[:1]) + "\n")  # keep the first access only
print("chain intact:", log.verify().ok)
second = anonlab.bundle.usage_report(bundle.path, identity=analyst_key)
check = anonlab.bundle.verify_usage_report(second, license=license, previous=[report])
print("accepted:", check.ok, "| truncation found:", any("truncated" in p for p in check.problems))

# %% [markdown]
# The clinic, seeing the truncated log, revokes the license: it adds it to its register and
# publishes a signed status list (`anonlab revoke ID --register R`, `anonlab status publish`).
# A license can name where that list lives (`status_list=`), and `open` then always checks it;
# here the vendor is handed it. The next open is refused:

# %%
# NBVAL_CHECK_OUTPUT
from anonlab.bundle.status import StatusRegister, publish_status

register = StatusRegister.load(work / "clinic-register.json")
register.revoke(license.id, reason="audit log truncated")
status_list = publish_status(register, private).write(work / "clinic.status.json")
try:
    anonlab.open(bundle.path, purpose="service-analytics", role="analyst",
                 identity=analyst_key, public_key=public, status=status_list)
except anonlab.AccessDeniedError as exc:
    print(f"refused ({exc.reason})")

# %% [markdown]
# At the end of the license the vendor deletes the data; `purge` writes a deletion certificate,
# signed with their key, into the log, for the next report:

# %%
print(anonlab.bundle.purge(bundle.path, identity=analyst_key).summary())

# %%
import shutil

shutil.rmtree(work)
del os.environ["ANONLAB_KEY"]  # no output: the key must never be printed

# %% [markdown]
# ## What next
#
# - [Tutorial 2](02-hipaa-safe-harbor.ipynb): HIPAA Safe Harbor, identifier by identifier.
# - [Tutorial 4](04-risk-adult.ipynb): what the risk figures mean.
# - The vendor's command line: `anonlab trust add clinic.pub --name Clinic` (once), then
#   `anonlab verify BUNDLE`,
#   `anonlab open BUNDLE --purpose service-analytics --role analyst --identity j.smith.key -o data.parquet`,
#   `anonlab audit BUNDLE.audit.jsonl`, `anonlab usage-report BUNDLE --identity j.smith.key -o
#   report.json`, `anonlab purge BUNDLE --identity j.smith.key`; the clinic's:
#   `anonlab usage-verify report.json --license BUNDLE --history reports/`.
