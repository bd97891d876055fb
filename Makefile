# laomo: `make run` starts the whole suite; `make test` runs every test. See README.md.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PYTEST_ARGS ?=
SERVICE_CLASSES := services.registry.service:RegistryService services.nomination.service:NominationService \
  services.welfare.service:WelfareService services.association.service:AssociationService \
  services.volunteer.service:VolunteerService
AMQP_PORT := $(or $(LAOMO_AMQP_PORT),5673)
MGMT_PORT := $(or $(LAOMO_AMQP_MGMT_PORT),15673)
# `make run PROMETHEUS=1` (or LAOMO_PROMETHEUS=1 in the environment) also starts a Prometheus on loopback
PROMETHEUS ?= $(or $(LAOMO_PROMETHEUS),0)
export PYTHONWARNINGS ?= ignore::DeprecationWarning,ignore:pkg_resources is deprecated:UserWarning
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: help venv run start stop status admin audit test test-unit bench broker postgres prometheus migrate declare lock clean

help:
	@echo "make run      start RabbitMQ, migrate, start the five services and the gateway (Ctrl-C stops)"
	@echo "make run PROMETHEUS=1   the same, and a Prometheus scraping them with the alert rules (127.0.0.1:9090)"
	@echo "make test     the same bootstrap, then every test (unit, service, PostgreSQL, end-to-end)"
	@echo "make admin    with the suite running: create the first city admin, print its one-time password"
	@echo "make audit    check the welfare ledger's invariants (debits = credits, no fund overdrawn, budgets kept, chains whole)"
	@echo "make stop     stop the services, the gateway, Prometheus, RabbitMQ and the test PostgreSQL"
	@echo "make bench    print the benchmark figures"
	@echo "make migrate  apply every service's migrations;  make lock  re-pin constraints.txt"

# The virtualenv, rebuilt when the dependencies change.
$(VENV)/.installed: pyproject.toml constraints.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@$(PY) -m pip install -q --disable-pip-version-check -c constraints.txt setuptools wheel
	@$(PY) -m pip install -q --disable-pip-version-check -c constraints.txt -e '.[test]'
	@touch $@
	@echo "laomo: dependencies installed in $(VENV)"

venv: $(VENV)/.installed

broker:
	@scripts/broker.sh start

postgres:
	@scripts/postgres.sh start

migrate: venv
	@$(PY) -m services.chassis.migrations upgrade

declare: venv broker
	@$(PY) -m services.chassis.topology --amqp-uri "$$(scripts/broker.sh uri)" declare $(SERVICE_CLASSES)

run: venv broker
	@LAOMO_PROMETHEUS=$(PROMETHEUS) scripts/suite.sh run

start: venv broker
	@LAOMO_PROMETHEUS=$(PROMETHEUS) scripts/suite.sh start

# Debian's prometheus package (prometheus, promtool): the ops tests and `make run PROMETHEUS=1` need it
prometheus:
	@scripts/prometheus.sh install

status:
	@scripts/suite.sh status; scripts/prometheus.sh status || true; scripts/broker.sh status

audit: venv
	@$(PY) -m services.welfare.invariants $(AUDIT_ARGS)

admin: venv
	@AMQP_URI="$${AMQP_URI:-$$(scripts/broker.sh uri)}" $(PY) -m gateway.first_admin $(ADMIN_ARGS)

stop:
	@scripts/suite.sh stop
	@scripts/broker.sh stop
	@scripts/postgres.sh stop

test: venv broker postgres prometheus
	@scripts/postgres.sh createdb laomo_test
	LAOMO_TEST_PG_URI="$$(scripts/postgres.sh uri laomo_test)" \
	  $(PY) -m pytest -q --amqp-uri "amqp://guest:guest@127.0.0.1:$(AMQP_PORT)/" \
	    --rabbit-ctl-uri "http://guest:guest@127.0.0.1:$(MGMT_PORT)" $(PYTEST_ARGS)

bench: venv broker
	@$(PY) -m bench --amqp-uri "amqp://guest:guest@127.0.0.1:$(AMQP_PORT)/" \
	  --rabbit-ctl-uri "http://guest:guest@127.0.0.1:$(MGMT_PORT)"

lock: venv
	@{ echo "# Exact versions for every machine: pip install -c constraints.txt -e '.[test]'"; \
	   echo "# Regenerate with: make lock (then review the diff)"; \
	   $(PY) -m pip freeze --all --exclude-editable | grep -v '^pip=='; } > constraints.txt
	@echo "laomo: constraints.txt re-pinned"

clean: stop
	rm -rf var $(VENV)
