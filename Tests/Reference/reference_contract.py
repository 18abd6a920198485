"""Runs contract-fault fixtures through the Python reference's contract suite (dagstack-plugin-system
0.4.1, `run_contract_suite`) and prints one JSON object: fixture -> {check: passed}. The Swift
differential test compares it with this suite's verdicts on the fixtures where the reference is
right (it calls hooks without ctx and does not await async set-up: spec-notes §9.2).

usage: reference_contract.py FIXTURES_DIR NAME..."""
import asyncio
import importlib.util
import json
import logging
import sys
import warnings

from dagstack.plugin_system import run_contract_suite

logging.disable(logging.CRITICAL)
warnings.simplefilter("ignore")


def load_module(path, name):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def main():
    root, names = sys.argv[1], sys.argv[2:]
    out = {}
    for name in names:
        module = load_module(f"{root}/{name}/plugin.py", "fixture_" + name.replace("-", "_"))
        cls = next(v for v in vars(module).values() if isinstance(v, type) and v.__module__ == module.__name__)
        manifest = {"name": name, "kind": "faulty", "entry_point": f"plugin:{cls.__name__}", "runtime": "in_process",
                    "schema_version": "1", "kind_api_version": "1.0.0", "core_version": ">=0.1.0,<1.0.0"}
        result = asyncio.run(run_contract_suite(cls, manifest, hook_samples={"work": {"ctx": None, "x": 1}}, module=module))
        out[name] = {r.check_name: r.passed for r in result.results}
    print(json.dumps(out, sort_keys=True))


main()
