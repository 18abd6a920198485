#ifndef DAGSTACK_EDITLINE_SHIM_H
#define DAGSTACK_EDITLINE_SHIM_H

#include <stdio.h>
#include <histedit.h>

/// One non-variadic wrapper per libedit operation the console uses: Swift cannot call el_set,
/// el_get or history, which are variadic.
EditLine *dsk_el_init(const char *program, FILE *in, FILE *out, FILE *err);
void dsk_el_set_prompt(EditLine *el, char *(*prompt)(EditLine *));
void dsk_el_set_editor(EditLine *el, const char *mode);
void dsk_el_set_signal(EditLine *el, int on);
void dsk_el_set_history(EditLine *el, History *history);
void dsk_el_set_clientdata(EditLine *el, void *data);
void *dsk_el_get_clientdata(EditLine *el);
void dsk_el_add_function(EditLine *el, const char *name, const char *help, unsigned char (*fn)(EditLine *, int));
void dsk_el_bind(EditLine *el, const char *key, const char *function);
void dsk_el_source_defaults(EditLine *el);
/// Reads input as UTF-8 ourselves (libedit drops undecodable bytes without a word).
void dsk_el_read_utf8(EditLine *el);
/// Whether a byte that is not UTF-8 was typed since the last call (and which).
int dsk_el_take_invalid_byte(unsigned char *byte);

History *dsk_history_init(int size);
void dsk_history_enter(History *history, const char *line);
int dsk_history_load(History *history, const char *file);
int dsk_history_save(History *history, const char *file);

#endif
