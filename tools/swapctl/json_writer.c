// SPDX-License-Identifier: GPL-2.0-only
/* Minimal streaming JSON writer for swapctl (see json_writer.h). */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "json_writer.h"

#define JW_MAX_DEPTH 32

struct jw {
	FILE *out;
	bool pretty;
	int depth;
	/* per open container: has it got at least one member yet? */
	bool nonempty[JW_MAX_DEPTH];
	/* a member name was just written, the value follows on the same line */
	bool after_name;
};

struct jw *jw_new(FILE *out, bool pretty)
{
	struct jw *w = calloc(1, sizeof(*w));

	if (!w)
		return NULL;
	w->out = out;
	w->pretty = pretty;
	return w;
}

void jw_free(struct jw *w)
{
	if (!w)
		return;
	fputc('\n', w->out);
	free(w);
}

static void jw_indent(struct jw *w)
{
	if (!w->pretty)
		return;
	fputc('\n', w->out);
	for (int i = 0; i < w->depth; i++)
		fputs("    ", w->out);
}

/* Emit the separator that must precede a new value or member name. */
static void jw_sep(struct jw *w)
{
	if (w->after_name) {
		w->after_name = false;
		return;
	}
	if (w->depth == 0)
		return;
	if (w->nonempty[w->depth - 1])
		fputc(',', w->out);
	w->nonempty[w->depth - 1] = true;
	jw_indent(w);
}

static void jw_open(struct jw *w, char c)
{
	/* nesting is fixed by the callers; running out is a programming error */
	if (w->depth >= JW_MAX_DEPTH)
		abort();
	jw_sep(w);
	fputc(c, w->out);
	w->nonempty[w->depth] = false;
	w->depth++;
}

static void jw_close(struct jw *w, char c)
{
	bool had_members;

	if (w->depth <= 0)
		abort();
	had_members = w->nonempty[w->depth - 1];
	w->depth--;
	if (had_members)
		jw_indent(w);
	fputc(c, w->out);
}

void jw_object_begin(struct jw *w) { jw_open(w, '{'); }
void jw_object_end(struct jw *w) { jw_close(w, '}'); }
void jw_array_begin(struct jw *w) { jw_open(w, '['); }
void jw_array_end(struct jw *w) { jw_close(w, ']'); }

size_t utf8_seq_len(const unsigned char *s, size_t avail)
{
	unsigned char c = s[0];
	size_t n;
	uint32_t cp;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf) {
		n = 2;
		cp = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		n = 3;
		cp = c & 0x0f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4;
		cp = c & 0x07;
	} else {
		return 0;
	}
	if (avail < n)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	/* reject overlong forms, surrogates and values above U+10FFFF */
	if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;
	return n;
}

static void jw_put_escaped(struct jw *w, const char *str, size_t len)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0;

	fputc('"', w->out);
	while (i < len) {
		unsigned char c = s[i];
		size_t n;

		switch (c) {
		case '"':  fputs("\\\"", w->out); i++; continue;
		case '\\': fputs("\\\\", w->out); i++; continue;
		case '\b': fputs("\\b", w->out); i++; continue;
		case '\f': fputs("\\f", w->out); i++; continue;
		case '\n': fputs("\\n", w->out); i++; continue;
		case '\r': fputs("\\r", w->out); i++; continue;
		case '\t': fputs("\\t", w->out); i++; continue;
		default:
			break;
		}
		if (c < 0x20 || c == 0x7f) {
			fprintf(w->out, "\\u%04x", c);
			i++;
			continue;
		}
		n = utf8_seq_len(s + i, len - i);
		if (!n) {
			fputs("\\ufffd", w->out);
			i++;
			continue;
		}
		fwrite(s + i, 1, n, w->out);
		i += n;
	}
	fputc('"', w->out);
}

void jw_name(struct jw *w, const char *name)
{
	jw_sep(w);
	jw_put_escaped(w, name, strlen(name));
	fputs(w->pretty ? ": " : ":", w->out);
	w->after_name = true;
}

void jw_string_len(struct jw *w, const char *s, size_t len)
{
	jw_sep(w);
	jw_put_escaped(w, s, len);
}

void jw_string(struct jw *w, const char *s)
{
	if (!s) {
		jw_null(w);
		return;
	}
	jw_string_len(w, s, strlen(s));
}

void jw_uint(struct jw *w, uint64_t v)
{
	jw_sep(w);
	fprintf(w->out, "%" PRIu64, v);
}

void jw_int(struct jw *w, int64_t v)
{
	jw_sep(w);
	fprintf(w->out, "%" PRId64, v);
}

void jw_bool(struct jw *w, bool v)
{
	jw_sep(w);
	fputs(v ? "true" : "false", w->out);
}

void jw_null(struct jw *w)
{
	jw_sep(w);
	fputs("null", w->out);
}

void jw_field_string(struct jw *w, const char *name, const char *s)
{
	jw_name(w, name);
	jw_string(w, s);
}

void jw_field_uint(struct jw *w, const char *name, uint64_t v)
{
	jw_name(w, name);
	jw_uint(w, v);
}

void jw_field_int(struct jw *w, const char *name, int64_t v)
{
	jw_name(w, name);
	jw_int(w, v);
}

void jw_field_bool(struct jw *w, const char *name, bool v)
{
	jw_name(w, name);
	jw_bool(w, v);
}

void jw_field_null(struct jw *w, const char *name)
{
	jw_name(w, name);
	jw_null(w);
}

void jw_message(FILE *out, const char *key, const char *text)
{
	struct jw w = { .out = out };

	jw_object_begin(&w);
	jw_field_string(&w, key, text);
	jw_object_end(&w);
	fputc('\n', out);
}
