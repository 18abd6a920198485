#ifndef DAGSTACK_CTESTPTY_H
#define DAGSTACK_CTESTPTY_H
#include <sys/types.h>

/// Starts `path` in a new session whose controlling terminal is a new pseudo-terminal of the given
/// size. Returns the pid; *master gets the terminal's master side, *slave a descriptor of its slave
/// side kept open in the parent (to read the terminal's modes). -1 on failure.
pid_t dagstack_spawn_in_pty(const char *path, char *const argv[], char *const envp[], const char *cwd,
                            unsigned short rows, unsigned short cols, int *master, int *slave);

/// Whether the terminal behind `fd` is in canonical (line-at-a-time) mode.
int dagstack_pty_is_canonical(int fd);
#endif
