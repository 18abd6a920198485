"""The Python reference's side of the benchmarks (dagstack-plugin-system 0.4.1), on the same
workloads as dagstack-bench. Prints one figure per line: `name: value unit`."""
import argparse
import asyncio
import json
import logging
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

logging.disable(logging.CRITICAL)
import warnings  # noqa: E402

warnings.simplefilter("ignore")

from dagstack.plugin_system import ChainDispatcher, MCPStdioAdapter, PluginContext, PluginRegistry  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
COUNTER = '''
class Counter:
    def rewrite(self, ctx, value):
        return {**value, "n": value["n"] + 1}
'''


def report(name, value, unit):
    print(f"{name}: {value:.3f} {unit}" if unit in ("ns", "us", "ms") else f"{name}: {value:.4g} {unit}", flush=True)


def write_plugin(root, name, kind, priority, code=COUNTER, entry="plugin:Counter"):
    folder = os.path.join(root, name)
    os.makedirs(folder)
    with open(os.path.join(folder, "dagstack.toml"), "w") as f:
        f.write(f'name = "{name}"\nkind = "{kind}"\nruntime = "in_process"\ncore_version = ">=0.1.0,<1.0.0"\n'
                f'entry_point = "{entry}"\npriority = {priority}\n')
    with open(os.path.join(folder, "plugin.py"), "w") as f:
        f.write(code)


def loaded(root, setup=True):
    registry = PluginRegistry()
    registry.discover(root)
    ctx = PluginContext(config={}, logger=logging.getLogger("bench"), registry=registry)
    if setup:
        asyncio.run(registry.setup_all(ctx))
    return registry, ctx


def per_operation(fn, iterations, rounds=7):
    samples = []
    for _ in range(rounds):
        start = time.perf_counter()
        for _ in range(iterations):
            fn()
        samples.append((time.perf_counter() - start) / iterations)
    return statistics.median(samples)


def chain(prefix):
    for stages in (1, 10, 100):
        root = tempfile.mkdtemp()
        for i in range(stages):
            write_plugin(root, f"{prefix}{stages}s{i}", f"bench{stages}", i)
        registry, ctx = loaded(root)
        dispatcher = ChainDispatcher(registry, dispatch_class_override="chain")
        kind = f"bench{stages}"
        t = per_operation(lambda: dispatcher.dispatch(kind, "rewrite", ctx, initial_value={"n": 0}), max(200, 20000 // stages))
        report(f"chain_dispatch_per_stage_n{stages}", t / stages * 1e9, "ns")
        shutil.rmtree(root)
    root = tempfile.mkdtemp()
    for i in range(10):
        write_plugin(root, f"{prefix}u10s{i}", "benchu", i)
    for i in range(1000):
        write_plugin(root, f"{prefix}other{i}", "unrelated", i % 999)
    registry, ctx = loaded(root)
    dispatcher = ChainDispatcher(registry, dispatch_class_override="chain")
    t = per_operation(lambda: dispatcher.dispatch("benchu", "rewrite", ctx, initial_value={"n": 0}), 2000)
    report("chain_dispatch_per_stage_n10_with_1000_unrelated", t / 10 * 1e9, "ns")
    shutil.rmtree(root)


def seed_dispatcher(plugins, root):
    """The seed chain (copied into `root`) loaded into the reference's in-process ChainDispatcher. The
    seed's manifests carry no entry_point and its TenantEnricher reads ctx.registry.resource_registry
    (D2), so the copy gets entry points and the registry that attribute."""
    classes = {"normalizer": "Normalizer", "blacklist": "Blacklist", "synonymizer": "Synonymizer", "tenant-enricher": "TenantEnricher"}
    if not os.path.exists(os.path.join(root, "normalizer")):
        for folder, cls in classes.items():
            shutil.copytree(os.path.join(plugins, folder), os.path.join(root, folder))
            with open(os.path.join(root, folder, "dagstack.toml")) as f:
                text = f.read().replace("description =", "# description =")
            with open(os.path.join(root, folder, "dagstack.toml"), "w") as f:
                f.write(text.replace("[plugin]\n", f'[plugin]\nentry_point = "plugin:{cls}"\n'))
    PluginRegistry.resource_registry = property(lambda self: self.resources)
    registry = PluginRegistry()
    registry.resources.register("tenant_keywords", {"acme-corp": ["microservices", "python"]})
    registry.discover(root)
    ctx = PluginContext(config={}, logger=logging.getLogger("bench"), registry=registry)
    asyncio.run(registry.setup_all(ctx))
    return ChainDispatcher(registry, dispatch_class_override="chain"), ctx


def seed_chain(plugins):
    root = tempfile.mkdtemp()
    dispatcher, ctx = seed_dispatcher(plugins, root)
    query = {"text": "  How to LAUNCH dagstack?  ", "tenant_id": "acme-corp"}
    assert dispatcher.dispatch("query_rewriter", "rewrite", ctx, initial_value=query)["text"].endswith("microservices python")
    t = per_operation(lambda: dispatcher.dispatch("query_rewriter", "rewrite", ctx, initial_value=query), 5000)
    report("dispatch_seed_chain_in_process", t * 1e6, "us")
    shutil.rmtree(root)


def replay_python(plugins, recording):
    """The calls of dagstack-bench's recording of seed-chain traces (`replay-python`), run by the
    reference in process as a replay runs them: read the session file, load the plugins, run each
    trace's input through the chain and compare the output with the recorded one. Its modules are
    imported once before the timed runs, as a replay's Python host has its own imports cached."""
    with open(recording) as f:
        entries = [json.loads(line) for line in f][1:]
    calls = [e for e in entries if e.get("line", "").startswith("trace query_rewriter.rewrite ")]
    assert len(calls) == len(entries), "the recording holds commands other than seed-chain traces"
    root = tempfile.mkdtemp()
    seed_dispatcher(plugins, root)
    rates = []
    for _ in range(3):
        start = time.perf_counter()
        with open(recording) as f:
            lines = [json.loads(line) for line in f][1:]
        dispatcher, ctx = seed_dispatcher(plugins, root)
        for entry in lines:
            result = entry["result"]
            output = dispatcher.dispatch("query_rewriter", "rewrite", ctx, initial_value=result["input"])
            assert output == result["output"], f"the reference gave {output} where the recording has {result['output']}"
        rates.append(len(lines) / (time.perf_counter() - start))
    shutil.rmtree(root)
    report(f"replay_{len(calls)}_python_traces", statistics.median(rates), "commands/s")


def stdio():
    async def run():
        adapter = MCPStdioAdapter(["python3", os.path.join(HERE, "echo_server.py")], timeout=10)
        await adapter.start()
        for _ in range(500):
            await adapter.call("echo", {"_args": [{"msg": "hi"}]})
        samples = []
        for _ in range(5000):
            start = time.perf_counter()
            await adapter.call("echo", {"_args": [{"msg": "hi"}]})
            samples.append(time.perf_counter() - start)
        await adapter.stop()
        return sorted(samples)
    samples = asyncio.run(run())
    report("stdio_round_trip_p50", samples[len(samples) // 2] * 1e6, "us")
    report("stdio_round_trip_p99", samples[int(len(samples) * 0.99)] * 1e6, "us")


SETUP_SCRIPT = """
import asyncio, logging, sys, time, warnings
warnings.simplefilter("ignore"); logging.disable(logging.CRITICAL)
start = time.perf_counter()
from dagstack.plugin_system import PluginContext, PluginRegistry
imported = time.perf_counter()
registry = PluginRegistry()
registry.discover(sys.argv[1])
discovered = time.perf_counter()
if sys.argv[2] == "setup":
    asyncio.run(registry.setup_all(PluginContext(config={}, logger=logging.getLogger("b"), registry=registry)))
print(imported - start, discovered - imported, time.perf_counter() - discovered, len(registry.list_manifests()))
"""


def startup(plugins):
    walls = []
    for _ in range(10):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", SETUP_SCRIPT, plugins, "setup"], check=True, capture_output=True)
        walls.append(time.perf_counter() - start)
    report("startup_import_discover_setup_plugins", statistics.median(walls) * 1000, "ms")


def thousand(folder):
    discover, total = [], []
    for _ in range(3):
        out = subprocess.run([sys.executable, "-c", SETUP_SCRIPT, folder, "setup"], check=True, capture_output=True, text=True).stdout.split()
        _, d, s, count = float(out[0]), float(out[1]), float(out[2]), int(out[3])
        assert count == 1000, f"the reference registered {count} of 1000 plugins"
        discover.append(d)
        total.append(d + s)
    report("discover_1000_manifests", statistics.median(discover) * 1000, "ms")
    report("discover_and_setup_1000_python_plugins", statistics.median(total) * 1000, "ms")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--plugins", required=True)
    parser.add_argument("--plugins1000", required=True)
    parser.add_argument("--python-recording", required=True, help="dagstack-bench replay-python's recording")
    args = parser.parse_args()
    chain("c")
    seed_chain(args.plugins)
    stdio()
    startup(args.plugins)
    thousand(args.plugins1000)
    replay_python(args.plugins, args.python_recording)
