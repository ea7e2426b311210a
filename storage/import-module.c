/* nook: the table nook-import.so exports (import-module.h). */
#include "storage/import-module.h"

#include <stdlib.h>
#include <string.h>

/* The GError, made with the module's GLib, handed on as a message. */
static gboolean
hand_on (gboolean ok, GError *error, char **error_message)
{
  if (!ok)
    *error_message = strdup (error != NULL ? error->message : "failed");
  g_clear_error (&error);
  return ok;
}

static gboolean
import_tar (int rootfs_fd, int source_fd, const char *source, gboolean layer, const char *digest,
            NookImportWriter *writer, char **error_message)
{
  GError *error = NULL;
  gboolean ok = nook_import_tar (rootfs_fd, source_fd, source, layer, digest, writer, &error);

  return hand_on (ok, error, error_message);
}

static gboolean
import_tree (int rootfs_fd, const char *source, NookImportWriter *writer, char **error_message)
{
  GError *error = NULL;
  gboolean ok = nook_import_tree (rootfs_fd, source, writer, &error);

  return hand_on (ok, error, error_message);
}

/* The tree is built with -fvisibility=hidden: this is the one name the
 * module exports. */
__attribute__ ((visibility ("default"))) const NookImportModule NOOK_IMPORT_MODULE_ENTRY = {
  .version = NOOK_VERSION,
  .import_tar = import_tar,
  .import_tree = import_tree,
};
