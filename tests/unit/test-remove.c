/* Unit tests of storage/remove.c: the one recursive removal. */
#include <errno.h>
#include <fcntl.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "storage/remove.h"

typedef struct
{
  char *tmp;
} Fixture;

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  f->tmp = g_dir_make_tmp ("test-remove-XXXXXX", NULL);
  g_assert_nonnull (f->tmp);
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  g_assert_true (nook_remove_tree (f->tmp, NULL));
  g_assert_false (g_file_test (f->tmp, G_FILE_TEST_EXISTS));
  g_free (f->tmp);
}

static void
write_file (const char *dir, const char *name, const char *text)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);

  g_assert_true (g_file_set_contents (path, text, -1, NULL));
}

/* depth nested directories "d" under dir, a file at the bottom. */
static void
make_deep (const char *dir, int depth)
{
  int fd = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

  g_assert_cmpint (fd, >=, 0);
  for (int i = 0; i < depth; i++)
    {
      int next;

      g_assert_no_errno (mkdirat (fd, "d", 0700));
      next = openat (fd, "d", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
      g_assert_cmpint (next, >=, 0);
      close (fd);
      fd = next;
    }
  g_assert_no_errno (close (openat (fd, "bottom", O_WRONLY | O_CREAT | O_CLOEXEC, 0600)));
  close (fd);
}

static void
test_tree (Fixture *f, gconstpointer data)
{
  g_autofree char *top = g_build_filename (f->tmp, "t", NULL);
  g_autofree char *deep = g_build_filename (top, "a", "b", "c", NULL);
  g_autofree char *unwritable = g_build_filename (top, "a", "b", NULL);
  g_autofree char *unreadable = g_build_filename (top, "x", NULL);
  g_autofree char *outside = g_build_filename (f->tmp, "outside", NULL);
  g_autofree char *link = g_build_filename (top, "link", NULL);
  g_autofree char *dangling = g_build_filename (top, "dangling", NULL);
  g_autoptr (GError) error = NULL;

  g_assert_no_errno (g_mkdir_with_parents (deep, 0755));
  g_assert_no_errno (g_mkdir_with_parents (unreadable, 0755));
  g_assert_no_errno (g_mkdir (outside, 0755));
  write_file (deep, "f", "x");
  write_file (unreadable, "f", "x");
  write_file (outside, "keep", "me");
  /* A link to a directory is removed, never followed. */
  g_assert_no_errno (symlink (outside, link));
  g_assert_no_errno (symlink ("/nonexistent", dangling));
  /* What a container may do to its own files: still ours to remove. */
  g_assert_no_errno (g_chmod (unwritable, 0500));
  g_assert_no_errno (g_chmod (unreadable, 0));

  g_assert_true (nook_remove_tree (top, &error));
  g_assert_no_error (error);
  g_assert_false (g_file_test (top, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_test (outside, G_FILE_TEST_IS_DIR));
  {
    g_autofree char *kept = g_build_filename (outside, "keep", NULL);
    g_assert_true (g_file_test (kept, G_FILE_TEST_IS_REGULAR));
  }
  /* Nothing there: nothing to do. */
  g_assert_true (nook_remove_tree (top, &error));
  g_assert_no_error (error);
}

/* A file and a symlink as the path itself. */
static void
test_not_a_directory (Fixture *f, gconstpointer data)
{
  g_autofree char *file = g_build_filename (f->tmp, "file", NULL);
  g_autofree char *link = g_build_filename (f->tmp, "link", NULL);

  write_file (f->tmp, "file", "x");
  g_assert_no_errno (symlink (f->tmp, link));
  g_assert_true (nook_remove_tree (link, NULL));
  g_assert_true (g_file_test (file, G_FILE_TEST_EXISTS));
  g_assert_true (nook_remove_tree (file, NULL));
  g_assert_false (g_file_test (file, G_FILE_TEST_EXISTS));
}

/* Deeper than the limits of the two functions this one replaced (16 in
 * the state directory, 256 in layers): nothing is left. */
static void
test_deep (Fixture *f, gconstpointer data)
{
  g_autofree char *top = g_build_filename (f->tmp, "t", NULL);
  g_autoptr (GError) error = NULL;

  g_assert_no_errno (g_mkdir (top, 0700));
  make_deep (top, 600);
  g_assert_true (nook_remove_tree (top, &error));
  g_assert_no_error (error);
  g_assert_false (g_file_test (top, G_FILE_TEST_EXISTS));
}

/* Deeper than the descriptors the process may open: a clear error, and a
 * second call with more descriptors removes the rest. */
static void
test_too_deep_for_fds (Fixture *f, gconstpointer data)
{
  g_autofree char *top = g_build_filename (f->tmp, "t", NULL);
  g_autoptr (GError) error = NULL;
  struct rlimit saved, low;

  g_assert_no_errno (g_mkdir (top, 0700));
  make_deep (top, 200);
  g_assert_no_errno (getrlimit (RLIMIT_NOFILE, &saved));
  low = saved;
  low.rlim_cur = 64;
  g_assert_no_errno (setrlimit (RLIMIT_NOFILE, &low));
  g_assert_false (nook_remove_tree (top, &error));
  g_assert_no_errno (setrlimit (RLIMIT_NOFILE, &saved));
  g_assert_error (error, G_FILE_ERROR, G_FILE_ERROR_MFILE);
  g_assert_nonnull (strstr (error->message, "nested"));
  g_assert_true (g_file_test (top, G_FILE_TEST_IS_DIR));
  g_clear_error (&error);
  g_assert_true (nook_remove_tree (top, &error));
  g_assert_no_error (error);
  g_assert_false (g_file_test (top, G_FILE_TEST_EXISTS));
}

/* Many entries in one directory, removed while it is read. */
static void
test_wide (Fixture *f, gconstpointer data)
{
  g_autofree char *top = g_build_filename (f->tmp, "t", NULL);

  g_assert_no_errno (g_mkdir (top, 0700));
  for (int i = 0; i < 3000; i++)
    {
      g_autofree char *name = g_strdup_printf ("file-%d", i);
      write_file (top, name, "");
    }
  g_assert_true (nook_remove_tree (top, NULL));
  g_assert_false (g_file_test (top, G_FILE_TEST_EXISTS));
}

static void
test_contents_keep (Fixture *f, gconstpointer data)
{
  g_autofree char *sub = g_build_filename (f->tmp, "sub", "lock", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (GDir) dir = NULL;
  int fd;

  write_file (f->tmp, "lock", "");
  write_file (f->tmp, "state.json", "{}");
  /* keep names an entry of the first level only. */
  g_assert_no_errno (g_mkdir_with_parents (sub, 0700));
  fd = open (f->tmp, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  g_assert_cmpint (fd, >=, 0);
  g_assert_true (nook_remove_contents_at (fd, f->tmp, "lock", &error));
  g_assert_no_error (error);
  close (fd);
  dir = g_dir_open (f->tmp, 0, NULL);
  g_assert_cmpstr (g_dir_read_name (dir), ==, "lock");
  g_assert_null (g_dir_read_name (dir));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
#define ADD(path, fn) g_test_add (path, Fixture, NULL, fixture_setup, fn, fixture_teardown)
  ADD ("/remove/tree", test_tree);
  ADD ("/remove/not-a-directory", test_not_a_directory);
  ADD ("/remove/deep", test_deep);
  ADD ("/remove/too-deep-for-fds", test_too_deep_for_fds);
  ADD ("/remove/wide", test_wide);
  ADD ("/remove/contents-keep", test_contents_keep);
  return g_test_run ();
}
