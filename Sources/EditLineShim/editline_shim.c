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
