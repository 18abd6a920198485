# make run   — install what is missing, build, open the console on plugins/
# make test  — install what is missing (system packages, the Python reference), run every test
SWIFT ?= swift
PLUGINS ?= plugins
# toml++ (inside TOMLKit) aborts on some malformed TOML when its debug assertions are on, as they
# are in a debug build; with NDEBUG (as in every release build) it reports a parse error instead.
# A broken dagstack.toml must be an error, never a crash.
SWIFTFLAGS ?= -Xcxx -DNDEBUG

.PHONY: run test build deps node-deps reference-venv mcp-venv example-venvs clean fuzz python-host-test node-host-test

deps:
	@scripts/install-deps

reference-venv:
	@scripts/install-deps --reference

# The examples' plugins that run from a venv of their own (examples/mcp-chain's MCP server): the
# tests replay their recorded sessions.
example-venvs:
	@scripts/install-deps --plugin-venvs examples

# The official MCP SDK (`mcp` on PyPI) in .venv-mcp: the tests' MCP servers are written with it.
mcp-venv:
	@scripts/install-deps --mcp

build: deps
	$(SWIFT) build $(SWIFTFLAGS) --product dagstack-console

run: build
	@scripts/install-deps --plugin-venvs $(PLUGINS)
	@scripts/install-deps --node-if-needed $(PLUGINS)
	$(SWIFT) run $(SWIFTFLAGS) --skip-build dagstack-console $(PLUGINS)

# At most TEST_WIDTH tests at once. Left unbounded, Swift Testing starts every test together: on a
# two-core machine that is a load of 30-40, and tests that start consoles, interpreters and servers
# wait tens of seconds for the cores. Four at a time takes the same time (measured) at a load of ~7.
TEST_WIDTH ?= 4

test: reference-venv mcp-venv example-venvs python-host-test node-host-test
	SWT_EXPERIMENTAL_MAXIMUM_PARALLELIZATION_WIDTH=$(TEST_WIDTH) $(SWIFT) test $(SWIFTFLAGS)

# The Python host's own unit tests (standard library unittest). -B: no bytecode in the source folder,
# which SwiftPM embeds whole.
python-host-test: deps
	python3 -B -m unittest discover -s Tests/PythonHostTests

# The tests load JavaScript and TypeScript plugins: they need nodejs and esbuild.
node-deps:
	@scripts/install-deps --node

# The Node host's own unit tests (Node's built-in test runner, no npm package).
node-host-test: node-deps
	node --test Tests/NodeHostTests/*.test.mjs

# Longer property-based runs of the parser and limit fuzzers (make test runs 2000 cases each, fewer
# for the costly ones).
fuzz: deps
	FUZZ_ITERATIONS=$${FUZZ_ITERATIONS:-100000} $(SWIFT) test $(SWIFTFLAGS) --filter 'ParserFuzzTests|LimitFuzzTests'

clean:
	rm -rf .build .venv-ref .venv-mcp
