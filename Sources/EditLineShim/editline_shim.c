#include "editline_shim.h"

EditLine *dsk_el_init(const char *program, FILE *in, FILE *out, FILE *err) {
    return el_init(program, in, out, err);
}

void dsk_el_set_prompt(EditLine *el, char *(*prompt)(EditLine *)) { el_set(el, EL_PROMPT, prompt); }

void dsk_el_set_editor(EditLine *el, const char *mode) { el_set(el, EL_EDITOR, mode); }

void dsk_el_set_signal(EditLine *el, int on) { el_set(el, EL_SIGNAL, on); }

void dsk_el_set_history(EditLine *el, History *h) { el_set(el, EL_HIST, history, h); }

void dsk_el_set_clientdata(EditLine *el, void *data) { el_set(el, EL_CLIENTDATA, data); }

void *dsk_el_get_clientdata(EditLine *el) {
    void *data = NULL;
    el_get(el, EL_CLIENTDATA, &data);
    return data;
}

void dsk_el_add_function(EditLine *el, const char *name, const char *help, unsigned char (*fn)(EditLine *, int)) {
    el_set(el, EL_ADDFN, name, help, fn);
}

void dsk_el_bind(EditLine *el, const char *key, const char *function) { el_set(el, EL_BIND, key, function, NULL); }

void dsk_el_source_defaults(EditLine *el) { el_source(el, NULL); }

History *dsk_history_init(int size) {
    HistEvent event;
    History *h = history_init();
    if (h == NULL) return NULL;
    history(h, &event, H_SETSIZE, size);
    history(h, &event, H_SETUNIQUE, 1);
    return h;
}

void dsk_history_enter(History *h, const char *line) {
    HistEvent event;
    history(h, &event, H_ENTER, line);
}

int dsk_history_load(History *h, const char *file) {
    HistEvent event;
    return history(h, &event, H_LOAD, file);
}

int dsk_history_save(History *h, const char *file) {
    HistEvent event;
    return history(h, &event, H_SAVE, file);
}

// Input is read here rather than by libedit, which in a UTF-8 locale silently drops a byte that
// does not decode: a line with such bytes must be refused, not run without them. Each character is
// decoded from UTF-8; a bad sequence becomes U+FFFD on the screen and is remembered until taken.
#include <errno.h>
#include <unistd.h>
#include <wchar.h>

static int invalid_seen = 0;
static unsigned char invalid_byte = 0;

static int read_byte(unsigned char *byte) {
    for (;;) {
        ssize_t got = read(STDIN_FILENO, byte, 1);
        if (got == 1) return 1;
        if (got == 0) return 0;
        return -1;  // EINTR included: libedit reports the interrupted read (Ctrl-C)
    }
}

static int utf8_getc(EditLine *el, wchar_t *out) {
    (void)el;
    unsigned char first;
    int status = read_byte(&first);
    if (status <= 0) return status;
    int extra = first < 0x80 ? 0 : (first & 0xE0) == 0xC0 ? 1 : (first & 0xF0) == 0xE0 ? 2 : (first & 0xF8) == 0xF0 ? 3 : -1;
    if (extra < 0 || first == 0xC0 || first == 0xC1 || first > 0xF4) {
        if (!invalid_seen) { invalid_seen = 1; invalid_byte = first; }
        *out = 0xFFFD;
        return 1;
    }
    wchar_t value = extra == 0 ? first : extra == 1 ? (first & 0x1F) : extra == 2 ? (first & 0x0F) : (first & 0x07);
    for (int i = 0; i < extra; i++) {
        unsigned char next;
        status = read_byte(&next);
        if (status <= 0) return status;
        if ((next & 0xC0) != 0x80) {
            // The sequence broke off: the lead byte is the bad one; the byte that broke it is typed
            // text of its own only when it is plain ASCII, which is shown as typed.
            if (!invalid_seen) { invalid_seen = 1; invalid_byte = first; }
            *out = 0xFFFD;
            return 1;
        }
        value = (value << 6) | (next & 0x3F);
    }
    *out = value;
    return 1;
}

void dsk_el_read_utf8(EditLine *el) { el_set(el, EL_GETCFN, utf8_getc); }

int dsk_el_take_invalid_byte(unsigned char *byte) {
    int seen = invalid_seen;
    if (seen) *byte = invalid_byte;
    invalid_seen = 0;
    return seen;
}
