# The two commands of the README: `make run` and `make test`. Everything a fresh machine needs
# is installed from here.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
PIP := $(BIN)/pip
PYTHON := $(BIN)/python
VENDOR := static/vendor
HOST ?= 127.0.0.1:8000

.PHONY: install assets run test worker bench migrate seed check clean fuzz browser-deps

$(BIN)/activate:
	$(PY) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt | $(BIN)/activate
	$(PIP) install --quiet -r requirements.txt
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

$(VENDOR)/.built: node_modules/.installed
	mkdir -p $(VENDOR)/bootstrap $(VENDOR)/echarts
	cp node_modules/bootstrap/dist/css/bootstrap.min.css node_modules/bootstrap/dist/css/bootstrap.min.css.map $(VENDOR)/bootstrap/
	cp node_modules/bootstrap/dist/js/bootstrap.bundle.min.js node_modules/bootstrap/dist/js/bootstrap.bundle.min.js.map $(VENDOR)/bootstrap/
	cp node_modules/echarts/dist/echarts.min.js $(VENDOR)/echarts/
	touch $@

assets: $(VENDOR)/.built

install: $(VENV)/.installed assets

migrate: install
	$(PYTHON) manage.py migrate --noinput

# Demo data goes in once: seed_demo skips itself when the database already has persons.
seed: migrate
	$(PYTHON) manage.py seed_demo --if-empty

run: seed
	@echo "参保通: http://$(HOST)/  (演示账号见 README，密码 canbao-demo)"
	$(PYTHON) manage.py runserver $(HOST)

# The real-browser tests (tests/browser) drive Debian's Chromium; install it where it is missing
# (as root, as in CI). Without it the browser tests fail; CANBAO_SKIP_BROWSER=1 skips them.
CHROMIUM := /usr/bin/chromium
browser-deps:
	@if [ -x $(CHROMIUM) ]; then :; \
	elif [ "$$CANBAO_SKIP_BROWSER" = "1" ]; then echo "CANBAO_SKIP_BROWSER=1: 不安装浏览器，跳过浏览器测试"; \
	elif [ "$$(id -u)" = "0" ]; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver fonts-noto-cjk; \
	else echo "缺少 $(CHROMIUM)：请以 root 运行 make browser-deps（apt-get install chromium chromium-driver fonts-noto-cjk），或设置 CANBAO_SKIP_BROWSER=1 跳过浏览器测试"; fi

test: install browser-deps
	$(PYTHON) manage.py makemigrations --check --dry-run
	$(BIN)/pytest

worker: install
	$(BIN)/celery -A config worker --beat --loglevel=info -Q $${CELERY_QUEUE:-canbao} --concurrency=2

bench: install
	@for script in bench/*.py; do echo "== $$script"; $(PYTHON) $$script || exit 1; done

check: install
	$(PYTHON) manage.py check

clean:
	rm -rf $(VENV) node_modules $(VENDOR) staticfiles var

fuzz: install
	HYPOTHESIS_PROFILE=fuzz $(BIN)/pytest -q tests/benefits/test_policy_case_fuzz.py -k mutated

# Backups (docs/deploy.md): pg_dump custom format into var/backups/ with a UTC timestamp;
# restore only into a new database: `make restore DUMP=var/backups/….dump DB=canbao_restored`.
.PHONY: backup restore
backup:
	deploy/backup.sh

restore:
	@test -n "$(DUMP)" -a -n "$(DB)" || { echo "用法: make restore DUMP=var/backups/备份文件.dump DB=新数据库名"; exit 2; }
	deploy/restore.sh "$(DUMP)" "$(DB)"
