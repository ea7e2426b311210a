/* Unit tests of launcher/lifecycle/import-module.c: loading nook-import.so
 * (storage/import-module.h), the module that keeps libarchive out of
 * nook. The module is the build's own ($NOOK_IMPORT_MODULE); in the
 * ASan/UBSan build this is where the sanitizers see it loaded and used. */
#include <fcntl.h>
#include <glib.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "launcher/lifecycle/import.h"
#include "storage/remove.h"

static gboolean
libarchive_mapped (void)
{
  g_autofree char *maps = NULL;

  g_assert_true (g_file_get_contents ("/proc/self/maps", &maps, NULL, NULL));
  return strstr (maps, "/libarchive.so") != NULL;
}

static const NookImportModule *
open_built_module (void)
{
  const char *path = g_getenv ("NOOK_IMPORT_MODULE");
  g_autoptr (GError) error = NULL;
  const NookImportModule *module;

  g_assert_nonnull (path);
  module = nook_import_module_open (path, &error);
  g_assert_no_error (error);
  g_assert_nonnull (module);
  return module;
}

static void
test_load (void)
{
  const NookImportModule *module;

  module = open_built_module ();
  g_assert_cmpstr (module->version, ==, NOOK_VERSION);
  g_assert_nonnull (module->import_tar);
  g_assert_nonnull (module->import_tree);
  /* It brings libarchive, which nook does not link (import.bats). */
  g_assert_true (libarchive_mapped ());
  /* Loaded once: the same table again. */
  g_assert_true (open_built_module () == module);
}

/* A directory copied through the module: libarchive's disk reader in a
 * process of its own, its tar stream written out by the disk writer. */
static void
test_tree (void)
{
  const NookImportModule *module = open_built_module ();
  g_autofree char *tmp = g_dir_make_tmp ("test-import-module-XXXXXX", NULL);
  g_autofree char *src = g_build_filename (tmp, "src", NULL);
  g_autofree char *sub = g_build_filename (src, "etc", NULL);
  g_autofree char *file = g_build_filename (sub, "hostname", NULL);
  g_autofree char *link = g_build_filename (src, "link", NULL);
  g_autofree char *rootfs = g_build_filename (tmp, "rootfs", NULL);
  g_autofree char *copy = g_build_filename (rootfs, "etc", "hostname", NULL);
  g_autofree char *copy_link = g_build_filename (rootfs, "link", NULL);
  g_autofree char *cwd = g_get_current_dir ();
  g_autofree char *text = NULL;
  g_autofree char *target = NULL;
  NookImportWriter writer = { .n_uids = G_MAXUINT32, .n_gids = G_MAXUINT32 };
  char *message = NULL;
  gboolean ok;
  int rootfs_fd;

  g_assert_no_errno (g_mkdir_with_parents (sub, 0755));
  g_assert_no_errno (g_mkdir_with_parents (rootfs, 0755));
  g_assert_true (g_file_set_contents (file, "box\n", -1, NULL));
  g_assert_no_errno (symlink ("etc/hostname", link));
  rootfs_fd = open (rootfs, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  g_assert_cmpint (rootfs_fd, >=, 0);
  ok = module->import_tree (rootfs_fd, src, &writer, &message);
  close (rootfs_fd);
  nook_import_writer_clear (&writer);
  g_assert_no_errno (chdir (cwd));
  g_assert_cmpstr (message, ==, NULL);
  g_assert_true (ok);
  g_assert_true (g_file_get_contents (copy, &text, NULL, NULL));
  g_assert_cmpstr (text, ==, "box\n");
  target = g_file_read_link (copy_link, NULL);
  g_assert_cmpstr (target, ==, "etc/hostname");
  g_assert_true (nook_remove_tree (tmp, NULL));
}

/* A failure comes back as a message of malloc's, not as a GError: the
 * module's GLib is not nook's (import-module.h). */
static void
test_failure_message (void)
{
  const NookImportModule *module = open_built_module ();
  g_autofree char *tmp = g_dir_make_tmp ("test-import-module-XXXXXX", NULL);
  g_autofree char *src = g_build_filename (tmp, "no-such-dir", NULL);
  g_autofree char *cwd = g_get_current_dir ();
  NookImportWriter writer = { .n_uids = G_MAXUINT32, .n_gids = G_MAXUINT32 };
  char *message = NULL;
  gboolean ok;
  int rootfs_fd = open (tmp, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

  g_assert_cmpint (rootfs_fd, >=, 0);
  ok = module->import_tree (rootfs_fd, src, &writer, &message);
  close (rootfs_fd);
  nook_import_writer_clear (&writer);
  g_assert_no_errno (chdir (cwd));
  g_assert_false (ok);
  g_assert_nonnull (message);
  g_assert_nonnull (strstr (message, "no-such-dir"));
  free (message);
  g_assert_true (nook_remove_tree (tmp, NULL));
}

static void
test_missing (void)
{
  g_autoptr (GError) error = NULL;

  g_assert_null (nook_import_module_open ("/nonexistent/nook-import.so", &error));
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error->message, "import: cannot load nook's import module: "
                                            "/nonexistent/nook-import.so"));
  g_assert_null (strchr (error->message, '\n'));
}

/* A shared object that is not the module (the test shim of the build). */
static void
test_not_a_module (void)
{
  const char *shim = g_getenv ("NOOK_ENOSYS_SHIM");
  g_autoptr (GError) error = NULL;

  g_assert_nonnull (shim);
  g_assert_null (nook_import_module_open (shim, &error));
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (
      error->message, "is not nook's import module (it has no " NOOK_IMPORT_MODULE_SYMBOL ")"));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/import-module/load", test_load);
  g_test_add_func ("/import-module/tree", test_tree);
  g_test_add_func ("/import-module/failure-message", test_failure_message);
  g_test_add_func ("/import-module/missing", test_missing);
  g_test_add_func ("/import-module/not-a-module", test_not_a_module);
  return g_test_run ();
}
