/* Unit tests for launcher/container/userdb.c: passwd(5) and group(5)
 * lookups, and reading them inside a root without leaving it. */
#include <fcntl.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <unistd.h>

#include "launcher/container/userdb.h"

static const char passwd[] = "root:x:0:0:root:/root:/bin/sh\n"
                             "broken line without fields\n"
                             "bad:x:notanumber:0::/bad:/bin/sh\n"
                             "user:x:1000:1000:user:/home/user:/bin/sh\n"
                             "again:x:1000:1002::/home/again:/bin/sh\n"
                             "nohome:x:1001:1001::relative:/bin/sh\n"
                             "last:x:1003:1004::/last:/bin/sh";

static void
test_find_shell (void)
{
  g_autofree char *root = nook_userdb_find_shell (passwd, 0);
  g_autofree char *last = nook_userdb_find_shell (passwd, 1003);
  g_autofree char *crlf = nook_userdb_find_shell ("u:x:7:7::/h:/bin/zsh\r\n", 7);
  g_autofree char *relative = nook_userdb_find_shell ("u:x:7:7::/h:zsh\n", 7);
  g_autofree char *six = nook_userdb_find_shell ("u:x:7:7::/h\n", 7);

  g_assert_cmpstr (root, ==, "/bin/sh");
  g_assert_cmpstr (last, ==, "/bin/sh");
  g_assert_cmpstr (crlf, ==, "/bin/zsh");
  g_assert_null (relative);
  g_assert_null (six);
  g_assert_null (nook_userdb_find_shell (passwd, 4242));
}

static void
test_find_user (void)
{
  g_autofree char *home = NULL;
  guint32 uid = 0, gid = 0;

  g_assert_true (nook_userdb_find_user (passwd, "user", &uid, &gid, &home));
  g_assert_cmpuint (uid, ==, 1000);
  g_assert_cmpuint (gid, ==, 1000);
  g_assert_cmpstr (home, ==, "/home/user");
  g_clear_pointer (&home, g_free);

  /* By uid: the first entry with it. */
  uid = 1000;
  g_assert_true (nook_userdb_find_user (passwd, NULL, &uid, &gid, &home));
  g_assert_cmpstr (home, ==, "/home/user");
  g_clear_pointer (&home, g_free);

  g_assert_true (nook_userdb_find_user (passwd, "again", &uid, &gid, &home));
  g_assert_cmpuint (gid, ==, 1002);
  g_assert_cmpstr (home, ==, "/home/again");
  g_clear_pointer (&home, g_free);

  /* A home that is not absolute is none; the last line needs no newline. */
  g_assert_true (nook_userdb_find_user (passwd, "nohome", &uid, NULL, &home));
  g_assert_null (home);
  g_assert_true (nook_userdb_find_user (passwd, "last", &uid, &gid, NULL));
  g_assert_cmpuint (gid, ==, 1004);

  /* Damaged lines are skipped, never matched. */
  g_assert_false (nook_userdb_find_user (passwd, "bad", &uid, &gid, NULL));
  g_assert_false (nook_userdb_find_user (passwd, "broken line without fields", NULL, NULL, NULL));
  g_assert_false (nook_userdb_find_user (passwd, "nosuch", &uid, &gid, NULL));
  uid = 4242;
  g_assert_false (nook_userdb_find_user (passwd, NULL, &uid, NULL, NULL));
}

static void
test_find_group (void)
{
  const char *group = "root:x:0:\ntty:x:5:a,b\nnogid:x::\nwheel:x:10";
  guint32 gid = 0;

  g_assert_true (nook_userdb_find_group (group, "tty", &gid));
  g_assert_cmpuint (gid, ==, 5);
  g_assert_true (nook_userdb_find_group (group, "wheel", &gid));
  g_assert_cmpuint (gid, ==, 10);
  g_assert_false (nook_userdb_find_group (group, "nogid", &gid));
  g_assert_false (nook_userdb_find_group (group, "nosuch", &gid));
}

/* etc/passwd as a symlink to an absolute path resolves inside the root:
 * the host's /etc/passwd is never read. */
static void
test_read_in_root (void)
{
  g_autofree char *root = g_dir_make_tmp ("nook-userdb-XXXXXX", NULL);
  g_autofree char *etc = g_build_filename (root, "etc", NULL);
  g_autofree char *inner = g_build_filename (root, "inner", NULL);
  g_autofree char *link = g_build_filename (etc, "passwd", NULL);
  g_autofree char *text = NULL;
  int rootfd;

  g_assert_nonnull (root);
  g_assert_cmpint (g_mkdir (etc, 0755), ==, 0);
  g_assert_true (g_file_set_contents (inner, "inside:x:7:7::/in:/bin/sh\n", -1, NULL));
  g_assert_cmpint (symlink ("/inner", link), ==, 0);
  rootfd = open (root, O_PATH | O_DIRECTORY | O_CLOEXEC);
  g_assert_cmpint (rootfd, >=, 0);
  text = nook_userdb_read (rootfd, "etc/passwd");
  g_assert_cmpstr (text, ==, "inside:x:7:7::/in:/bin/sh\n");
  g_assert_null (nook_userdb_read (rootfd, "etc/group"));
  g_assert_null (nook_userdb_read (-1, "etc/passwd"));
  close (rootfd);
  g_unlink (link);
  g_unlink (inner);
  g_rmdir (etc);
  g_rmdir (root);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/userdb/find-user", test_find_user);
  g_test_add_func ("/userdb/find-group", test_find_group);
  g_test_add_func ("/userdb/find-shell", test_find_shell);
  g_test_add_func ("/userdb/read-in-root", test_read_in_root);
  return g_test_run ();
}
