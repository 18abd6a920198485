"""Runs generated plugin directories through the Python reference runtime (dagstack-plugin-system
0.4.1) and prints one JSON line per directory: set-up order, chain, broadcast_collect and capability
results, teardown order. The Swift differential test compares its own runtime against these lines."""
import asyncio
import builtins
import json
import logging
import sys

from dagstack.plugin_system import (
    BroadcastCollectDispatcher,
    CapabilityDispatcher,
    ChainDispatcher,
    PluginContext,
    PluginRegistry,
)

logging.disable(logging.CRITICAL)


def error_text(exc):
    return f"{type(exc).__name__}: {exc}"


async def run(directory, chain_input, capability_input):
    log = builtins.__dict__.setdefault("_dagstack_diff_log", [])
    log.clear()
    registry = PluginRegistry()
    out = {"dir": directory}
    try:
        registry.discover(directory)
    except Exception as exc:  # duplicate names, cycles
        out["discover_error"] = error_text(exc)
        return out
    ctx = PluginContext(config={}, logger=logging.getLogger("ref"), registry=registry)
    await registry.setup_all(ctx)
    out["setup"] = [name for event, name in log if event == "setup"]
    out["setup_ok"] = [lp.manifest.name for lp in registry._setup_done]

    try:
        value = ChainDispatcher(registry, dispatch_class_override="chain").dispatch(
            "diff", "step", ctx, initial_value=chain_input)
        out["chain"] = {"value": value}
    except Exception as exc:
        out["chain"] = {"error": str(exc)}

    results, errors = BroadcastCollectDispatcher(registry, dispatch_class_override="broadcast_collect").dispatch(
        "diff", "collect", ctx)
    out["collect"] = {"results": results, "errors": [name for name, _ in (errors.errors if errors else [])]}

    try:
        picked = CapabilityDispatcher(registry, dispatch_class_override="capability").dispatch(
            "diff", "pick", ctx, capability_input)
        out["capability"] = {"value": picked}
    except Exception as exc:
        out["capability"] = {"error": type(exc).__name__}

    log.clear()
    try:
        await registry.teardown_all()
    except Exception as exc:
        out["teardown_error"] = type(exc).__name__
    out["teardown"] = [name for event, name in log if event == "teardown"]
    return out


def main():
    cases = json.load(sys.stdin)
    for case in cases:
        result = asyncio.run(run(case["dir"], case["chain_input"], case["capability_input"]))
        print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
