/* nook: the filter store's fast path for a linux.seccomp seen before.
 *
 * A warm start needs the compiled program, not the profile: reading the
 * ~440 syscall names of a default profile into rules is most of the
 * config's parse. So the store also keeps each program under a key of
 * the text of linux.seccomp as it is in config.json (nook_seccomp_alias_key),
 * whatever else the file holds: engines write a new config.json for every
 * container around the same profile. When that key hits, the rules are not
 * read and the stored program is used. The key covers every byte of the
 * section, so the program is the one compiled from this very text; anything
 * unexpected (a miss, a damaged link or entry) is a full parse
 * (launcher/lifecycle/load.c puts the pieces together). */
#pragma once

#include <glib.h>

#include <linux/filter.h>

#include "launcher/config/config.h"

/* The program of the profile that config_key (nook_seccomp_alias_key)
 * links to, from the store with all of its checks. FALSE on a miss, a
 * damaged link or entry (an entry that fails a check is removed and said
 * in warnings, as on the ordinary path, which then finds it gone and
 * compiles), or no usable store (the ordinary path says why). The
 * warnings the profile's compile gave go to stored_warnings. */
gboolean nook_seccomp_alias_lookup (const guint8 *config_key, struct sock_filter **out_insns,
                                    guint *out_n, GPtrArray *stored_warnings, GPtrArray *warnings);
