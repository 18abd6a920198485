import logging
import os
import time


class Faults:
    def raise_error(self, ctx, value):
        raise ValueError(f"bad value: {value!r}")

    def hang(self, ctx, value):
        time.sleep(3600)

    def exit_now(self, ctx, value):
        os._exit(3)

    def chatty(self, ctx, value):
        print("hello from print")
        logging.getLogger("faults").warning("careful: %s", value)
        os.write(1, b"raw bytes on fd 1\n")
        return {"ok": True}

    def huge(self, ctx, value):
        return {"blob": "x" * (10 * 1024 * 1024)}

    def not_json(self, ctx, value):
        return {"tags": {"a", "b"}}

    def bad_key(self, ctx, value):
        return {"nested": {1: "one"}}

    def interrupt(self, ctx, value):
        raise KeyboardInterrupt

    def sigint(self, ctx, value):
        import signal

        os.kill(os.getpid(), signal.SIGINT)
        time.sleep(1)

    def patch_json(self, ctx, value):
        import builtins
        import json

        json.dumps = None
        builtins.getattr = None
        return "patched"

    def segfault(self, ctx, value):
        import ctypes

        print("about to read address 0")
        ctypes.string_at(0)

    def bigint(self, ctx, value):
        return {"n": 10 ** 400}

    def deep(self, ctx, value):
        for _ in range(600):
            value = [value]
        return value
