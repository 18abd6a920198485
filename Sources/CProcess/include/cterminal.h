#ifndef DAGSTACK_CTERMINAL_H
#define DAGSTACK_CTERMINAL_H

#include <stddef.h>

/* The pseudo-terminal the console lends to a debugger in plugin code (DebuggerTerminal). */

/// Opens a new pseudo-terminal: its master side (close-on-exec, never a controlling terminal) is
/// returned, its slave's path written to `path`. -1 with errno on failure.
int dagstack_openpty(char *path, size_t size);

/// Gives the pseudo-terminal whose master is `master` the window size of the terminal on `from`.
/// Returns 1 when the size changed, 0 when it was the same, -1 when it cannot be read or set.
int dagstack_copy_window_size(int from, int master);

/// The keys the terminal behind `fd` turns into signals, when its ISIG mode is on: returns 1 and
/// sets the interrupt, quit and suspend characters (0 for a key that is disabled); 0 when off.
int dagstack_signal_keys(int fd, unsigned char *interrupt, unsigned char *quit, unsigned char *suspend);

#endif
