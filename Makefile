# Two commands do all the set-up on a fresh clone: `make export` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: install export test lint bench browse clean fuzz

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP) ## Create .venv with the project and its dev tools (once).

export: $(STAMP) ## Export every seed in seeds/ into outputs/.
	$(VENV)/bin/pipeline export

test: $(STAMP) ## Run the test suite.
	$(PY) -m pytest -q

lint: $(STAMP) ## ruff and mypy (strict).
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

bench: $(STAMP) ## Benchmarks; their figures are recorded in docs/benchmarks.md.
	$(PY) -m pip install --quiet -e '.[dev,bench]'
	@# WeasyPrint, the cards' point of comparison, needs Pango from the system.
	@if ! ldconfig -p | grep -q libpangoft2-1.0; then \
		if command -v apt-get >/dev/null && [ "$$(id -u)" = 0 ]; then \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
				--no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 >/dev/null; \
		else echo "make bench needs Pango (Debian: libpango-1.0-0 libpangoft2-1.0-0)"; exit 1; fi; \
	fi
	@# The finder's benchmark types into the index in headless Chromium.
	@if ! command -v chromium >/dev/null; then \
		if command -v apt-get >/dev/null && [ "$$(id -u)" = 0 ]; then \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
				--no-install-recommends chromium >/dev/null; \
		else echo "make bench needs Chromium (Debian: chromium)"; exit 1; fi; \
	fi
	$(PY) -m bench.catalogue
	$(PY) -m bench.cards
	$(PY) -m bench.engine
	$(PY) -m bench.model
	$(PY) -m bench.detect
	$(PY) -m bench.finder
	@# The same targets on corpora in three languages (docs/benchmarks.md, "Three languages").
	$(PY) -m bench.catalogue --languages en,de,ru
	$(PY) -m bench.cards --languages en,de,ru
	$(PY) -m bench.engine --languages en,de,ru --repeats 3 2
	$(PY) -m bench.finder --count 30000 --languages en,de,ru

fuzz: $(STAMP) ## Coverage-guided fuzzing of the parser with atheris (FUZZ_SECONDS=300).
	$(PY) -m pip install --quiet -e '.[dev,fuzz]'
	$(PY) -m fuzz.target --seconds $(or $(FUZZ_SECONDS),300)

browse: $(STAMP) ## Open the catalogue in Datasette (builds it first if it is missing).
	$(PY) -m pip install --quiet -e '.[dev,browse]'
	test -f outputs/catalogue.sqlite || $(VENV)/bin/pipeline export
	$(VENV)/bin/datasette outputs/catalogue.sqlite -m datasette.yaml \
		--setting truncate_cells_html 300

clean: ## Remove outputs, their build state and the virtual environment.
	rm -rf outputs .pipeline-state $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis
