/* Unit tests of launcher/container/sync.c: the parent/child sync channel. */
#include <errno.h>
#include <fcntl.h>
#include <glib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "launcher/container/sync.h"

typedef struct
{
  int sv[2];
} Fixture;

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  g_assert_no_errno (socketpair (AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, f->sv));
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  close (f->sv[0]);
  if (f->sv[1] >= 0)
    close (f->sv[1]);
}

static guint
count_fds (void)
{
  g_autoptr (GDir) dir = g_dir_open ("/proc/self/fd", 0, NULL);
  guint n = 0;

  while (g_dir_read_name (dir) != NULL)
    n++;
  return n;
}

/* Two paths of PATH_MAX fit (the text was 448 bytes). */
G_STATIC_ASSERT (NOOK_SYNC_MSG_MAX >= 2 * 4096);

/* A message far over the old 448 bytes comes whole, with its header. */
static void
test_long_message (Fixture *f, gconstpointer data)
{
  static NookSyncMsg out, in;
  gsize len = sizeof (out.msg) - 1;

  out.type = NOOK_SYNC_ERROR;
  out.err = ENOENT;
  strcpy (out.step, "mounts");
  memset (out.msg, 'x', len);
  out.msg[len] = '\0';
  memcpy (out.msg + len - 4, "end!", 4);
  g_assert_cmpint (nook_sync_send (f->sv[1], &out, -1), ==, 0);
  memset (&in, 'y', sizeof in);
  g_assert_cmpint (nook_sync_recv (f->sv[0], &in, NULL), ==, 0);
  g_assert_cmpint (in.type, ==, NOOK_SYNC_ERROR);
  g_assert_cmpint (in.err, ==, ENOENT);
  g_assert_cmpstr (in.step, ==, "mounts");
  g_assert_cmpuint (strlen (in.msg), ==, len);
  g_assert_cmpstr (in.msg + len - 4, ==, "end!");
}

/* Only the text's used part is sent; what is received is terminated. */
static void
test_short_message (Fixture *f, gconstpointer data)
{
  NookSyncMsg out = { .type = NOOK_SYNC_WARNING }, in;

  strcpy (out.msg, "hi");
  g_assert_cmpint (nook_sync_send (f->sv[1], &out, -1), ==, 0);
  memset (&in, 'y', sizeof in);
  g_assert_cmpint (nook_sync_recv (f->sv[0], &in, NULL), ==, 0);
  g_assert_cmpstr (in.msg, ==, "hi");
}

/* Shorter than a header, or EOF: errors, not garbage. */
static void
test_short_and_eof (Fixture *f, gconstpointer data)
{
  NookSyncMsg in;
  int type = NOOK_SYNC_GO;

  g_assert_cmpint (nook_sync_send_raw (f->sv[1], &type, sizeof type, -1), ==, 0);
  g_assert_cmpint (nook_sync_recv (f->sv[0], &in, NULL), ==, -EPROTO);
  close (f->sv[1]);
  f->sv[1] = -1;
  g_assert_cmpint (nook_sync_recv (f->sv[0], &in, NULL), ==, -EPIPE);
}

/* Longer than a NookSyncMsg: refused, never cut. */
static void
test_too_long (Fixture *f, gconstpointer data)
{
  static char big[sizeof (NookSyncMsg) + 100];
  static NookSyncMsg in;

  memset (big, 'z', sizeof big);
  g_assert_cmpint (nook_sync_send_raw (f->sv[1], big, sizeof big, -1), ==, 0);
  g_assert_cmpint (nook_sync_recv (f->sv[0], &in, NULL), ==, -EMSGSIZE);
}

/* A descriptor nobody asked for is closed, not leaked; one asked for
 * arrives. */
static void
test_fds (Fixture *f, gconstpointer data)
{
  NookSyncMsg out = { .type = NOOK_SYNC_PTY }, in;
  int pass = open ("/dev/null", O_RDONLY | O_CLOEXEC);
  guint before;
  int fd = -1;

  g_assert_cmpint (pass, >=, 0);
  before = count_fds ();
  g_assert_cmpint (nook_sync_send (f->sv[1], &out, pass), ==, 0);
  g_assert_cmpint (nook_sync_recv (f->sv[0], &in, NULL), ==, 0);
  g_assert_cmpuint (count_fds (), ==, before);
  g_assert_cmpint (nook_sync_send (f->sv[1], &out, pass), ==, 0);
  g_assert_cmpint (nook_sync_recv (f->sv[0], &in, &fd), ==, 0);
  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpuint (count_fds (), ==, before + 1);
  g_assert_cmpint (fcntl (fd, F_GETFD), ==, FD_CLOEXEC);
  close (fd);
  close (pass);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
#define ADD(path, fn) g_test_add (path, Fixture, NULL, fixture_setup, fn, fixture_teardown)
  ADD ("/sync/long-message", test_long_message);
  ADD ("/sync/short-message", test_short_message);
  ADD ("/sync/short-and-eof", test_short_and_eof);
  ADD ("/sync/too-long", test_too_long);
  ADD ("/sync/fds", test_fds);
  return g_test_run ();
}
