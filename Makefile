# Northeast Asian Security in Notebooks: the one entry point.
#   make lab    set up .venv (first time only) and open JupyterLab on the start notebook
#   make test   set up .venv (first time only) and run every test
#   make check  the unit tests only, on every core, in well under a minute (run it after each change)
#   make bench  speed and size figures (bench/results.json)
# Other targets: lint, format, strip, lock, data-docs, clean, help.
# Instructors (see assignments/INSTRUCTORS.md): release, collect, autograde, formgrader, feedback, export,
# grade-demo, coding-report SRC=<folder|zip>. PS=<problem set> picks one (default: the first).
# A classroom on one Linux server (hub/README.md, as root): hub, hub-users ROSTER=<file.csv>, hub-prestart.

SHELL := /bin/bash
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.course-installed
DEV_STAMP := $(VENV)/.course-dev-installed
INSTALL_LOG := $(VENV)/install.log
START := notebooks/00_start_here.ipynb
# The first Python >= 3.11 on PATH, unless given: make PYTHON=/path/to/python3.12 test
PYTHON ?= $(shell for p in python3.13 python3.12 python3.11 python3; do \
	if command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; \
	then echo $$p; break; fi; done)
ROOT_FLAG := $(shell [ "$$(id -u)" = 0 ] && echo --allow-root)
PYTEST_ARGS ?=
LAB_ARGS ?=
NOTEBOOKS = $(shell git ls-files '*.ipynb' 2>/dev/null | grep -v '^assignments/release/' || \
	find notebooks assignments/source -name '*.ipynb' -not -path '*/.ipynb_checkpoints/*')

.PHONY: help lab test check bench lint format strip lock data-docs clean check-python \
	release collect autograde formgrader deadlines feedback export grade-demo coding-report binder-badge hub hub-install hub-users hub-prestart

help:
	@sed -n '1,9p' Makefile | sed 's/^# \{0,1\}//'

lab: $(STAMP)
	@echo "Opening JupyterLab on $(START). Stop it with Ctrl+C."
	$(BIN)/jupyter lab $(ROOT_FLAG) --ServerApp.root_dir=. --LabApp.default_url=/lab/tree/$(START) $(LAB_ARGS)

test: $(DEV_STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# The fast lane (ARCHITECTURE.md): no notebook executed, no nbgrader run, no sandbox, no browser, no server.
FAST = not slow and not notebooks and not browser and not hub and not slow_install
check: $(DEV_STAMP)
	$(BIN)/python -m pytest -n auto -q -m "$(FAST)" $(PYTEST_ARGS)

# Speed and size figures, written to bench/results.json (BENCH_ARGS=--fresh adds the set-up time).
BENCH_ARGS ?=
bench: $(DEV_STAMP)
	$(BIN)/python bench/run.py $(BENCH_ARGS)

lint: $(DEV_STAMP)
	$(BIN)/ruff check course tests tools data/prep bench hub notebooks
	$(BIN)/ruff format --check course tests tools data/prep bench hub
	$(BIN)/lint-imports

format: $(DEV_STAMP)
	$(BIN)/ruff format course tests tools data/prep bench hub
	$(BIN)/ruff check --fix course tests tools data/prep bench hub notebooks

# Remove outputs, execution counts and volatile metadata before committing a notebook.
strip: $(DEV_STAMP)
	$(BIN)/nbstripout --keep-id $(NOTEBOOKS)

# Recompile requirements.txt from pyproject.toml and rewrite environment.yml to match (needs network).
lock: $(DEV_STAMP)
	$(BIN)/python -m pip install -q uv
	PATH="$(abspath $(BIN)):$$PATH" $(BIN)/python tools/lock.py

# ---- instructors: the nbgrader course in assignments/ ---------------------------------------------------
PROBLEM_SETS = $(notdir $(wildcard assignments/source/ps*))
PS ?= $(firstword $(PROBLEM_SETS))
NBGRADER = cd assignments && PATH="$(abspath $(BIN)):$$PATH" PYTHONWARNINGS="ignore:::nbgrader.api" \
	$(abspath $(BIN))/nbgrader

# Regenerate every released notebook from its source (commit the result: Binder opens release/).
release: $(STAMP)
	@# The old release goes first, so that nbgrader has nothing to warn about removing (issue 33); its warnings stay on.
	@for ps in $(PROBLEM_SETS); do rm -rf "assignments/release/$$ps"; \
	  ( $(NBGRADER) generate_assignment $$ps --force --log-level=WARN ) || exit 1; done
	@echo "released: $(PROBLEM_SETS)"

# Collect LMS downloads: put the .zip files in assignments/downloaded/$(PS)/archive/ first.
collect: $(STAMP)
	$(NBGRADER) zip_collect $(PS)

# Autograde $(PS): check the grading sandbox, refuse links and oversized files, fix renamed notebooks, grade new
# submissions (never re-grades; FORCE=1 does), report. Without bubblewrap it stops and says how to install it;
# ALLOW_UNSANDBOXED=1 grades anyway and flags every notebook (see assignments/INSTRUCTORS.md).
autograde: $(STAMP)
	@if [ -z "$(ALLOW_UNSANDBOXED)" ] || [ "$(ALLOW_UNSANDBOXED)" = 0 ]; then $(BIN)/python -m course.autograder.sandbox check; \
	else echo "make: ALLOW_UNSANDBOXED=$(ALLOW_UNSANDBOXED): grading WITHOUT the sandbox; every notebook is flagged"; fi
	cd assignments && $(abspath $(BIN))/python -m course.autograder normalize . $(PS)
	-cd assignments && $(abspath $(BIN))/python -m course.autograder.deadlines .
	-$(NBGRADER) autograde $(PS) $(if $(FORCE),--force,)
	cd assignments && $(abspath $(BIN))/python -m course.autograder report . $(PS)
	cd assignments && $(abspath $(BIN))/python -m course.autograder items . $(PS)

# The formgrader: JupyterLab rooted at assignments/ with nbgrader's instructor tools (menu Nbgrader > Formgrader,
# Create Assignment, Validate), which make lab hides from students (course/deploy/lab_settings.py). Stop with Ctrl+C.
formgrader: $(STAMP)
	cd assignments && PATH="$(abspath $(BIN)):$$PATH" JUPYTER_CONFIG_PATH="$(abspath $(VENV))/etc/course-instructor" \
		$(abspath $(BIN))/jupyter lab $(ROOT_FLAG) \
		--ServerApp.root_dir=. --LabApp.default_url=/formgrader $(LAB_ARGS)

# Due dates (assignments/deadlines.csv) into the gradebook, and the extensions (assignments/extensions.csv) listed.
deadlines: $(STAMP)
	cd assignments && $(abspath $(BIN))/python -m course.autograder.deadlines .

# Feedback for $(PS): first says which submissions still wait for a hand grade, and stops (PARTIAL=1 goes on: those
# items then say "not graded yet", never 0).
feedback: $(STAMP)
	cd assignments && $(abspath $(BIN))/python -m course.autograder pending . $(PS) $(if $(PARTIAL),--partial,)
	$(NBGRADER) generate_feedback $(PS)

# Grades out: nbgrader's grades.csv, which are final, and the LMS's import files (ROSTER=<the roster the LMS exported>
# carries its ids over): assignments/reports/lms/canvas.csv, canvas-items.csv, moodle.csv (INSTRUCTORS.md).
export: $(STAMP)
	$(NBGRADER) export --to grades.csv
	cd assignments && $(abspath $(BIN))/python -m course.autograder incomplete .
	cd assignments && $(abspath $(BIN))/python -m course.deploy.lms . $(if $(ROSTER),--roster "$(abspath $(ROSTER))",)
	@echo "grades: assignments/grades.csv; which are final: assignments/reports/completeness.csv; for the LMS: assignments/reports/lms/; integrity flags: assignments/reports/"

# The class coding report (the coding lab): every codes.csv under SRC (a folder, an LMS .zip, or assignments/ after
# collect with PS=<assignment>), agreement per variable, statement and student, one page: assignments/reports/.
SRC ?= assignments
coding-report: $(STAMP)
	@mkdir -p assignments/reports
	$(BIN)/python -m course.autograder.coding_report "$(SRC)" $(if $(filter assignments,$(SRC)),--assignment $(PS),) \
		--out assignments/reports/coding-report.html

# The whole cycle on a simulated class, in a temporary copy of the course.
grade-demo: $(STAMP)
	$(BIN)/python -m course.autograder.demo_class run test-artifacts/grade-demo

# ---- a classroom: the course's JupyterHub on this server (hub/README.md; run as root) ----------------------
HUB_PREFIX ?= /opt/nas-hub
HUB_ARGS ?=
# Install or update everything under $(HUB_PREFIX), then run JupyterHub (Ctrl+C stops it). HUB_ARGS: --port 8000 ...
hub: hub-install
	$(BIN)/python hub/hubctl.py --prefix $(HUB_PREFIX) start

hub-install: $(STAMP)
	$(BIN)/python hub/hubctl.py --prefix $(HUB_PREFIX) install $(HUB_ARGS)

# Unix accounts and course groups for the people of a roster exported from an LMS (CSV); bad rows are listed.
hub-users: $(STAMP)
	@if [ -z "$(ROSTER)" ]; then echo "make: name the roster: make hub-users ROSTER=roster.csv"; exit 2; fi
	$(BIN)/python hub/hubctl.py --prefix $(HUB_PREFIX) users $(ROSTER)

# Before a class, with the hub running: start every student's server, as far as memory holds them (from cron too:
# hub/README.md, "Before a class"). An unused one is stopped by the idle culler; the report says when.
hub-prestart: $(STAMP)
	$(BIN)/python hub/hubctl.py --prefix $(HUB_PREFIX) prestart $(PRESTART_ARGS)

# Point the README's Binder badge at this repository (from the origin remote, or REPO=owner/name).
binder-badge:
	$(or $(wildcard $(BIN)/python),$(PYTHON)) tools/binder_badge.py $(REPO)

# Rewrite the data dictionary in data/README.md from the schema in course/content/schema.py.
data-docs: $(STAMP)
	$(BIN)/python tools/data_dictionary.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache test-artifacts *.egg-info
	find . -name __pycache__ -type d -prune -exec rm -rf {} +

check-python:
	@if [ -z "$(PYTHON)" ] || ! command -v "$(PYTHON)" >/dev/null 2>&1; then \
	  echo "make: this course needs Python 3.11 or newer, and none was found"; \
	  echo "      (looked for $(or $(PYTHON),python3.13, python3.12, python3.11 and python3) on PATH)."; \
	  echo "      Install Python 3.11+ (https://www.python.org/downloads/), or name one:"; \
	  echo "      make PYTHON=/path/to/python3.11 test"; \
	  exit 1; fi
	@if ! "$(PYTHON)" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then \
	  echo "make: $(PYTHON) is Python $$("$(PYTHON)" -c 'import platform; print(platform.python_version())' 2>/dev/null || echo '?'); the course needs 3.11 or newer."; \
	  echo "      Install Python 3.11+ or name one: make PYTHON=/path/to/python3.11 test"; \
	  exit 1; fi
	@if ! "$(PYTHON)" -c 'import venv, ensurepip' 2>/dev/null; then \
	  echo "make: $(PYTHON) cannot create virtual environments (on Debian or Ubuntu: sudo apt install python3-venv)."; \
	  exit 1; fi

# The environment: created when missing, brought up to date when a lock or pyproject.toml changes. requirements.txt
# is what the course needs to run (make lab, instructors); make test and the other developers' targets add
# requirements-dev.txt (pytest, Playwright, ruff, ...). Both locks are whole closures, installed with --no-deps:
# that is how requirements-omitted.txt's packages stay out (and they are removed from an older .venv).
$(STAMP): requirements.txt requirements-omitted.txt pyproject.toml | check-python
	@if [ ! -x $(BIN)/python ]; then \
	  echo "make: creating $(VENV) with $(PYTHON) ($$("$(PYTHON)" --version))"; \
	  "$(PYTHON)" -m venv $(VENV) || { echo "make: could not create $(VENV) with $(PYTHON)"; exit 1; }; fi
	@echo "make: installing the pinned packages from requirements.txt into $(VENV) (about a minute the first time)"
	@: > $(INSTALL_LOG)
	@$(call pip_install,requirements.txt)
	@$(BIN)/python -m pip install --disable-pip-version-check --no-deps -e . >> $(INSTALL_LOG) 2>&1 || { \
	  echo "make: installing the course package failed; see $(INSTALL_LOG)"; exit 1; }
	@$(BIN)/python -m course.deploy.lab_settings
	@$(BIN)/python -m course.autograder.sandbox install
	@rm -f $(DEV_STAMP)
	@touch $(STAMP)
	@echo "make: $(VENV) is ready"

$(DEV_STAMP): requirements-dev.txt $(STAMP)
	@echo "make: adding the developers' tools from requirements-dev.txt (pytest, Playwright, ruff, ...)"
	@$(call pip_install,requirements-dev.txt)
	@touch $(DEV_STAMP)

# $(call pip_install,<lock>): one lock into .venv, then requirements-omitted.txt's packages out.
define pip_install
$(BIN)/python -m pip install --disable-pip-version-check --no-deps -r $(1) >> $(INSTALL_LOG) 2>&1 || { \
  echo; echo "make: installing the pinned packages failed ($(1)). The end of the log:"; \
  grep -v -e 'WARNING: Location' -e '^Ignoring ' $(INSTALL_LOG) | tail -n 12 | sed 's/^/    /'; echo; \
  echo "make: most often this means no connection to PyPI (https://pypi.org): check your network or"; \
  echo "      proxy settings, then run make again. Full log: $(INSTALL_LOG)"; \
  exit 1; }; \
$(BIN)/python -m pip uninstall --disable-pip-version-check -y -r requirements-omitted.txt >> $(INSTALL_LOG) 2>&1 || true
endef
