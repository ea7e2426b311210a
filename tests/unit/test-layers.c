/* Unit tests of storage/layers.c: layer directories, metadata checks,
 * runtime status. */
#include <fcntl.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "storage/layers.h"
#include "storage/remove.h"

typedef struct
{
  char *tmp;
} Fixture;

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  f->tmp = g_dir_make_tmp ("test-layers-XXXXXX", NULL);
  g_assert_nonnull (f->tmp);
  g_setenv ("XDG_DATA_HOME", f->tmp, TRUE);
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  g_assert_true (nook_remove_tree (f->tmp, NULL));
  g_free (f->tmp);
}

static NookLayerInfo
info (const char *name, const char *bundle, const char *rootfs, const char *map)
{
  return (NookLayerInfo){ .name = (char *)name,
                          .bundle = (char *)bundle,
                          .rootfs = (char *)rootfs,
                          .uid_map = (char *)map,
                          .gid_map = (char *)map };
}

static void
test_ephemeral (Fixture *f, gconstpointer data)
{
  g_autofree char *dir = g_build_filename (f->tmp, "state", "layer", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (NookLayer) layer = nook_layer_new_ephemeral (dir, &error);

  g_assert_no_error (error);
  g_assert_true (layer->ephemeral);
  g_assert_true (g_file_test (layer->upper, G_FILE_TEST_IS_DIR));
  g_assert_true (g_file_test (layer->work, G_FILE_TEST_IS_DIR));
  g_assert_true (g_file_test (layer->merged, G_FILE_TEST_IS_DIR));
}

static void
test_persistent (Fixture *f, gconstpointer data)
{
  NookLayerInfo want = info ("dev", "/b1", "fuse-overlayfs", "0 1000 1\n");
  g_autoptr (GError) error = NULL;
  g_autoptr (NookLayer) layer = nook_layer_open_persistent (&want, FALSE, &error);
  g_autoptr (NookLayerInfo) have = NULL;
  g_autoptr (GPtrArray) names = NULL;
  g_autofree char *file = NULL;

  g_assert_no_error (error);
  g_assert_false (layer->ephemeral);
  file = g_build_filename (layer->upper, "kept", NULL);
  g_assert_true (g_file_set_contents (file, "x", -1, NULL));

  have = nook_layer_info_load ("dev", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (have->bundle, ==, "/b1");
  g_assert_cmpstr (have->rootfs, ==, "fuse-overlayfs");
  g_assert_cmpstr (have->uid_map, ==, "0 1000 1\n");
  g_assert_nonnull (have->created);

  /* Same again: the layer keeps its files. */
  g_clear_pointer (&layer, nook_layer_free);
  layer = nook_layer_open_persistent (&want, FALSE, &error);
  g_assert_no_error (error);
  g_assert_true (g_file_test (file, G_FILE_TEST_EXISTS));
  g_assert_cmpuint (nook_layer_disk_usage (layer->upper), >, 0);

  names = nook_layer_list_names (&error);
  g_assert_no_error (error);
  g_assert_cmpuint (names->len, ==, 1);
  g_assert_cmpstr (names->pdata[0], ==, "dev");
}

static void
test_refusals (Fixture *f, gconstpointer data)
{
  NookLayerInfo want = info ("dev", "/b1", "fuse-overlayfs", "0 1000 1\n");
  NookLayerInfo other_bundle = info ("dev", "/b2", "fuse-overlayfs", "0 1000 1\n");
  NookLayerInfo other_mode = info ("dev", "/b1", "overlay", "0 1000 1\n");
  NookLayerInfo other_map = info ("dev", "/b1", "fuse-overlayfs", "0 1000 1\n1 100000 65536\n");
  g_autoptr (GError) error = NULL;
  g_autoptr (NookLayer) layer = nook_layer_open_persistent (&want, FALSE, &error);
  g_autoptr (NookLayer) replaced = NULL;
  g_autofree char *file = g_build_filename (layer->upper, "old", NULL);

  g_assert_no_error (error);
  g_assert_true (g_file_set_contents (file, "x", -1, NULL));
  g_assert_null (nook_layer_open_persistent (&other_bundle, FALSE, &error));
  g_assert_nonnull (strstr (error->message, "another bundle (/b1)"));
  g_assert_nonnull (strstr (error->message, "--replace"));
  g_clear_error (&error);
  g_assert_null (nook_layer_open_persistent (&other_mode, FALSE, &error));
  g_assert_nonnull (strstr (error->message, "--rootfs=fuse-overlayfs"));
  g_clear_error (&error);
  g_assert_null (nook_layer_open_persistent (&other_map, FALSE, &error));
  g_assert_nonnull (strstr (error->message, "other id mappings"));
  g_assert_nonnull (strstr (error->message, "0 1000 1, 1 100000 65536"));
  g_clear_error (&error);

  replaced = nook_layer_open_persistent (&other_bundle, TRUE, &error);
  g_assert_no_error (error);
  g_assert_false (g_file_test (file, G_FILE_TEST_EXISTS));
}

static void
test_runtime_status (Fixture *f, gconstpointer data)
{
  g_autofree char *dir = g_build_filename (f->tmp, "run", "c1", NULL);
  g_autofree char *lock = g_build_filename (dir, "lock", NULL);
  g_autofree char *root = g_build_filename (f->tmp, "run", NULL);
  g_autoptr (GPtrArray) ids = NULL;
  int fd;

  g_assert_cmpint (nook_layer_runtime_status (root, "c1"), ==, NOOK_RUNTIME_NONE);
  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  /* Without a lock, however new: a state directory appears with its lock
   * (state.c), so this one's nook died making it. */
  g_assert_cmpint (nook_layer_runtime_status (root, "c1"), ==, NOOK_RUNTIME_DEAD);
  fd = open (lock, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (nook_layer_runtime_status (root, "c1"), ==, NOOK_RUNTIME_DEAD);
  /* flock is per open file description: a second open does not share it. */
  g_assert_cmpint (flock (fd, LOCK_EX), ==, 0);
  g_assert_cmpint (nook_layer_runtime_status (root, "c1"), ==, NOOK_RUNTIME_LIVE);
  close (fd);
  g_assert_cmpint (nook_layer_runtime_status (root, "c1"), ==, NOOK_RUNTIME_DEAD);
  ids = nook_layer_runtime_ids (root);
  g_assert_cmpuint (ids->len, ==, 1);
  g_assert_cmpstr (ids->pdata[0], ==, "c1");
}

static void
write_layer_json (Fixture *f, const char *name, const char *text)
{
  g_autofree char *dir = g_build_filename (f->tmp, "nook", "containers", name, NULL);
  g_autofree char *path = g_build_filename (dir, "layer.json", NULL);

  g_assert_no_errno (g_mkdir_with_parents (dir, 0700));
  g_assert_true (g_file_set_contents (path, text, -1, NULL));
}

/* Found by tests/fuzz/fuzz-layer: an empty layer.json (no JSON root) and
 * members of another type failed json-glib assertions, or gave NULL
 * strings that the checks of a second run compare. */
static void
test_info_damaged (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (NookLayerInfo) info = NULL;

  write_layer_json (f, "empty", "");
  info = nook_layer_info_load ("empty", &error);
  g_assert_nonnull (error);
  g_assert_null (info);
  g_clear_error (&error);

  write_layer_json (f, "types",
                    "{\"bundle\": 5, \"rootfs\": {}, \"uidMap\": [], "
                    "\"gidMap\": null, \"created\": true}");
  info = nook_layer_info_load ("types", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (info->bundle, ==, "");
  g_assert_cmpstr (info->rootfs, ==, "");
  g_assert_cmpstr (info->uid_map, ==, "");
  g_assert_cmpstr (info->gid_map, ==, "");
  g_assert_cmpstr (info->created, ==, "");
}

/* A damaged layer.json is not an absent one: nothing is replaced. */
static void
test_open_damaged (Fixture *f, gconstpointer data)
{
  NookLayerInfo want = info ("c", "/b", "overlay", "0 1000 1\n");
  g_autofree char *path = g_build_filename (f->tmp, "nook", "containers", "c", "layer.json", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (NookLayer) layer = NULL;
  g_autofree char *text = NULL;

  write_layer_json (f, "c", "{\"bundle\": ");
  layer = nook_layer_open_persistent (&want, FALSE, &error);
  g_assert_null (layer);
  g_assert_error (error, NOOK_STORAGE_ERROR, NOOK_STORAGE_ERROR_DAMAGED);
  g_assert_nonnull (strstr (error->message, path));
  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  g_assert_cmpstr (text, ==, "{\"bundle\": ");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
#define ADD(path, fn) g_test_add (path, Fixture, NULL, fixture_setup, fn, fixture_teardown)
  ADD ("/layers/ephemeral", test_ephemeral);
  ADD ("/layers/persistent", test_persistent);
  ADD ("/layers/refusals", test_refusals);
  ADD ("/layers/info-damaged", test_info_damaged);
  ADD ("/layers/open-damaged", test_open_damaged);
  ADD ("/layers/runtime-status", test_runtime_status);
  return g_test_run ();
}
