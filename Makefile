# Every install step lives here so that a fresh clone with Python 3.11 and make is enough.
PYTHON ?= python3.11
VENV   ?= .venv
BIN    := $(VENV)/bin
PYTEST_WORKERS ?= 2
# One BLAS thread per pytest worker: with as many workers as cores, threaded BLAS only
# oversubscribes them (small eigensolves were measured 4-100x slower that way).
BLAS_1 := OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1 OMP_NUM_THREADS=1

.PHONY: demo test test-all docs bench lint clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Stamp files: reinstall only when the package metadata changes.
$(VENV)/.installed: setup.cfg pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: setup.cfg pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[test,docs]" ruff
	touch $(VENV)/.installed $@

$(VENV)/.installed-dev: setup.cfg pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(VENV)/.installed $(VENV)/.installed-test $@

## demo: install into .venv and run the information plane on the bundled activations
demo: $(VENV)/.installed
	$(BIN)/infotheory demo --output report

# One notebook kernel at a time: two kernels started at once by parallel workers can be given
# the same free TCP port by jupyter_client and one dies ("Address already in use", seen once).
NOTEBOOKS = $(BLAS_1) $(BIN)/python -m pytest -p no:xdist --nbmake notebooks

## test: install the test extras; run ruff, the default suite, the docstring examples, the
## notebooks and the docs build
test: $(VENV)/.installed-test
	$(BIN)/ruff check infotheory tests benchmarks
	HYPOTHESIS_PROFILE=repeatable $(BLAS_1) $(BIN)/python -m pytest -n $(PYTEST_WORKERS) -m "not slow" tests
	$(BLAS_1) $(BIN)/python -m pytest -n $(PYTEST_WORKERS) --doctest-modules infotheory
	$(NOTEBOOKS)
	$(MAKE) docs

## test-all: the default suite plus the slow statistical checks
test-all: $(VENV)/.installed-test
	$(BLAS_1) $(BIN)/python -m pytest -n $(PYTEST_WORKERS) tests
	$(BLAS_1) $(BIN)/python -m pytest -n $(PYTEST_WORKERS) --doctest-modules infotheory
	$(NOTEBOOKS)

## docs: the Sphinx site, warnings as errors; runs the example gallery and computes the figures of
## the estimator guide (about a minute of CPU); MathJax is served from the site, no network needed
docs: $(VENV)/.installed-test
	$(BLAS_1) MPLBACKEND=Agg $(BIN)/sphinx-build -E -W --keep-going -q -b html docs docs/_build/html

## bench: side-by-side benchmarks against the packages users would otherwise pick
bench: $(VENV)/.installed-dev
	$(BIN)/python -m benchmarks

lint: $(VENV)/.installed-test
	$(BIN)/ruff check infotheory tests benchmarks

clean:
	rm -rf $(VENV) build dist *.egg-info docs/_build docs/api/generated docs/auto_examples \
		report .pytest_cache
