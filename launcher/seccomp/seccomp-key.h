/* nook: the key of a seccomp profile in the per-user filter store. */
#pragma once

#include <glib.h>

#include "launcher/config/config.h"
#include "storage/filter-store.h"

/* SHA-256 over a canonical, length-prefixed serialisation of everything that
 * changes the compiled program: the store format version, nook's version
 * and build id (storage/build-id.h), the libseccomp version in use, the
 * native architecture (uname machine), and the profile itself
 * (defaultAction, defaultErrnoRet, architectures, every rule in order with
 * its names, action, errnoRet and argument conditions).
 * Not linux.seccomp.flags: they are given to seccomp(2) at load time and do
 * not change the program. */
void nook_seccomp_key (const NookSeccomp *seccomp, guint8 out_key[NOOK_FILTER_STORE_KEY_SIZE]);

/* The same for a given build id instead of the running nook's (tests). */
void nook_seccomp_key_for_build (const NookSeccomp *seccomp, const guint8 *build_id,
                                 gsize build_id_len, guint8 out_key[NOOK_FILTER_STORE_KEY_SIZE]);

/* The key of the store's fast path: SHA-256 over the same environment and
 * the text of linux.seccomp as read from config.json, under a tag of its
 * own (it cannot equal a profile's key). Any byte changed in the section is
 * another key; the rest of the file is not in it. */
void nook_seccomp_alias_key (const char *seccomp_text, gsize length,
                             guint8 out_key[NOOK_FILTER_STORE_KEY_SIZE]);

/* The same for a given build id instead of the running nook's (tests). */
void nook_seccomp_alias_key_for_build (const char *seccomp_text, gsize length,
                                       const guint8 *build_id, gsize build_id_len,
                                       guint8 out_key[NOOK_FILTER_STORE_KEY_SIZE]);
