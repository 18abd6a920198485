#ifndef DAGSTACK_CPROCESS_H
#define DAGSTACK_CPROCESS_H

#include <sys/types.h>

/// How a plugin's process tree is contained (see dagstack_spawn).
enum {
    /// A PID namespace of its own: when the keeper dies the kernel kills every process in it.
    DAGSTACK_CONTAINED_NAMESPACE = 1,
    /// No namespace could be made: the keeper is a child subreaper that kills its own tree.
    DAGSTACK_CONTAINED_SUBREAPER = 2,
};

/// Starts `path` with `argv`/`envp` in `cwd` (NULL: inherit), its stdin/stdout/stderr bound to the
/// given fds, signal dispositions reset and every other fd closed, under a *keeper*: a small process
/// of ours that is the plugin's parent and contains everything the plugin starts, however it
/// detaches (double fork, setsid, its own process group):
///   - the keeper is started in a new PID namespace when the kernel allows it (`*containment` =
///     DAGSTACK_CONTAINED_NAMESPACE), else as a child subreaper (DAGSTACK_CONTAINED_SUBREAPER);
///     `allow_namespace` = 0 forces the latter;
///   - it dies with the console (parent-death signal) and takes the whole tree with it;
///   - it writes the plugin's wait status (4 bytes) to `status_fd` when the plugin exits, and stays,
///     keeping whatever the plugin left running, until the console stops it: SIGTERM (after the
///     plugin has exited) or SIGUSR1 (at once) make it kill the tree and exit.
/// The keeper runs in a new process group that the plugin shares, so a signal to the group reaches
/// both. Returns the keeper's pid, or -1 with the errno of the failed step in *error.
pid_t dagstack_spawn(const char *path, char *const argv[], char *const envp[], const char *cwd,
                     int stdin_fd, int stdout_fd, int stderr_fd, int status_fd, int allow_namespace,
                     int *containment, int *error);

/// pipe2(O_CLOEXEC), which Glibc's Swift overlay does not expose.
int dagstack_pipe_cloexec(int fds[2]);

/// Sets PR_SET_CHILD_SUBREAPER on the calling process, so orphaned grandchildren are reparented to it.
int dagstack_set_child_subreaper(void);

/// Installs handlers for SIGINT, SIGTERM, SIGHUP and SIGQUIT that write the signal number (one byte)
/// to `fd` and nothing else, without SA_RESTART so a blocking read (the line editor's) returns EINTR,
/// and unblocks them on the calling thread (a parent may have started the console with them blocked).
int dagstack_install_signal_pipe(int fd);

/// The SIGTERM, SIGHUP or SIGQUIT received since start, or 0: readable at once by the thread whose
/// read the signal interrupted, before the signal thread has seen the pipe.
int dagstack_termination_signal(void);

/// Whether a SIGINT arrived since the last call (and clears it): lets a reader that saw EINTR tell
/// a Ctrl-C from a signal it should simply retry after.
int dagstack_take_interrupt(void);

/// Replaces the Swift runtime's crash handlers (its backtracer: "Program crashed", a backtrace and
/// a 30 s "Press space to interact" prompt) for SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGTRAP and SIGABRT
/// with a one-line report on stderr that names the signal, puts the terminal on `tty_fd` back as it
/// was (when it is one), and ends the process with that signal. Plugins die with the console
/// (their keepers' parent-death signal).
int dagstack_install_crash_report(int tty_fd);

#endif
