# Two commands: `make run` and `make test`. Each installs what is missing first.
SHELL := /bin/bash
VENV := .venv
STAMP := $(VENV)/.installed-$(shell sha1sum pyproject.toml | cut -c1-12)
SYSTEM_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fontconfig fonts-noto-cjk fonts-arphic-gkai00mp poppler-utils chromium \
	redis-server
SUDO := $(shell [ "$$(id -u)" -eq 0 ] || echo sudo)
HOST ?= 127.0.0.1
PORT ?= 5000
PG_TEST_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test
export FLASK_APP := portal:create_app
# The suite on two processes (pytest-xdist), a test file to a process: module fixtures (the access matrix's
# world, the fuzz's harvested forms, the demo county) are built once, and each process has its own database
# files, PostgreSQL schema, upload folders, live server and Chromium. PYTEST_WORKERS=0 runs it in one.
PYTEST_WORKERS ?= 2
XDIST := $(if $(filter 0,$(PYTEST_WORKERS)),,-n $(PYTEST_WORKERS) --dist loadfile)

.PHONY: run test test-pg system-packages python-packages demo-db bench

# The background worker (flask jobs work) as a process of its own beside gunicorn; the trap stops it
# when gunicorn ends (Ctrl-C reaches gunicorn; a background job of a script ignores SIGINT).
run: system-packages python-packages demo-db
	@echo "督导平台已启动：http://$(HOST):$(PORT)  （演示账号见 README.md，Ctrl-C 停止）"
	@APP_ENV=development $(VENV)/bin/flask jobs work & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker' EXIT; \
	APP_ENV=development $(VENV)/bin/gunicorn -c gunicorn.conf.py --workers 2 --threads 4 \
		--bind $(HOST):$(PORT) --access-logfile - wsgi:app

test: system-packages python-packages
	@$(VENV)/bin/python -m pytest -q $(XDIST) $(PYTEST_ARGS); rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "没有收集到任何测试：视为失败。"; fi; exit $$rc

# The same suite on PostgreSQL (used by .ci/run).
test-pg: system-packages python-packages
	@TEST_DATABASE_URL=$(PG_TEST_URL) $(VENV)/bin/python -m pytest -q $(XDIST) $(PYTEST_ARGS); rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "没有收集到任何测试：视为失败。"; fi; exit $$rc

demo-db: python-packages
	APP_ENV=development $(VENV)/bin/flask db upgrade
	APP_ENV=development $(VENV)/bin/flask seed-demo

bench: python-packages
	for script in bench/*.py; do $(VENV)/bin/python "$$script" || exit 1; done

python-packages: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(VENV)/bin/python || python3 -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check -e '.[dev]'
	rm -f $(VENV)/.installed-* && touch $@

# Debian packages the PDFs (Pango, HarfBuzz subsetting, CJK fonts), browser tests (Chromium) and the
# RQ tests of .ci/run (redis-server) need.
system-packages:
	@missing=""; for p in $(SYSTEM_PACKAGES); do \
		dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
		echo "安装系统软件包：$$missing"; \
		$(SUDO) apt-get update -qq && \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
	fi
