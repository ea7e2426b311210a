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
 * full parse. */
#pragma once

#include <glib.h>

#include "launcher/config/config.h"

/* Where the value of linux.seccomp.syscalls (an array) lies in a config's
 * text: [*out_begin, *out_end). FALSE when the text is not one well-formed
 * JSON object, or linux, seccomp or syscalls is absent, given twice, or not
 * of the expected type, or a member name on the way is written with
 * escapes: the caller then parses the whole text. */
gboolean nook_seccomp_alias_find_rules (const char *text, gsize length, gsize *out_begin,
                                        gsize *out_end);

/* nook_config_load, with the fast path when use_store: the program of a
 * config.json seen before comes from the store (with the warnings its
 * compile gave, appended to warnings), and its rules are not parsed. A
 * config without it gets the key (has_alias_key) so that
 * nook_seccomp_prepare files its program under it too. */
NookConfig *nook_config_load_with_store (const char *bundle_dir, const char *config_path,
                                         gboolean use_store, GPtrArray *warnings,
                                         GError **error);
