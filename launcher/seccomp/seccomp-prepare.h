/* nook: the seccomp program of a container, from the per-user store of
 * compiled filters or from libseccomp. */
#pragma once

#include <glib.h>

#include "launcher/config/config.h"
#include "launcher/seccomp/seccomp.h"
#include "storage/filter-store.h"

/* Returns the BPF program for the profile. With use_store, the per-user store
 * is looked up first (a hit costs a file read, no libseccomp) and a program
 * compiled on a miss is saved in it. Warnings go to warnings (char *, may be
 * NULL): the profile's own (unknown syscall names), the same on a hit as on a
 * miss, then at most one about the store (not usable, a damaged entry
 * discarded, or the program could not be saved). The store never makes a run
 * fail nor gives a weaker filter: whatever goes wrong with it, the profile is
 * compiled in memory. Errors are the compiler's. */
NookBpfProgram *nook_seccomp_prepare (const NookSeccomp *seccomp, gboolean use_store,
                                      GPtrArray *warnings, GError **error);

/* The user's store at its default place, with the user's secret from the
 * kernel keyring. When the secret was just made (the first run, or the
 * keyring expired), entries and links written before cannot be verified:
 * they are removed, quietly, rather than discarded one by one with a
 * warning each. Fails when there is no secret or the directory is unsafe;
 * the error says why. */
NookFilterStore *nook_seccomp_store_open (GError **error);

/* The warning for a store entry that failed a check and was removed:
 * reason is the store's error, naming the file. */
char *nook_seccomp_discarded_warning (const GError *reason);
