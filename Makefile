# Two commands for a fresh machine: `make demo` and `make test`.
PY ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test bench soak setup clean

FONT := /usr/share/fonts/truetype/wqy/wqy-microhei.ttc

$(STAMP): requirements.txt requirements-dev.txt constraints.txt
	@command -v $(PY) >/dev/null 2>&1 || { echo "need $(PY) (Python 3.11)"; exit 1; }
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	@# Chinese labels in charts need a CJK font; Debian's WenQuanYi Micro Hei is small and free.
	@test -f $(FONT) || { command -v apt-get >/dev/null && [ "$$(id -u)" = 0 ] && \
	  { apt-get install -y -qq fonts-wqy-microhei >/dev/null 2>&1 || \
	    { apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq fonts-wqy-microhei >/dev/null 2>&1; }; }; } || \
	  echo "note: could not install fonts-wqy-microhei; charts will lack Chinese glyphs"
	@# The browser test and the demo's board.png use Debian's chromium (Playwright drives it; no browser download).
	@test -x /usr/bin/chromium || { command -v apt-get >/dev/null && [ "$$(id -u)" = 0 ] && \
	  { apt-get install -y -qq --no-install-recommends chromium >/dev/null 2>&1 || \
	    { apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq --no-install-recommends chromium >/dev/null 2>&1; }; }; } || \
	  echo "note: could not install chromium; the browser test is skipped and the demo writes no board.png"
	touch $(STAMP)

setup: $(STAMP)

demo: $(STAMP)
	$(BIN)/python run_bot.py demo

test: $(STAMP)
	$(BIN)/python -m pytest -q

bench: $(STAMP)
	$(BIN)/python -m bench.store_bench
	$(BIN)/python -m bench.deadline_bench
	$(BIN)/python -m bench.planner_bench
	$(BIN)/python -m bench.messages_bench
	$(BIN)/python -m bench.bot_latency_bench
	$(BIN)/python -m bench.extract_bench
	$(BIN)/python -m bench.export_bench
	$(BIN)/python -m bench.delivery_bench
	$(BIN)/python -m bench.channels_bench
	$(BIN)/python -m bench.startup_bench
	$(BIN)/python -m bench.summary

# A month of reminders through faults and SIGKILLs (minutes; not part of `make test`).
SOAK_MEASURES ?= 1000
SOAK_CHATS ?= 100
SOAK_DAYS ?= 12
SOAK_KILLS ?= 50
SOAK_UPDATES ?= 20
soak: $(STAMP)
	$(BIN)/python -m devtools.soak --measures $(SOAK_MEASURES) --chats $(SOAK_CHATS) --days $(SOAK_DAYS) --kills $(SOAK_KILLS) --updates $(SOAK_UPDATES)

clean:
	rm -rf $(VENV) var demo-output .pytest_cache .hypothesis
