/* Unit tests of storage/import-*.c: reading OCI image layouts, and layers
 * applied with their whiteouts (as the calling user: every entry is owned
 * by the caller's own ids, which it may chown to). */
#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <glib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "storage/import.h"
#include "storage/remove.h"

typedef struct
{
  char *tmp;
  char *cwd; /* nook_import_tar changes the working directory */
} Fixture;

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  f->tmp = g_dir_make_tmp ("test-import-XXXXXX", NULL);
  f->cwd = g_get_current_dir ();
  g_assert_nonnull (f->tmp);
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  g_assert_no_errno (chdir (f->cwd));
  g_assert_true (nook_remove_tree (f->tmp, NULL));
  g_free (f->tmp);
  g_free (f->cwd);
}

/* Writes a blob of the layout dir; returns its digest. */
static char *
put_blob (const char *dir, const char *text)
{
  g_autofree char *hex = g_compute_checksum_for_string (G_CHECKSUM_SHA256, text, -1);
  g_autofree char *blobs = g_build_filename (dir, "blobs", "sha256", NULL);
  g_autofree char *path = g_build_filename (blobs, hex, NULL);

  g_assert_no_errno (g_mkdir_with_parents (blobs, 0755));
  g_assert_true (g_file_set_contents (path, text, -1, NULL));
  return g_strconcat ("sha256:", hex, NULL);
}

/* A manifest with one layer and a config; returns the manifest's digest. */
static char *
put_image (const char *dir, const char *cmd, gboolean with_layer_blob)
{
  g_autofree char *config = g_strdup_printf ("{\"config\":{\"Cmd\":[\"%s\"],\"Env\":[\"A=1\"],"
                                             "\"WorkingDir\":\"/w\",\"User\":\"7:8\"}}",
                                             cmd);
  g_autofree char *config_digest = put_blob (dir, config);
  g_autofree char *layer_digest = NULL;
  g_autofree char *manifest = NULL;

  if (with_layer_blob)
    layer_digest = put_blob (dir, cmd);
  else
    layer_digest
        = g_strdup ("sha256:0000000000000000000000000000000000000000000000000000000000000000");
  manifest = g_strdup_printf (
      "{\"schemaVersion\":2,\"config\":{\"digest\":\"%s\"},\"layers\":[{\"mediaType\":"
      "\"application/vnd.oci.image.layer.v1.tar+gzip\",\"digest\":\"%s\"}]}",
      config_digest, layer_digest);
  return put_blob (dir, manifest);
}

static void
put_index (const char *dir, const char *manifests)
{
  g_autofree char *layout = g_build_filename (dir, "oci-layout", NULL);
  g_autofree char *index = g_build_filename (dir, "index.json", NULL);
  g_autofree char *text = g_strdup_printf ("{\"schemaVersion\":2,\"manifests\":[%s]}", manifests);

  g_assert_true (g_file_set_contents (layout, "{\"imageLayoutVersion\":\"1.0.0\"}", -1, NULL));
  g_assert_true (g_file_set_contents (index, text, -1, NULL));
}

static char *
tagged (const char *digest, const char *tag)
{
  return g_strdup_printf ("{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
                          "\"digest\":\"%s\",\"annotations\":{"
                          "\"org.opencontainers.image.ref.name\":\"%s\"}}",
                          digest, tag);
}

static void
test_oci_tags (Fixture *f, gconstpointer data)
{
  g_autofree char *one = put_image (f->tmp, "one", TRUE);
  g_autofree char *two = put_image (f->tmp, "two", TRUE);
  g_autofree char *d1 = tagged (one, "v1");
  g_autofree char *d2 = tagged (two, "v2");
  g_autofree char *both = g_strconcat (d1, ",", d2, NULL);
  g_autoptr (NookOciImage) image = NULL;
  g_autoptr (GError) error = NULL;

  put_index (f->tmp, both);
  g_assert_true (nook_oci_is_layout (f->tmp));
  image = nook_oci_image_load (f->tmp, "v2", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (image->cmd[0], ==, "two");
  g_assert_cmpstr (image->env[0], ==, "A=1");
  g_assert_cmpstr (image->working_dir, ==, "/w");
  g_assert_cmpstr (image->user, ==, "7:8");
  g_assert_null (image->entrypoint);
  g_assert_cmpuint (g_strv_length (image->layers), ==, 1);
  g_assert_true (g_str_has_suffix (image->layers[0], image->digests[0] + strlen ("sha256:")));
  g_clear_pointer (&image, nook_oci_image_free);

  image = nook_oci_image_load (f->tmp, NULL, &error);
  g_assert_null (image);
  g_assert_nonnull (strstr (error->message, "2 images in the layout"));
  g_assert_nonnull (strstr (error->message, "v1, v2"));
  g_clear_error (&error);

  image = nook_oci_image_load (f->tmp, "v3", &error);
  g_assert_null (image);
  g_assert_nonnull (strstr (error->message, "no image tagged \"v3\""));
}

static void
test_oci_missing_blob (Fixture *f, gconstpointer data)
{
  g_autofree char *one = put_image (f->tmp, "one", FALSE);
  g_autofree char *d1 = tagged (one, "v1");
  g_autoptr (NookOciImage) image = NULL;
  g_autoptr (GError) error = NULL;

  put_index (f->tmp, d1);
  image = nook_oci_image_load (f->tmp, NULL, &error);
  g_assert_null (image);
  g_assert_nonnull (strstr (error->message, "layers[0]: blob sha256:0000"));
  g_assert_nonnull (strstr (error->message, "is missing"));
  g_clear_error (&error);

  put_index (f->tmp, "{\"digest\":\"sha256:../../etc\"}");
  image = nook_oci_image_load (f->tmp, NULL, &error);
  g_assert_null (image);
  g_assert_nonnull (strstr (error->message, "is not ALGORITHM:HEX"));
}

/* An image index (skopeo copy --all) is followed to this machine's
 * architecture. */
static void
test_oci_nested_index (Fixture *f, gconstpointer data)
{
  g_autofree char *other = put_image (f->tmp, "other", TRUE);
  g_autofree char *mine = put_image (f->tmp, "mine", TRUE);
  struct utsname u;
  const char *arch;
  g_autofree char *nested = NULL;
  g_autofree char *nested_digest = NULL;
  g_autofree char *d = NULL;
  g_autoptr (NookOciImage) image = NULL;
  g_autoptr (GError) error = NULL;

  g_assert_no_errno (uname (&u));
  arch = strcmp (u.machine, "x86_64") == 0    ? "amd64"
         : strcmp (u.machine, "aarch64") == 0 ? "arm64"
                                              : u.machine;
  nested = g_strdup_printf (
      "{\"schemaVersion\":2,\"manifests\":[{\"digest\":\"%s\",\"platform\":{\"architecture\":"
      "\"no-such-arch\",\"os\":\"linux\"}},{\"digest\":\"%s\",\"platform\":{\"architecture\":"
      "\"%s\",\"os\":\"linux\"}}]}",
      other, mine, arch);
  nested_digest = put_blob (f->tmp, nested);
  d = g_strdup_printf ("{\"mediaType\":\"application/vnd.oci.image.index.v1+json\","
                       "\"digest\":\"%s\"}",
                       nested_digest);
  put_index (f->tmp, d);
  image = nook_oci_image_load (f->tmp, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (image->cmd[0], ==, "mine");
}

typedef struct
{
  const char *path;
  mode_t type; /* AE_IFREG, AE_IFDIR */
} Entry;

/* A tar file of entries owned by the caller. */
static char *
make_tar (const char *dir, const char *name, const Entry *entries, guint n)
{
  char *path = g_build_filename (dir, name, NULL);
  struct archive *a = archive_write_new ();

  archive_write_set_format_pax_restricted (a);
  g_assert_cmpint (archive_write_open_filename (a, path), ==, ARCHIVE_OK);
  for (guint i = 0; i < n; i++)
    {
      struct archive_entry *e = archive_entry_new ();

      archive_entry_set_pathname (e, entries[i].path);
      archive_entry_set_filetype (e, entries[i].type);
      archive_entry_set_perm (e, entries[i].type == AE_IFDIR ? 0755 : 0644);
      archive_entry_set_uid (e, getuid ());
      archive_entry_set_gid (e, getgid ());
      archive_entry_set_size (e, 0);
      g_assert_cmpint (archive_write_header (a, e), ==, ARCHIVE_OK);
      archive_entry_free (e);
    }
  archive_write_close (a);
  archive_write_free (a);
  return path;
}

static gboolean
apply (Fixture *f, const char *tar, gboolean layer, GError **error)
{
  g_autofree char *rootfs = g_build_filename (f->tmp, "rootfs", NULL);
  NookImportWriter writer = { .n_uids = G_MAXUINT32, .n_gids = G_MAXUINT32 };
  int rootfs_fd, fd;
  gboolean ok;

  g_mkdir_with_parents (rootfs, 0755);
  rootfs_fd = open (rootfs, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  fd = open (tar, O_RDONLY | O_CLOEXEC);
  g_assert_cmpint (rootfs_fd, >=, 0);
  g_assert_cmpint (fd, >=, 0);
  ok = nook_import_tar (rootfs_fd, fd, tar, layer, NULL, &writer, error);
  close (fd);
  close (rootfs_fd);
  nook_import_writer_clear (&writer);
  g_assert_no_errno (chdir (f->cwd));
  return ok;
}

static gboolean
exists (Fixture *f, const char *rel)
{
  g_autofree char *path = g_build_filename (f->tmp, "rootfs", rel, NULL);
  struct stat st;

  return lstat (path, &st) == 0;
}

static void
test_tar_whiteouts (Fixture *f, gconstpointer data)
{
  const Entry lower[] = {
    { "a", AE_IFDIR }, { "a/x", AE_IFREG }, { "a/sub", AE_IFDIR }, { "a/sub/y", AE_IFREG },
    { "b", AE_IFREG }, { "c", AE_IFDIR },   { "c/z", AE_IFREG },
  };
  /* a/new comes before the opaque marker and stays; c, a directory
   * below, becomes a file. */
  const Entry upper[] = {
    { "a", AE_IFDIR },     { "a/new", AE_IFREG }, { "a/.wh..wh..opq", AE_IFREG },
    { ".wh.b", AE_IFREG }, { "c", AE_IFREG },     { ".wh..wh.plnk", AE_IFREG },
  };
  g_autofree char *t1 = make_tar (f->tmp, "1.tar", lower, G_N_ELEMENTS (lower));
  g_autofree char *t2 = make_tar (f->tmp, "2.tar", upper, G_N_ELEMENTS (upper));
  g_autoptr (GError) error = NULL;
  g_autofree char *c = g_build_filename (f->tmp, "rootfs", "c", NULL);

  g_assert_true (apply (f, t1, TRUE, &error));
  g_assert_no_error (error);
  g_assert_true (apply (f, t2, TRUE, &error));
  g_assert_no_error (error);
  g_assert_true (exists (f, "a/new"));
  g_assert_false (exists (f, "a/x"));
  g_assert_false (exists (f, "a/sub"));
  g_assert_false (exists (f, "b"));
  g_assert_false (exists (f, "a/.wh..wh..opq"));
  g_assert_false (exists (f, ".wh..wh.plnk"));
  g_assert_true (g_file_test (c, G_FILE_TEST_IS_REGULAR));

  /* Not a layer: a ".wh." name is a file like any other. */
  g_assert_true (apply (f, t2, FALSE, &error));
  g_assert_true (exists (f, ".wh.b"));
}

static void
test_tar_refused (Fixture *f, gconstpointer data)
{
  const Entry abs[] = { { "/etc/evil", AE_IFREG } };
  const Entry dots[] = { { "a/../../evil", AE_IFREG } };
  const Entry opq_out[] = { { "../.wh..wh..opq", AE_IFREG } };
  g_autofree char *t1 = make_tar (f->tmp, "abs.tar", abs, 1);
  g_autofree char *t2 = make_tar (f->tmp, "dots.tar", dots, 1);
  g_autofree char *t3 = make_tar (f->tmp, "opq.tar", opq_out, 1);
  g_autoptr (GError) error = NULL;

  g_assert_false (apply (f, t1, FALSE, &error));
  g_assert_nonnull (strstr (error->message, "/etc/evil: a path outside the root"));
  g_clear_error (&error);
  g_assert_false (apply (f, t2, FALSE, &error));
  g_assert_nonnull (strstr (error->message, "a/../../evil: a path outside the root"));
  g_clear_error (&error);
  /* A whiteout must not empty the directory above the rootfs. */
  g_assert_false (apply (f, t3, TRUE, &error));
  g_assert_nonnull (strstr (error->message, "outside the root"));
  g_assert_true (exists (f, "."));
}

/* A sparse file of a copied directory keeps its bytes: the tar stream
 * between the two processes of nook_import_tree holds it whole. */
static void
test_tree_sparse (Fixture *f, gconstpointer data)
{
  g_autofree char *src = g_build_filename (f->tmp, "src", NULL);
  g_autofree char *file = g_build_filename (src, "sparse", NULL);
  g_autofree char *rootfs = g_build_filename (f->tmp, "rootfs", NULL);
  g_autofree char *copy = g_build_filename (rootfs, "sparse", NULL);
  NookImportWriter writer = { .n_uids = G_MAXUINT32, .n_gids = G_MAXUINT32 };
  g_autoptr (GError) error = NULL;
  g_autofree char *want = NULL;
  g_autofree char *got = NULL;
  gsize want_len, got_len;
  int fd, rootfs_fd;
  gboolean ok;

  g_assert_no_errno (g_mkdir_with_parents (src, 0755));
  g_assert_no_errno (g_mkdir_with_parents (rootfs, 0755));
  fd = open (file, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
  g_assert_cmpint (fd, >=, 0);
  /* data, a 1 MiB hole, data, and a hole at the end */
  g_assert_cmpint (pwrite (fd, "head", 4, 0), ==, 4);
  g_assert_cmpint (pwrite (fd, "tail", 4, (1 << 20) + 4096), ==, 4);
  g_assert_no_errno (ftruncate (fd, (2 << 20)));
  close (fd);
  rootfs_fd = open (rootfs, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  g_assert_cmpint (rootfs_fd, >=, 0);
  ok = nook_import_tree (rootfs_fd, src, &writer, &error);
  close (rootfs_fd);
  nook_import_writer_clear (&writer);
  g_assert_no_errno (chdir (f->cwd));
  g_assert_no_error (error);
  g_assert_true (ok);
  g_assert_true (g_file_get_contents (file, &want, &want_len, NULL));
  g_assert_true (g_file_get_contents (copy, &got, &got_len, NULL));
  g_assert_cmpmem (got, got_len, want, want_len);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/import/oci/tags", Fixture, NULL, fixture_setup, test_oci_tags, fixture_teardown);
  g_test_add ("/import/oci/missing-blob", Fixture, NULL, fixture_setup, test_oci_missing_blob,
              fixture_teardown);
  g_test_add ("/import/oci/nested-index", Fixture, NULL, fixture_setup, test_oci_nested_index,
              fixture_teardown);
  g_test_add ("/import/tar/whiteouts", Fixture, NULL, fixture_setup, test_tar_whiteouts,
              fixture_teardown);
  g_test_add ("/import/tar/refused", Fixture, NULL, fixture_setup, test_tar_refused,
              fixture_teardown);
  g_test_add ("/import/tree/sparse", Fixture, NULL, fixture_setup, test_tree_sparse,
              fixture_teardown);
  return g_test_run ();
}
