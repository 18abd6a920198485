#define _GNU_SOURCE
#include "ctestpty.h"
#include <fcntl.h>
#include <pty.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <termios.h>
#include <unistd.h>

pid_t dagstack_spawn_in_pty(const char *path, char *const argv[], char *const envp[], const char *cwd,
                            unsigned short rows, unsigned short cols, int *master, int *slave) {
    struct winsize size = {.ws_row = rows, .ws_col = cols};
    if (openpty(master, slave, NULL, NULL, &size) != 0) return -1;
    pid_t pid = fork();
    if (pid < 0) return -1;
    if (pid == 0) {
        setsid();
        ioctl(*slave, TIOCSCTTY, 0);
        dup2(*slave, 0);
        dup2(*slave, 1);
        dup2(*slave, 2);
        /* Nothing else of the test process: its pipes (Foundation's are not close-on-exec) and the
           other sessions' terminals would stay open in this console, and a console reading one of
           those pipes would never see its end of input. */
        int closed = -1;
#ifdef SYS_close_range
        closed = (int)syscall(SYS_close_range, 3U, ~0U, 0);
#endif
        if (closed != 0) {
            struct rlimit limit;
            int top = getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY ? (int)limit.rlim_cur : 65536;
            for (int fd = 3; fd < top; fd++) close(fd);
        }
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        signal(SIGPIPE, SIG_DFL);
        signal(SIGINT, SIG_DFL);
        if (cwd != NULL && chdir(cwd) != 0) _exit(126);
        execve(path, argv, envp);
        _exit(127);
    }
    fcntl(*master, F_SETFD, FD_CLOEXEC);
    fcntl(*slave, F_SETFD, FD_CLOEXEC);
    return pid;
}

int dagstack_pty_is_canonical(int fd) {
    struct termios t;
    if (tcgetattr(fd, &t) != 0) return -1;
    return (t.c_lflag & ICANON) != 0;
}
