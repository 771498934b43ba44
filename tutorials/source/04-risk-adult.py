# %% [markdown]
# # 4. Measuring re-identification risk on Adult
#
# Before and after anonymizing, the question is the same: how exposed are the people in this
# table to someone who knows a few things about them? This tutorial measures it on the UCI Adult
# census extract (30,162 people), the data set anonymization tools are benchmarked on:
#
# - equivalence classes: the groups of people who share their quasi-identifiers;
# - privacy models: k-anonymity, l-diversity, t-closeness and friends;
# - attacker models: prosecutor, journalist and marketer risk against regulators' thresholds;
# - per-record risk, the records that break a target, and which quasi-identifiers to generalize
#   first.
#
# It runs on the embedded data only, in under a minute.

# %%
import polars as pl

import anonlab

adult = anonlab.datasets.adult()
adult.head(3)

# %% [markdown]
# ## Who is unique?
#
# An attacker who knows someone's sex, age, race, marital status, education, country of birth,
# work class and occupation (all things a neighbour or a social-network profile can tell) looks
# that person up in the table. `assess_risk` groups the records on those quasi-identifiers and
# measures everything from the groups. `salary-class` is what the attacker wants to learn: the
# sensitive column.

# %%
QI = ["sex", "age", "race", "marital-status", "education", "native-country", "workclass",
      "occupation"]
report = anonlab.assess_risk(adult, QI, "salary-class", k=5, l=2, t=0.2)
report

# %% [markdown]
# These are the figures the reference tool ARX gives for this table: 18,109 classes, 14,021
# records unique on their quasi-identifiers (46.5%), a highest prosecutor risk of 1 and an
# average of 0.600.

# %%
# NBVAL_CHECK_OUTPUT
print(f"classes: {report.classes:,}")
print(f"sample uniques: {report.sample_uniques:,} ({report.sample_unique_share:.1%})")
print(f"highest prosecutor risk: {report.highest_risk:.3f}")
print(f"average prosecutor risk: {report.average_risk:.3f}")

# %% [markdown]
# ## Privacy models
#
# Each target is a small class, shared with the optimizer of tutorial 5. They can be evaluated on
# their own too; `measures` holds the achieved figures whatever the targets.

# %%
# NBVAL_CHECK_OUTPUT
for result in report.targets:
    print(f"{result.model.describe():40} achieved {result.achieved:.4g}  "
          f"{'pass' if result.passed else 'FAIL'}  ({result.failing_records:,} records fail)")
print(report.measures.to_dict())

# %% [markdown]
# ## Attacker models
#
# - The **prosecutor** knows the person is in the table: their risk is 1 / the size of their class.
# - The **journalist** does not know, and matches against a population: their risk is 1 / the
#   number of people in the population who share the values (it needs a population table).
# - The **marketer** wants to re-identify as many people as possible: the expected share of
#   records matched.
#
# The thresholds (0.2, 0.09, 0.05) are those used by health data regulators. Here the Adult file
# itself stands in for the population of a 10% sample, which also gives population-uniqueness
# estimates (Pitman, Zayatz and SNB models, as ARX and sdcMicro use).

# %%
sample = adult.sample(fraction=0.1, seed=1)
sampled = anonlab.assess_risk(sample, ["sex", "age", "race", "marital-status"], k=5,
                              population=adult, sampling_fraction=0.1)
for name, risk in sampled.attackers.items():
    print(f"{name:11} highest {risk.highest:.3f}  average {risk.average:.4f}  "
          f"records above {risk.threshold}: {risk.records_at_risk:,}")
for name, value in sampled.population_uniqueness.items():
    print(f"population uniqueness ({name}): {value:.4f}")

# %% [markdown]
# ## Per record, and the records that break a target
#
# `record_risk()` gives each record's risk in row order, ready to join back. `drill_down()` lists
# the records in classes that break a target, riskiest first, with their quasi-identifier values
# only: never an identifier or a sensitive value.

# %%
risk = report.record_risk()
adult.with_columns(risk).group_by("risk").len().sort("risk", descending=True).head(5)

# %%
report.drill_down(limit=5)

# %% [markdown]
# ## Which quasi-identifiers to generalize first
#
# `contribution()` removes one quasi-identifier at a time and counts how many sample uniques stop
# being unique. `minimal_sample_uniques()` lists the smallest attribute sets that single people
# out (in the spirit of SUDA): the combinations an attacker needs.

# %%
# NBVAL_CHECK_OUTPUT
for column, share in sorted(report.contribution().items(), key=lambda kv: -kv[1]):
    print(f"{column:15} {share:.1%}")

# %%
report.minimal_sample_uniques(max_size=2).head(6)

# %% [markdown]
# ## The figures
#
# Class sizes, the distribution of per-record risk with the thresholds, the share of records at
# risk for any threshold, and the contributions, in one dashboard (colour-blind-safe colours;
# `theme="dark"` for a dark notebook; `anonlab.risk.figures` has each figure on its own).

# %%
report.plot()

# %% [markdown]
# ## After generalizing
#
# Ages in 10-year bands and the rarer attributes left out of what an attacker is assumed to know:
# the classes grow and the risk falls. Tutorial 5 finds the best generalization automatically.

# %%
coarse = adult.with_columns((pl.col("age") // 10 * 10).alias("age"))
after = anonlab.assess_risk(coarse, ["sex", "age", "race", "marital-status"], "salary-class",
                            k=5, l=2)
print(after.summary())

# %% [markdown]
# ## What next
#
# - [Tutorial 5](05-optimal-k-anonymity.ipynb): the least-loss generalization that meets these
#   targets, found by an optimal search.
# - From a pipeline: `anonlab risk adult.csv --qi sex,age,race --sensitive salary-class --json`.
# - [The figure gallery](../notebooks/figure-gallery.ipynb) shows every figure on its own.
