# The two commands of the quick start:
#   make run    create .venv, install, start the dashboard
#   make test   create/update .venv with test tools, install system packages
#               the browser tests need (when root), then lint, type check, test
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8501

.PHONY: run test lint typecheck pytest system-deps bench clean

$(VENV)/.runtime: requirements.txt pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	$(PY) -m pip install --quiet --no-deps -e .
	touch $@

$(VENV)/.dev: $(VENV)/.runtime requirements-dev.txt
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

run: $(VENV)/.runtime
	$(PY) -m streamlit run sgdlab/ui/server.py --server.port $(PORT)

# Chromium drives the browser tests and kaleido's static export; the CJK fonts
# make Chinese labels render; redis-server backs the class board's Redis tests.
# Installed with apt when we are root and any of them is missing.
system-deps:
	@if [ -x /usr/bin/chromium ] && fc-list 2>/dev/null | grep -qi "noto.*cjk" \
		&& command -v redis-server >/dev/null; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
			chromium fonts-noto-cjk redis-server >/dev/null; \
	else echo "note: not root: without Chromium or redis-server their tests are skipped"; fi

lint: $(VENV)/.dev
	$(VENV)/bin/ruff check .

typecheck: $(VENV)/.dev
	$(VENV)/bin/mypy

# Browser tests run after the rest, on an otherwise idle machine: each drives a real
# Streamlit server and Chromium, and CPU-heavy tests beside them made them time out.
pytest: $(VENV)/.dev system-deps
	$(PY) -m pytest -n 2 --dist loadgroup -m "not browser"
	$(PY) -m pytest -m browser

test: lint typecheck pytest

bench: $(VENV)/.dev
	for b in benchmarks/bench_*.py; do $(PY) $$b || exit 1; done

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
