# Two commands: `make demo` and `make test`. Each sets up .venv on a fresh machine first.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cat pyproject.toml Makefile | sha1sum | cut -c1-12)
APT    := $(shell [ "$$(id -u)" = 0 ] && echo apt-get || echo sudo apt-get)
DEMO   ?= demo_out

.PHONY: demo test test-slow lint format bench clean setup system-deps

setup: $(STAMP)

# System packages the tests need: Java (pycocoevalcap's PTB tokenizer and METEOR), Chromium
# (the preview page test) and Tesseract (the OCR legibility gate). Installed only where missing.
system-deps:
	@missing=""; \
	command -v java >/dev/null || missing="$$missing default-jre-headless"; \
	command -v chromium >/dev/null || missing="$$missing chromium"; \
	command -v tesseract >/dev/null || missing="$$missing tesseract-ocr"; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  $(APT) update -qq && DEBIAN_FRONTEND=noninteractive $(APT) install -y -qq $$missing; \
	fi

$(STAMP): pyproject.toml Makefile
	@$(MAKE) --no-print-directory system-deps
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	# torch first: 2.13.0 is a CPU build that lies on this machine's disk (no 5 GB CUDA download)
	$(BIN)/pip install -q "torch==2.13.0"
	$(BIN)/pip install -q -e ".[all,dev]" "numpy<2"
	rm -f $(VENV)/.installed-*
	touch $@

# The main job on its embedded default: a small dataset rendered with Cycles on the CPU,
# captioned, with statistics plots and an HTML preview (open demo_out/preview.html).
# No mix pilot: over 12 pairs it buys nothing and costs minutes of CPU (README, the mix).
demo: $(STAMP)
	DIFFFORGE_MIX_PILOT=0 $(BIN)/diffforge generate configs/default.yaml --out $(DEMO) --n 12 --workers 2 --preset standard
	$(BIN)/diffforge stats $(DEMO)
	$(BIN)/diffforge preview $(DEMO)

# Two pytest workers (a test file stays on one worker, so its module fixtures are built once);
# TEST_WORKERS=0 runs in one process. `make test` runs the suite but the tests marked `slow`
# (under 30 minutes on 2 cores); `make test-slow` runs those; CI (.ci/run) runs both. The 40
# slowest tests and a JUnit report (per-test times) keep the budget in view.
TEST_WORKERS ?= 2
TEST_REPORT ?= .pytest_cache/junit.xml
PYTEST = HF_HUB_OFFLINE=1 $(BIN)/python -m pytest -q -n $(TEST_WORKERS) --dist loadfile --durations=40
test: $(STAMP)
	$(PYTEST) -m "not gpu and not slow" --junitxml=$(TEST_REPORT)

test-slow: $(STAMP)
	$(PYTEST) -m "slow and not gpu" --junitxml=$(TEST_REPORT:.xml=_slow.xml)

lint: $(STAMP)
	$(BIN)/ruff check diffforge tests
	$(BIN)/ruff format --check diffforge tests

format: $(STAMP)
	$(BIN)/ruff format diffforge tests
	$(BIN)/ruff check --fix diffforge tests

bench: $(STAMP)
	$(BIN)/diffforge bench sample

clean:
	rm -rf $(VENV) $(DEMO) .pytest_cache
