# %% [markdown]
# # Figure gallery
#
# Every figure anonlab draws, on the Adult data, each on its own. They are matplotlib figures:
# pass `ax=` to draw into your own layout, `theme="dark"` for a dark notebook, and
# `anonlab.risk.figures.save(fig, "name.png")` to write a PNG for a report (atomically). Colours
# are the Okabe-Ito palette, readable with every common colour-vision deficiency.

# %%
import polars as pl

import anonlab
from anonlab.risk import equivalence_classes
from anonlab.risk import figures

adult = anonlab.datasets.adult()
QI = ["sex", "age", "race", "marital-status", "education"]
report = anonlab.assess_risk(adult, QI, "salary-class", k=5)
risk = report.record_risk()

# %% [markdown]
# ## Records by equivalence-class size
#
# How many records sit in classes of each size; the classes smaller than k are shaded.

# %%
figures.class_size_histogram(report.table, k=5)

# %% [markdown]
# ## Distribution of per-record risk, with the attacker thresholds

# %%
figures.risk_distribution(risk)

# %% [markdown]
# ## Share of records at risk, for any threshold

# %%
figures.records_at_risk_curve(risk)

# %% [markdown]
# ## Which quasi-identifiers make records unique

# %%
figures.contribution_bars(report.contribution())

# %% [markdown]
# ## One column before and after
#
# A number generalized into bands, and a category generalized through its hierarchy.

# %%
hierarchies = {c: anonlab.Hierarchy.from_mapping(m, column=c)
               for c, m in anonlab.datasets.adult_hierarchies().items()}
result = anonlab.optimize(adult, {c: hierarchies[c] for c in QI}, [anonlab.KAnonymity(5)],
                          max_suppression=0.02, progress=False)
figures.before_after(adult["age"], result.frame["age"])

# %%
figures.before_after(adult["education"], result.frame["education"])

# %% [markdown]
# ## The dashboard, in the dark theme

# %%
after = anonlab.assess_risk(result.frame, QI, "salary-class", k=5)
figures.risk_dashboard(after.table, after.record_risk(), after.contribution(), k=5, theme="dark")
