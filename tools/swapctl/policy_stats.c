// SPDX-License-Identifier: GPL-2.0-only
/*
 * swapctl policy stats: a policy's own figures, read from the kernel.
 *
 * For each attached policy swapctl pinned (attached.h), the pinned link
 * names its struct_ops map; the kernel's value of that map holds, where
 * the ops have function pointers, the ids of the programs behind them, and
 * each program lists the maps it uses.  Those maps are the policy's: its
 * global variables (.bss, .data and .rodata, one array map each, whose
 * BTF value type is a DATASEC naming every variable) and the maps it
 * declares.  Values are printed by their BTF types, so counters and
 * tunables read by name, without bpftool.
 *
 * Nothing here writes to the kernel.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "attached.h"
#include "main.h"
#include "policy_obj.h"
#include "policy_stats.h"


/* what one value is printed to: text on stdout, or the JSON document */
struct vout {
	const struct btf *btf;
	struct jw *w;		/* NULL: text */
};

/* -------------------------------------------------------- values by BTF */

static const struct btf_type *skip_mods(const struct btf *btf, __u32 *id)
{
	const struct btf_type *t = btf__type_by_id(btf, *id);

	while (t && (btf_is_mod(t) || btf_is_typedef(t))) {
		*id = t->type;
		t = btf__type_by_id(btf, *id);
	}
	return t;
}

/*
 * @nbits bits at bit @bit_off of @data (little-endian layout, as BPF's
 * targets here), at most 64.
 */
static uint64_t read_bits(const unsigned char *data, unsigned int bit_off,
			  unsigned int nbits)
{
	unsigned int first = bit_off / 8, shift = bit_off % 8;
	unsigned int bytes = (shift + nbits + 7) / 8;
	unsigned __int128 v = 0;

	for (unsigned int i = 0; i < bytes; i++)
		v |= (unsigned __int128)data[first + i] << (8 * i);
	v >>= shift;
	if (nbits < 64)
		v &= ((uint64_t)1 << nbits) - 1;
	return (uint64_t)v;
}

static void out_uint(const struct vout *o, uint64_t v)
{
	if (o->w)
		jw_uint(o->w, v);
	else
		printf("%llu", (unsigned long long)v);
}

static void out_int(const struct vout *o, int64_t v)
{
	if (o->w)
		jw_int(o->w, v);
	else
		printf("%lld", (long long)v);
}

/* A string of @len bytes at most, up to its NUL. */
static void out_chars(const struct vout *o, const unsigned char *s, size_t len)
{
	len = strnlen((const char *)s, len);
	if (o->w) {
		jw_string_len(o->w, (const char *)s, len);
		return;
	}
	putchar('"');
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '"' || s[i] == '\\')
			printf("\\%c", s[i]);
		else if (s[i] >= 0x20 && s[i] < 0x7f)
			putchar(s[i]);
		else
			printf("\\x%02x", s[i]);
	}
	putchar('"');
}

/* Is @id a one-byte character type (char, signed or unsigned char)? */
static bool is_char(const struct btf *btf, __u32 id)
{
	const struct btf_type *t = skip_mods(btf, &id);

	return t && btf_is_int(t) && t->size == 1 &&
	       ((btf_int_encoding(t) & BTF_INT_CHAR) ||
		strstr(btf__name_by_offset(btf, t->name_off), "char"));
}

static void out_value(const struct vout *o, __u32 id,
		      const unsigned char *data, unsigned int bit_off,
		      unsigned int bitfield);

static void out_int_type(const struct vout *o, const struct btf_type *t,
			 const unsigned char *data, unsigned int bit_off,
			 unsigned int bitfield)
{
	unsigned int nbits = bitfield ?: btf_int_bits(t);
	unsigned int enc = btf_int_encoding(t);
	uint64_t v;

	if (nbits > 64) {	/* __int128: as hex, most significant first */
		if (o->w) {
			char buf[40];
			int n = snprintf(buf, sizeof(buf), "0x");

			for (int i = t->size - 1; i >= 0; i--)
				n += snprintf(buf + n, sizeof(buf) - n, "%02x",
					      data[bit_off / 8 + i]);
			jw_string(o->w, buf);
		} else {
			printf("0x");
			for (int i = t->size - 1; i >= 0; i--)
				printf("%02x", data[bit_off / 8 + i]);
		}
		return;
	}
	v = read_bits(data, bit_off + btf_int_offset(t), nbits);
	if (enc & BTF_INT_BOOL) {
		if (o->w)
			jw_bool(o->w, v != 0);
		else
			printf("%s", v ? "true" : "false");
	} else if (enc & BTF_INT_SIGNED) {
		if (nbits < 64 && (v & ((uint64_t)1 << (nbits - 1))))
			v |= ~(((uint64_t)1 << nbits) - 1);
		out_int(o, (int64_t)v);
	} else {
		out_uint(o, v);
	}
}

/* An enumerator's name where the value has one, else the number. */
static void out_enum(const struct vout *o, const struct btf_type *t,
		     const unsigned char *data, unsigned int bit_off,
		     unsigned int bitfield)
{
	unsigned int nbits = bitfield ?: t->size * 8;
	bool is_signed = btf_kflag(t);
	uint64_t v = read_bits(data, bit_off, nbits);
	const char *name = NULL;

	if (is_signed && nbits < 64 && (v & ((uint64_t)1 << (nbits - 1))))
		v |= ~(((uint64_t)1 << nbits) - 1);
	for (unsigned int i = 0; i < btf_vlen(t) && !name; i++) {
		uint64_t ev;
		__u32 off;

		if (btf_is_enum(t)) {
			const struct btf_enum *e = btf_enum(t) + i;

			ev = is_signed ? (uint64_t)(int64_t)e->val :
					 (uint64_t)(uint32_t)e->val;
			off = e->name_off;
		} else {
			const struct btf_enum64 *e = btf_enum64(t) + i;

			ev = btf_enum64_value(e);
			off = e->name_off;
		}
		if (ev == v || (nbits < 64 && ((ev ^ v) & (((uint64_t)1 << nbits) - 1)) == 0))
			name = btf__name_by_offset(o->btf, off);
	}
	if (name && *name) {
		if (o->w)
			jw_string(o->w, name);
		else
			printf("%s", name);
	} else if (is_signed) {
		out_int(o, (int64_t)v);
	} else {
		out_uint(o, v);
	}
}

static void out_array(const struct vout *o, const struct btf_type *t,
		      const unsigned char *data, unsigned int bit_off)
{
	const struct btf_array *a = btf_array(t);
	__s64 esize = btf__resolve_size(o->btf, a->type);

	if (esize <= 0) {
		if (o->w)
			jw_null(o->w);
		else
			printf("?");
		return;
	}
	if (is_char(o->btf, a->type)) {
		out_chars(o, data + bit_off / 8, a->nelems);
		return;
	}
	if (o->w)
		jw_array_begin(o->w);
	else
		printf("[");
	for (__u32 i = 0; i < a->nelems; i++) {
		if (!o->w && i)
			printf(", ");
		out_value(o, a->type, data, bit_off + i * esize * 8, 0);
	}
	if (o->w)
		jw_array_end(o->w);
	else
		printf("]");
}

static void out_struct(const struct vout *o, const struct btf_type *t,
		       const unsigned char *data, unsigned int bit_off)
{
	const struct btf_member *m = btf_members(t);

	if (o->w)
		jw_object_begin(o->w);
	else
		printf("{");
	for (unsigned int i = 0; i < btf_vlen(t); i++, m++) {
		const char *name = btf__name_by_offset(o->btf, m->name_off);
		char anon[24];

		if (!name || !*name) {
			snprintf(anon, sizeof(anon), "(anon %u)", i);
			name = anon;
		}
		if (o->w)
			jw_name(o->w, name);
		else
			printf("%s%s = ", i ? ", " : "", name);
		out_value(o, m->type, data,
			  bit_off + btf_member_bit_offset(t, i),
			  btf_member_bitfield_size(t, i));
	}
	if (o->w)
		jw_object_end(o->w);
	else
		printf("}");
}

/*
 * The value of type @id at bit @bit_off of @data (a bitfield of @bitfield
 * bits, or 0): numbers, booleans, enumerator names, char arrays as
 * strings, arrays, structs and unions by member.
 */
static void out_value(const struct vout *o, __u32 id,
		      const unsigned char *data, unsigned int bit_off,
		      unsigned int bitfield)
{
	const struct btf_type *t = skip_mods(o->btf, &id);

	switch (t ? btf_kind(t) : BTF_KIND_UNKN) {
	case BTF_KIND_INT:
		out_int_type(o, t, data, bit_off, bitfield);
		break;
	case BTF_KIND_ENUM:
	case BTF_KIND_ENUM64:
		out_enum(o, t, data, bit_off, bitfield);
		break;
	case BTF_KIND_PTR:
		out_uint(o, read_bits(data, bit_off, 64));
		break;
	case BTF_KIND_ARRAY:
		out_array(o, t, data, bit_off);
		break;
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION:
		out_struct(o, t, data, bit_off);
		break;
	case BTF_KIND_FLOAT: {
		double d = 0;

		if (t->size == sizeof(float)) {
			float f;

			memcpy(&f, data + bit_off / 8, sizeof(f));
			d = f;
		} else if (t->size == sizeof(double)) {
			memcpy(&d, data + bit_off / 8, sizeof(d));
		}
		if (o->w) {
			char buf[32];

			snprintf(buf, sizeof(buf), "%g", d);
			jw_string(o->w, buf);	/* JSON has no NaN or inf */
		} else {
			printf("%g", d);
		}
		break;
	}
	default:
		if (o->w)
			jw_null(o->w);
		else
			printf("?");
		break;
	}
}

/* Raw bytes, for maps without BTF. */
static void out_hex(const struct vout *o, const unsigned char *p, size_t len)
{
	char *buf = malloc(len * 3 + 1);
	size_t n = 0;

	if (!buf) {
		if (o->w)
			jw_null(o->w);
		return;
	}
	for (size_t i = 0; i < len; i++)
		n += sprintf(buf + n, "%s%02x", i ? " " : "", p[i]);
	buf[n] = '\0';
	if (o->w)
		jw_string(o->w, buf);
	else
		printf("%s", buf);
	free(buf);
}

/* ---------------------------------------------------------------- maps */

static bool percpu_map(enum bpf_map_type type)
{
	return type == BPF_MAP_TYPE_PERCPU_ARRAY ||
	       type == BPF_MAP_TYPE_PERCPU_HASH ||
	       type == BPF_MAP_TYPE_LRU_PERCPU_HASH ||
	       type == BPF_MAP_TYPE_PERCPU_CGROUP_STORAGE;
}

/* Maps whose entries a lookup by key reads. */
static bool readable_map(enum bpf_map_type type)
{
	switch (type) {
	case BPF_MAP_TYPE_ARRAY:
	case BPF_MAP_TYPE_HASH:
	case BPF_MAP_TYPE_LRU_HASH:
	case BPF_MAP_TYPE_PERCPU_ARRAY:
	case BPF_MAP_TYPE_PERCPU_HASH:
	case BPF_MAP_TYPE_LRU_PERCPU_HASH:
		return true;
	default:
		return false;
	}
}

/* A key or a value: by BTF type @id, or as bytes without one. */
static void out_typed(const struct vout *o, __u32 id, const void *p,
		      size_t len)
{
	if (o->btf && id)
		out_value(o, id, p, 0, 0);
	else
		out_hex(o, p, len);
}

/* A percpu map's value: one per possible CPU, each 8-byte aligned. */
static void out_map_value(const struct vout *o, const struct bpf_map_info *mi,
			  const unsigned char *v, int ncpus)
{
	size_t stride = (mi->value_size + 7) & ~(size_t)7;

	if (!percpu_map(mi->type)) {
		out_typed(o, mi->btf_value_type_id, v, mi->value_size);
		return;
	}
	if (o->w)
		jw_array_begin(o->w);
	else
		printf("[");
	for (int c = 0; c < ncpus; c++) {
		if (!o->w && c)
			printf(", ");
		out_typed(o, mi->btf_value_type_id, v + c * stride,
			  mi->value_size);
	}
	if (o->w)
		jw_array_end(o->w);
	else
		printf("]");
}

/*
 * The variables of a global-data map (.bss, .data, .rodata): @sec is its
 * DATASEC, @v the map's one value.
 */
static void out_datasec(const struct vout *o, const struct btf_type *sec,
			const unsigned char *v, __u32 value_size)
{
	const struct btf_var_secinfo *vs = btf_var_secinfos(sec);

	if (o->w) {
		jw_name(o->w, "variables");
		jw_object_begin(o->w);
	}
	for (unsigned int i = 0; i < btf_vlen(sec); i++, vs++) {
		const struct btf_type *var = btf__type_by_id(o->btf, vs->type);
		const char *name;

		if (!var || !btf_is_var(var) ||
		    (uint64_t)vs->offset + vs->size > value_size)
			continue;
		name = btf__name_by_offset(o->btf, var->name_off);
		if (o->w) {
			jw_name(o->w, name);
		} else {
			printf("    %s = ", name);
		}
		out_value(o, var->type, v + vs->offset, 0, 0);
		if (!o->w)
			putchar('\n');
	}
	if (o->w)
		jw_object_end(o->w);
}

/* Every entry of a hash or array map, key = value. */
static int out_entries(const struct vout *o, int fd,
		       const struct bpf_map_info *mi, const char *obj)
{
	int ncpus = percpu_map(mi->type) ? libbpf_num_possible_cpus() : 1;
	size_t vlen = percpu_map(mi->type) ?
		      ((mi->value_size + 7) & ~(size_t)7) * (ncpus > 0 ? ncpus : 1) :
		      mi->value_size;
	unsigned char *key = calloc(1, mi->key_size ?: 1);
	unsigned char *next = calloc(1, mi->key_size ?: 1);
	unsigned char *val = calloc(1, vlen ?: 1);
	void *prev = NULL;
	int ret = EXIT_OK;

	if (ncpus <= 0) {
		ret = p_err(EXIT_OTHER, obj, "cannot count the possible CPUs");
		goto out;
	}
	if (!key || !next || !val) {
		ret = p_err(EXIT_OTHER, obj, "out of memory");
		goto out;
	}
	if (o->w) {
		jw_name(o->w, "entries");
		jw_array_begin(o->w);
	}
	while (!bpf_map_get_next_key(fd, prev, next)) {
		memcpy(key, next, mi->key_size);
		prev = key;
		if (bpf_map_lookup_elem(fd, key, val))
			continue;	/* deleted meanwhile */
		if (o->w) {
			jw_object_begin(o->w);
			jw_name(o->w, "key");
		} else {
			printf("    ");
		}
		out_typed(o, mi->btf_key_type_id, key, mi->key_size);
		if (o->w)
			jw_name(o->w, "value");
		else
			printf(" = ");
		out_map_value(o, mi, val, ncpus);
		if (o->w)
			jw_object_end(o->w);
		else
			putchar('\n');
	}
	if (errno != ENOENT)
		ret = p_sys(obj, "cannot read the entries of map %u", mi->id);
	if (o->w)
		jw_array_end(o->w);
out:
	free(key);
	free(next);
	free(val);
	return ret;
}

/* One of the policy's maps, by id. */
static int out_map(struct jw *w, __u32 id, const char *obj)
{
	struct bpf_map_info mi;
	__u32 len = sizeof(mi);
	struct vout o = { .w = w };
	const struct btf_type *sec = NULL;
	const char *type, *label;
	unsigned char *val = NULL;
	struct btf *btf = NULL;
	int fd, ret = EXIT_OK;
	__u32 zero = 0;

	fd = bpf_map_get_fd_by_id(id);
	if (fd < 0)
		return errno == ENOENT ? EXIT_OK :	/* gone meanwhile */
		       p_sys(obj, "cannot open map %u", id);
	memset(&mi, 0, sizeof(mi));
	if (bpf_map_get_info_by_fd(fd, &mi, &len)) {
		ret = p_sys(obj, "cannot read the information of map %u", id);
		goto out;
	}
	if (mi.btf_id) {
		btf = btf__load_from_kernel_by_id(mi.btf_id);
		if (!btf) {
			ret = p_sys(obj, "map %u: cannot read its BTF %u",
				    id, mi.btf_id);
			goto out;
		}
		o.btf = btf;
		if (mi.btf_value_type_id) {
			const struct btf_type *t =
				btf__type_by_id(btf, mi.btf_value_type_id);

			if (t && btf_is_datasec(t))
				sec = t;
		}
	}
	type = libbpf_bpf_map_type_str(mi.type) ?: "unknown";
	label = sec ? btf__name_by_offset(btf, sec->name_off) : mi.name;
	if (w) {
		jw_object_begin(w);
		jw_field_string(w, "name", label);
		jw_field_uint(w, "id", mi.id);
		jw_field_string(w, "type", type);
	} else {
		printf("  %s", label);
		if (!sec)
			printf(" (%s, map %u)", type, mi.id);
		printf(":\n");
	}
	if (sec) {
		val = calloc(1, mi.value_size ?: 1);
		if (!val) {
			ret = p_err(EXIT_OTHER, obj, "out of memory");
		} else if (bpf_map_lookup_elem(fd, &zero, val)) {
			ret = p_sys(obj, "cannot read map %u (%s)", id, label);
		} else {
			out_datasec(&o, sec, val, mi.value_size);
		}
	} else if (readable_map(mi.type)) {
		ret = out_entries(&o, fd, &mi, obj);
	} else if (w) {
		jw_field_null(w, "entries");
	} else {
		printf("    (entries of a %s map are not shown)\n", type);
	}
	if (w)
		jw_object_end(w);
out:
	free(val);
	btf__free(btf);
	close(fd);
	return ret;
}

/* -------------------------------------------------- the policy's parts */

struct parts {
	__u32 ops_id;		/* the struct_ops map */
	__u32 *progs, nr_progs;
	__u32 *maps, nr_maps;
};

static void parts_free(struct parts *p)
{
	free(p->progs);
	free(p->maps);
}

static int add_id(__u32 **ids, __u32 *nr, __u32 id)
{
	__u32 *n;

	for (__u32 i = 0; i < *nr; i++)
		if ((*ids)[i] == id)
			return 0;
	n = realloc(*ids, (*nr + 1) * sizeof(*n));
	if (!n)
		return -ENOMEM;
	n[(*nr)++] = id;
	*ids = n;
	return 0;
}

/* The struct_ops map the link pinned at @pin holds; 0 once detached. */
static int pinned_ops_map(const char *pin, __u32 *id, const char *obj)
{
	struct bpf_link_info info;
	__u32 len = sizeof(info);
	int fd = bpf_obj_get(pin), ret = EXIT_OK;

	if (fd < 0)
		return p_sys(obj, "%s: cannot open the pinned link", pin);
	memset(&info, 0, sizeof(info));
	if (bpf_link_get_info_by_fd(fd, &info, &len))
		ret = p_sys(obj, "%s: cannot read the link's information", pin);
	else if (info.type != BPF_LINK_TYPE_STRUCT_OPS)
		ret = p_err(EXIT_OTHER, obj,
			    "%s is a BPF link of type %u, not a struct_ops link",
			    pin, info.type);
	else if (link_map_id(fd, id))
		ret = p_sys(obj, "%s: cannot read the link's map", pin);
	close(fd);
	return ret;
}

/* The maps program @id uses, but the struct_ops map, added to @pp. */
static int prog_maps(struct parts *pp, __u32 id, const char *obj)
{
	struct bpf_prog_info info;
	__u32 len = sizeof(info), nr;
	__u32 *ids = NULL;
	int fd, ret = EXIT_OK;

	fd = bpf_prog_get_fd_by_id(id);
	if (fd < 0)
		return errno == ENOENT ? EXIT_OK :	/* replaced meanwhile */
		       p_sys(obj, "cannot open program %u", id);
	memset(&info, 0, sizeof(info));
	if (bpf_prog_get_info_by_fd(fd, &info, &len)) {
		ret = p_sys(obj, "cannot read the information of program %u", id);
		goto out;
	}
	nr = info.nr_map_ids;
	if (!nr)
		goto out;
	ids = calloc(nr, sizeof(*ids));
	if (!ids) {
		ret = p_err(EXIT_OTHER, obj, "out of memory");
		goto out;
	}
	memset(&info, 0, sizeof(info));
	info.nr_map_ids = nr;
	info.map_ids = (__u64)(unsigned long)ids;
	len = sizeof(info);
	if (bpf_prog_get_info_by_fd(fd, &info, &len)) {
		ret = p_sys(obj, "cannot read the maps of program %u", id);
		goto out;
	}
	if (info.nr_map_ids < nr)
		nr = info.nr_map_ids;
	for (__u32 i = 0; i < nr && !ret; i++)
		if (ids[i] != pp->ops_id && add_id(&pp->maps, &pp->nr_maps, ids[i]))
			ret = p_err(EXIT_OTHER, obj, "out of memory");
out:
	free(ids);
	close(fd);
	return ret;
}

/*
 * The programs behind the ops' function pointers (the kernel's value of a
 * struct_ops map holds their ids there), and the maps those use.
 */
static int read_parts(struct parts *pp, const struct btf *kbtf,
		      const char *obj)
{
	const struct btf_type *vt, *ops = NULL;
	const struct btf_member *m;
	struct bpf_map_info mi;
	__u32 len = sizeof(mi), zero = 0, data_off = 0, ops_tid = 0;
	unsigned char *val = NULL;
	int fd, vid, ret = EXIT_OK;

	vid = btf__find_by_name_kind(kbtf, OPS_KERN_VTYPE, BTF_KIND_STRUCT);
	vt = vid < 0 ? NULL : btf__type_by_id(kbtf, vid);
	m = vt ? btf_members(vt) : NULL;
	for (unsigned int i = 0; vt && i < btf_vlen(vt); i++, m++) {
		if (!strcmp(btf__name_by_offset(kbtf, m->name_off), "data")) {
			data_off = m->offset / 8;
			ops_tid = m->type;
			ops = skip_mods(kbtf, &ops_tid);
		}
	}
	if (!ops || !btf_is_struct(ops))
		return p_err(EXIT_OTHER, obj,
			     "the kernel's BTF has no %s: the kernel has no swap tier policies",
			     OPS_KERN_VTYPE);
	fd = bpf_map_get_fd_by_id(pp->ops_id);
	if (fd < 0)
		return p_sys(obj, "cannot open struct_ops map %u", pp->ops_id);
	memset(&mi, 0, sizeof(mi));
	if (bpf_map_get_info_by_fd(fd, &mi, &len)) {
		ret = p_sys(obj, "cannot read the information of map %u",
			    pp->ops_id);
		goto out;
	}
	val = calloc(1, mi.value_size ?: 1);
	if (!val) {
		ret = p_err(EXIT_OTHER, obj, "out of memory");
		goto out;
	}
	if (bpf_map_lookup_elem(fd, &zero, val)) {
		ret = p_sys(obj, "cannot read struct_ops map %u", pp->ops_id);
		goto out;
	}
	m = btf_members(ops);
	for (unsigned int i = 0; i < btf_vlen(ops) && !ret; i++, m++) {
		__u32 tid = m->type;
		const struct btf_type *t = skip_mods(kbtf, &tid);
		size_t off = data_off + m->offset / 8;
		uint64_t prog;

		if (!t || !btf_is_ptr(t) || off + sizeof(prog) > mi.value_size)
			continue;
		tid = t->type;
		t = skip_mods(kbtf, &tid);
		if (!t || !btf_is_func_proto(t))
			continue;
		memcpy(&prog, val + off, sizeof(prog));
		if (prog && prog <= UINT32_MAX &&
		    add_id(&pp->progs, &pp->nr_progs, (__u32)prog))
			ret = p_err(EXIT_OTHER, obj, "out of memory");
	}
	for (__u32 i = 0; i < pp->nr_progs && !ret; i++)
		ret = prog_maps(pp, pp->progs[i], obj);
out:
	free(val);
	close(fd);
	return ret;
}

static int cmp_u32(const void *a, const void *b)
{
	__u32 x = *(const __u32 *)a, y = *(const __u32 *)b;

	return x < y ? -1 : x > y;
}

/* One attached policy: its struct_ops map, programs and maps. */
static int stats_one(struct jw *w, const struct attached *a,
		     const struct btf *kbtf, const char *obj)
{
	const char *target = !a->cgroup_id ? "global" :
			     a->cgroup_path ? a->cgroup_path : "(removed)";
	struct parts pp = { 0 };
	int ret;

	ret = pinned_ops_map(a->pin, &pp.ops_id, obj);
	if (ret)
		goto out;
	if (!pp.ops_id) {
		ret = p_err(EXIT_STATE, obj,
			    "%s: the link pinned at %s is detached", target,
			    a->pin);
		goto out;
	}
	ret = read_parts(&pp, kbtf, obj);
	if (ret)
		goto out;
	qsort(pp.maps, pp.nr_maps, sizeof(*pp.maps), cmp_u32);
	if (w) {
		jw_object_begin(w);
		jw_attached_target(w, a);
		jw_field_uint(w, "struct_ops_map_id", pp.ops_id);
		jw_name(w, "program_ids");
		jw_array_begin(w);
		for (__u32 i = 0; i < pp.nr_progs; i++)
			jw_uint(w, pp.progs[i]);
		jw_array_end(w);
		jw_name(w, "maps");
		jw_array_begin(w);
	} else {
		print_escaped(target, 0);
		printf(": %s (struct_ops map %u; programs", a->name, pp.ops_id);
		for (__u32 i = 0; i < pp.nr_progs; i++)
			printf(" %u", pp.progs[i]);
		printf(")\n");
		if (!pp.nr_maps)
			printf("  (no maps or global variables)\n");
	}
	for (__u32 i = 0; i < pp.nr_maps && !ret; i++)
		ret = out_map(w, pp.maps[i], obj);
	if (w) {
		jw_array_end(w);
		jw_object_end(w);
	}
out:
	parts_free(&pp);
	return ret;
}

int policy_stats(const char *name, const char *cgroup, uint64_t want,
		 const char *obj)
{
	struct attached_list l = { 0 };
	struct btf *kbtf = NULL;
	struct jw *w = NULL;
	size_t shown = 0;
	int ret;

	ret = attached_read(&l, obj, true, cgroup != NULL, want);
	if (ret)
		goto out;
	if (json_output) {
		w = json_start();
		if (!w) {
			ret = p_err(EXIT_OTHER, obj, "out of memory");
			goto out;
		}
		jw_array_begin(w);
	}
	for (size_t i = 0; i < l.nr && !ret; i++) {
		const struct attached *a = &l.a[i];
		const char *target = !a->cgroup_id ? "global" :
				     a->cgroup_path ?: "(removed)";

		if (!a->name || (name && strcmp(a->name, name)))
			continue;
		if (!a->pin) {
			p_warn(obj, "%s: policy %s attached, but not by %s (no pin): its maps are not shown",
			       target, a->name, bin_name);
			continue;
		}
		if (!kbtf) {
			kbtf = btf__load_vmlinux_btf();
			if (!kbtf) {
				ret = p_sys(obj, "cannot read the kernel's BTF");
				break;
			}
		}
		if (!w && shown)
			putchar('\n');
		ret = stats_one(w, a, kbtf, obj);
		shown++;
	}
	if (w) {
		jw_array_end(w);
		jw_free(w);
	}
	if (ret || shown)
		goto out;
	if (name && cgroup)
		ret = p_err(EXIT_STATE, obj, "no policy %s is attached to it", name);
	else if (name)
		ret = p_err(EXIT_STATE, obj,
			    "no policy %s is attached by %s (see '%s policy show')",
			    name, bin_name, bin_name);
	else if (cgroup)
		ret = p_err(EXIT_STATE, obj, "no policy attached by %s", bin_name);
	else if (!w)
		printf("no policies attached\n");
out:
	btf__free(kbtf);
	attached_list_free(&l);
	return ret;
}
