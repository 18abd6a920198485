import sys
import time


class Flaky:
    def run(self, ctx, value):
        if "RAISE" in value["text"]:
            raise RuntimeError("flaky refuses " + value["text"])
        if "HANG" in value["text"]:
            print("flaky waits for", value["text"])
            sys.stdout.write("half a line")
            time.sleep(3600)
        return {**value, "flaky": True}
