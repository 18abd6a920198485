#define _GNU_SOURCE
#include "cprocess.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

int dagstack_pipe_cloexec(int fds[2]) { return pipe2(fds, O_CLOEXEC); }

int dagstack_set_child_subreaper(void) { return prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0); }

/* Everything below up to dagstack_spawn runs in a process forked from the multi-threaded console:
   only system calls, no malloc, no stdio, no locks (another thread may have held them at the fork). */

static void fail(int report_fd) {
    int code = errno;
    ssize_t ignored = write(report_fd, &code, sizeof code);
    (void)ignored;
    _exit(127);
}

/* fork(2) without glibc's fork handlers, which take locks another thread of the console may hold. */
static pid_t raw_clone(unsigned long flags) { return (pid_t)syscall(SYS_clone, flags | SIGCHLD, 0, 0, 0, 0); }

static void reset_signals(void) {
    for (int s = 1; s < NSIG; s++) {
        if (s != SIGKILL && s != SIGSTOP) signal(s, SIG_DFL);
    }
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
}

/* Closes every fd from `from` up, but `keep`: close_range(2) where the kernel has it (Linux 5.9),
   else one close per possible fd (tens of thousands of system calls: milliseconds per spawn). */
static void close_fds_from(int from, int keep) {
#ifdef SYS_close_range
    int done = 0;
    if (keep >= from) {
        done = (keep == from || syscall(SYS_close_range, (unsigned)from, (unsigned)keep - 1, 0) == 0) &&
               syscall(SYS_close_range, (unsigned)keep + 1, ~0U, 0) == 0;
    } else {
        done = syscall(SYS_close_range, (unsigned)from, ~0U, 0) == 0;
    }
    if (done) return;
#endif
    long max = sysconf(_SC_OPEN_MAX);
    if (max < 0 || max > 65536) max = 65536;
    for (int fd = from; fd < max; fd++) {
        if (fd != keep) close(fd);
    }
}

/* The plugin itself: its stdio, its folder, a clean signal state, then the program. */
static void exec_plugin(const char *path, char *const argv[], char *const envp[], const char *cwd, int stdin_fd,
                        int stdout_fd, int stderr_fd, int report_fd) {
    /* Should the keeper be killed outright, the plugin goes with it. */
    prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
    reset_signals();
    if (dup2(stdin_fd, 0) < 0 || dup2(stdout_fd, 1) < 0 || dup2(stderr_fd, 2) < 0) fail(report_fd);
    if (cwd != NULL && chdir(cwd) != 0) fail(report_fd);
    close_fds_from(3, report_fd);
    execve(path, argv, envp);
    fail(report_fd);
}

static volatile sig_atomic_t keeper_terminate = 0;
static volatile sig_atomic_t keeper_plugin_done = 0;
static int keeper_namespaced = 0;
static pid_t keeper_console = 0;

static void kill_tree(void);

/* Ends the keeper and, with it, the plugin's tree. Called from the signal handlers themselves (every
   call in it is a system call), so a request is never lost between a check and a blocking wait. */
static void keeper_finish(void) {
    if (!keeper_namespaced) kill_tree();
    _exit(0);
}

/* SIGTERM: the console asks the plugin to stop (the plugin, in the same process group, got it too),
   or — as a subreaper — the console died. */
static void keeper_on_term(int signo) {
    (void)signo;
    if (keeper_plugin_done || (!keeper_namespaced && getppid() != keeper_console)) keeper_finish();
    keeper_terminate = 1;
}

/* SIGUSR1: the console says: now. */
static void keeper_on_usr1(int signo) {
    (void)signo;
    keeper_finish();
}

/* Reads /proc/<pid>/stat's parent pid and whether the process is a zombie; -1 when it is gone. */
static pid_t parent_of(const char *pid_text, int *zombie) {
    char path[64] = "/proc/";
    size_t n = strlen(pid_text);
    if (n > 20) return -1;
    memcpy(path + 6, pid_text, n);
    memcpy(path + 6 + n, "/stat", 6);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return -1;
    char buf[512];
    ssize_t got = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (got <= 0) return -1;
    buf[got] = 0;
    char *close_paren = strrchr(buf, ')');
    if (close_paren == NULL || close_paren[1] == 0 || close_paren[2] == 0) return -1;
    *zombie = close_paren[2] == 'Z';
    char *p = close_paren + 3; /* past ") S" */
    while (*p == ' ') p++;
    pid_t parent = 0;
    while (*p >= '0' && *p <= '9') parent = parent * 10 + (*p++ - '0');
    return parent;
}

struct linux_dirent64_ {
    unsigned long long d_ino;
    long long d_off;
    unsigned short d_reclen;
    unsigned char d_type;
    char d_name[];
};

enum { MAX_PROCESSES = 1 << 16 };

/* One pass: finds every live process descended from `root` (from /proc) and kills it. Returns how
   many were found. `pids`/`parents` are scratch space for MAX_PROCESSES entries. */
static int kill_descendants_once(pid_t root, pid_t *pids, pid_t *parents, unsigned char *marked) {
    int dir = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir < 0) return 0;
    int count = 0;
    char entries[8192];
    for (;;) {
        long got = syscall(SYS_getdents64, dir, entries, sizeof entries);
        if (got <= 0) break;
        for (long offset = 0; offset < got;) {
            struct linux_dirent64_ *entry = (struct linux_dirent64_ *)(entries + offset);
            offset += entry->d_reclen;
            if (entry->d_name[0] < '1' || entry->d_name[0] > '9' || count >= MAX_PROCESSES) continue;
            int zombie = 0;
            pid_t parent = parent_of(entry->d_name, &zombie);
            if (parent < 0 || zombie) continue;
            pid_t pid = 0;
            for (const char *c = entry->d_name; *c >= '0' && *c <= '9'; c++) pid = pid * 10 + (*c - '0');
            pids[count] = pid;
            parents[count] = parent;
            marked[count] = 0;
            count++;
        }
    }
    close(dir);
    /* Mark the descendants of root: repeat until nothing new is marked (the list is not in tree order). */
    int changed = 1, found = 0;
    while (changed) {
        changed = 0;
        for (int i = 0; i < count; i++) {
            if (marked[i]) continue;
            int parent_marked = parents[i] == root;
            for (int j = 0; !parent_marked && j < count; j++) parent_marked = marked[j] && pids[j] == parents[i];
            if (parent_marked) {
                marked[i] = 1;
                changed = 1;
                found++;
                kill(pids[i], SIGKILL);
            }
        }
    }
    return found;
}

/* Kills the keeper's whole tree: a subreaper gets every orphan of it, so repeated passes (killing
   a parent re-parents its children to us) reach the last one. */
static void kill_tree(void) {
    size_t bytes = (size_t)MAX_PROCESSES * (2 * sizeof(pid_t) + 1);
    void *scratch = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (scratch == MAP_FAILED) return;
    pid_t *pids = scratch;
    pid_t *parents = pids + MAX_PROCESSES;
    unsigned char *marked = (unsigned char *)(parents + MAX_PROCESSES);
    pid_t self = getpid();
    for (int pass = 0; pass < 500; pass++) {
        int found = kill_descendants_once(self, pids, parents, marked);
        while (waitpid(-1, NULL, WNOHANG) > 0) {
        }
        if (found == 0) break;
        struct timespec pause_for = {0, 1000000};
        nanosleep(&pause_for, NULL);
    }
    munmap(scratch, bytes);
}

static void write_all(int fd, const void *data, size_t size) {
    const char *p = data;
    while (size > 0) {
        ssize_t written = write(fd, p, size);
        if (written < 0 && errno == EINTR) continue;
        if (written <= 0) return;
        p += written;
        size -= (size_t)written;
    }
}

/* The keeper: the plugin's parent, holding its tree until the console lets it go. */
static void keeper(const char *path, char *const argv[], char *const envp[], const char *cwd, int stdin_fd,
                   int stdout_fd, int stderr_fd, int status_fd, int report_fd, pid_t console, int namespaced) {
    setpgid(0, 0);
    prctl(PR_SET_NAME, "dagstack-keeper", 0, 0, 0);
    /* In a namespace SIGKILL is enough: the kernel kills the rest when its first process dies. As a
       subreaper the keeper must do that itself, so it is told with a signal it can catch. */
    if (prctl(PR_SET_PDEATHSIG, namespaced ? SIGKILL : SIGTERM, 0, 0, 0) != 0) fail(report_fd);
    /* The console died before prctl took effect: its end of the report pipe is closed. */
    struct pollfd report = {.fd = report_fd, .events = 0, .revents = 0};
    if (poll(&report, 1, 0) == 1 && (report.revents & POLLERR)) _exit(127);
    if (!namespaced && getppid() != console) _exit(127);
    keeper_namespaced = namespaced;
    keeper_console = console;
    reset_signals();
    if (namespaced) {
        /* /proc of this namespace, so the plugin's os.getpid() and /proc agree; harmless when not allowed. */
        if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) == 0) {
            mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
        }
    } else if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0) {
        fail(report_fd);
    }
    struct sigaction action;
    memset(&action, 0, sizeof action);
    sigemptyset(&action.sa_mask);
    action.sa_handler = keeper_on_term;
    sigaction(SIGTERM, &action, NULL);
    action.sa_handler = keeper_on_usr1;
    sigaction(SIGUSR1, &action, NULL);

    pid_t plugin = raw_clone(0);
    if (plugin < 0) fail(report_fd);
    if (plugin == 0) exec_plugin(path, argv, envp, cwd, stdin_fd, stdout_fd, stderr_fd, report_fd);

    /* Signals that reach the whole group (a terminal's, a plugin's kill(0, ...)) are not for us. */
    signal(SIGINT, SIG_IGN);
    signal(SIGHUP, SIG_IGN);
    signal(SIGQUIT, SIG_IGN);
    signal(SIGPIPE, SIG_IGN);
    close_fds_from(0, status_fd);
    for (;;) {
        if (keeper_terminate && keeper_plugin_done) keeper_finish();
        int status = 0;
        pid_t reaped = waitpid(-1, &status, 0);
        if (reaped == plugin) {
            write_all(status_fd, &status, sizeof status);
            close(status_fd);
            keeper_plugin_done = 1;
        } else if (reaped < 0 && errno == ECHILD) {
            /* Nothing left to reap: sleep until a signal (whose handler ends the keeper). */
            pause();
        }
    }
}

pid_t dagstack_spawn(const char *path, char *const argv[], char *const envp[], const char *cwd,
                     int stdin_fd, int stdout_fd, int stderr_fd, int status_fd, int allow_namespace,
                     int *containment, int *error) {
    int report[2];
    if (pipe2(report, O_CLOEXEC) != 0) {
        *error = errno;
        return -1;
    }
    pid_t console = getpid();
    int namespaced = 0;
    pid_t pid = -1;
    if (allow_namespace) {
        pid = raw_clone(CLONE_NEWPID | CLONE_NEWNS);
        if (pid < 0) pid = raw_clone(CLONE_NEWPID);
        namespaced = pid >= 0;
    }
    if (pid < 0) pid = raw_clone(0);
    if (pid < 0) {
        *error = errno;
        close(report[0]);
        close(report[1]);
        return -1;
    }
    if (pid == 0) {
        close(report[0]);
        keeper(path, argv, envp, cwd, stdin_fd, stdout_fd, stderr_fd, status_fd, report[1], console, namespaced);
        _exit(127);
    }
    close(report[1]);
    int code = 0;
    ssize_t got;
    do {
        got = read(report[0], &code, sizeof code);
    } while (got < 0 && errno == EINTR);
    close(report[0]);
    if (got == (ssize_t)sizeof code) {
        kill(pid, SIGKILL);
        int status;
        waitpid(pid, &status, 0);
        *error = code;
        return -1;
    }
    *containment = namespaced ? DAGSTACK_CONTAINED_NAMESPACE : DAGSTACK_CONTAINED_SUBREAPER;
    return pid;
}

static int signal_pipe_fd = -1;
static volatile sig_atomic_t termination_signal = 0;
static volatile sig_atomic_t interrupt_pending = 0;

int dagstack_termination_signal(void) { return termination_signal; }

int dagstack_take_interrupt(void) {
    int pending = interrupt_pending;
    interrupt_pending = 0;
    return pending;
}

static void forward_signal(int signo) {
    int saved = errno;
    if (signo == SIGINT) {
        interrupt_pending = 1;
    } else if (termination_signal == 0) {
        termination_signal = signo;
    }
    unsigned char byte = (unsigned char)signo;
    if (signal_pipe_fd >= 0) {
        ssize_t ignored = write(signal_pipe_fd, &byte, 1);
        (void)ignored;
    }
    errno = saved;
}

int dagstack_install_signal_pipe(int fd) {
    signal_pipe_fd = fd;
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = forward_signal;
    sigemptyset(&action.sa_mask);
    action.sa_flags = 0; /* no SA_RESTART: interrupt blocking reads */
    int signals[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};
    sigset_t handled;
    sigemptyset(&handled);
    for (unsigned i = 0; i < sizeof signals / sizeof signals[0]; i++) {
        if (sigaction(signals[i], &action, NULL) != 0) return -1;
        sigaddset(&handled, signals[i]);
    }
    /* A parent may have started the console with these blocked (the mask is inherited across exec):
       they would stay pending for ever. Threads started from here on inherit this mask. */
    return pthread_sigmask(SIG_UNBLOCK, &handled, NULL);
}

static struct termios crash_terminal;
static int crash_tty_fd = -1;

static void write_text(const char *text) {
    ssize_t ignored = write(2, text, strlen(text));
    (void)ignored;
}

static void report_crash(int signo) {
    /* Only async-signal-safe calls: write, tcsetattr, kill. */
    write_text("\ndagstack-console: internal error: ");
    const char *name = signo == SIGSEGV ? "segmentation fault (SIGSEGV)"
                       : signo == SIGBUS ? "bus error (SIGBUS)"
                       : signo == SIGILL ? "illegal instruction (SIGILL)"
                       : signo == SIGFPE ? "arithmetic error (SIGFPE)"
                       : signo == SIGTRAP ? "trap (SIGTRAP)"
                                          : "abort (SIGABRT)";
    write_text(name);
    write_text("; every plugin process stops with the console. "
               "Run with SWIFT_BACKTRACE=enable=yes for a backtrace to report.\n");
    if (crash_tty_fd >= 0) tcsetattr(crash_tty_fd, TCSANOW, &crash_terminal);
    /* SA_RESETHAND has put the default action back: the signal, once this returns, ends the process. */
    kill(getpid(), signo);
}

int dagstack_install_crash_report(int tty_fd) {
    if (tty_fd >= 0 && tcgetattr(tty_fd, &crash_terminal) == 0) crash_tty_fd = tty_fd;
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = report_crash;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESETHAND | SA_NODEFER;
    int signals[] = {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGTRAP, SIGABRT};
    for (unsigned i = 0; i < sizeof signals / sizeof signals[0]; i++) {
        if (sigaction(signals[i], &action, NULL) != 0) return -1;
    }
    return 0;
}
