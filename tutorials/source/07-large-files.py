# %% [markdown]
# # 7. Large files: stream a recipe over a Parquet file bigger than memory
#
# A recipe is a lazy polars query: `anonlab apply` (and `recipe.apply_lazy` from Python) reads
# the input in batches, anonymizes each batch and writes it out, so the whole table never has to
# fit in memory. This tutorial writes a 2,000,000-row patient file, anonymizes it from the
# notebook and from the command line, and measures how much memory the command line used.
#
# It runs on the embedded synthetic data only, in about a minute.

# %%
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import polars as pl

import anonlab

work = Path(tempfile.mkdtemp(prefix="anonlab-large-"))
# The suggested recipe replaces e-mails and record numbers with keyed hashes. The key is read
# from the environment when the recipe runs; a notebook would normally get it from a secret
# store. Here a random one is made for this session (it is never printed or written).
os.environ["ANONLAB_KEY"] = os.urandom(32).hex()

# %% [markdown]
# ## A file of 2,000,000 patients
#
# The generator is vectorized; the file is written in batches of 250,000 rows so that making it
# does not need the whole table in memory either. Row groups of 50,000 rows let a reader take the
# file a piece at a time.

# %%
path = work / "patients.parquet"
parts, in_memory = [], 0
for i in range(8):
    part = work / f"part-{i}.parquet"
    batch = anonlab.datasets.patients(250_000, seed=i)
    in_memory += batch.estimated_size()
    batch.write_parquet(part)
    parts.append(part)
pl.scan_parquet(parts).sink_parquet(path, row_group_size=50_000)
for part in parts:
    part.unlink()
rows = pl.scan_parquet(path).select(pl.len()).collect().item()
print(f"{rows:,} rows: {path.stat().st_size / 1e6:.0f} MB on disk, "
      f"{in_memory / 2**20:.0f} MB as a table in memory")

# %% [markdown]
# ## The recipe, from a profile of a sample
#
# Profiling looks at a random sample for detection; here the profile itself is made on a
# 50,000-row sample read lazily from the file.

#
# The suggestion scrubs the free-text `note` column with each record's identifiers as context.
# The scrubber reads prose in Python, a few thousand notes a second on one core, so two million
# notes take minutes; this tutorial drops the notes to stay within a minute (scrub them in a
# real job: the time is the notes', not the recipe's).

# %%
from anonlab.transforms import Drop

sample = pl.scan_parquet(path).head(50_000).collect()
suggested = anonlab.suggest_recipe(anonlab.profile(sample))
recipe = anonlab.Recipe(
    steps=tuple(anonlab.Step("note", Drop(), "free text: dropped in this tutorial")
                if step.column == "note" else step for step in suggested.steps),
    targets=suggested.targets)
print(recipe.summary())

# %% [markdown]
# ## From the notebook: `apply_lazy` and a polars sink
#
# `apply_lazy` turns the recipe into a lazy query over the file; `sink_parquet` runs it in
# streaming mode. Nothing is collected into the notebook.

# %%
start = time.perf_counter()
query = recipe.apply_lazy(pl.scan_parquet(path))
query.sink_parquet(work / "anonymized-notebook.parquet")
print(f"anonymized {rows:,} rows in {time.perf_counter() - start:.1f} s")
pl.scan_parquet(work / "anonymized-notebook.parquet").head(3).collect()

# %% [markdown]
# ## From the command line: `anonlab apply`
#
# The same recipe, saved as YAML, applied by the command a pipeline would run. The output is
# written to a temporary file and renamed when complete, so a reader never sees half a file.
# We measure the peak memory of the command (its maximum resident set size, Python and polars
# included). It depends on the row-group size and the number of threads, not on the length of
# the file: measured on a 2-core machine, the same recipe over a file three times longer
# (6,000,000 rows, 1.8 GB as a table in memory) peaked at 633 MB.

# %%
(work / "recipe.yaml").write_text(recipe.to_yaml())
before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
result = subprocess.run(
    [sys.executable, "-m", "anonlab", "apply", str(work / "recipe.yaml"), str(path),
     "-o", str(work / "anonymized-cli.parquet")],
    capture_output=True, text=True, check=True,
)
peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
print(result.stdout.strip().replace(str(work), "WORK"))
print(f"peak memory of the command: {peak_mb:.0f} MB, for a table of "
      f"{in_memory / 2**20:.0f} MB in memory")

# %% [markdown]
# The two outputs are the same table: the recipe is deterministic for a key and a seed.

# %%
# NBVAL_CHECK_OUTPUT
a = pl.read_parquet(work / "anonymized-notebook.parquet")
b = pl.read_parquet(work / "anonymized-cli.parquet")
print(a.shape, a.equals(b))
print(sorted(set(sample.columns) - set(a.columns)))

# %%
import shutil

shutil.rmtree(work)

# %% [markdown]
# ## What next
#
# - [Tutorial 1](01-quickstart.ipynb): the whole flow on a small table, from profile to bundle.
# - [Tutorial 5](05-optimal-k-anonymity.ipynb): find the generalization that meets k with the
#   least loss, then apply it to the large file the same way.
# - `anonlab apply --help` lists the options: CSV separators, progress, side tables.
