# swaptier: BPF-programmable swap tiering for Linux 6.12.
#
# Fresh machine:  make demo   (installs, builds, boots a VM, shows a ghost swap)
#                 make test   (installs, builds, runs every test)
# `make help` lists every target.

TOP        := $(abspath .)
BUILD      := $(TOP)/build
TREE       := $(BUILD)/linux
KBUILD     := $(BUILD)/kbuild
BZIMAGE    := $(KBUILD)/arch/x86/boot/bzImage
VMLINUX    := $(KBUILD)/vmlinux
LIBBPF_DIR := $(BUILD)/libbpf
LIBBPF_A   := $(LIBBPF_DIR)/obj/libbpf.a
BPFTOOL    := $(BUILD)/bpftool/bpftool
SWAPCTL    := $(BUILD)/swapctl/swapctl
SELFTESTS  := $(BUILD)/selftests
BPF_OUT    := $(BUILD)/bpf
STOCK_TREE := $(BUILD)/linux-stock
STOCK_KBUILD := $(BUILD)/kbuild-stock
# Benchmarks run both kernels without KASAN/lockdep/DEBUG_VM.
BENCH_CONFIG := $(TOP)/bench/production.config
BENCH_KBUILD := $(BUILD)/kbuild-bench
BENCH_STOCK_KBUILD := $(BUILD)/kbuild-bench-stock
KSFT_INC   := $(TREE)/tools/testing/selftests
JOBS       ?= $(shell echo $$(( $$(nproc) + 1 )))

# Sub-makes of the kernel's tools must not see our variables.
unexport TOP BUILD TREE KBUILD

# make install / uninstall: PREFIX, staged under DESTDIR.
PREFIX     ?= /usr/local
DESTDIR    ?=
SBINDIR    := $(PREFIX)/sbin
MAN8DIR    := $(PREFIX)/share/man/man8
POLICYDIR  := $(PREFIX)/lib/swaptier/policies
INCLUDEDIR := $(PREFIX)/include/swaptier
BASHCOMPDIR := $(PREFIX)/share/bash-completion/completions
BPFTRACEDIR := $(PREFIX)/share/swaptier/bpftrace
EXAMPLEDIR := $(PREFIX)/share/swaptier
# systemd reads units from $(PREFIX)/lib/systemd/system for /usr/local and /usr
UNITDIR    := $(PREFIX)/lib/systemd/system
# The installed swapctl has $(POLICYDIR) built in: it is built apart from
# build/swapctl/swapctl (whose policy directory is build/bpf), here.
SWAPCTL_INST := $(BUILD)/swapctl/install
# By name from the sources, so that uninstall needs no build.
POLICY_NAMES := $(patsubst bpf/%.bpf.c,%,$(sort $(wildcard bpf/*.bpf.c)))
BPFTRACE_SCRIPTS := $(sort $(wildcard tools/bpftrace/*.bt))

.PHONY: all help deps kernel-tree kernel-tree-reset kernel libbpf bpftool \
	swapctl bpf selftests export-patches checkpatch test test-host test-vm \
	demo kernel-drift kernel-buildtest kernel-stock kernel-bench bench clean distclean \
	install uninstall

all: bpftool swapctl bpf selftests

help:
	@echo 'Fresh machine:'
	@echo '  make demo              install deps, build, boot a VM and show a ghost swapfile at work'
	@echo '  make test              install deps, build, run host and VM tests; ends "N passed, N failed"'
	@echo 'Building:'
	@echo '  make deps              apt-get/pip install what is missing (idempotent, quiet)'
	@echo '  make kernel-tree       create build/linux from the pinned source (kernel/mm-patches/BASE) + the series'
	@echo '  make kernel-tree-reset drop build/linux commits, re-apply kernel/mm-patches/'
	@echo '  make kernel-drift      does the series apply to the newest Debian 6.12 source? (one line)'
	@echo '  make kernel            build build/kbuild/arch/x86/boot/bzImage (ccache)'
	@echo '  make libbpf bpftool    build libbpf and bpftool from the same kernel tree'
	@echo '  make swapctl           build build/swapctl/swapctl'
	@echo '  make bpf               build the BPF policies (bpf/) and test programs into build/bpf/'
	@echo '  make selftests         build the VM selftests into build/selftests/'
	@echo 'Installing (PREFIX=/usr/local, DESTDIR= for staging; after make swapctl bpf):'
	@echo '  make install           swapctl, swapctl.8, bash completion, the policies (lib/swaptier/policies)'
	@echo '                         and the headers for out-of-tree policies (include/swaptier) under PREFIX'
	@echo '  make uninstall         remove what make install installed'
	@echo 'Working on the series:'
	@echo '  make export-patches    write build/linux commits to kernel/mm-patches/'
	@echo '  make checkpatch        scripts/checkpatch.pl --strict on every patch'
	@echo '  make kernel-buildtest  compile the series with MEMCG/SWAP_TIER_BPF/ZSWAP off, and patch by patch'
	@echo 'Testing:'
	@echo '  make test-host         host unit tests only'
	@echo '  make test-vm           VM selftests only'
	@echo 'Benchmarks:'
	@echo '  make kernel-stock      build the stock 6.12 kernel (same source and config, no series)'
	@echo '  make kernel-bench      both kernels with bench/production.config (no KASAN/lockdep/DEBUG_VM)'
	@echo '  make bench             swaptier vs stock kernel in the same run: metadata, swap times'
	@echo '  make clean             remove build outputs, keep build/linux'
	@echo '  make distclean         remove build/ entirely (unexported kernel work is lost)'

deps:
	@scripts/install-deps

kernel-tree: deps
	@scripts/kernel-tree $(TREE)

kernel-tree-reset: deps
	@scripts/kernel-tree --reset $(TREE)

kernel-drift:
	@scripts/kernel-drift

kernel-buildtest: kernel-tree
	@JOBS=$(JOBS) scripts/kernel-buildtest $(TREE) $(BUILDTEST)

kernel: kernel-tree
	@echo "  KERNEL  $(BZIMAGE)"
	@JOBS=$(JOBS) scripts/kernel-build $(TREE) $(KBUILD)

libbpf: kernel-tree
	@mkdir -p $(LIBBPF_DIR)/obj
	@$(MAKE) -s -C $(TREE)/tools/lib/bpf OUTPUT=$(LIBBPF_DIR)/obj/ \
		DESTDIR=$(LIBBPF_DIR) prefix= $(LIBBPF_A) install_headers >/dev/null

bpftool: kernel-tree
	@mkdir -p $(BUILD)/bpftool
	@$(MAKE) -s -C $(TREE)/tools/bpf/bpftool OUTPUT=$(BUILD)/bpftool/ >/dev/null

swapctl: libbpf
	@$(MAKE) -s -C tools/swapctl OUTPUT=$(BUILD)/swapctl/ TEST_OUTPUT=$(BUILD)/swapctl-test/ LIBBPF_DIR=$(LIBBPF_DIR) all test-build

bpf: kernel bpftool libbpf
	@$(MAKE) -s -C bpf OUTPUT=$(BPF_OUT)/ VMLINUX=$(VMLINUX) BPFTOOL=$(BPFTOOL) \
		LIBBPF_DIR=$(LIBBPF_DIR)

# The tests read their BPF programs back through skeletons (make bpf) and
# link libbpf.
selftests: kernel-tree libbpf bpf
	@$(MAKE) -s -C selftests/vm OUTPUT=$(SELFTESTS)/ KSFT_INC=$(KSFT_INC) \
		BPF_OUT=$(BPF_OUT) LIBBPF_DIR=$(LIBBPF_DIR)

export-patches:
	@scripts/export-patches $(TREE)

checkpatch:
	@scripts/checkpatch $(TREE)

test: deps kernel bpftool swapctl bpf selftests
	@selftests/run

test-host: deps kernel swapctl
	@selftests/run --host-only

test-vm: deps kernel swapctl bpf selftests
	@selftests/run --vm-only

demo: deps kernel swapctl bpf
	@scripts/demo

kernel-stock: kernel-tree
	@echo "  KERNEL  $(STOCK_KBUILD)/arch/x86/boot/bzImage (stock)"
	@JOBS=$(JOBS) scripts/kernel-stock $(TREE) $(STOCK_TREE) $(STOCK_KBUILD)

kernel-bench: kernel-tree
	@echo "  KERNEL  $(BENCH_KBUILD), $(BENCH_STOCK_KBUILD) (production config)"
	@KBUILD_EXTRA_FRAGMENTS=$(BENCH_CONFIG) JOBS=$(JOBS) \
		scripts/kernel-build $(TREE) $(BENCH_KBUILD)
	@KBUILD_EXTRA_FRAGMENTS=$(BENCH_CONFIG) JOBS=$(JOBS) \
		scripts/kernel-stock $(TREE) $(STOCK_TREE) $(BENCH_STOCK_KBUILD)

bench: deps kernel-bench swapctl bpf
	@$(MAKE) -s -C bench OUTPUT=$(BUILD)/bench/
	@bench/run --kernel $(BENCH_KBUILD)/arch/x86/boot/bzImage \
		--stock-kernel $(BENCH_STOCK_KBUILD)/arch/x86/boot/bzImage $(BENCH_ARGS)

# Installs what `make swapctl bpf` built (as root, without building the
# kernel); only swapctl is built again, with $(POLICYDIR) as its policy
# directory.  docs/policy-kit.md: compiling a policy out of tree.
install:
	@for f in $(LIBBPF_A) $(POLICY_NAMES:%=$(BPF_OUT)/%.bpf.o); do \
		[ -f "$$f" ] || { echo "install: $$f missing; run 'make swapctl bpf' first" >&2; exit 1; }; \
	done
	@$(MAKE) -s -C tools/swapctl OUTPUT=$(SWAPCTL_INST)/ LIBBPF_DIR=$(LIBBPF_DIR) \
		POLICY_DIR=$(POLICYDIR) all
	install -D -m 0755 $(SWAPCTL_INST)/swapctl $(DESTDIR)$(SBINDIR)/swapctl
	install -D -m 0644 tools/swapctl/swapctl.8 $(DESTDIR)$(MAN8DIR)/swapctl.8
	install -D -m 0644 tools/swapctl/swapctl.bash $(DESTDIR)$(BASHCOMPDIR)/swapctl
	install -D -m 0644 tools/swapctl/swaptier.conf.example $(DESTDIR)$(EXAMPLEDIR)/swaptier.conf.example
	@mkdir -p $(DESTDIR)$(UNITDIR)
	sed 's|@SBINDIR@|$(SBINDIR)|g' tools/swapctl/swaptier.service.in > $(DESTDIR)$(UNITDIR)/swaptier.service
	@chmod 0644 $(DESTDIR)$(UNITDIR)/swaptier.service
	@set -e; for n in $(POLICY_NAMES); do \
		echo "install -D -m 0644 $(BPF_OUT)/$$n.bpf.o $(DESTDIR)$(POLICYDIR)/$$n.bpf.o"; \
		install -D -m 0644 $(BPF_OUT)/$$n.bpf.o $(DESTDIR)$(POLICYDIR)/$$n.bpf.o; \
	done
	install -D -m 0644 bpf/swap_tier.bpf.h $(DESTDIR)$(INCLUDEDIR)/swap_tier.bpf.h
	install -D -m 0644 include/uapi/linux/swap_tier.h $(DESTDIR)$(INCLUDEDIR)/linux/swap_tier.h
	@set -e; for f in $(BPFTRACE_SCRIPTS); do \
		echo "install -D -m 0644 $$f $(DESTDIR)$(BPFTRACEDIR)/$${f##*/}"; \
		install -D -m 0644 $$f $(DESTDIR)$(BPFTRACEDIR)/$${f##*/}; \
	done

# Only the files install puts there; the directories of swaptier's own go
# when empty, the shared ones (sbin, man8, completions) stay.
uninstall:
	rm -f $(DESTDIR)$(SBINDIR)/swapctl $(DESTDIR)$(MAN8DIR)/swapctl.8 \
		$(DESTDIR)$(BASHCOMPDIR)/swapctl \
		$(DESTDIR)$(EXAMPLEDIR)/swaptier.conf.example $(DESTDIR)$(UNITDIR)/swaptier.service \
		$(POLICY_NAMES:%=$(DESTDIR)$(POLICYDIR)/%.bpf.o) \
		$(DESTDIR)$(INCLUDEDIR)/swap_tier.bpf.h $(DESTDIR)$(INCLUDEDIR)/linux/swap_tier.h \
		$(addprefix $(DESTDIR)$(BPFTRACEDIR)/,$(notdir $(BPFTRACE_SCRIPTS)))
	@for d in $(POLICYDIR) $(PREFIX)/lib/swaptier $(INCLUDEDIR)/linux $(INCLUDEDIR) \
		$(BPFTRACEDIR) $(PREFIX)/share/swaptier $(UNITDIR) $(PREFIX)/lib/systemd; do \
		[ ! -d "$(DESTDIR)$$d" ] || rmdir "$(DESTDIR)$$d" 2>/dev/null || true; \
	done

clean:
	rm -rf $(KBUILD) $(STOCK_KBUILD) $(BENCH_KBUILD) $(BENCH_STOCK_KBUILD) $(LIBBPF_DIR) $(BUILD)/bpftool $(BUILD)/swapctl $(BUILD)/swapctl-test \
		$(BPF_OUT) $(SELFTESTS) $(BUILD)/bench $(BUILD)/vm

distclean:
	rm -rf $(BUILD)
