/* nook: the filter store's index of config files seen before.
 *
 * ${XDG_CACHE_HOME:-~/.cache}/nook/seccomp-configs holds small files that
 * link a config.json (by a key of its whole text) to the store entry of its
 * profile. The entry itself stays the only place a program is read from,
 * with all of its checks. A link is 96 bytes: the config's key, the
 * profile's, and an HMAC-SHA256 of both keyed by the store's secret
 * (filter-secret.h), so that a damaged or forged link is a miss, never
 * another profile's entry (a container with the cache bound in could
 * otherwise point a config at the valid entry of a weaker profile). At
 * most 256 links (files 00 .. ff, by the config key's first byte):
 * publishing never lists the directory. Everything here is best effort and
 * silent: the index only saves time. */
#pragma once

#include <glib.h>

#include "storage/filter-store.h"

/* ${XDG_CACHE_HOME:-$HOME/.cache}/nook/seccomp-configs. */
char *nook_filter_alias_default_dir (void);

/* The profile key linked from config_key in dir (NULL: the default), and
 * TRUE; FALSE when there is no link for it, or it fails a check (it is then
 * removed). */
gboolean nook_filter_alias_lookup (const char *dir, const NookFilterSecret *secret,
                                   const guint8 *config_key,
                                   guint8 out_profile_key[NOOK_FILTER_STORE_KEY_SIZE]);

/* Links config_key to profile_key in dir (NULL: the default), creating the
 * directory (0700) if needed, in place of the link that shared its slot. */
void nook_filter_alias_publish (const char *dir, const NookFilterSecret *secret,
                                const guint8 *config_key, const guint8 *profile_key);

/* Removes every link (and temporary files a killed publish left); returns
 * how many links. */
guint nook_filter_alias_clear (const char *dir);
