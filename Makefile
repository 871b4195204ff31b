# Two entry points on a fresh machine:  `make run`  and  `make test`.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PORT ?= 8501
CHROMIUM ?= /usr/bin/chromium
HAPROXY ?= /usr/sbin/haproxy

.PHONY: run test setup setup-dev browser unit app e2e bench clean

$(VENV)/.runtime: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev: $(VENV)/.runtime requirements-dev.txt
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

setup: $(VENV)/.runtime

setup-dev: $(VENV)/.dev

## Start the app on http://localhost:$(PORT)
run: setup
	$(PY) -m streamlit run streamlit_app.py --server.port $(PORT) --server.headless true

## Debian's Chromium (browser tests; Playwright never downloads a browser here), CJK fonts and
## HAProxy (the two-replica proxy test, tests/e2e/test_proxy.py)
browser:
	@if [ ! -x $(CHROMIUM) ] || ! fc-list 2>/dev/null | grep -qi "Noto Sans CJK" || [ ! -x $(HAPROXY) ]; then \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium fonts-noto-cjk haproxy >/dev/null; \
	fi
	@$(CHROMIUM) --version
	@$(HAPROXY) -v | head -n 1

# Unit and AppTest files run on two workers (one TensorFlow thread each: these models are
# tiny); the end-to-end tests then run alone, so their timings are not disturbed.
XDIST := -n 2 --dist loadfile
TF_ONE_THREAD := TF_NUM_INTRAOP_THREADS=1 TF_NUM_INTEROP_THREADS=1

## Set up everything and run the whole test suite (unit, AppTest, Chromium end-to-end)
test: setup-dev browser
	$(TF_ONE_THREAD) $(PY) -m pytest -q $(XDIST) --durations=10 tests/unit tests/app tests/claims
	$(PY) -m pytest -q --durations=5 tests/e2e

unit: setup-dev
	$(TF_ONE_THREAD) $(PY) -m pytest -q $(XDIST) tests/unit

app: setup-dev
	$(TF_ONE_THREAD) $(PY) -m pytest -q $(XDIST) tests/app

e2e: setup-dev browser
	$(PY) -m pytest -q tests/e2e

bench: setup-dev
	$(PY) -m bench.train_speed

clean:
	rm -rf $(VENV) test-artifacts .pytest_cache
