/* Unit tests for userns/idmap.c: formatting, planning and writing id maps. */
#include <errno.h>
#include <fcntl.h>
#include <glib.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "userns/idmap.h"

/* Exit codes of the user namespace child. */
enum
{
  CHILD_OK = 0,
  CHILD_NO_USERNS = 77,
  CHILD_WRONG_UID = 10,
  CHILD_WRONG_GID = 11,
  CHILD_SETGROUPS_NOT_DENIED = 12,
  CHILD_PIPE_FAILED = 13,
};

/* Like bubblewrap's BWRAP_MUST_WORK: on a host without user namespaces the
 * namespace tests skip, unless the test run says they must work. */
static void
skip_or_fail (const char *why)
{
  if (g_getenv ("NOOK_TESTS_MUST_WORK") != NULL)
    g_error ("%s (NOOK_TESTS_MUST_WORK is set)", why);
  g_test_skip (why);
}

static void
test_format (void)
{
  const NookIdMapping mappings[] = {
    { .container_id = 0, .host_id = 1000, .size = 1 },
    { .container_id = 1, .host_id = 100000, .size = 65536 },
  };
  g_autofree char *two = nook_idmap_format (mappings, 2);
  g_autofree char *one = nook_idmap_format (mappings, 1);
  g_autofree char *none = nook_idmap_format (NULL, 0);

  g_assert_cmpstr (two, ==, "0 1000 1\n1 100000 65536\n");
  g_assert_cmpstr (one, ==, "0 1000 1\n");
  g_assert_cmpstr (none, ==, "");
}

static void
test_contains (void)
{
  const NookIdMapping mappings[] = {
    { .container_id = 0, .host_id = 1000, .size = 1 },
    { .container_id = 100, .host_id = 100000, .size = 10 },
    { .container_id = 4294967290u, .host_id = 200000, .size = 5 },
  };

  g_assert_true (nook_idmap_contains (mappings, 3, 0));
  g_assert_false (nook_idmap_contains (mappings, 3, 1));
  g_assert_false (nook_idmap_contains (mappings, 3, 99));
  g_assert_true (nook_idmap_contains (mappings, 3, 100));
  g_assert_true (nook_idmap_contains (mappings, 3, 109));
  g_assert_false (nook_idmap_contains (mappings, 3, 110));
  g_assert_true (nook_idmap_contains (mappings, 3, 4294967294u));
  g_assert_false (nook_idmap_contains (mappings, 3, 4294967295u));
  /* Only the first mapping counts when n_mappings says so. */
  g_assert_false (nook_idmap_contains (mappings, 1, 100));
  g_assert_false (nook_idmap_contains (NULL, 0, 0));
}

static void
test_plan_default (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (NookIdMapPlan) plan = nook_idmap_plan_new (NULL, 0, NULL, 0, 1234, 5678, &error);

  g_assert_no_error (error);
  g_assert_nonnull (plan);
  g_assert_cmpstr (plan->uid_map, ==, "0 1234 1\n");
  g_assert_cmpstr (plan->gid_map, ==, "0 5678 1\n");
  g_assert_true (plan->deny_setgroups);
}

static void
test_plan_own_id (void)
{
  const NookIdMapping uids[] = { { .container_id = 1000, .host_id = 1234, .size = 1 } };
  const NookIdMapping gids[] = { { .container_id = 100, .host_id = 5678, .size = 1 } };
  g_autoptr (GError) error = NULL;
  g_autoptr (NookIdMapPlan) plan = nook_idmap_plan_new (uids, 1, gids, 1, 1234, 5678, &error);

  g_assert_no_error (error);
  g_assert_nonnull (plan);
  g_assert_cmpstr (plan->uid_map, ==, "1000 1234 1\n");
  g_assert_cmpstr (plan->gid_map, ==, "100 5678 1\n");
  g_assert_true (plan->deny_setgroups);
}

static void
test_plan_one_side (void)
{
  const NookIdMapping own = { .container_id = 1000, .host_id = 1234, .size = 1 };
  g_autoptr (GError) error = NULL;
  g_autoptr (NookIdMapPlan) uid_only = NULL;
  g_autoptr (NookIdMapPlan) gid_only = NULL;

  uid_only = nook_idmap_plan_new (&own, 1, NULL, 0, 1234, 1234, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (uid_only->uid_map, ==, "1000 1234 1\n");
  g_assert_cmpstr (uid_only->gid_map, ==, "0 1234 1\n");

  gid_only = nook_idmap_plan_new (NULL, 0, &own, 1, 1234, 1234, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (gid_only->uid_map, ==, "0 1234 1\n");
  g_assert_cmpstr (gid_only->gid_map, ==, "1000 1234 1\n");
}

static void
assert_plan_error (const NookIdMapping *uids, guint n_uid, const NookIdMapping *gids,
                   guint n_gid, int code, const char *message)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (NookIdMapPlan) plan = nook_idmap_plan_new (uids, n_uid, gids, n_gid, 1000, 1000,
                                                        &error);

  g_assert_null (plan);
  g_assert_error (error, NOOK_USERNS_ERROR, code);
  g_assert_cmpstr (error->message, ==, message);
}

static void
test_plan_subid_range (void)
{
  const NookIdMapping range = { .container_id = 0, .host_id = 100000, .size = 65536 };

  assert_plan_error (&range, 1, NULL, 0, NOOK_USERNS_ERROR_NEEDS_SUBIDS,
                     "linux.uidMappings[0]: host range 100000-165535 needs subordinate ids "
                     "(newuidmap), not supported yet; only the caller's own uid 1000 can be "
                     "mapped");
  assert_plan_error (NULL, 0, &range, 1, NOOK_USERNS_ERROR_NEEDS_SUBIDS,
                     "linux.gidMappings[0]: host range 100000-165535 needs subordinate ids "
                     "(newgidmap), not supported yet; only the caller's own gid 1000 can be "
                     "mapped");
}

static void
test_plan_other_id (void)
{
  const NookIdMapping host_root = { .container_id = 0, .host_id = 0, .size = 1 };
  const NookIdMapping own_and_more = { .container_id = 0, .host_id = 1000, .size = 2 };

  assert_plan_error (&host_root, 1, NULL, 0, NOOK_USERNS_ERROR_NEEDS_SUBIDS,
                     "linux.uidMappings[0]: host uid 0 needs subordinate ids (newuidmap), not "
                     "supported yet; only the caller's own uid 1000 can be mapped");
  assert_plan_error (&own_and_more, 1, NULL, 0, NOOK_USERNS_ERROR_NEEDS_SUBIDS,
                     "linux.uidMappings[0]: host range 1000-1001 needs subordinate ids "
                     "(newuidmap), not supported yet; only the caller's own uid 1000 can be "
                     "mapped");
}

static void
test_plan_two_ranges (void)
{
  const NookIdMapping own_then_subids[] = {
    { .container_id = 0, .host_id = 1000, .size = 1 },
    { .container_id = 1, .host_id = 100000, .size = 65536 },
  };
  const NookIdMapping own_twice[] = {
    { .container_id = 0, .host_id = 1000, .size = 1 },
    { .container_id = 1, .host_id = 1000, .size = 1 },
  };

  assert_plan_error (own_then_subids, 2, NULL, 0, NOOK_USERNS_ERROR_NEEDS_SUBIDS,
                     "linux.uidMappings[1]: host range 100000-165535 needs subordinate ids "
                     "(newuidmap), not supported yet; only the caller's own uid 1000 can be "
                     "mapped");
  assert_plan_error (NULL, 0, own_twice, 2, NOOK_USERNS_ERROR_NEEDS_SUBIDS,
                     "linux.gidMappings[1]: a second range needs subordinate ids (newgidmap), "
                     "not supported yet; only one mapping of the caller's own gid 1000 can be "
                     "written");
}

static void
test_plan_invalid (void)
{
  const NookIdMapping empty = { .container_id = 0, .host_id = 1000, .size = 0 };
  /* A broken range is reported as broken even after one that needs sub-ids. */
  const NookIdMapping subids_then_empty[] = {
    { .container_id = 0, .host_id = 100000, .size = 65536 },
    { .container_id = 0, .host_id = 1000, .size = 0 },
  };
  const NookIdMapping past_end = { .container_id = 4294967295u, .host_id = 1000, .size = 1 };
  const NookIdMapping host_past_end = { .container_id = 0, .host_id = 4294967290u, .size = 10 };
  const NookIdMapping own = { .container_id = 0, .host_id = 1000, .size = 1 };

  assert_plan_error (&empty, 1, NULL, 0, NOOK_USERNS_ERROR_INVALID,
                     "linux.uidMappings[0]: size 0 maps no ids");
  assert_plan_error (&own, 1, subids_then_empty, 2, NOOK_USERNS_ERROR_INVALID,
                     "linux.gidMappings[1]: size 0 maps no ids");
  assert_plan_error (&past_end, 1, NULL, 0, NOOK_USERNS_ERROR_INVALID,
                     "linux.uidMappings[0]: container range 4294967295+1 goes past the largest "
                     "uid 4294967294");
  assert_plan_error (NULL, 0, &host_past_end, 1, NOOK_USERNS_ERROR_INVALID,
                     "linux.gidMappings[0]: host range 4294967290+10 goes past the largest gid "
                     "4294967294");
}

/* A child in a fresh user namespace, waiting for its maps. */
typedef struct
{
  pid_t pid;
  int go_fd;
} UsernsChild;

static int
read_setgroups_denied (void)
{
  char buf[16] = { 0 };
  int fd = open ("/proc/self/setgroups", O_RDONLY | O_CLOEXEC);
  ssize_t n;

  if (fd < 0)
    return 0;
  n = read (fd, buf, sizeof buf - 1);
  close (fd);
  return n > 0 && strcmp (buf, "deny\n") == 0;
}

/* Runs in the child: only syscalls, no allocation. */
static void G_GNUC_NORETURN
userns_child (int ready_fd, int go_fd, uid_t want_uid, gid_t want_gid)
{
  char byte = 'R';

  if (unshare (CLONE_NEWUSER) < 0)
    {
      byte = 'E';
      (void) !write (ready_fd, &byte, 1);
      _exit (CHILD_NO_USERNS);
    }
  if (write (ready_fd, &byte, 1) != 1)
    _exit (CHILD_PIPE_FAILED);
  if (read (go_fd, &byte, 1) != 1)
    _exit (CHILD_PIPE_FAILED);

  if (getuid () != want_uid)
    _exit (CHILD_WRONG_UID);
  if (getgid () != want_gid)
    _exit (CHILD_WRONG_GID);
  if (!read_setgroups_denied ())
    _exit (CHILD_SETGROUPS_NOT_DENIED);
  _exit (CHILD_OK);
}

/* FALSE (and the test skipped) when the host has no user namespaces. */
static gboolean
start_userns_child (uid_t want_uid, gid_t want_gid, UsernsChild *out_child)
{
  int ready[2], go[2];
  char byte = 0;
  pid_t pid;

  g_assert_no_errno (pipe2 (ready, O_CLOEXEC));
  g_assert_no_errno (pipe2 (go, O_CLOEXEC));

  pid = fork ();
  g_assert_cmpint (pid, >=, 0);
  if (pid == 0)
    {
      close (ready[0]);
      close (go[1]);
      userns_child (ready[1], go[0], want_uid, want_gid);
    }

  close (ready[1]);
  close (go[0]);
  g_assert_cmpint (read (ready[0], &byte, 1), ==, 1);
  close (ready[0]);

  out_child->pid = pid;
  out_child->go_fd = go[1];
  if (byte == 'E')
    {
      int status;

      close (go[1]);
      g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
      skip_or_fail ("unshare (CLONE_NEWUSER) is not allowed here");
      return FALSE;
    }
  g_assert_cmpint (byte, ==, 'R');
  return TRUE;
}

/* Releases the child and returns its exit code. */
static int
finish_userns_child (UsernsChild *child)
{
  char byte = 'G';
  int status;

  /* The child may already have died, so a failed write is not fatal here;
   * its exit status tells what happened. */
  (void) !write (child->go_fd, &byte, 1);
  close (child->go_fd);
  g_assert_cmpint (waitpid (child->pid, &status, 0), ==, child->pid);
  g_assert_true (WIFEXITED (status));
  return WEXITSTATUS (status);
}

static void
test_write_default (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (NookIdMapPlan) plan = nook_idmap_plan_new (NULL, 0, NULL, 0, getuid (), getgid (),
                                                        &error);
  UsernsChild child;

  g_assert_no_error (error);
  if (!start_userns_child (0, 0, &child))
    return;
  g_assert_true (nook_idmap_write (child.pid, plan, &error));
  g_assert_no_error (error);
  g_assert_cmpint (finish_userns_child (&child), ==, CHILD_OK);
}

static void
test_write_container_1000 (void)
{
  const NookIdMapping uid = { .container_id = 1000, .host_id = getuid (), .size = 1 };
  const NookIdMapping gid = { .container_id = 2000, .host_id = getgid (), .size = 1 };
  g_autoptr (GError) error = NULL;
  g_autoptr (NookIdMapPlan) plan = nook_idmap_plan_new (&uid, 1, &gid, 1, getuid (), getgid (),
                                                        &error);
  UsernsChild child;

  g_assert_no_error (error);
  if (!start_userns_child (1000, 2000, &child))
    return;
  g_assert_true (nook_idmap_write (child.pid, plan, &error));
  g_assert_no_error (error);
  g_assert_cmpint (finish_userns_child (&child), ==, CHILD_OK);
}

/* The kernel takes each map once; a second write must fail, naming the file. */
static void
test_write_twice (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (NookIdMapPlan) plan = nook_idmap_plan_new (NULL, 0, NULL, 0, getuid (), getgid (),
                                                        &error);
  g_autofree char *expected = NULL;
  UsernsChild child;

  g_assert_no_error (error);
  if (!start_userns_child (0, 0, &child))
    return;
  g_assert_true (nook_idmap_write (child.pid, plan, &error));
  g_assert_no_error (error);

  plan->deny_setgroups = FALSE;
  g_assert_false (nook_idmap_write (child.pid, plan, &error));
  expected = g_strdup_printf ("cannot write \"0 %u 1\" to /proc/%d/gid_map: %s",
                              (guint) getgid (), (int) child.pid, g_strerror (EPERM));
  g_assert_error (error, NOOK_USERNS_ERROR, NOOK_USERNS_ERROR_FAILED);
  g_assert_cmpstr (error->message, ==, expected);
  g_assert_cmpint (finish_userns_child (&child), ==, CHILD_OK);
}

static void
test_write_no_process (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (NookIdMapPlan) plan = nook_idmap_plan_new (NULL, 0, NULL, 0, getuid (), getgid (),
                                                        &error);
  g_autofree char *expected = NULL;
  int status;
  pid_t pid;

  /* A child that is reaped already: its pid names no process (barring a
   * reuse of the pid within these few lines). */
  pid = fork ();
  g_assert_cmpint (pid, >=, 0);
  if (pid == 0)
    _exit (0);
  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);

  g_assert_false (nook_idmap_write (pid, plan, &error));
  expected = g_strdup_printf ("cannot open /proc/%d/setgroups: %s", (int) pid,
                              g_strerror (ENOENT));
  g_assert_error (error, NOOK_USERNS_ERROR, NOOK_USERNS_ERROR_FAILED);
  g_assert_cmpstr (error->message, ==, expected);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/idmap/format", test_format);
  g_test_add_func ("/idmap/contains", test_contains);
  g_test_add_func ("/idmap/plan/default", test_plan_default);
  g_test_add_func ("/idmap/plan/own-id", test_plan_own_id);
  g_test_add_func ("/idmap/plan/one-side", test_plan_one_side);
  g_test_add_func ("/idmap/plan/subid-range", test_plan_subid_range);
  g_test_add_func ("/idmap/plan/other-id", test_plan_other_id);
  g_test_add_func ("/idmap/plan/two-ranges", test_plan_two_ranges);
  g_test_add_func ("/idmap/plan/invalid", test_plan_invalid);
  g_test_add_func ("/idmap/write/default", test_write_default);
  g_test_add_func ("/idmap/write/container-1000", test_write_container_1000);
  g_test_add_func ("/idmap/write/twice", test_write_twice);
  g_test_add_func ("/idmap/write/no-process", test_write_no_process);

  return g_test_run ();
}
