/* nook: making a bundle's root filesystem from a tarball, a directory or an
 * OCI image layout (`nook import`).
 *
 * Two halves, run by different processes:
 *   - reading an OCI image layout (import-oci.c): index.json, the manifest
 *     and the image config, parsed in the parent as the user;
 *   - writing files (import-archive.c, with libarchive): built into
 *     nook-import.so, not into nook, and called through the module's
 *     table (import-module.h); run by a child that
 *     is root in a user namespace with the caller's default maps (launcher/
 *     makes it), so that the ids of the source land on the caller's
 *     subordinate ids. These functions fchdir() into the rootfs: they are
 *     for that child only. */
#pragma once

#include <glib.h>

/* What the writing child may do and what it met. */
typedef struct
{
  /* Container ids 0..n_uids-1 (and 0..n_gids-1) are mapped and may own
   * files; an entry owned by another id is an error naming it. */
  guint32 n_uids;
  guint32 n_gids;
  /* Filled in: */
  guint devices_skipped;  /* character and block devices (no mknod in a user namespace) */
  guint unmapped_entries; /* directory copies: entries owned by ids the namespace lacks */
  guint n_warnings;       /* entries libarchive could not restore whole (xattrs, ACLs) */
  char *first_warning;    /* the first of them, naming the path */
} NookImportWriter;

/* Inline: nook clears the writer the module filled (import-module.h). */
static inline void
nook_import_writer_clear (NookImportWriter *writer)
{
  g_clear_pointer (&writer->first_warning, g_free);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (NookImportWriter, nook_import_writer_clear)

/* Extracts the tar stream on source_fd (any compression libarchive reads)
 * into rootfs_fd, the directory the child fchdir()s to. Absolute names,
 * ".." and paths through symbolic links are refused; ownership, modes
 * (setuid too), times, hardlinks, ACLs and extended attributes (file
 * capabilities) are kept; devices are counted and skipped. layer: an OCI
 * layer applied over what is there, whiteouts (".wh.NAME", ".wh..wh..opq")
 * honoured. digest ("sha256:HEX", or NULL): the stream's own digest, checked
 * once the whole stream was read. source names the source in errors. */
gboolean nook_import_tar (int rootfs_fd, int source_fd, const char *source, gboolean layer,
                          const char *digest, NookImportWriter *writer, GError **error);

/* Copies the directory tree source (an absolute path) into rootfs_fd, as
 * the calling user namespace sees it: ids it does not map come out as the
 * overflow id (counted in unmapped_entries). */
gboolean nook_import_tree (int rootfs_fd, const char *source, NookImportWriter *writer,
                           GError **error);

/* An OCI image, as far as import needs it. */
typedef struct
{
  char **layers;  /* blob paths, bottom layer first */
  char **digests; /* their digests, "sha256:HEX" */
  /* From the image config's "config"; NULL when absent. */
  char **env;
  char **entrypoint;
  char **cmd;
  char *working_dir;
  char *user;
} NookOciImage;

void nook_oci_image_free (NookOciImage *image);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (NookOciImage, nook_oci_image_free)

/* Is dir an OCI image layout (an "oci-layout" file and index.json)? */
gboolean nook_oci_is_layout (const char *dir);

/* Reads the layout dir: the manifest tagged tag (NULL: the only one; an
 * image index is followed to the manifest for this machine's
 * architecture), its config and its layers, whose blobs must exist.
 * Errors name the file and the JSON path. */
NookOciImage *nook_oci_image_load (const char *dir, const char *tag, GError **error);
