# Two commands matter: `make serve` and `make test` (`make test-quick` while editing). Every target creates or
# refreshes .venv first.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# Material for MkDocs prints a banner about MkDocs 2 on every run; we know, and pin MkDocs below 2.
export NO_MKDOCS_2_WARNING := 1
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: help serve build test test-quick check citation release new-edition pdf clean lock lighthouse bench bench-bib preview

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/:.*## /\t/' | expand -t 12

$(STAMP): requirements.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
	@touch $@

ADDR ?= 127.0.0.1:8000
serve: $(STAMP) ## serve the site with live reload on http://127.0.0.1:8000 (ADDR=host:port to change)
	@$(BIN)/python tools/check-port $(ADDR) # a busy port: one line naming a free one, not mkdocs' traceback
	$(BIN)/mkdocs serve --no-strict --dev-addr $(ADDR) # not strict: problems are listed, serving goes on

build: $(STAMP) ## strict build into site/ (replaced only if the build succeeds)
	@tmp=$$(mktemp -d .site-XXXXXX); \
	if $(BIN)/mkdocs build --strict --site-dir "$$tmp"; then \
	  rm -rf site.old; if [ -d site ]; then mv site site.old; fi; mv "$$tmp" site; rm -rf site.old; \
	  mkdir -p .cache; $(BIN)/python tools/inputs-digest > .cache/site.inputs; \
	  echo "site/ updated"; \
	else rm -rf "$$tmp"; echo "build failed: site/ left as it was" >&2; exit 1; fi

PREVIEW ?= preview
# SHOW_PROBLEMS=1: built even when the sources have problems, each shown in a box on the page it concerns (and all
# on the home page): the preview of a pull request whose checks fail (CI); the build's output lists them too.
SHOW_PROBLEMS ?=
# The PDF/EPUB are not made again: the last `make build`'s are copied in (CI runs make build first).
preview: $(STAMP) ## strict build for reading from disk into preview/ (open preview/index.html; search works; SHOW_PROBLEMS=1: even with problems, shown on their pages)
	@tmp=$$(mktemp -d .preview-XXXXXX); \
	if EDITION_OFFLINE=true EDITION_EXPORT=false EDITION_SHOW_PROBLEMS=$(if $(SHOW_PROBLEMS),true,false) \
	  $(BIN)/mkdocs build $(if $(SHOW_PROBLEMS),--no-strict,--strict) --site-dir "$$tmp"; then \
	  if [ -d site/downloads ]; then cp -R site/downloads "$$tmp"/; echo "PDF/EPUB: copied from site/downloads/ (the last make build)"; fi; \
	  rm -rf "$(PREVIEW)"; mkdir -p "$$(dirname "$(PREVIEW)")"; mv "$$tmp" "$(PREVIEW)"; echo "$(PREVIEW)/ updated: open $(PREVIEW)/index.html in a browser"; \
	else rm -rf "$$tmp"; echo "preview build failed: $(PREVIEW)/ left as it was" >&2; exit 1; fi

# Two pytest-xdist workers: the browser tests mostly wait on Chromium, so the other worker works meanwhile;
# what the tests build is built once and shared between the workers (tests/conftest.py, built_once); a worker
# that runs out of tests takes some of the other's (worksteal: measured 250 s against 264 s with plain load).
TEST_WORKERS ?= 2
test: $(STAMP) ## run every test (builds real sites, renders the PDF, drives Chromium)
	tools/ensure-chromium
	tools/ensure-texlive-bib
	tools/ensure-npm-tools
	@# The tests read the real site with its PDF/EPUB: site/ when it was built from these very sources (as CI's
	@# make build step just did), else built now, once, before the tests start.
	@$(BIN)/python tools/inputs-digest --check .cache/site.inputs && echo "site/ is current: the tests read it" || $(MAKE) --no-print-directory build
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist worksteal --durations=15

# The tests marked quick: they need no site build, no Chromium, no PDF and no fetched corpus (tests/conftest.py
# marks them by what they need), with fewer property-test examples. The strict build runs beside them (2 cores).
test-quick: check ## while editing: the checks, every test that needs no build/browser/PDF, one strict build (about 30 s)
	@tmp=$$(mktemp -d .site-XXXXXX); trap 'rm -rf "$$tmp" "$$tmp.log"' EXIT; \
	EDITION_EXPORT=false $(BIN)/mkdocs build --strict --quiet --site-dir "$$tmp" > "$$tmp.log" 2>&1 & build=$$!; \
	tests=0; $(BIN)/python -m pytest -q -m quick -p no:cacheprovider --hypothesis-profile=quick || tests=$$?; \
	built=0; wait $$build || built=$$?; \
	if [ $$built -eq 0 ]; then echo "strict build OK (without the PDF/EPUB; make build makes them)"; \
	else cat "$$tmp.log" >&2; echo "strict build failed (its messages above)" >&2; fi; \
	[ $$tests -eq 0 ] && [ $$built -eq 0 ]

check: $(STAMP) ## the source checks alone: citations, .bib files, glossary, links, anchors, images, the essay's words (no site build)
	$(BIN)/python -m scholarly_edition check .

DEST ?=
new-edition: $(STAMP) ## a new edition at DEST (make new-edition DEST=../my-edition [GENERATOR="scholarly-edition @ git+URL@TAG"])
	@test -n "$(DEST)" || { echo "make new-edition: name the new edition's folder, e.g. make new-edition DEST=../my-edition" >&2; exit 2; }
	$(BIN)/python -m scholarly_edition new-edition "$(DEST)" $(if $(GENERATOR),--generator "$(GENERATOR)")

citation: $(STAMP) ## write CITATION.cff and .zenodo.json from mkdocs.yml's edition block (make check reports when they are out of date)
	$(BIN)/python -m scholarly_edition citation .

VERSION ?=
release: $(STAMP) ## publish this commit as version VERSION with mike into the local gh-pages branch (make release VERSION=1.0; then git push origin gh-pages vVERSION)
	@$(BIN)/python -m scholarly_edition release "$(VERSION)" .

# The WACZ is made from site/ as make test reads it: as it is when built from these very sources, else built first.
.PHONY: archive
archive: $(STAMP) ## the built site as a WACZ web archive, archive/SLUG.wacz, checked with wacz validate (builds first when site/ is out of date)
	@$(BIN)/python tools/inputs-digest --check .cache/site.inputs && echo "site/ is current: archiving it" || $(MAKE) --no-print-directory build
	$(BIN)/python -m scholarly_edition archive .

PAPER ?= A4
export PAPER
pdf: build ## the edition as PDF and EPUB in site/downloads/ (PAPER=letter for US Letter)
	@ls -l site/downloads/

bench: $(STAMP) ## benchmark: our build vs plain MkDocs + mkdocs-bibtex at 20/200/1,000 pages; writes bench/results.md
	$(BIN)/python bench/run.py

bench-bib: $(STAMP) ## the .bib part of the benchmark alone (real files up to 4,839 entries); writes bench/results-bib.md
	BENCH_ONLY=bib $(BIN)/python bench/run.py

lighthouse: build ## Lighthouse (mobile) on the essay page, served with gzip from 127.0.0.1, Debian's Chromium
	tools/ensure-chromium
	tools/lighthouse/run site essay/

clean: ## remove the built site, caches and .venv
	rm -rf site site.old .site-* preview .preview-* archive .pytest_cache $(VENV)
	find . -name __pycache__ -type d -prune -exec rm -rf {} +

lock: $(STAMP) ## print the installed versions, to refresh the pinned transitive list in requirements.txt
	$(BIN)/python -m pip freeze
