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


def code_cache_path():
    """Compiling the host's modules costs more at every start than the rest of the bootstrap: their
    code objects are kept, for this Python version, beside the sources they were compiled from."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "dagstack-console", f"python-host-{sys.implementation.cache_tag}.marshal")


def read_code_cache():
    """The cached code objects when they were compiled from exactly these sources, else none."""
    import marshal

    try:
        with open(code_cache_path(), "rb") as f:
            sources, codes = marshal.load(f)
        return dict(codes) if sources == line else {}
    except Exception:  # absent, unreadable, another Python's or damaged: compile
        return {}


def write_code_cache():
    import marshal

    path = code_cache_path()
    temporary = f"{path}.{os.getpid()}"
    try:
        os.makedirs(os.path.dirname(path), mode=0o700, exist_ok=True)
        with open(temporary, "wb") as f:
            marshal.dump((line, CODES), f)
        os.replace(temporary, path)  # whole or not at all, even with several consoles starting
    except Exception:  # a read-only or full disk: the next start compiles again
        try:
            os.unlink(temporary)
        except Exception:
            pass


CODES = read_code_cache()
CACHED = len(CODES)


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
        code = CODES.get(module.__name__)
        if code is None:
            code = CODES[module.__name__] = compile(source, file, "exec", dont_inherit=True)
        exec(code, module.__dict__)


sys.meta_path.insert(0, EmbeddedModules)
from dagstack_host.protocol import main

if len(CODES) > CACHED:
    write_code_cache()
main()
