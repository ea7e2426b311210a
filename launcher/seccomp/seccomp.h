/* nook: seccomp filters. Compiled in the parent (libseccomp), loaded in the
 * child (raw seccomp(2), no libseccomp, no allocation).
 *
 * The pipeline is "build filter" -> store -> "load filter":
 * nook_seccomp_compile produces the BPF program bytes; the per-user store of
 * compiled programs (storage/filter-store.c, keyed by launcher/seccomp-key.c)
 * sits between compile and load (launcher/seccomp-prepare.c). */
#pragma once

#include <glib.h>
#include <linux/filter.h>

#include "launcher/config/config.h"

typedef struct
{
  struct sock_filter *insns; /* g_malloc'd */
  guint n_insns;
} NookBpfProgram;

/* libseccomp's SCMP_FLTATR_CTL_OPTIMIZE level: 2 is a binary tree. Part of
 * the store key, since it changes the program. */
#define NOOK_SECCOMP_OPTIMIZE 2

void nook_bpf_program_free (NookBpfProgram *program);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (NookBpfProgram, nook_bpf_program_free)

/* Compiles the profile for the native architecture (plus the listed ones) with
 * libseccomp and exports the BPF. Syscall names libseccomp does not know are
 * skipped, each adding one line to warnings (a GPtrArray of char*, may be NULL),
 * like crun. SCMP_ACT_NOTIFY: error "not supported yet". */
NookBpfProgram *nook_seccomp_compile (const NookSeccomp *seccomp, GPtrArray *warnings,
                                      GError **error);

/* For `nook features`: whether nook_seccomp_compile can build a filter with
 * this action, and for this architecture ("SCMP_ARCH_AARCH64", as in the
 * config) with the libseccomp in use. */
gboolean nook_seccomp_action_supported (NookSeccompAction action);
gboolean nook_seccomp_arch_supported (const char *name);

/* The SECCOMP_FILTER_FLAG_* bits to load with: the config's flags, or
 * SECCOMP_FILTER_FLAG_SPEC_ALLOW when linux.seccomp.flags is absent (as crun). */
unsigned int nook_seccomp_load_flags (const NookSeccomp *seccomp);

/* Parent side: nook_seccomp_load_flags without the flags this kernel would
 * refuse. Each one the config asked for and that is dropped adds a warning
 * naming it (warnings: char *, may be NULL); the filter itself is loaded
 * all the same, as crun does. */
unsigned int nook_seccomp_kernel_flags (const NookSeccomp *seccomp, GPtrArray *warnings);

/* Child side, async-signal-safe: seccomp(SECCOMP_SET_MODE_FILTER, flags, prog),
 * with exactly these flags (no retry without them). Returns 0 or -errno. */
int nook_seccomp_load (const struct sock_filter *insns, unsigned short n_insns, unsigned int flags);
