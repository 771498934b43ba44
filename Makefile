# anonlab developer commands. Only python3 (3.11+), pip and make are needed; everything else is
# installed into .venv on first use.
#
#   make demo    create .venv, install anonlab, run the main job on the embedded example data
#   make test    create .venv if needed, install the dev extras, lint, type-check, run the whole suite
#   make lab     open JupyterLab on the first tutorial
#   make bench   run the benchmarks and print their figures
#   make lint    ruff and mypy
#   make clean   remove .venv and generated files

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
BASE   := $(VENV)/.anonlab-base
DEV    := $(VENV)/.anonlab-dev
PIP    := $(BIN)/python -m pip --disable-pip-version-check --quiet
# pycanon (the independent cross-check of risk figures) pins pandas 2.3.3 and numpy 2.0.2 exactly,
# which would drag the environment back; it works with pandas 3 when installed without its pins.
PYCANON := pycanon==1.3.6 beartype tabulate scipy
# anonymeter (the attack evaluators are checked against it) pins numpy<1.27 and pyarrow<22; it
# runs with the current ones when installed without its pins.
ANONYMETER := anonymeter==1.1.0 numba joblib

.PHONY: demo test test-fast lab bench lint clean

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "anonlab needs Python 3.11 or newer; found " + sys.version.split()[0])'
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --upgrade pip

$(BASE): pyproject.toml | $(BIN)/python
	$(PIP) install -e .
	@touch $@

$(DEV): pyproject.toml | $(BIN)/python
	$(PIP) install -e '.[dev]'
	$(PIP) install --no-deps $(word 1,$(PYCANON))
	$(PIP) install $(wordlist 2,99,$(PYCANON))
	$(PIP) install --no-deps $(word 1,$(ANONYMETER))
	$(PIP) install $(wordlist 2,99,$(ANONYMETER))
	@# jsonschema's optional format checker costs 3-5 s per notebook kernel start and is unused.
	-@$(PIP) uninstall -y rfc3987-syntax >/dev/null 2>&1
	@touch $@ $(BASE)

demo: $(BASE)
	$(BIN)/anonlab demo --out demo-output

test: $(DEV)
	$(BIN)/ruff check anonlab tests benchmarks tools
	$(BIN)/python -m mypy
	$(BIN)/python -m pytest tests $(wildcard tutorials notebooks) --nbval-lax --nbval-current-env \
		--nbval-sanitize-with tests/nbval_sanitize.cfg

test-fast: $(DEV)
	$(BIN)/python -m pytest tests -m "not browser and not slow" -q

lab: $(DEV)
	$(BIN)/jupyter lab tutorials/01-quickstart.ipynb

bench: $(DEV)
	$(BIN)/python -m benchmarks

lint: $(DEV)
	$(BIN)/ruff check anonlab tests benchmarks tools
	$(BIN)/python -m mypy

clean:
	rm -rf $(VENV) demo-output .pytest_cache .ruff_cache .hypothesis build dist
