/* SPDX-License-Identifier: GPL-2.0 */
/*
 * swaptier selftests: helpers for the libbpf skeletons of the test
 * programs.  bpf/Makefile makes build/bpf/test/<name>.skel.h from
 * selftests/vm/progs/<name>.bpf.c with the tree's bpftool (struct
 * <name>_bpf, <name>_bpf__open() ...); a test that includes one links the
 * tree's libbpf (build/libbpf).  A test loading a policy this way sets
 * its tunables (skel->rodata) and attach target
 * (skel->struct_ops.<ops>->cgroup_id) before the load, reads the
 * program's globals back (skel->bss, skel->data), and can share them
 * between two copies (bpf_map__reuse_fd() before the second load).
 */
#ifndef SWAPTIER_SELFTEST_SKEL_H
#define SWAPTIER_SELFTEST_SKEL_H

/* libbpf's warnings as kselftest diagnostics, "# libbpf: " per line. */
void st_libbpf_print_warnings(void);

#endif
