/* nook: `nook import SOURCE BUNDLE`, making a bundle owned for rootless use.
 *
 *   import.c          the stage: what SOURCE is, BUNDLE made and, on any
 *                     failure, removed again
 *   import-child.c    the child that writes the files, root in a user
 *                     namespace with the caller's default maps
 *   import-config.c   the bundle's config.json
 *   import-module.c   loading nook-import.so, which reads the source and
 *                     writes the files (storage/import-module.h) */
#pragma once

#include <glib.h>

#include "storage/import-module.h"
#include "userns/idmap.h"

typedef struct
{
  const char *source; /* a tarball, "-" (stdin), a directory, an OCI layout [":TAG"] */
  const char *bundle; /* made; must not exist or be empty */
  const char *tag;    /* --tag: the image of an OCI layout */
} NookImportRequest;

/* Makes the bundle; warnings (devices skipped, attributes not restored)
 * are appended to warnings for the command to print. On failure nothing of
 * the bundle is left. */
gboolean nook_lifecycle_import (const NookImportRequest *request, GPtrArray *warnings,
                                GError **error);

/* What the child does, once root in its user namespace. */
typedef gboolean (*NookImportWork) (gpointer data, NookImportWriter *writer, GError **error);

/* Forks a child that unshares a user namespace, waits for the maps of plan
 * and runs work there; its writer and error come back over a pipe. what
 * names the source in errors of the child's own (killed, failed). */
gboolean nook_import_run_child (const NookIdMapPlan *plan, const char *what, NookImportWork work,
                                gpointer data, NookImportWriter *writer, GError **error);

/* Writes bundle/config.json for desktop use: `nook spec --rootless` with a
 * writable root, a terminal, a login shell of the rootfs (or the image's
 * command) and podman's default capabilities; image (or NULL) gives env,
 * command, working directory and user. */
gboolean nook_import_write_config (const char *bundle, const NookOciImage *image, GError **error);

/* nook-import.so: the one next to nook's own executable (the build tree),
 * else the one meson installed; an error naming both places when neither
 * is there. Loaded once and never unloaded. */
const NookImportModule *nook_import_module_load (GError **error);

/* The module at path, checked to be built for this nook. */
const NookImportModule *nook_import_module_open (const char *path, GError **error);
