# roret — the two commands a newcomer needs: `make book` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
SYNTHETIC := data/synthetic
PACKAGE := pakke
OUT := build
AXE_VERSION := 4.14.1
AXE_INTEGRITY := sha512-FHfa+lmNjQZfJz1q8wKqIDwC6DExcHt/pkjNQb09a3NPjCKg2rhu5qb2S4r76ASyFNNtuFooJpZe37OgudVGtQ==
AXE := .cache/axe-core-$(AXE_VERSION)/axe.min.js
TEX_PACKAGES := texlive-xetex texlive-latex-extra texlive-fonts-recommended texlive-lang-european \
                fonts-freefont-otf latexmk poppler-utils

.PHONY: install tex browser axe readstat synth package book book-html test test-fast bench clean

install: $(VENV)/.installed  ## virtual environment with roret installed (editable)

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $@

tex:  ## the Debian TeX packages the PDF needs (installed when run as root with apt)
	@scripts/ensure-apt.sh PDF "xelatex latexmk pdftotext" $(TEX_PACKAGES)

browser:  ## headless Chromium, for the test that opens the HTML offline
	@scripts/ensure-apt.sh "offline HTML test" "chromium" chromium

axe: $(AXE)  ## axe-core (npm), for the accessibility test of every HTML page

$(AXE):
	$(PYTHON) scripts/fetch-npm.py axe-core $(AXE_VERSION) $(AXE_INTEGRITY) axe.min.js $@

readstat:  ## ReadStat's command-line tool, which writes the SAS files of `roret synth --format dst`
	@scripts/ensure-apt.sh "SAS files" "readstat" readstat

$(SYNTHETIC)/syntetisk.json: | $(VENV)/.installed
	$(BIN)/roret synth --out $(SYNTHETIC)

synth: $(SYNTHETIC)/syntetisk.json  ## the full-scale synthetic register (once)

package: install synth  ## the result package of the synthetic default, into pakke/ (what leaves DST)
	$(BIN)/roret package --data $(SYNTHETIC) --out $(PACKAGE)

book: install tex package  ## the national publication, built from the package alone, into build/
	$(BIN)/roret build --pakke $(PACKAGE) --out $(OUT)

book-html: install package  ## the same without the PDF (no TeX needed)
	$(BIN)/roret build --pakke $(PACKAGE) --out $(OUT) --no-pdf

test: install tex browser axe readstat  ## the whole test suite, including an end-to-end build with nbval
	RORET_AXE=$(AXE) $(BIN)/pytest

test-fast: install readstat  ## the quick loop: everything but the end-to-end builds (about two minutes)
	$(BIN)/pytest -m "not slow"

bench: install  ## benchmarks on the full-scale synthetic register -> benchmarks/results.{json,md}
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf $(OUT) $(PACKAGE) $(SYNTHETIC) .pytest_cache .cache
