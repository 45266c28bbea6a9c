# Two commands on a fresh machine:  `make demo`  and  `make test`.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
export DO_NOT_TRACK := 1
export DBT_SEND_ANONYMOUS_USAGE_STATS := False
export DAGSTER_DISABLE_TELEMETRY := 1
export GX_ANALYTICS_ENABLED := False

.PHONY: setup demo test postgres chromium ui manifest

setup: $(VENV)/.installed

# uv installs the locked set in seconds; the lock is compiled from requirements/requirements.in.
# Bytecode is compiled at install: where PYTHONDONTWRITEBYTECODE is set (this CI, many container
# images) Python never caches it, and every process (a refresh, each dbt run, each GX check's
# import) compiled dagster, dbt, GX and pandas from source again, about half of its start-up.
$(VENV)/.installed: requirements/requirements.lock pyproject.toml Makefile
	python3.11 -m venv $(VENV) 2>/dev/null || python3 -m venv $(VENV)
	$(VENV)/bin/pip install --quiet uv
	$(VENV)/bin/uv pip install --quiet --python $(PY) -r requirements/requirements.lock
	$(PY) -m compileall -q -j 0 $(VENV)/lib > /dev/null
	$(VENV)/bin/uv pip install --quiet --python $(PY) --no-deps -e .
	$(VENV)/bin/nps prepare
	touch $@

demo: setup
	$(VENV)/bin/nps demo

postgres:
	bash .ci/ensure-postgres

chromium:
	bash .ci/ensure-chromium

# pytest exits 5 when it collects no test; that is not a failure of the suite.
test: setup postgres chromium
	$(PY) -m pytest -n 2 --dist loadfile $(PYTEST_ARGS); rc=$$?; if [ $$rc -eq 5 ]; then rc=0; fi; exit $$rc

manifest: setup
	$(VENV)/bin/nps prepare

ui: setup
	$(VENV)/bin/dagster dev -w workspace.yaml
