#define _GNU_SOURCE
#include "cterminal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

int dagstack_openpty(char *path, size_t size) {
    int master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (master < 0) return -1;
    if (grantpt(master) != 0 || unlockpt(master) != 0 || ptsname_r(master, path, size) != 0) {
        int saved = errno;
        close(master);
        errno = saved;
        return -1;
    }
    return master;
}

int dagstack_copy_window_size(int from, int master) {
    struct winsize wanted, current;
    if (ioctl(from, TIOCGWINSZ, &wanted) != 0 || ioctl(master, TIOCGWINSZ, &current) != 0) return -1;
    if (wanted.ws_row == current.ws_row && wanted.ws_col == current.ws_col) return 0;
    return ioctl(master, TIOCSWINSZ, &wanted) == 0 ? 1 : -1;
}

int dagstack_signal_keys(int fd, unsigned char *interrupt, unsigned char *quit, unsigned char *suspend) {
    struct termios settings;
    if (tcgetattr(fd, &settings) != 0 || !(settings.c_lflag & ISIG)) return 0;
    *interrupt = settings.c_cc[VINTR] == _POSIX_VDISABLE ? 0 : settings.c_cc[VINTR];
    *quit = settings.c_cc[VQUIT] == _POSIX_VDISABLE ? 0 : settings.c_cc[VQUIT];
    *suspend = settings.c_cc[VSUSP] == _POSIX_VDISABLE ? 0 : settings.c_cc[VSUSP];
    return 1;
}
