/* Unit tests of launcher/init/resolve-walk.c: opening a path inside a
 * root without openat2. Each case is also run through openat2 where the
 * kernel has it (nook_open_in_root), and both must agree: the walk by
 * hand is a stand-in for RESOLVE_IN_ROOT, not a variant of it. */
#include <errno.h>
#include <fcntl.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <linux/openat2.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "launcher/init/resolve.h"
#include "storage/remove.h"

typedef struct
{
  char *tmp; /* holds root/ and, beside it, outside/ */
  char *root;
  int rootfd;
} Fixture;

static void
make_dir (Fixture *f, const char *rel)
{
  g_autofree char *path = g_build_filename (f->tmp, rel, NULL);

  g_assert_cmpint (g_mkdir_with_parents (path, 0755), ==, 0);
}

static void
make_file (Fixture *f, const char *rel, const char *text)
{
  g_autofree char *path = g_build_filename (f->tmp, rel, NULL);

  g_assert_true (g_file_set_contents (path, text, -1, NULL));
}

static void
make_link (Fixture *f, const char *rel, const char *target)
{
  g_autofree char *path = g_build_filename (f->tmp, rel, NULL);

  g_assert_cmpint (symlink (target, path), ==, 0);
}

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  f->tmp = g_dir_make_tmp ("test-resolve-XXXXXX", NULL);
  g_assert_nonnull (f->tmp);
  f->root = g_build_filename (f->tmp, "root", NULL);
  /* Two trees with the same names: a walk that leaves root/ lands in
   * outside/, which the inode numbers tell apart. */
  for (int i = 0; i < 2; i++)
    {
      const char *top = i == 0 ? "root" : "outside";
      g_autofree char *etc = g_build_filename (top, "etc", NULL);
      g_autofree char *passwd = g_build_filename (top, "etc", "passwd", NULL);
      g_autofree char *deep = g_build_filename (top, "a", "b", "c", NULL);

      make_dir (f, etc);
      make_dir (f, deep);
      make_file (f, passwd, top);
    }
  make_dir (f, "root/outside/etc");
  make_file (f, "root/outside/etc/passwd", "root/outside");
  f->rootfd = open (f->root, O_PATH | O_DIRECTORY | O_CLOEXEC);
  g_assert_cmpint (f->rootfd, >=, 0);
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  close (f->rootfd);
  g_assert_true (nook_remove_tree (f->tmp, NULL));
  g_free (f->root);
  g_free (f->tmp);
}

static gboolean
have_openat2 (void)
{
  struct open_how how = { .flags = O_PATH | O_CLOEXEC, .resolve = RESOLVE_IN_ROOT };
  int fd = syscall (SYS_openat2, AT_FDCWD, "/", &how, sizeof how);

  if (fd < 0)
    return FALSE;
  close (fd);
  return TRUE;
}

/* The entry at rel (under tmp, not following a last symlink). */
static struct stat
lstat_rel (Fixture *f, const char *rel)
{
  g_autofree char *path = g_build_filename (f->tmp, rel, NULL);
  struct stat st;

  g_assert_cmpint (lstat (path, &st), ==, 0);
  return st;
}

static void
assert_same (int fd, struct stat want)
{
  struct stat got;

  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (fstat (fd, &got), ==, 0);
  g_assert_cmpuint (got.st_dev, ==, want.st_dev);
  g_assert_cmpuint (got.st_ino, ==, want.st_ino);
  close (fd);
}

/* path inside the root opens the entry at rel (under tmp), by both ways. */
static void
assert_opens (Fixture *f, const char *path, int flags, const char *rel)
{
  struct stat want = lstat_rel (f, rel);

  g_test_message ("%s -> %s", path, rel);
  assert_same (nook_open_in_root_walk (f->rootfd, path, flags), want);
  if (have_openat2 ())
    assert_same (nook_open_in_root (f->rootfd, path, flags), want);
}

/* path fails with err, by both ways. */
static void
assert_fails (Fixture *f, const char *path, int flags, int err)
{
  int fd;

  g_test_message ("%s -> %s", path, g_strerror (err));
  errno = 0;
  fd = nook_open_in_root_walk (f->rootfd, path, flags);
  g_assert_cmpint (fd, ==, -1);
  g_assert_cmpstr (g_strerror (errno), ==, g_strerror (err));
  if (have_openat2 ())
    {
      errno = 0;
      fd = nook_open_in_root (f->rootfd, path, flags);
      g_assert_cmpint (fd, ==, -1);
      g_assert_cmpstr (g_strerror (errno), ==, g_strerror (err));
    }
}

static void
test_plain (Fixture *f, gconstpointer data)
{
  assert_opens (f, "/", O_PATH, "root");
  assert_fails (f, "", O_PATH, ENOENT);
  assert_opens (f, "/a/b/c", O_PATH | O_DIRECTORY, "root/a/b/c");
  assert_opens (f, "a//b/./c/", O_PATH, "root/a/b/c");
  assert_opens (f, "/etc/passwd", O_PATH, "root/etc/passwd");
  assert_fails (f, "/etc/passwd/x", O_PATH, ENOTDIR);
  assert_fails (f, "/etc/passwd", O_PATH | O_DIRECTORY, ENOTDIR);
  assert_fails (f, "/missing/x", O_PATH, ENOENT);
}

static void
test_dotdot_clamped (Fixture *f, gconstpointer data)
{
  assert_opens (f, "..", O_PATH, "root");
  assert_opens (f, "/../../../etc/passwd", O_PATH, "root/etc/passwd");
  assert_opens (f, "/a/b/../../../../outside/etc/passwd", O_PATH, "root/outside/etc/passwd");
  assert_opens (f, "/a/b/c/../..", O_PATH, "root/a");
}

static void
test_symlink_dotdot_escape (Fixture *f, gconstpointer data)
{
  make_link (f, "root/up", "../../../../../outside");
  make_link (f, "root/a/b/upup", "../../../../outside/etc");
  make_link (f, "root/dotdot", "..");
  assert_opens (f, "/up/etc/passwd", O_PATH, "root/outside/etc/passwd");
  assert_opens (f, "/a/b/upup/passwd", O_PATH, "root/outside/etc/passwd");
  assert_opens (f, "/dotdot/dotdot/etc", O_PATH, "root/etc");
  assert_opens (f, "/a/b/c/../../../dotdot/outside", O_PATH, "root/outside");
}

static void
test_absolute_symlink (Fixture *f, gconstpointer data)
{
  g_autofree char *host_outside = g_build_filename (f->tmp, "outside", NULL);

  make_link (f, "root/abs", "/etc");
  /* The host path of outside/, which inside the root names nothing. */
  make_link (f, "root/host", host_outside);
  make_link (f, "root/a/b/c/rel-to-abs", "../../../abs/passwd");
  assert_opens (f, "/abs/passwd", O_PATH, "root/etc/passwd");
  assert_opens (f, "/a/b/c/rel-to-abs", O_PATH, "root/etc/passwd");
  assert_fails (f, "/host/etc/passwd", O_PATH, ENOENT);
}

static void
test_last_symlink (Fixture *f, gconstpointer data)
{
  make_link (f, "root/link", "/etc/passwd");
  assert_opens (f, "/link", O_PATH, "root/etc/passwd");
  assert_opens (f, "/link", O_PATH | O_NOFOLLOW, "root/link");
}

static void
test_loops (Fixture *f, gconstpointer data)
{
  make_link (f, "root/self", "self");
  make_link (f, "root/ping", "/pong");
  make_link (f, "root/pong", "ping");
  make_link (f, "root/deeper", "deeper/x");
  assert_fails (f, "/self", O_PATH, ELOOP);
  assert_fails (f, "/ping/x", O_PATH, ELOOP);
  assert_fails (f, "/deeper", O_PATH, ELOOP);
}

static void
test_read (Fixture *f, gconstpointer data)
{
  char buf[32] = "";
  int fd;

  make_link (f, "root/a/pw", "../../../etc/passwd");
  fd = nook_open_in_root_walk (f->rootfd, "a/pw", O_RDONLY);
  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (read (fd, buf, sizeof buf - 1), ==, 4);
  close (fd);
  g_assert_cmpstr (buf, ==, "root");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
#define ADD(path, fn) g_test_add (path, Fixture, NULL, fixture_setup, fn, fixture_teardown)
  ADD ("/resolve/walk/plain", test_plain);
  ADD ("/resolve/walk/dotdot-clamped", test_dotdot_clamped);
  ADD ("/resolve/walk/symlink-dotdot-escape", test_symlink_dotdot_escape);
  ADD ("/resolve/walk/absolute-symlink", test_absolute_symlink);
  ADD ("/resolve/walk/last-symlink", test_last_symlink);
  ADD ("/resolve/walk/loops", test_loops);
  ADD ("/resolve/walk/read", test_read);
  return g_test_run ();
}
