// SPDX-License-Identifier: GPL-2.0
#include <string.h>

#include "canary.h"

#define CANARY_MAX_PAGE (64 * 1024)

/* splitmix64 finaliser: a good 64-bit mixing function. */
static inline uint64_t mix64(uint64_t z)
{
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

#define GOLDEN 0x9e3779b97f4a7c15ULL

static inline uint64_t page_key(uint64_t seed, enum canary_kind kind,
				size_t index)
{
	return mix64(seed ^ mix64(((uint64_t)index + 1) * GOLDEN) ^
		     ((uint64_t)kind << 62));
}

const char *canary_kind_name(enum canary_kind kind)
{
	switch (kind) {
	case CANARY_COMPRESSIBLE:
		return "compressible";
	case CANARY_INCOMPRESSIBLE:
		return "incompressible";
	case CANARY_HALF:
		return "half-compressible";
	case CANARY_MIXED:
		return "mixed";
	}
	return "unknown";
}

/* The kind of page index of a CANARY_MIXED area. */
static enum canary_kind mixed_kind(size_t index)
{
	static const enum canary_kind kinds[] = {
		CANARY_COMPRESSIBLE, CANARY_INCOMPRESSIBLE, CANARY_HALF,
	};

	return kinds[index % 3];
}

void canary_page(void *dst, size_t page_size, uint64_t seed,
		 enum canary_kind kind, size_t index)
{
	uint64_t *w = dst;
	size_t nw = page_size / sizeof(uint64_t), k;
	uint64_t key;

	if (kind == CANARY_MIXED)
		kind = mixed_kind(index);
	key = page_key(seed, kind, index);
	if (kind == CANARY_HALF) {
		size_t half = page_size / 2;

		/* Distinct halves: the page keys differ by kind. */
		canary_page(dst, half, seed, CANARY_INCOMPRESSIBLE, index);
		canary_page((char *)dst + half, half, seed, CANARY_COMPRESSIBLE,
			    index);
		return;
	}
	if (kind == CANARY_COMPRESSIBLE) {
		/* No zero byte in the repeated word: page is never all-zero. */
		uint64_t base = key | 0x0101010101010101ULL;
		uint64_t stamp = 0x5357505449455200ULL ^ ((uint64_t)index << 8) ^
				 (seed << 40);

		if (stamp == base)
			stamp ^= 0xff;
		for (k = 0; k < nw; k++)
			w[k] = base;
		w[0] = stamp;	/* page index stamp */
		w[1] = ~stamp ^ (uint64_t)index;
	} else {
		uint64_t state = key;

		for (k = 0; k < nw; k++) {
			state += GOLDEN;
			w[k] = mix64(state);
		}
		/* Guarantee the page is not all-zero, however unlikely. */
		w[0] |= 1;
	}
}

void canary_fill(void *buf, size_t npages, size_t page_size, uint64_t seed,
		 enum canary_kind kind)
{
	size_t i;

	for (i = 0; i < npages; i++)
		canary_page((char *)buf + i * page_size, page_size, seed, kind,
			    i);
}

int canary_verify(const void *buf, size_t npages, size_t page_size,
		  uint64_t seed, enum canary_kind kind, void *scratch,
		  struct canary_err *err)
{
	static uint64_t static_scratch[CANARY_MAX_PAGE / sizeof(uint64_t)];
	unsigned char *exp = scratch ? scratch : (void *)static_scratch;
	struct canary_err e = { 0 };
	size_t i, off;

	if (!scratch && page_size > CANARY_MAX_PAGE)
		return -1;
	for (i = 0; i < npages; i++) {
		const unsigned char *p = (const unsigned char *)buf +
					 i * page_size;

		canary_page(exp, page_size, seed, kind, i);
		if (!memcmp(p, exp, page_size))
			continue;
		if (!e.bad_pages) {
			for (off = 0; off < page_size; off++)
				if (p[off] != exp[off])
					break;
			e.first_page = i;
			e.first_off = off;
			e.expected = exp[off];
			e.actual = p[off];
		}
		e.bad_pages++;
	}
	if (err)
		*err = e;
	return e.bad_pages ? -1 : 0;
}
