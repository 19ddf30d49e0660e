# Atende — the two commands: `make up` runs everything, `make test` passes the tests.
.DEFAULT_GOAL := help
PY := .venv/bin/python
SERVICES := services/tickets services/chat services/mail-ingest services/notifier services/files services/gateway services/insights
CODE := contracts plumbing devstack $(SERVICES) tests bench

.PHONY: help install system up check test lint typecheck imports format contracts bench lock clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

install: ## Create .venv with the locked dependencies and our packages (idempotent)
	@scripts/install.sh

system: ## Install the Debian packages tests need (Dovecot; idempotent)
	@scripts/install-system.sh

up: install system ## Run Atende: embedded NATS, PostgreSQL, S3, SMTP, IMAP and every service (Ctrl-C stops)
	@$(PY) -m devstack up

check: install ## Check that a running `make up` is healthy
	@$(PY) -m devstack check

test: install system lint typecheck imports ## Lint, type-check, check imports, then run every test on real servers
	@$(PY) -m pytest

lint: install ## ruff lint and format check
	@.venv/bin/ruff check $(CODE)
	@.venv/bin/ruff format --check $(CODE)

typecheck: install ## mypy (strict on contracts/ and every domain/)
	@.venv/bin/mypy -p contracts -p plumbing -p devstack -p tickets -p chat -p mail_ingest -p notifier -p files -p gateway -p insights

imports: install ## Enforce the import rules (services never import each other; pure domains)
	@.venv/bin/lint-imports

format: install ## Format and autofix
	@.venv/bin/ruff format $(CODE)
	@.venv/bin/ruff check --fix $(CODE)

contracts: install ## Export message JSON Schemas and docs/messaging.md (refuses incompatible changes)
	@$(PY) -m contracts export

bench: install ## Measure baselines (raw NATS, JetStream, PostgreSQL) and every scenario, as ratios
	@$(PY) -m devstack exec --only nats,postgres,imap,s3 -- $(PY) -m bench

lock: install ## Re-resolve requirements/*.in into requirements/lock.txt
	@cd requirements && ../.venv/bin/pip-compile -q --strip-extras --allow-unsafe --no-emit-index-url --no-emit-find-links -o lock.txt dev.in

clean: ## Remove the virtualenv and caches (keeps var/ data)
	rm -rf .venv .pytest_cache .mypy_cache .ruff_cache
