# fashion_nn — the two commands are `make reproduce` and `make test`; everything else supports them.
SHELL := /bin/bash
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.fashion_nn-installed
DEBIAN_DATA := /usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz
SYS_PKGS := dataset-fashion-mnist graphviz
# Debian's own Pythons leave out the venv module (`ensurepip`): its package is named for $(PYTHON)'s version.
VENV_PKG = python$(shell $(PYTHON) -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null)-venv

.PHONY: setup sysdeps docs-browser reproduce test test-slow bench lock export lab help readme docs outputs outputs-slow
help:
	@echo "make reproduce  set up, then train the post's network and compare with the published figures"
	@echo "make test       set up, then the CI gates: notebooks clean, library in sync, every notebook runs"
	@echo "make test-slow  the same, including cells marked #| slow (long training runs, sweeps)"
	@echo "make outputs    re-run notebooks (all, or NB=nbs/X.ipynb) and save the fresh outputs; outputs-slow: with slow cells"
	@echo "make bench      side-by-side timings (data preparation, training paths, the suite)"
	@echo "make setup      system packages (as root), .venv with the pinned set, the package in editable mode"
	@echo "make lab        open the notebooks in JupyterLab (from .venv)"
	@echo "make readme     write README.md from nbs/index.ipynb (make export does it too)"
	@echo "make docs       build the site in _docs/ (Quarto if installed, else nbconvert), check every page in Chromium"
	@echo "make replay-2022  the post's code on its May-2022 stack (.venv-2022) and on today's, row by row"

# Every command that runs torch runs it on one numeric path, the one the stored outputs came from (tools/numeric_path.py
# sets it, keeping any value the caller set): AVX2 kernels on x86-64, one thread, the CPU even where a GPU is present.
PIN = $(BIN)/python tools/numeric_path.py run --

# The editable install must be this checkout's (tools/installed.py says why): if it is another's, install this one.
setup: sysdeps $(STAMP)
	@$(BIN)/python tools/installed.py 2>/dev/null || { \
	  echo "fashion_nn was installed from another checkout: installing this one (editable)"; \
	  $(BIN)/pip install -q --disable-pip-version-check --no-deps --no-build-isolation -e . 2>&1 | { grep -v "^WARNING: Location" || true; }; }

# Debian packages a reader needs: the Fashion-MNIST files (about 30 MB), graphviz's `dot` (about 10 MB), and, until
# .venv exists, the venv module if $(PYTHON) lacks it. Installs them as root; otherwise says how. No browser: only
# `make docs` needs one (the docs-browser target below).
sysdeps:
	@need=""; \
	[ -f $(DEBIAN_DATA) ] && command -v dot >/dev/null || need="$(SYS_PKGS)"; \
	[ -x $(BIN)/python ] || $(PYTHON) -c 'import ensurepip' 2>/dev/null || need="$$need $(VENV_PKG)"; \
	[ -n "$$need" ] || exit 0; \
	if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  echo "installing Debian packages:$$need"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$need >/dev/null; \
	else \
	  echo "note: system packages missing; run:  sudo apt-get update && sudo apt-get install -y$$need"; \
	  echo "      (without them the data is downloaded by torchvision when online, and the Learner diagram is skipped)"; \
	fi

# Debian's chromium (about 530 MB, a minute), for the site's browser check only; Playwright drives it (no download).
# A Chromium or Chrome already on PATH (GitHub's runners have google-chrome), or $CHROMIUM, is used as it is.
docs-browser:
	@{ [ -n "$$CHROMIUM" ] || command -v chromium || command -v chromium-browser || command -v google-chrome \
	  || command -v google-chrome-stable; } >/dev/null && exit 0; \
	if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  echo "installing Debian's chromium for the site check (about 530 MB)"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	else \
	  echo "FAIL make docs checks the site in a browser: sudo apt-get update && sudo apt-get install -y chromium"; \
	  echo "     (or set CHROMIUM to a Chromium binary)"; exit 1; \
	fi

# The venv is rebuilt only when the pins or the package metadata change (a second `make setup` does nothing).
$(STAMP): requirements-lock.txt setup.py settings.ini
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "the pinned set (requirements-lock.txt: numpy 2.4, pandas 3.1) needs Python >= 3.11: make setup PYTHON=python3.11"'
	@[ -x $(BIN)/python ] || $(PYTHON) -m venv $(VENV)
	set -o pipefail; $(BIN)/pip install -q --disable-pip-version-check -r requirements-lock.txt 2>&1 | { grep -v "^WARNING: Location" || true; }
	set -o pipefail; $(BIN)/pip install -q --disable-pip-version-check --no-deps --no-build-isolation -e . 2>&1 | { grep -v "^WARNING: Location" || true; }
	$(BIN)/pip check
	@touch $@

reproduce: setup
	$(PIN) $(BIN)/fashion_nn_reproduce --out results

test: setup
	@PATH="$(CURDIR)/$(BIN):$$PATH" $(PIN) bash tools/test.sh

test-slow: setup
	@PATH="$(CURDIR)/$(BIN):$$PATH" $(PIN) bash tools/test.sh --flags slow

lab: setup
	$(PIN) $(BIN)/jupyter lab nbs/

bench: setup
	$(PIN) $(BIN)/python bench/run.py

# Re-pin after a deliberate upgrade: writes requirements-lock.txt from the current venv.
lock:
	@{ echo "# Every package the project's venv holds, pinned (generated by 'make lock' from a working venv)."; \
	   echo "# 'make setup' installs exactly this set; torch/torchvision are the CUDA builds that run on the CPU."; \
	   $(BIN)/pip freeze --all --exclude-editable | grep -v -E "^(pip|fashion[-_]nn)[= ]"; } > requirements-lock.txt

# After editing notebooks: clean them, then regenerate the library and the README.
export:
	@$(BIN)/python tools/export_check.py --readable  # one line naming a broken notebook, not nbdev's traceback
	$(BIN)/nbdev_clean && $(BIN)/nbdev_export && $(BIN)/python tools/readme.py

# README.md is generated from nbs/index.ipynb by nbdev's processors (no Quarto needed); make test fails on a stale one.
readme:
	$(BIN)/python tools/readme.py

# The site in _docs/: nbdev_docs where Quarto is installed, else nbdev's processors + nbconvert (tools/docs.py);
# then every page is opened in headless Chromium (tools/check_site.py), which also saves _docs/screenshot.png.
docs: setup docs-browser
	$(BIN)/python tools/docs.py
	$(BIN)/python tools/check_site.py

# The post's code as published, on a May-2022 stack (.venv-2022 from requirements-2022.txt, built once) and on today's.
.PHONY: replay-2022
replay-2022: setup
	$(PIN) $(BIN)/python replay/run.py

# After a deliberate change to what a notebook prints: re-run it and save the fresh outputs (cleaned as nbdev_clean
# does). All notebooks, or one: make outputs NB=nbs/01_baseline.ipynb. Cells skipped in the run keep their outputs;
# make outputs-slow (or FLAGS=slow) runs and saves the #| slow cells too. A cell whose outputs pass the check and whose
# images are byte-identical keeps its stored outputs (no churn from times or temporary paths), and so does a cell marked
# #| outputs: vary (timings) whose outputs are all there; ALL=1 replaces them all (needed after editing what one prints).
outputs: setup
	@PATH="$(CURDIR)/$(BIN):$$PATH" $(PIN) python tools/nbcheck.py --save $(if $(FLAGS),--flags "$(FLAGS)") $(if $(ALL),--all) $(NB)

outputs-slow:
	@$(MAKE) --no-print-directory outputs FLAGS=slow
