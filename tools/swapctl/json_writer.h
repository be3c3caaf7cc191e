/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Minimal streaming JSON writer for swapctl.
 *
 * The writer keeps a small stack of open containers so that callers never
 * have to think about commas.  Strings are escaped per RFC 8259; bytes that
 * are not valid UTF-8 are replaced by U+FFFD so the output always parses.
 */
#ifndef SWAPCTL_JSON_WRITER_H
#define SWAPCTL_JSON_WRITER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct jw;

struct jw *jw_new(FILE *out, bool pretty);
/* Terminates the document with a newline and frees the writer. */
void jw_free(struct jw *w);

void jw_object_begin(struct jw *w);
void jw_object_end(struct jw *w);
void jw_array_begin(struct jw *w);
void jw_array_end(struct jw *w);

/* Member name inside an object; must be followed by exactly one value. */
void jw_name(struct jw *w, const char *name);

void jw_string(struct jw *w, const char *s);
void jw_string_len(struct jw *w, const char *s, size_t len);
void jw_uint(struct jw *w, uint64_t v);
void jw_int(struct jw *w, int64_t v);
void jw_bool(struct jw *w, bool v);
void jw_null(struct jw *w);

/* name + value shorthands */
void jw_field_string(struct jw *w, const char *name, const char *s);
void jw_field_uint(struct jw *w, const char *name, uint64_t v);
void jw_field_int(struct jw *w, const char *name, int64_t v);
void jw_field_bool(struct jw *w, const char *name, bool v);
void jw_field_null(struct jw *w, const char *name);

/*
 * Length of the valid UTF-8 sequence at @s, of @avail bytes (at least 1),
 * or 0 if it is not one (overlong forms, surrogates and values above
 * U+10FFFF are not); for other text formats that must be UTF-8 too.
 */
size_t utf8_seq_len(const unsigned char *s, size_t avail);

/*
 * One line {"KEY":"TEXT"} on @out, TEXT escaped as above, without
 * allocating (for error messages, also when memory is short).
 */
void jw_message(FILE *out, const char *key, const char *text);

#endif /* SWAPCTL_JSON_WRITER_H */
