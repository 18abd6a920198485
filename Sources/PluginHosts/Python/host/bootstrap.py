# Started as `python3 -u -c <this file>`. Reads one JSON line from fd 0 -- {module name: [file name,
# source]} for the host's package -- without buffering past it, makes those modules importable from
# memory, and runs the host. The console ships the sources inside its binary: nothing is installed.
import json, os, sys
line = b""
while not line.endswith(b"\n"):
    chunk = os.read(0, 65536)  # nothing else is sent before the host says it is ready
    if not chunk:
        raise SystemExit(1)
    line += chunk
SOURCES = json.loads(line)
PRIVATE_BUILTINS = dict(vars(__import__("builtins")))


class EmbeddedModules:
    """A meta path finder and loader for the host's own modules only; every other import is untouched."""

    @staticmethod
    def find_spec(name, path=None, target=None):
        if name not in SOURCES:
            return None
        from importlib.machinery import ModuleSpec

        file, _ = SOURCES[name]
        spec = ModuleSpec(name, EmbeddedModules, origin=file, is_package=file.endswith("__init__.py"))
        spec.has_location = True
        if spec.submodule_search_locations is not None:
            spec.submodule_search_locations.append(os.path.dirname(file))
        return spec

    @staticmethod
    def create_module(spec):
        return None

    @staticmethod
    def exec_module(module):
        file, source = SOURCES[module.__name__]
        # The host's own copy of the builtins: a plugin replacing builtins.getattr or isinstance
        # changes what plugins see, not what the host runs on (see dagstack_host.integrity).
        module.__dict__["__builtins__"] = PRIVATE_BUILTINS
        exec(compile(source, file, "exec", dont_inherit=True), module.__dict__)


sys.meta_path.insert(0, EmbeddedModules)
from dagstack_host.protocol import main

main()
