# Frontline: `make demo` runs the whole pipeline offline and serves the site; `make test` runs
# every check. Both create or update the Python 3.13 environment from uv.lock first.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV   := .venv
BIN    := $(VENV)/bin
REGION := ap-northeast-1
SERVE  ?= 1
PORT   ?= 8000
PROVIDER ?= heuristic

# Python 3.13: `python3.13` on PATH, else pyenv's, else the usual prefixes.
PY313 := $(shell for p in python3.13 $(HOME)/.pyenv/versions/3.13*/bin/python3.13 \
            /usr/local/bin/python3.13 /usr/bin/python3.13; do \
          "$$p" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 13))' >/dev/null 2>&1 \
          && { command -v "$$p"; break; }; done)

export PATH := $(abspath $(BIN)):$(PATH)
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := $(VENV)

.PHONY: help venv lint typecheck unit integration e2e browser test demo build validate \
        requirements clean checkov chaos

help:
	@echo "make demo     run fetch → analyse → render in moto and serve http://127.0.0.1:$(PORT)"
	@echo "              (SERVE=0 builds _site/ and exits; PROVIDER=openai|bedrock uses a real model)"
	@echo "make test     lint, type-check, every test, sam validate --lint"
	@echo "make build    sam build (the deployable artefacts)"
	@echo "make chaos    random fault schedules over the demo (CHAOS_SECONDS=300), census printed"

$(BIN)/python:
	@test -n "$(PY313)" || { echo "Python 3.13 not found (PATH or ~/.pyenv/versions/3.13*)" >&2; exit 1; }
	$(PY313) -m venv $(VENV)

$(VENV)/.synced: $(BIN)/python pyproject.toml uv.lock
	@test -x $(BIN)/uv || $(BIN)/python -m pip --version >/dev/null 2>&1 || $(BIN)/python -m ensurepip >/dev/null
	@test -x $(BIN)/uv || $(BIN)/python -m pip install --quiet --disable-pip-version-check \
	    "uv==$$(sed -n '/^name = "uv"$$/{n;s/version = "\(.*\)"/\1/p}' uv.lock)"
	$(BIN)/uv sync --frozen --python $(BIN)/python --quiet
	@touch $@

venv: $(VENV)/.synced

EXTRACT_PKGS := readability-lxml lxml lxml-html-clean cssselect chardet
SEARCH_PKGS  := pagefind pagefind-bin-extended
EXPORT := $(BIN)/uv export --frozen --no-dev --no-hashes --no-emit-project --no-header --no-annotate

requirements: venv  ## the layers' runtime dependencies, exported from the lock file
	$(EXPORT) --no-emit-package boto3 --no-emit-package botocore --no-emit-package s3transfer \
	    --no-emit-package jmespath --no-emit-package python-dateutil --no-emit-package six \
	    --no-emit-package urllib3 $(foreach p,$(EXTRACT_PKGS) $(SEARCH_PKGS),--no-emit-package $(p)) \
	    -o layers/shared/requirements.txt --quiet
	$(EXPORT) | grep -E '^($(subst $(eval) ,|,$(EXTRACT_PKGS)))==' > layers/extract/requirements.txt
	$(EXPORT) | grep -E '^($(subst $(eval) ,|,$(SEARCH_PKGS)))==' > layers/search/requirements.txt

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: venv
	$(BIN)/mypy

validate: venv
	$(BIN)/sam validate --lint --region $(REGION)

# checkov lives in its own pinned tool environment: its dependency tree (hundreds of pins)
# would fight the project's lock. Suppressions are justified inline in template.yaml.
CHECKOV_VERSION := 3.3.30
CHECKOV_VENV    := .tools/checkov-$(CHECKOV_VERSION)

$(CHECKOV_VENV)/bin/checkov: | venv
	$(BIN)/uv venv --quiet --python $(BIN)/python $(CHECKOV_VENV)
	VIRTUAL_ENV=$(abspath $(CHECKOV_VENV)) $(BIN)/uv pip install --quiet "checkov==$(CHECKOV_VERSION)"

checkov: $(CHECKOV_VENV)/bin/checkov  ## static security checks of template.yaml
	$(CHECKOV_VENV)/bin/checkov --file template.yaml --framework cloudformation \
	    --compact --quiet --skip-download

test: venv lint typecheck validate checkov
	$(BIN)/pytest tests

CHAOS_SECONDS ?= 300
CHAOS_SEEDS   ?= 1-100000
chaos: venv  ## random fault schedules over the demo for CHAOS_SECONDS, census after each step
	PYTHONPATH=layers/shared:. $(BIN)/python -m tests.faults.chaos \
	    --seconds $(CHAOS_SECONDS) --seeds $(CHAOS_SEEDS)

demo: venv
	$(BIN)/frontline demo --port $(PORT) --provider $(PROVIDER) $(if $(filter 0,$(SERVE)),--no-serve,)

build: venv
	$(BIN)/sam build --region $(REGION)

clean:
	rm -rf .aws-sam _site artifacts .pytest_cache .mypy_cache .ruff_cache .tools

.PHONY: bench
bench: venv  ## render 10k articles (vs Hugo), publish, fetch, worker, LLM cost, imports, sizes → bench/results.json + README
	$(BIN)/python bench/run.py
