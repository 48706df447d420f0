# Kanava: `make demo` runs it, `make test` tests it.  See README.md.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
export PYTHONUNBUFFERED := 1

.PHONY: demo test test-rq bench venv deps test-deps chromium fonts wrk messages clean dovecot xmlsec

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

venv: $(BIN)/python

$(VENV)/.deps: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.test-deps: pyproject.toml $(VENV)/.deps
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

$(VENV)/.bench-deps: pyproject.toml $(VENV)/.test-deps
	$(BIN)/pip install --quiet -e '.[test,bench]'
	touch $@

deps: $(VENV)/.deps
test-deps: $(VENV)/.test-deps

# Compiled translations (.mo) are rebuilt from the .po files when GNU gettext is
# installed; the committed .mo files serve when it is not.
messages: deps
	@if command -v msgfmt > /dev/null; then $(BIN)/python manage.py compilemessages --ignore=.venv > /dev/null; \
	  else echo "msgfmt not found: using the committed .mo files"; fi

# The demo: local stand-ins for SMTP, the SMS gateway and the six social platforms, one worker
# (four task loops), the web server.  Reach figures are fetched a minute after a post, then at
# 5 minutes, 1 hour, 1 day and 7 days, so the demo shows them soon; residents' comments on the
# stand-in platforms are polled every 15 seconds.
demo: export SITE_URL ?= http://127.0.0.1:$(PORT)
demo: export KANAVA_WORKER_THREADS ?= 4
demo: export METRICS_SCHEDULE ?= 60,300,3600,86400,604800
demo: export INBOX_POLL_SECONDS ?= 15
demo: deps messages fonts xmlsec
	$(BIN)/python manage.py migrate --noinput
	@$(BIN)/python manage.py demo_sinks & SINKS=$$!; \
	  $(BIN)/python manage.py demo_idp --port 8036 & IDP=$$!; \
	  trap 'kill $$SINKS $$IDP $$WORKER 2>/dev/null' EXIT INT TERM; \
	  sleep 1; \
	  $(BIN)/python manage.py seed_demo && \
	  { $(BIN)/python manage.py kanava_worker & WORKER=$$!; \
	    $(BIN)/python manage.py runserver --noreload 127.0.0.1:$(PORT); }

chromium:
	@command -v chromium > /dev/null || (apt-get update -qq && apt-get install -y -qq chromium > /dev/null)

# Fonts for the printable bulletin (WeasyPrint renders with the system's fonts).
fonts:
	@fc-list 2>/dev/null | grep -qi "DejaVuSans\|LiberationSans" || \
	  (apt-get update -qq && apt-get install -y -qq fonts-dejavu-core fonts-liberation > /dev/null) || \
	  echo "Install fonts-dejavu-core or fonts-liberation for the printable bulletin."

# A real IMAP server for the feedback-mailbox tests (kanava/testing/imap.py runs it on loopback
# from its own temporary config; the system service is neither started nor used).
dovecot:
	@command -v dovecot > /dev/null || [ -x /usr/sbin/dovecot ] || \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends dovecot-imapd > /dev/null)

# xmlsec1 signs and checks SAML messages for strong identification (Suomi.fi) through pysaml2.
xmlsec:
	@command -v xmlsec1 > /dev/null || \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends xmlsec1 > /dev/null)

# The whole suite on SQLite (and on PostgreSQL when DATABASE_URL points to it).
test: test-deps messages chromium fonts dovecot xmlsec
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# The outbox tests again on Redis-backed (RQ) workers.
test-rq: test-deps messages
	KANAVA_TASKS=rq $(BIN)/python -m pytest -m outbox $(PYTEST_ARGS)

# wrk loads the feed for the benchmark (Debian's package, installed when missing).
wrk:
	@command -v wrk > /dev/null || (apt-get update -qq && apt-get install -y -qq wrk > /dev/null) || \
	  echo "Install wrk for the feed benchmark."

bench: test-deps $(VENV)/.bench-deps messages wrk
	$(BIN)/python -m kanava.bench $(BENCH_ARGS)

clean:
	rm -rf $(VENV) var staticfiles
