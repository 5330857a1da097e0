# Waypoint. Every Rasa path and flag lives here once. `make help` lists targets.
SHELL := /bin/bash
VENV  := .venv
PY    := $(VENV)/bin/python
STAMP := $(VENV)/.installed
DEMO_DB ?= sqlite:///waypoint.db
export WAYPOINT_DATABASE_URL ?= $(DEMO_DB)

RASA  := $(VENV)/bin/rasa
MODEL := models/waypoint.tar.gz
RUN   ?= .run
RASA_PORT ?= 5005
ACTIONS_PORT ?= 5055
PORTAL_PORT ?= 5080
RASA_DATA := $(shell find data domain -name '*.yml' 2>/dev/null) config.yml $(wildcard bot/nlu/*.py safety/crisis.py bot/data/*.yaml)

.PHONY: help install run run-telegram telegram-webhook demo demo-db serve stop train validate words test quick bench lint lock clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-16s %s\n", $$1, $$2}'

install: $(STAMP) ## Create .venv with Python 3.10 and the pinned dependencies

$(STAMP): requirements.lock scripts/find-python.sh
	@py=$$(scripts/find-python.sh) || exit 1; \
	  echo "Using $$py"; \
	  [ -x $(PY) ] && $(PY) -c 'import sys; sys.exit(sys.version_info[:2] != (3, 10))' || { rm -rf $(VENV); $$py -m venv $(VENV); }
	$(PY) -m pip install --quiet --upgrade pip wheel
	$(PY) -m pip install --quiet -r requirements.lock
	touch $@

demo-db: install ## Build the demo directory database (fictional services)
	$(PY) -m directory --db "$(WAYPOINT_DATABASE_URL)" load-demo

run: serve ## Train if needed, start both servers on the demo data, and chat in the terminal
	@trap '$(MAKE) --no-print-directory stop' EXIT; \
	  $(PY) scripts/chat.py --url http://127.0.0.1:$(RASA_PORT)/webhooks/rest/webhook

run-telegram: install ## Run the bot on Telegram by polling (needs WAYPOINT_TELEGRAM_TOKEN, _SECRET, WAYPOINT_HMAC_SECRET)
	@for v in WAYPOINT_TELEGRAM_TOKEN WAYPOINT_TELEGRAM_SECRET WAYPOINT_HMAC_SECRET; do \
	  [ -n "$${!v}" ] || { echo "Set $$v first (see docs/channels.md, 'Connect a real Telegram bot')."; exit 1; }; done
	@$(MAKE) --no-print-directory serve
	@trap '$(MAKE) --no-print-directory stop' EXIT; $(PY) -m bot.channels.telegram_cli poll \
	  --webhook http://127.0.0.1:$(RASA_PORT)/webhooks/telegram/webhook

telegram-webhook: install ## Register WAYPOINT_PUBLIC_URL/webhooks/telegram/webhook with Telegram
	$(PY) -m bot.channels.telegram_cli set-webhook

demo: demo-db ## Show directory searches over the demo data (no bot)
	$(PY) -m directory --db "$(WAYPOINT_DATABASE_URL)" search --category shelter --near "ByWard Market" --limit 5
	$(PY) -m directory --db "$(WAYPOINT_DATABASE_URL)" --lang fr search --category meals --near "cote de sable" --limit 5

train: $(MODEL) ## Train the assistant (only when its data or config changed)

$(MODEL): $(STAMP) $(RASA_DATA)
	$(RASA) train --config config.yml --domain domain --data data --out models \
	  --fixed-model-name waypoint

validate: install ## Check the Rasa training data and domain (rasa data validate, no warnings)
	$(PY) -m pytest -q tests/test_rasa_data.py

words: install ## Regenerate the domain responses from the catalogue (words/*.yml, hotlines)
	$(PY) -m words.domain
	$(PY) -m safety.replies

serve: demo-db $(MODEL) ## Start the action server, Rasa and the provider API in the background (127.0.0.1)
	@mkdir -p $(RUN)
	@$(MAKE) --no-print-directory stop >/dev/null 2>&1 || true
	@# endpoints.yml names the default action port; this run's copy names ACTIONS_PORT.
	@$(PY) scripts/run_endpoints.py $(ACTIONS_PORT) $(RUN)/endpoints.yml
	SANIC_HOST=127.0.0.1 $(RASA) run actions --actions actions -p $(ACTIONS_PORT) > $(RUN)/actions.log 2>&1 & echo $$! > $(RUN)/actions.pid
	@api=""; if [ -n "$$WAYPOINT_RASA_TOKEN" ]; then api="--enable-api --auth-token $$WAYPOINT_RASA_TOKEN"; fi; \
	  $(PY) -m bot.server run -m $(MODEL) -i 127.0.0.1 -p $(RASA_PORT) --credentials credentials.yml \
	    --endpoints $(RUN)/endpoints.yml $$api > $(RUN)/rasa.log 2>&1 & echo $$! > $(RUN)/rasa.pid
	$(PY) -m portal --host 127.0.0.1 --port $(PORTAL_PORT) > $(RUN)/portal.log 2>&1 & echo $$! > $(RUN)/portal.pid
	@$(PY) scripts/wait.py http://127.0.0.1:$(ACTIONS_PORT)/health http://127.0.0.1:$(RASA_PORT)/webhooks/rest/ \
	  http://127.0.0.1:$(PORTAL_PORT)/api/v1/health \
	  || { tail -20 $(RUN)/rasa.log $(RUN)/actions.log $(RUN)/portal.log; $(MAKE) --no-print-directory stop; exit 1; }

stop: ## Stop the servers started by `make serve`
	@for p in $(RUN)/rasa.pid $(RUN)/actions.pid $(RUN)/portal.pid; do \
	  [ -f $$p ] && kill $$(cat $$p) 2>/dev/null; rm -f $$p; done; true

test: install $(MODEL) ## Run the whole test suite (trains the assistant first if needed)
	$(PY) -m pytest

quick: install ## Run the tests that need no model, no server and no PostgreSQL (SQLite only)
	$(PY) -m pytest -q -m quick

bench: install ## Run the benchmarks and print their figures
	$(PY) -m bench

lint: install ## Check style
	$(PY) -m ruff check directory bot actions bench tests words safety conversation portal scripts settings.py

lock: ## Re-pin requirements.lock from requirements.in (needs network)
	rm -rf /tmp/waypoint-lock && $$(scripts/find-python.sh) -m venv /tmp/waypoint-lock
	/tmp/waypoint-lock/bin/pip install --quiet -r requirements.in
	{ echo '# Generated by `make lock` from requirements.in with Python 3.10; do not edit by hand.'; \
	  /tmp/waypoint-lock/bin/pip freeze | grep -v -E '^(pip|setuptools|wheel)=='; } > requirements.lock

clean: ## Remove the virtualenv, models and the demo database
	rm -rf $(VENV) waypoint.db models $(RUN)
