/* nook: `nook import`, the stage (import.h).
 *
 * Everything that can be checked as the user is checked before BUNDLE is
 * made: the import module is there (import-module.c), the source exists,
 * an OCI layout's index, manifest, config and blobs. Then BUNDLE/rootfs is
 * made, a child writes the files in a user namespace with the caller's
 * default maps, and config.json is written. From the moment BUNDLE is
 * made, a failure removes what was made: files owned by subordinate ids
 * go from a user namespace with the same maps. */
#include "launcher/lifecycle/import.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "launcher/container/rootfs.h"
#include "launcher/errors.h"
#include "storage/autofd.h"
#include "userns/userns.h"

typedef enum
{
  SOURCE_TAR,
  SOURCE_TREE,
  SOURCE_OCI,
} SourceKind;

typedef struct
{
  const NookImportModule *module; /* nook-import.so */
  SourceKind kind;
  const char *name;    /* for messages: the source as given, "stdin" for "-" */
  char *path;          /* tree: absolute; OCI: the layout directory */
  char *tag;           /* OCI: DIR:TAG or --tag */
  int fd;              /* tar: the open source (0 for stdin, not ours) */
  char *rootfs;        /* BUNDLE/rootfs */
  NookOciImage *image; /* OCI */
} Import;

static void
import_clear (Import *im)
{
  if (im->fd > 0)
    close (im->fd);
  g_free (im->path);
  g_free (im->tag);
  g_free (im->rootfs);
  g_clear_pointer (&im->image, nook_oci_image_free);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Import, import_clear)

static gboolean
fail_errno (GError **error, int errsv, const char *path)
{
  g_set_error (error, NOOK_ERROR, NOOK_ERROR_FAILED, "%s: %s", path, g_strerror (errsv));
  return FALSE;
}

/* DIR:TAG when DIR is a layout and DIR:TAG itself is no file. */
static gboolean
split_layout_tag (const char *source, char **out_dir, char **out_tag)
{
  const char *colon = strrchr (source, ':');
  g_autofree char *dir = NULL;

  if (colon == NULL || colon == source || colon[1] == '\0' || strchr (colon, '/') != NULL
      || g_file_test (source, G_FILE_TEST_EXISTS))
    return FALSE;
  dir = g_strndup (source, colon - source);
  if (!nook_oci_is_layout (dir))
    return FALSE;
  *out_dir = g_canonicalize_filename (dir, NULL);
  *out_tag = g_strdup (colon + 1);
  return TRUE;
}

static gboolean
classify_source (const NookImportRequest *r, Import *im, GError **error)
{
  struct stat st;

  im->name = r->source;
  if (strcmp (r->source, "-") == 0)
    {
      if (isatty (STDIN_FILENO))
        {
          g_set_error (error, NOOK_ERROR, NOOK_ERROR_USAGE,
                       "import: -: stdin is a terminal; pipe a tarball in "
                       "(mmdebstrap ... - | nook import - BUNDLE)");
          return FALSE;
        }
      im->kind = SOURCE_TAR;
      im->name = "stdin";
      im->fd = 0;
      return TRUE;
    }
  if (split_layout_tag (r->source, &im->path, &im->tag))
    {
      if (r->tag != NULL && strcmp (r->tag, im->tag) != 0)
        {
          g_set_error (error, NOOK_ERROR, NOOK_ERROR_USAGE,
                       "import: %s names tag \"%s\" and --tag \"%s\": give one", r->source, im->tag,
                       r->tag);
          return FALSE;
        }
      im->kind = SOURCE_OCI;
      return TRUE;
    }
  if (stat (r->source, &st) < 0)
    return fail_errno (error, errno, r->source);
  if (S_ISDIR (st.st_mode) && nook_oci_is_layout (r->source))
    {
      im->kind = SOURCE_OCI;
      /* Absolute: the child works in the rootfs. */
      im->path = g_canonicalize_filename (r->source, NULL);
      im->tag = g_strdup (r->tag);
      return TRUE;
    }
  if (r->tag != NULL)
    {
      g_set_error (error, NOOK_ERROR, NOOK_ERROR_USAGE,
                   "import: --tag %s: %s is not an OCI image layout (no oci-layout and "
                   "index.json)",
                   r->tag, r->source);
      return FALSE;
    }
  if (S_ISDIR (st.st_mode))
    {
      im->kind = SOURCE_TREE;
      im->path = g_canonicalize_filename (r->source, NULL);
      return TRUE;
    }
  im->kind = SOURCE_TAR;
  im->fd = open (r->source, O_RDONLY | O_CLOEXEC);
  if (im->fd < 0)
    return fail_errno (error, errno, r->source);
  return TRUE;
}

static gboolean
dir_is_empty (const char *path, GError **error)
{
  DIR *d = opendir (path);
  struct dirent *e;
  gboolean empty = TRUE;

  if (d == NULL)
    return fail_errno (error, errno, path);
  while (empty && (e = readdir (d)) != NULL)
    if (strcmp (e->d_name, ".") != 0 && strcmp (e->d_name, "..") != 0)
      empty = FALSE;
  closedir (d);
  if (!empty)
    g_set_error (error, NOOK_ERROR, NOOK_ERROR_FAILED,
                 "%s: the bundle directory exists and is not empty: import into a new "
                 "directory",
                 path);
  return empty;
}

/* BUNDLE must not exist, or be an empty directory; *out_made says
 * whether it was made here (and goes again on failure). */
static gboolean
check_bundle (const char *bundle, const Import *im, gboolean *out_made, GError **error)
{
  struct stat st;

  *out_made = FALSE;
  if (lstat (bundle, &st) == 0)
    {
      if (!S_ISDIR (st.st_mode))
        {
          g_set_error (error, NOOK_ERROR, NOOK_ERROR_FAILED,
                       "%s: exists and is not a directory: import into a new directory", bundle);
          return FALSE;
        }
      if (!dir_is_empty (bundle, error))
        return FALSE;
    }
  else if (errno != ENOENT)
    return fail_errno (error, errno, bundle);
  if (im->kind == SOURCE_TREE)
    {
      g_autofree char *abs = g_canonicalize_filename (bundle, NULL);
      g_autofree char *prefix = g_strconcat (im->path, "/", NULL);

      if (strcmp (abs, im->path) == 0 || g_str_has_prefix (abs, prefix))
        {
          g_set_error (error, NOOK_ERROR, NOOK_ERROR_FAILED,
                       "%s: the bundle would be inside the directory it is copied from (%s)",
                       bundle, im->path);
          return FALSE;
        }
    }
  if (lstat (bundle, &st) < 0)
    {
      if (mkdir (bundle, 0755) < 0)
        return fail_errno (error, errno, bundle);
      *out_made = TRUE;
    }
  return TRUE;
}

/* The count of container ids from 0 up that the maps cover without a gap:
 * the ids a file may be owned by. */
static guint32
mapped_from_zero (const NookIdMapping *m, guint n)
{
  guint32 next = 0;

  for (guint i = 0; i < n; i++)
    if (m[i].container_id == next)
      next += m[i].size;
  return next;
}

/* The module's answer (import-module.h) as nook's GError: FALSE with
 * *message set (or NULL) becomes one, the message freed. */
static gboolean
module_result (gboolean ok, char **message, GError **error)
{
  if (!ok)
    g_set_error (error, NOOK_ERROR, NOOK_ERROR_FAILED, "%s",
                 *message != NULL ? *message : "import: out of memory");
  g_clear_pointer (message, free);
  return ok;
}

static gboolean
work (gpointer data, NookImportWriter *writer, GError **error)
{
  Import *im = data;
  nook_autofd int rootfs_fd = open (im->rootfs, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  char *message = NULL;
  gboolean ok;

  if (rootfs_fd < 0)
    return fail_errno (error, errno, im->rootfs);
  switch (im->kind)
    {
    case SOURCE_TAR:
      ok = im->module->import_tar (rootfs_fd, im->fd, im->name, FALSE, NULL, writer, &message);
      return module_result (ok, &message, error);
    case SOURCE_TREE:
      ok = im->module->import_tree (rootfs_fd, im->path, writer, &message);
      return module_result (ok, &message, error);
    case SOURCE_OCI:
      for (guint i = 0; im->image->layers[i] != NULL; i++)
        {
          const char *blob = im->image->layers[i];
          nook_autofd int fd = open (blob, O_RDONLY | O_CLOEXEC);

          if (fd < 0)
            return fail_errno (error, errno, blob);
          ok = im->module->import_tar (rootfs_fd, fd, blob, TRUE, im->image->digests[i], writer,
                                       &message);
          if (!module_result (ok, &message, error))
            return FALSE;
        }
      return TRUE;
    }
  return FALSE;
}

static void
add_warnings (const Import *im, const NookImportWriter *w, GPtrArray *warnings)
{
  if (w->devices_skipped > 0)
    g_ptr_array_add (warnings,
                     g_strdup_printf ("%s: %u device node%s skipped: a user namespace cannot "
                                      "make devices (as rootless podman); bind the host's "
                                      "into the container instead",
                                      im->name, w->devices_skipped,
                                      w->devices_skipped == 1 ? "" : "s"));
  if (w->unmapped_entries > 0)
    g_ptr_array_add (warnings,
                     g_strdup_printf ("%s: %u entr%s owned by ids your user namespace does "
                                      "not map (host root's, other users'): they are nobody's "
                                      "(65534) in the bundle; to keep root's files root's, "
                                      "import a tarball made as root (sudo tar -C DIR -c . | "
                                      "nook import - BUNDLE)",
                                      im->name, w->unmapped_entries,
                                      w->unmapped_entries == 1 ? "y is" : "ies are"));
  if (w->n_warnings > 0)
    g_ptr_array_add (warnings,
                     g_strdup_printf ("%s: %u entr%s not restored whole (the first: %s)", im->name,
                                      w->n_warnings, w->n_warnings == 1 ? "y" : "ies",
                                      w->first_warning));
}

/* Removes what this import made of bundle: all of it when it made the
 * directory, else what is in it. */
static void
remove_made (const char *bundle, gboolean made, const NookIdMapPlan *plan, GError **error)
{
  g_autoptr (GError) local = NULL;
  g_autofree char *rootfs = g_build_filename (bundle, "rootfs", NULL);
  g_autofree char *config = g_build_filename (bundle, "config.json", NULL);
  gboolean ok;

  if (made)
    ok = plan ? nook_rootfs_remove_layer (bundle, plan, &local)
              : nook_rootfs_remove_layer_as_caller (bundle, &local);
  else
    {
      ok = plan ? nook_rootfs_remove_layer (rootfs, plan, &local)
                : nook_rootfs_remove_layer_as_caller (rootfs, &local);
      unlink (config);
    }
  if (!ok && error != NULL && *error != NULL)
    g_prefix_error (error, "(and %s is left behind: %s) ", bundle, local->message);
}

static gboolean
import_into (Import *im, const NookImportRequest *r, const NookIdMapPlan *plan, GPtrArray *warnings,
             GError **error)
{
  g_auto (NookImportWriter) writer = {
    .n_uids = mapped_from_zero (plan->uid_mappings, plan->n_uid),
    .n_gids = mapped_from_zero (plan->gid_mappings, plan->n_gid),
  };

  im->rootfs = g_build_filename (r->bundle, "rootfs", NULL);
  if (mkdir (im->rootfs, 0755) < 0)
    return fail_errno (error, errno, im->rootfs);
  if (!nook_import_run_child (plan, im->name, work, im, &writer, error))
    return FALSE;
  add_warnings (im, &writer, warnings);
  return nook_import_write_config (r->bundle, im->image, error);
}

static const int stop_signals[] = { SIGINT, SIGTERM, SIGHUP };

gboolean
nook_lifecycle_import (const NookImportRequest *r, GPtrArray *warnings, GError **error)
{
  g_auto (Import) im = { 0 };
  g_autoptr (NookIdMapPlan) plan = NULL;
  gboolean made = FALSE, ok;
  sigset_t stop, old;

  im.module = nook_import_module_load (error);
  if (im.module == NULL || !classify_source (r, &im, error))
    return FALSE;
  if (im.kind == SOURCE_OCI)
    {
      im.image = nook_oci_image_load (im.path, im.tag, error);
      if (im.image == NULL)
        return FALSE;
    }
  plan = nook_userns_plan_for_caller (NULL, 0, NULL, 0, NOOK_USERNS_AUTO, warnings, error);
  if (plan == NULL)
    return FALSE;
  if (!check_bundle (r->bundle, &im, &made, error))
    return FALSE;

  /* Ctrl-C or a SIGTERM must not leave half a bundle: held until the
   * child is done and what it made is removed (the child dies of them). */
  sigemptyset (&stop);
  for (gsize i = 0; i < G_N_ELEMENTS (stop_signals); i++)
    {
      struct sigaction sa;

      /* Ignored when nook started (a background job of a script): let
       * it stay so, not turn into a failure. */
      if (sigaction (stop_signals[i], NULL, &sa) == 0 && sa.sa_handler != SIG_IGN)
        sigaddset (&stop, stop_signals[i]);
    }
  sigprocmask (SIG_BLOCK, &stop, &old);
  ok = import_into (&im, r, plan, warnings, error);
  if (ok)
    {
      sigset_t pending;

      sigpending (&pending);
      for (int sig = 1; sig < NSIG && ok; sig++)
        if (sigismember (&stop, sig) && sigismember (&pending, sig))
          {
            g_set_error (error, NOOK_ERROR, NOOK_ERROR_FAILED, "%s: interrupted (%s)", r->bundle,
                         g_strsignal (sig));
            ok = FALSE;
          }
    }
  if (!ok)
    {
      /* Signals stay held: nook exits with the error once it is printed. */
      remove_made (r->bundle, made, plan, error);
      return FALSE;
    }
  sigprocmask (SIG_SETMASK, &old, NULL);
  return TRUE;
}
