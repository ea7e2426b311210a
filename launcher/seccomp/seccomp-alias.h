/* nook: the filter store's fast path for a config.json seen before.
 *
 * A warm start needs the compiled program, not the profile: json-glib
 * building a tree of the ~440 syscall names of a default profile is most
 * of the parent's work. So the store also keeps each program under a key
 * of the whole config.json as read (nook_seccomp_alias_key). When that key
 * hits, linux.seccomp.syscalls is cut from the text before it is parsed
 * and the stored program is used. The key covers every byte of the file,
 * so the program is the one compiled from this very file; anything
 * unexpected (a miss, a damaged entry, a text the cut does not fit) is a
 * full parse (launcher/lifecycle/load.c puts the pieces together). */
#pragma once

#include <glib.h>

#include <linux/filter.h>

#include "launcher/config/config.h"

/* Where the value of linux.seccomp.syscalls (an array) lies in a config's
 * text: [*out_begin, *out_end). FALSE when the text is not one well-formed
 * JSON object, or linux, seccomp or syscalls is absent, given twice, or not
 * of the expected type, or a member name on the way is written with
 * escapes: the caller then parses the whole text. */
gboolean nook_seccomp_alias_find_rules (const char *text, gsize length, gsize *out_begin,
                                        gsize *out_end);

/* The program of the profile that config_key (nook_seccomp_alias_key)
 * links to, from the store with all of its checks. FALSE on a miss, a
 * damaged link or entry (an entry that fails a check is removed and said
 * in warnings, as on the ordinary path, which then finds it gone and
 * compiles), or no usable store (the ordinary path says why). The
 * warnings the profile's compile gave go to stored_warnings. */
gboolean nook_seccomp_alias_lookup (const guint8 *config_key, struct sock_filter **out_insns,
                                    guint *out_n, GPtrArray *stored_warnings, GPtrArray *warnings);
