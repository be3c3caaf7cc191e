/* SPDX-License-Identifier: GPL-2.0 */
/*
 * swaptier selftests: per-page canaries.
 *
 * Every byte of page i is a pure function of (seed, kind, i, offset), so a
 * page that comes back from swap with wrong contents, with another page's
 * contents, or zeroed, is detected by canary_verify(), which checks every
 * byte of every page.  No canary page is ever all-zero or same-filled (so
 * the kernel's zero-page shortcuts never apply to it).
 *
 * CANARY_COMPRESSIBLE:   one 64-bit word derived from (seed, i) repeated
 *                        over the page, except the first two words which
 *                        stamp the page index.  lz4 shrinks such a page to a
 *                        few dozen bytes.
 * CANARY_INCOMPRESSIBLE: a per-page PRNG stream (splitmix64 seeded from
 *                        (seed, i)).  lz4 output is larger than the page, so
 *                        zswap has to reject it.
 * CANARY_HALF:           the first half of the page as CANARY_INCOMPRESSIBLE,
 *                        the second half as CANARY_COMPRESSIBLE: lz4 makes
 *                        it a little over half a page, which zswap takes.
 *                        A few such pages fill a small memory.zswap.max.
 * CANARY_MIXED:          page i is COMPRESSIBLE, INCOMPRESSIBLE or HALF for
 *                        i % 3 == 0, 1 or 2: one area exercises zswap,
 *                        zswap writeback and the pages zswap refuses.
 */
#ifndef SWAPTIER_SELFTEST_CANARY_H
#define SWAPTIER_SELFTEST_CANARY_H

#include <stddef.h>
#include <stdint.h>

enum canary_kind {
	CANARY_COMPRESSIBLE = 0,
	CANARY_INCOMPRESSIBLE = 1,
	CANARY_HALF = 2,
	CANARY_MIXED = 3,
};

struct canary_err {
	size_t bad_pages;	/* number of pages with at least one bad byte */
	size_t first_page;	/* index of the first bad page */
	size_t first_off;	/* offset of the first bad byte in that page */
	uint8_t expected;	/* expected value of that byte */
	uint8_t actual;		/* value found */
};

const char *canary_kind_name(enum canary_kind kind);

/* Generate the expected contents of page @index into @dst (page_size bytes). */
void canary_page(void *dst, size_t page_size, uint64_t seed,
		 enum canary_kind kind, size_t index);

/* Fill npages pages at buf (page aligned, page_size each). */
void canary_fill(void *buf, size_t npages, size_t page_size, uint64_t seed,
		 enum canary_kind kind);

/*
 * Verify every byte of npages pages.  Returns 0 if all match, else -1 and
 * fills *err (if not NULL) with the number of bad pages and the first bad
 * byte.  @scratch must hold page_size bytes (pass NULL to use an internal
 * static buffer of up to 64 KiB).
 */
int canary_verify(const void *buf, size_t npages, size_t page_size,
		  uint64_t seed, enum canary_kind kind, void *scratch,
		  struct canary_err *err);

#endif
