#define _GNU_SOURCE
#include "cbenchpty.h"
#include <fcntl.h>
#include <pty.h>
#include <signal.h>
#include <unistd.h>

// forkpty rather than posix_spawn: the child must make the terminal its controlling one (a new
// session, the terminal on 0-2) before exec, as a terminal emulator does.
pid_t bench_spawn_in_pty(const char *path, char *const argv[], char *const envp[], const char *cwd,
                         unsigned short rows, unsigned short cols, int *master) {
    struct winsize size = {.ws_row = rows, .ws_col = cols};
    pid_t pid = forkpty(master, NULL, NULL, &size);
    if (pid == 0) {
        // As a shell starts a program: no signal blocked, none ignored that it would not expect.
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        signal(SIGPIPE, SIG_DFL);
        if (cwd != NULL && chdir(cwd) != 0) _exit(126);
        execve(path, argv, envp);
        _exit(127);
    }
    if (pid > 0) fcntl(*master, F_SETFD, FD_CLOEXEC);
    return pid;
}
