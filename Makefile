# Equity Lens: the two commands a newcomer needs are `make book` and `make test`.
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
NOTEBOOKS := $(shell git ls-files '*.ipynb' 2>/dev/null || find book -name '*.ipynb' -not -path '*/.ipynb_checkpoints/*')

.PHONY: help venv book test lint lab data notebooks bench clean student

help:
	@echo "make book       build the book into _build/html (sets up .venv first)"
	@echo "make test       run the whole test suite (pytest + nbval on every notebook)"
	@echo "make lab        open JupyterLab with live widgets, for trainers"
	@echo "make data       regenerate datasets/ from the seeded generator"
	@echo "make notebooks  re-run every notebook and store its outputs (after a change)"
	@echo "make lint       ruff and mypy on equitylens/"
	@echo "make bench      print timings (data generation, explorables; browser with chromium)"
	@echo "make student    write the student edition and autograder bundles into _build/student"
	@echo "make clean      remove _build and caches (keeps .venv)"

$(STAMP): requirements.txt pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	@touch $(STAMP)

venv: $(STAMP)

book: $(STAMP)
	EQUITYLENS_CHARTS=static $(BIN)/jupyter-book build . --keep-going
	@echo
	@echo "The book is built. Open: file://$(CURDIR)/_build/html/index.html"

test: $(STAMP)
	EQUITYLENS_CHARTS=static $(BIN)/python -m pytest tests $(NOTEBOOKS) --nbval --nbval-sanitize-with tests/nbval_sanitize.cfg -p no:cacheprovider

lint: $(STAMP)
	$(BIN)/ruff check equitylens tests
	$(BIN)/mypy equitylens

lab: $(STAMP)
	EQUITYLENS_CHARTS=live $(BIN)/jupyter lab book

data: $(STAMP)
	$(BIN)/python -m equitylens.data.writer

notebooks: $(STAMP)
	EQUITYLENS_CHARTS=static $(BIN)/python -m equitylens.book.notebooks execute $(NOTEBOOKS)

bench: $(STAMP)
	EQUITYLENS_CHARTS=static $(BIN)/python benchmarks/explorables.py $(if $(wildcard /usr/bin/chromium),--browser,)
	EQUITYLENS_CHARTS=static $(BIN)/python benchmarks/build.py $(BENCH_FLAGS)  # BENCH_FLAGS=--suite also times make test

student: $(STAMP)
	EQUITYLENS_CHARTS=static $(BIN)/python -m equitylens.kit.assignments student --output _build/student

# Facilitation kit: printable cards and handouts (headless Chromium), and a custom session.
STAGES  ?= analysis,access
MINUTES ?= 120
.PHONY: cards handouts workshop
cards: $(STAMP)
	$(BIN)/python -m equitylens.kit.printing cards --out _build/print

handouts: $(STAMP)
	$(BIN)/python -m equitylens.kit.printing handouts --out _build/print

workshop: $(STAMP)
	$(BIN)/python -m equitylens.kit.sessions build --stages "$(STAGES)" --minutes "$(MINUTES)" --out _build/print/workshop

clean:
	rm -rf _build .pytest_cache .mypy_cache .ruff_cache .hypothesis
	find . -name __pycache__ -not -path './.venv/*' -prune -exec rm -rf {} +
