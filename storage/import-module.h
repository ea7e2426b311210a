/* nook: nook-import.so, the module that holds what only `nook import`
 * needs of libarchive: the writing of a rootfs (import-archive.c).
 * libarchive brings a dozen libraries of its own (libxml2, ICU,
 * libstdc++, the compressors, nettle, libacl). nook does not link it:
 * `nook import` dlopen()s the module (launcher/lifecycle/import-module.c)
 * and resolves one symbol, NOOK_IMPORT_MODULE_SYMBOL, this table of
 * calls. No other command loads any of it.
 *
 * The table and NookImportWriter are an interface between two files
 * built apart: a change to either takes a new number at the end of
 * NOOK_IMPORT_MODULE_ENTRY, so that nook never calls a module built for
 * another table.
 *
 * No GLib object crosses it: nook links GLib statically (meson option
 * static_libs), the module the shared one, so each has a GLib of its own
 * (their quarks and allocators differ). Errors cross as a
 * message in memory from malloc(), free()d by the caller;
 * NookImportWriter's first_warning is malloc()'d too (g_strdup allocates
 * with malloc). */
#pragma once

#include "storage/import.h"

#define NOOK_IMPORT_MODULE_FILE "nook-import.so"
#define NOOK_IMPORT_MODULE_ENTRY nook_import_module_2
#define NOOK_IMPORT_MODULE_SYMBOL G_STRINGIFY (NOOK_IMPORT_MODULE_ENTRY)

typedef struct
{
  const char *version; /* NOOK_VERSION of the module's build */
  /* nook_import_tar and nook_import_tree (import.h); on failure, FALSE
   * and *error_message (malloc'd; NULL when out of memory). */
  gboolean (*import_tar) (int rootfs_fd, int source_fd, const char *source, gboolean layer,
                          const char *digest, NookImportWriter *writer, char **error_message);
  gboolean (*import_tree) (int rootfs_fd, const char *source, NookImportWriter *writer,
                           char **error_message);
} NookImportModule;

/* Defined by the module only (import-module.c). */
extern const NookImportModule NOOK_IMPORT_MODULE_ENTRY;
