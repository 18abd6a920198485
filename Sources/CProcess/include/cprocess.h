#ifndef DAGSTACK_CPROCESS_H
#define DAGSTACK_CPROCESS_H

#include <sys/types.h>

/// Starts `path` with `argv`/`envp` in `cwd` (NULL: inherit), its stdin/stdout/stderr bound to the
/// given fds, in a new process group, with SIGKILL as its parent-death signal, every other fd closed
/// and signal dispositions reset. Returns the pid, or -1 with the errno of the failed step in *error.
pid_t dagstack_spawn(const char *path, char *const argv[], char *const envp[], const char *cwd,
                     int stdin_fd, int stdout_fd, int stderr_fd, int *error);

/// pipe2(O_CLOEXEC), which Glibc's Swift overlay does not expose.
int dagstack_pipe_cloexec(int fds[2]);

/// Sets PR_SET_CHILD_SUBREAPER on the calling process, so orphaned grandchildren are reparented to it.
int dagstack_set_child_subreaper(void);

/// Installs handlers for SIGINT, SIGTERM and SIGHUP that write the signal number (one byte) to
/// `fd` and nothing else, without SA_RESTART so a blocking read (the line editor's) returns EINTR.
int dagstack_install_signal_pipe(int fd);

/// The SIGTERM or SIGHUP received since start, or 0: readable at once by the thread whose read the
/// signal interrupted, before the signal thread has seen the pipe.
int dagstack_termination_signal(void);

#endif
