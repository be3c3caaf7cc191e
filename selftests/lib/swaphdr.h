/* SPDX-License-Identifier: GPL-2.0 */
/*
 * swaptier selftests: raw swap header writer/reader with every field under
 * the caller's control (for malformed headers and multi-page swapfiles).
 *
 * Layout (host endian), see include/linux/swap.h union swap_header:
 *   [0, 1024)            bootbits (left zero)
 *   1024  u32 version
 *   1028  u32 last_page
 *   1032  u32 nr_badpages
 *   1036  u8  sws_uuid[16]
 *   1052  u8  sws_volume[16]   (label)
 *   1068  u32 padding[117]
 *   1536  u32 badpages[]
 *   PAGE_SIZE-10  magic[10] "SWAPSPACE2"
 */
#ifndef SWAPTIER_SELFTEST_SWAPHDR_H
#define SWAPTIER_SELFTEST_SWAPHDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SWAPHDR_OFF_VERSION	1024
#define SWAPHDR_OFF_LAST_PAGE	1028
#define SWAPHDR_OFF_NR_BADPAGES	1032
#define SWAPHDR_OFF_UUID	1036
#define SWAPHDR_OFF_VOLUME	1052
#define SWAPHDR_OFF_GHOST_MAGIC	1068	/* info.padding: SWAP_GHOST_MAGIC */
#define SWAPHDR_OFF_BADPAGES	1536
#define SWAPHDR_GHOST_MAGIC	"SWAPTIER-GHOST01"
#define SWAPHDR_GHOST_MAGIC_LEN	16
#define SWAPHDR_MAGIC_LEN	10
#define SWAPHDR_MAGIC		"SWAPSPACE2"
#define SWAPHDR_MAX_LISTED_BADPAGES 8

enum swaphdr_fill {
	SWAPHDR_FILL_FALLOCATE,	/* fallocate the data area (no holes) */
	SWAPHDR_FILL_WRITE,	/* write zeros to the data area */
	SWAPHDR_FILL_SPARSE,	/* ftruncate: leave a hole */
};

struct swaphdr_spec {
	char magic[SWAPHDR_MAGIC_LEN];	/* not NUL terminated */
	uint32_t version;
	uint32_t last_page;
	uint32_t nr_badpages;
	uint32_t badpages[SWAPHDR_MAX_LISTED_BADPAGES];
	unsigned int nr_listed_badpages;	/* entries of badpages[] written */
	uint8_t uuid[16];
	char label[16];
	bool byteswap;		/* store the u32 fields byte-swapped */
	bool ghost_marker;	/* write SWAPHDR_GHOST_MAGIC */
	size_t file_pages;	/* total file length in pages, >= 1 */
	enum swaphdr_fill fill;
};

/*
 * Initialise a valid header for a file_pages long swapfile: magic
 * SWAPSPACE2, version 1, last_page = file_pages - 1 (mkswap's convention;
 * callers making a ghost set last_page themselves), no bad pages,
 * fallocated data area.
 */
void swaphdr_spec_init(struct swaphdr_spec *s, size_t file_pages);

/*
 * Create (O_EXCL) path with mode 0600 holding the header page and
 * file_pages - 1 further pages.  Returns 0 or -errno.
 */
int swaphdr_write(const char *path, const struct swaphdr_spec *s);

struct swaphdr_info {
	bool magic_ok;
	bool ghost_marker;	/* SWAPHDR_GHOST_MAGIC at its offset */
	uint32_t version;
	uint32_t last_page;
	uint32_t nr_badpages;
	char label[17];		/* NUL terminated */
	long long file_size;
};

/* Read back the header of path (host endian).  Returns 0 or -errno. */
int swaphdr_read(const char *path, struct swaphdr_info *info);

#endif
