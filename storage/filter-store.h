/* nook: the per-user store of compiled seccomp programs (BPF filters).
 *
 * ${XDG_CACHE_HOME:-$HOME/.cache}/nook/seccomp/ holds one file per key, named
 * after the key in hex. The store deals in bytes: the key (a SHA-256 the
 * launcher computes over the seccomp profile), the architecture the program
 * was compiled for, the struct sock_filter array and the warnings that
 * compiling it gave. It never decides what a profile means.
 *
 * A cache: deleting any of it is always safe. An entry that fails any check is
 * removed and reported as "discarded", never returned, so a damaged or planted
 * entry can cost a recompile but never weaken a filter. Every entry carries
 * an HMAC keyed by the user's secret (filter-secret.h): the threat model is
 * at the top of filter-store.c. */
#pragma once

#include <glib.h>
#include <linux/filter.h>

#include "storage/filter-secret.h"
#include "storage/xdg.h"

#define NOOK_FILTER_STORE_FORMAT_VERSION 2
#define NOOK_FILTER_STORE_KEY_SIZE 32    /* SHA-256 */
#define NOOK_FILTER_STORE_MAX_INSNS 4096 /* BPF_MAXINSNS */
#define NOOK_FILTER_STORE_DEFAULT_MAX_ENTRIES 256
#define NOOK_FILTER_STORE_MAX_ENTRIES_ENV "NOOK_FILTER_CACHE_MAX_ENTRIES"

typedef struct NookFilterStore NookFilterStore;

typedef enum
{
  NOOK_FILTER_STORE_MISS,      /* no entry for the key */
  NOOK_FILTER_STORE_HIT,       /* a valid entry: program and warnings returned */
  NOOK_FILTER_STORE_DISCARDED, /* an invalid entry: removed, reason in error */
} NookFilterStoreResult;

/* What `nook cache ls` shows of one entry. */
typedef struct
{
  char *name;    /* file name: the key in hex for entries */
  guint64 size;  /* bytes */
  gint64 mtime;  /* last use, seconds since the epoch */
  guint n_insns; /* 0 when invalid */
  char *invalid; /* NULL, or why the entry would be discarded */
} NookFilterStoreEntryInfo;

void nook_filter_store_entry_info_free (NookFilterStoreEntryInfo *info);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (NookFilterStoreEntryInfo, nook_filter_store_entry_info_free)

/* Opens the store at dir (NULL: the default) whose entries are MAC'd with
 * secret (copied; NULL: a store that can only be cleared). A directory that
 * does not exist yet is not an error: lookups miss and the first publish
 * creates it (0700). One that is a symlink, not a directory, not owned by
 * the effective uid, or writable by group or others fails with
 * NOOK_STORAGE_ERROR_INSECURE; so does, for the default directory, any
 * directory between it and ${XDG_CACHE_HOME:-$HOME/.cache} (included) that
 * is not owned by the effective uid or is writable by group or others. */
NookFilterStore *nook_filter_store_open (const char *dir, const NookFilterSecret *secret,
                                         GError **error);
void nook_filter_store_free (NookFilterStore *store);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (NookFilterStore, nook_filter_store_free)

/* The secret the store checks its entries with; NULL when opened without. */
const NookFilterSecret *nook_filter_store_get_secret (NookFilterStore *store);

/* Looks the key up. On a hit, *out_insns (g_malloc'd) and *out_n_insns hold
 * the program and each stored warning is appended to warnings (char *, may be
 * NULL), and the entry's mtime is set to now (the LRU clock). An entry that
 * fails a check is removed: NOOK_FILTER_STORE_DISCARDED with the reason in
 * error. The hit path is one open, one fstat, one read, one HMAC and one
 * futimens; it never lists the directory. */
NookFilterStoreResult nook_filter_store_lookup (NookFilterStore *store, const guint8 *key,
                                                guint32 arch, struct sock_filter **out_insns,
                                                guint *out_n_insns, GPtrArray *warnings,
                                                GError **error);

/* Writes an entry atomically (an unnamed or temporary file in the store's
 * directory, then link or rename), creating the directory if needed. When the
 * store already holds max_entries entries, the least recently used ones are
 * removed first. warnings: char * lines, may be NULL. An entry another process
 * published meanwhile for the same key is kept (it has the same content). */
gboolean nook_filter_store_publish (NookFilterStore *store, const guint8 *key, guint32 arch,
                                    const struct sock_filter *insns, guint n_insns,
                                    GPtrArray *warnings, guint max_entries, GError **error);

/* The entries (NookFilterStoreEntryInfo), most recently used first, with
 * each one checked as a lookup would (arch: the native architecture). */
GPtrArray *nook_filter_store_list (NookFilterStore *store, guint32 arch, GError **error);

/* Removes invalid entries and leftover temporary files, then the least
 * recently used entries until at most max_entries remain. *out_removed: the
 * number of files removed (may be NULL). */
gboolean nook_filter_store_prune (NookFilterStore *store, guint32 arch, guint max_entries,
                                  guint *out_removed, GError **error);

/* Removes every entry and temporary file (the directory stays). */
gboolean nook_filter_store_clear (NookFilterStore *store, guint *out_removed, GError **error);

/* The bound on the number of entries: NOOK_FILTER_CACHE_MAX_ENTRIES, or 256
 * when unset. An invalid value gives an error (and *out_max the default). */
gboolean nook_filter_store_max_entries_from_env (guint *out_max, GError **error);

/* The key as the entry's file name (lower-case hex). */
char *nook_filter_store_key_to_hex (const guint8 *key);
