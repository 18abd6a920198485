#ifndef CBENCHPTY_H
#define CBENCHPTY_H
#include <sys/types.h>

/// Starts `path` with `argv`/`envp` in `cwd` on a new pseudo-terminal of `rows` x `cols` (its
/// controlling terminal, standard input, output and error); the terminal's master side goes to
/// `*master`. Returns the child's pid, or -1.
pid_t bench_spawn_in_pty(const char *path, char *const argv[], char *const envp[], const char *cwd,
                         unsigned short rows, unsigned short cols, int *master);

#endif
