# Equity Lens: the two commands a newcomer needs are `make book` and `make test`.
PYTHON ?= python3.11
# Let Python cache compiled modules (__pycache__, ignored by git) even where the shell says not
# to: every kernel, worker and script then reads the package's bytecode instead of compiling it.
unexport PYTHONDONTWRITEBYTECODE
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
NOTEBOOKS := $(shell git ls-files '*.ipynb' 2>/dev/null || find book -name '*.ipynb' -not -path '*/.ipynb_checkpoints/*')

.PHONY: help venv book test check lint doctest lab data notebooks bench clean student

help:
	@echo "make book       build the book into _build/html (sets up .venv first)"
	@echo "make test       run the whole test suite (pytest + nbval on every notebook)"
	@echo "make check      lint and the unit tests: no built book, notebook, browser or other end-to-end run (the inner loop)"
	@echo "make lab        open JupyterLab with live widgets, for trainers"
	@echo "make data       regenerate datasets/ from the seeded generator"
	@echo "make notebooks  re-run every notebook and store its outputs and stamp (make book runs only stale ones)"
	@echo "make lint       ruff check, ruff format --check and mypy (fails on any finding)"
	@echo "make doctest    run the examples in equitylens docstrings (pytest --doctest-modules)"
	@echo "make bench      print timings (data generation, explorables, suppression; browser with chromium)"
	@echo "make student    write the student edition and autograder bundles into _build/student"
	@echo "make cards      practice cards as PDF (LANG=es for the Spanish edition); also: handouts, slides, workshop"
	@echo "make clean      remove _build and caches (keeps .venv)"

$(STAMP): requirements.txt pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	@# jupyter-events asks for jsonschema's optional IRI checker, which builds a parser when jsonschema is
	@# imported: a second in every kernel and script that imports altair. No schema here uses "iri".
	$(BIN)/python -m pip uninstall --quiet --disable-pip-version-check --yes rfc3987-syntax
	@touch $(STAMP)

venv: $(STAMP)

book: $(STAMP)
	EQUITYLENS_CHARTS=static $(BIN)/python -m equitylens.book.build --keep-going
	@echo
	@echo "The book is built. Open: file://$(CURDIR)/_build/html/index.html"

test: $(STAMP)
	EQUITYLENS_CHARTS=static $(BIN)/python -m pytest tests $(NOTEBOOKS) --nbval --nbval-sanitize-with tests/nbval_sanitize.cfg -p no:cacheprovider -n 2 --dist loadscope --no-loadscope-reorder

check: lint
	EQUITYLENS_CHARTS=static $(BIN)/python -m pytest tests -p no:cacheprovider -n 2 -m "not book and not slow" -q

lint: $(STAMP)
	$(BIN)/ruff check equitylens tests
	$(BIN)/ruff format --check equitylens tests benchmarks
	$(BIN)/mypy equitylens

doctest: $(STAMP)
	EQUITYLENS_CHARTS=static $(BIN)/python -m pytest --doctest-modules equitylens -p no:cacheprovider

# A room may have no internet: no news pop-up, no extension manager asking PyPI, loopback only.
LAB_OFFLINE := @jupyterlab/apputils-extension:announcements @jupyterlab/extensionmanager-extension
lab: $(STAMP)
	$(BIN)/jupyter labextension disable --level=sys_prefix $(LAB_OFFLINE) >/dev/null 2>&1
	$(BIN)/jupyter labextension lock --level=sys_prefix $(LAB_OFFLINE) >/dev/null 2>&1
	EQUITYLENS_CHARTS=live $(BIN)/jupyter lab book --ServerApp.ip=127.0.0.1 --LabApp.news_url=''

data: $(STAMP)
	$(BIN)/python -m equitylens.data.writer

notebooks: $(STAMP)
	EQUITYLENS_CHARTS=static $(BIN)/python -m equitylens.book.notebooks execute $(NOTEBOOKS)

bench: book  # the browser timings read the built book
	EQUITYLENS_CHARTS=static $(BIN)/python benchmarks/explorables.py $(if $(wildcard /usr/bin/chromium),--browser,)
	EQUITYLENS_CHARTS=static $(BIN)/python benchmarks/build.py $(BENCH_FLAGS)  # BENCH_FLAGS=--suite also times make test
	$(BIN)/python benchmarks/suppression.py

student: $(STAMP)
	EQUITYLENS_CHARTS=static $(BIN)/python -m equitylens.kit.assignments student --output _build/student

# Facilitation kit: printable cards and handouts (headless Chromium), slides, and a custom session.
# LANG=es prints the Spanish edition into _build/print/es/ (see equitylens/kit/i18n.py).
STAGES  ?= analysis,access
MINUTES ?= 120
# LANG is also the shell's locale (en_US.UTF-8 ...): only a LANG given to make picks an edition.
EDITION := $(if $(filter command line,$(origin LANG)),$(LANG),en)
.PHONY: cards handouts workshop slides
cards: $(STAMP)
	$(BIN)/python -m equitylens.kit.printing cards --out _build/print --lang $(EDITION)

handouts: $(STAMP)
	$(BIN)/python -m equitylens.kit.printing handouts --out _build/print --lang $(EDITION)

slides: $(STAMP)
	$(BIN)/python -m equitylens.kit.slides --out _build/slides --stages "$(STAGES)" --minutes "$(MINUTES)"

workshop: $(STAMP)
	$(BIN)/python -m equitylens.kit.sessions build --stages "$(STAGES)" --minutes "$(MINUTES)" --out _build/print/workshop

clean:
	rm -rf _build .pytest_cache .mypy_cache .ruff_cache .hypothesis
	find . -name __pycache__ -not -path './.venv/*' -prune -exec rm -rf {} +
