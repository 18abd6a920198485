import os
import subprocess
import time

MARK = os.environ.get("ORPHAN_MARK", "86400.0")


def daemonize(argv):
    """The classic double fork: the grandchild, in a session of its own, is adopted by init."""
    pid = os.fork()
    if pid == 0:
        os.setsid()
        if os.fork() == 0:
            devnull = os.open(os.devnull, os.O_RDWR)
            for fd in (0, 1, 2):
                os.dup2(devnull, fd)
            os.execvp(argv[0], argv)
        os._exit(0)
    os.waitpid(pid, 0)


class Daemons:
    def setup(self, ctx):
        daemonize(["sleep", MARK + "1"])

    def spawn(self, value):
        daemonize(["sleep", MARK + "2"])
        subprocess.Popen(["sleep", MARK + "3"], preexec_fn=os.setpgrp, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        return "spawned"

    def hang(self, value):
        time.sleep(600)
