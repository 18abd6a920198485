# make run   — install what is missing, build, open the console on plugins/
# make test  — install what is missing (system packages, the Python reference), run every test
SWIFT ?= swift
PLUGINS ?= plugins

.PHONY: run test build deps reference-venv clean

deps:
	@scripts/install-deps

reference-venv:
	@scripts/install-deps --reference

build: deps
	$(SWIFT) build --product dagstack-console

run: build
	$(SWIFT) run --skip-build dagstack-console $(PLUGINS)

test: reference-venv
	$(SWIFT) test

clean:
	rm -rf .build .venv-ref
