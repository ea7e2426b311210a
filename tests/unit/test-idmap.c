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
#include "userns/newidmap.h"

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

static const NookSubidRange one_range[] = { { 100000, 65536 } };
static const NookSubids subids_one
    = { (NookSubidRange *)one_range, 1, (NookSubidRange *)one_range, 1 };
static const NookSubids subids_none = { NULL, 0, NULL, 0 };

static NookIdMapPlan *
plan_for (const NookIdMapping *uids, guint n_uid, const NookIdMapping *gids, guint n_gid,
          const NookSubids *subids, NookUsernsMode mode, GError **error)
{
  NookIdMapRequest request = {
    .uid_mappings = uids,
    .n_uid = n_uid,
    .gid_mappings = gids,
    .n_gid = n_gid,
    .host_uid = 1000,
    .host_gid = 1000,
    .subids = subids,
    .mode = mode,
  };

  return nook_idmap_plan_new (&request, error);
}

/* An engine's runtime (uid 0 in rootless podman's user namespace, which
 * maps 0 and 1-65536) given podman's --userns=keep-id maps for uid 1000. */
static void
test_plan_privileged (void)
{
  const NookSubidRange mapped[] = { { 0, 1 }, { 1, 65536 } };
  const NookSubids here = { (NookSubidRange *)mapped, 2, (NookSubidRange *)mapped, 2 };
  const NookIdMapping keep_id[] = { { 0, 1, 1000 }, { 1000, 0, 1 }, { 1001, 1001, 64536 } };
  const NookIdMapping outside[] = { { 0, 0, 1 }, { 1, 65536, 2 } };
  NookIdMapRequest request = {
    .uid_mappings = keep_id,
    .n_uid = G_N_ELEMENTS (keep_id),
    .gid_mappings = keep_id,
    .n_gid = G_N_ELEMENTS (keep_id),
    .host_uid = 0,
    .host_gid = 0,
    .subids = &here,
    .mode = NOOK_USERNS_AUTO,
    .privileged = TRUE,
  };
  g_autoptr (GError) error = NULL;
  g_autoptr (NookIdMapPlan) plan = nook_idmap_plan_new (&request, &error);
  g_autoptr (NookIdMapPlan) refused = NULL;

  g_assert_no_error (error);
  g_assert_nonnull (plan);
  g_assert_cmpstr (plan->uid_map, ==, "0 1 1000\n1000 0 1\n1001 1001 64536\n");
  g_assert_cmpstr (plan->gid_map, ==, plan->uid_map);
  /* Written directly, setgroups left allowed: no newuidmap for uid 0. */
  g_assert_false (plan->uid_needs_helper);
  g_assert_false (plan->gid_needs_helper);
  g_assert_false (plan->deny_setgroups);

  /* Ids the caller's namespace does not map stay refused. */
  request.uid_mappings = outside;
  request.n_uid = G_N_ELEMENTS (outside);
  refused = nook_idmap_plan_new (&request, &error);
  g_assert_null (refused);
  g_assert_error (error, NOOK_USERNS_ERROR, NOOK_USERNS_ERROR_NEEDS_SUBIDS);
}

static char *
layout_text (guint32 own_container, guint32 own_host, const NookSubidRange *ranges, guint n)
{
  g_autoptr (GError) error = NULL;
  g_autofree NookIdMapping *m = NULL;
  guint n_out = 0;

  m = nook_idmap_layout (own_container, own_host, ranges, n, &n_out, &error);
  g_assert_no_error (error);
  g_assert_nonnull (m);
  return nook_idmap_format (m, n_out);
}

static void
test_layout_default (void)
{
  const NookSubidRange two[] = { { 100000, 65536 }, { 300000, 10 } };
  g_autofree char *none = layout_text (0, 1000, NULL, 0);
  g_autofree char *one = layout_text (0, 1000, two, 1);
  g_autofree char *both = layout_text (0, 1000, two, 2);

  g_assert_cmpstr (none, ==, "0 1000 1\n");
  g_assert_cmpstr (one, ==, "0 1000 1\n1 100000 65536\n");
  /* Ranges follow each other in the order the source lists them. */
  g_assert_cmpstr (both, ==, "0 1000 1\n1 100000 65536\n65537 300000 10\n");
}

static void
test_layout_keep_id (void)
{
  const NookSubidRange ranges[] = { { 100000, 65536 } };
  g_autofree char *text = layout_text (1000, 1000, ranges, 1);

  /* Root is the first subordinate id; the caller's id is itself; the range
   * is split around it. */
  g_assert_cmpstr (text, ==, "0 100000 1000\n1000 1000 1\n1001 101000 64536\n");
}

static void
test_layout_split_ranges (void)
{
  /* The hole at 1000 falls into the second range. */
  const NookSubidRange ranges[] = { { 100000, 500 }, { 200000, 1000 }, { 300000, 7 } };
  g_autofree char *text = layout_text (1000, 1000, ranges, 3);
  /* The hole exactly at a range boundary: no empty piece. */
  const NookSubidRange exact[] = { { 100000, 1000 }, { 200000, 5 } };
  g_autofree char *boundary = layout_text (1000, 1000, exact, 2);
  /* Fewer subordinate ids than the caller's id: a gap, no split. */
  const NookSubidRange small[] = { { 100000, 10 } };
  g_autofree char *gap = layout_text (5000, 5000, small, 1);

  g_assert_cmpstr (text, ==,
                   "0 100000 500\n500 200000 500\n1000 1000 1\n1001 200500 500\n"
                   "1501 300000 7\n");
  g_assert_cmpstr (boundary, ==, "0 100000 1000\n1000 1000 1\n1001 200000 5\n");
  g_assert_cmpstr (gap, ==, "0 100000 10\n5000 5000 1\n");
}

static void
test_layout_limits (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree NookSubidRange *many = g_new0 (NookSubidRange, NOOK_IDMAP_MAX_LINES);
  g_autofree NookIdMapping *m = NULL;
  const NookSubidRange huge[] = { { 1, 4294967293u } };
  g_autofree char *clamped = NULL;
  guint n = 0;

  /* 339 ranges and the own id: exactly the kernel's 340 lines. */
  for (guint i = 0; i < NOOK_IDMAP_MAX_LINES; i++)
    many[i] = (NookSubidRange){ 100000 + 10 * i, 5 };
  m = nook_idmap_layout (0, 1000, many, NOOK_IDMAP_MAX_LINES - 1, &n, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (n, ==, NOOK_IDMAP_MAX_LINES);
  g_clear_pointer (&m, g_free);

  m = nook_idmap_layout (0, 1000, many, NOOK_IDMAP_MAX_LINES, &n, &error);
  g_assert_null (m);
  g_assert_error (error, NOOK_USERNS_ERROR, NOOK_USERNS_ERROR_INVALID);
  g_assert_cmpstr (error->message, ==,
                   "340 subordinate ranges make a map of 341 lines, more than the 340 the "
                   "kernel takes");

  /* Container ids stop below 4294967295. */
  clamped = layout_text (0, 0, huge, 1);
  g_assert_cmpstr (clamped, ==, "0 0 1\n1 1 4294967293\n");
}

static void
test_plan_default (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (NookIdMapPlan) plan
      = plan_for (NULL, 0, NULL, 0, &subids_one, NOOK_USERNS_AUTO, &error);

  g_assert_no_error (error);
  g_assert_cmpstr (plan->uid_map, ==, "0 1000 1\n1 100000 65536\n");
  g_assert_cmpstr (plan->gid_map, ==, "0 1000 1\n1 100000 65536\n");
  g_assert_true (plan->uid_needs_helper);
  g_assert_true (plan->gid_needs_helper);
  /* newgidmap leaves setgroups allowed: additionalGids work. */
  g_assert_false (plan->deny_setgroups);
}

static void
test_plan_no_subids (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (NookIdMapPlan) plan
      = plan_for (NULL, 0, NULL, 0, &subids_none, NOOK_USERNS_AUTO, &error);
  g_autoptr (NookIdMapPlan) keep = plan_for (NULL, 0, NULL, 0, NULL, NOOK_USERNS_KEEP_ID, &error);

  g_assert_no_error (error);
  g_assert_cmpstr (plan->uid_map, ==, "0 1000 1\n");
  g_assert_cmpstr (plan->gid_map, ==, "0 1000 1\n");
  g_assert_false (plan->uid_needs_helper);
  g_assert_false (plan->gid_needs_helper);
  g_assert_true (plan->deny_setgroups);
  g_assert_cmpstr (keep->uid_map, ==, "1000 1000 1\n");
  g_assert_false (keep->uid_needs_helper);
}

static void
test_plan_keep_id (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (NookIdMapPlan) plan
      = plan_for (NULL, 0, NULL, 0, &subids_one, NOOK_USERNS_KEEP_ID, &error);

  g_assert_no_error (error);
  g_assert_cmpstr (plan->uid_map, ==, "0 100000 1000\n1000 1000 1\n1001 101000 64536\n");
  g_assert_cmpstr (plan->gid_map, ==, "0 100000 1000\n1000 1000 1\n1001 101000 64536\n");
  g_assert_true (nook_idmap_contains (plan->uid_mappings, plan->n_uid, 1000));
  g_assert_true (nook_idmap_contains (plan->uid_mappings, plan->n_uid, 65536));
  g_assert_false (nook_idmap_contains (plan->uid_mappings, plan->n_uid, 65537));
}

/* keep-id with 1000 and 100000:65536: the files the caller owns (root's
 * files, under the default map) are 1000 in the namespace and must be shown
 * as 0; the ids below 1000 move up one; the rest line up. */
static void
test_plan_keep_id_translate (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (NookIdMapPlan) plan
      = plan_for (NULL, 0, NULL, 0, &subids_one, NOOK_USERNS_KEEP_ID, &error);
  g_autoptr (NookIdMapPlan) auto_plan
      = plan_for (NULL, 0, NULL, 0, &subids_one, NOOK_USERNS_AUTO, &error);
  g_autofree NookIdShift *shift = NULL;
  guint n = 0;

  g_assert_no_error (error);
  g_assert_nonnull (plan->storage_uid_mappings);
  g_assert_cmpuint (plan->n_storage_uid, ==, auto_plan->n_uid);
  g_assert_cmpmem (plan->storage_uid_mappings, plan->n_storage_uid * sizeof (NookIdMapping),
                   auto_plan->uid_mappings, auto_plan->n_uid * sizeof (NookIdMapping));
  g_assert_null (auto_plan->storage_uid_mappings);

  shift = nook_idmap_translate (plan->uid_mappings, plan->n_uid, plan->storage_uid_mappings,
                                plan->n_storage_uid, &n);
  g_assert_cmpuint (n, ==, 3);
  g_assert_cmpuint (shift[0].ns_id, ==, 0);
  g_assert_cmpuint (shift[0].shown_id, ==, 1);
  g_assert_cmpuint (shift[0].size, ==, 1000);
  g_assert_cmpuint (shift[1].ns_id, ==, 1000);
  g_assert_cmpuint (shift[1].shown_id, ==, 0);
  g_assert_cmpuint (shift[1].size, ==, 1);
  g_assert_cmpuint (shift[2].ns_id, ==, 1001);
  g_assert_cmpuint (shift[2].shown_id, ==, 1001);
  g_assert_cmpuint (shift[2].size, ==, 64536);
}

static void
test_translate (void)
{
  const NookIdMapping a[] = {
    { .container_id = 0, .host_id = 1000, .size = 1 },
    { .container_id = 1, .host_id = 100000, .size = 10 },
  };
  const NookIdMapping b[] = {
    { .container_id = 0, .host_id = 100005, .size = 10 }, /* half outside a */
    { .container_id = 20, .host_id = 1000, .size = 1 },
  };
  const NookIdMapping top[] = { { .container_id = 0, .host_id = 4294967286u, .size = 10 } };
  const NookIdMapping top_shifted[] = { { .container_id = 0, .host_id = 4294967291u, .size = 5 } };
  g_autofree NookIdShift *shift = NULL, *same = NULL, *edge = NULL;
  guint n = 99;

  shift = nook_idmap_translate (a, 2, b, 2, &n);
  g_assert_cmpuint (n, ==, 2);
  g_assert_cmpuint (shift[0].ns_id, ==, 0);
  g_assert_cmpuint (shift[0].shown_id, ==, 20);
  g_assert_cmpuint (shift[0].size, ==, 1);
  g_assert_cmpuint (shift[1].ns_id, ==, 6);
  g_assert_cmpuint (shift[1].shown_id, ==, 0);
  g_assert_cmpuint (shift[1].size, ==, 5);

  /* The same map, or none in common: nothing to translate. */
  same = nook_idmap_translate (a, 2, a, 2, &n);
  g_assert_null (same);
  g_assert_cmpuint (n, ==, 0);
  g_assert_null (nook_idmap_translate (a, 1, b, 1, &n));

  /* Ranges that end at the top of the id space do not wrap. */
  edge = nook_idmap_translate (top, 1, top_shifted, 1, &n);
  g_assert_cmpuint (n, ==, 1);
  g_assert_cmpuint (edge[0].ns_id, ==, 5);
  g_assert_cmpuint (edge[0].shown_id, ==, 0);
  g_assert_cmpuint (edge[0].size, ==, 5);
}

static void
test_plan_config (void)
{
  /* Honoured exactly (sorted by container id for the checks): own id, and
   * pieces of the subordinate range anywhere inside. */
  const NookIdMapping uids[] = {
    { .container_id = 1000, .host_id = 100000, .size = 100 },
    { .container_id = 0, .host_id = 1000, .size = 1 },
    { .container_id = 1, .host_id = 165000, .size = 536 },
  };
  const NookIdMapping own_gid = { .container_id = 5, .host_id = 1000, .size = 1 };
  g_autoptr (GError) error = NULL;
  g_autoptr (NookIdMapPlan) plan
      = plan_for (uids, 3, &own_gid, 1, &subids_one, NOOK_USERNS_AUTO, &error);

  g_assert_no_error (error);
  g_assert_cmpstr (plan->uid_map, ==, "0 1000 1\n1 165000 536\n1000 100000 100\n");
  g_assert_true (plan->uid_needs_helper);
  /* A single own-id line needs no helper, and so denies setgroups. */
  g_assert_cmpstr (plan->gid_map, ==, "5 1000 1\n");
  g_assert_false (plan->gid_needs_helper);
  g_assert_true (plan->deny_setgroups);
}

static void
test_plan_config_adjacent (void)
{
  const NookSubidRange ranges[] = { { 200000, 100 }, { 100000, 100 }, { 100100, 100 } };
  const NookSubids subids = { (NookSubidRange *)ranges, 3, (NookSubidRange *)ranges, 3 };
  /* One line over two adjacent subordinate ranges, as newuidmap accepts. */
  const NookIdMapping across = { .container_id = 0, .host_id = 100050, .size = 100 };
  g_autoptr (GError) error = NULL;
  g_autoptr (NookIdMapPlan) plan
      = plan_for (&across, 1, NULL, 0, &subids, NOOK_USERNS_AUTO, &error);

  g_assert_no_error (error);
  g_assert_cmpstr (plan->uid_map, ==, "0 100050 100\n");
  g_assert_true (plan->uid_needs_helper);
}

static void
assert_plan_error (const NookIdMapping *uids, guint n_uid, const NookIdMapping *gids, guint n_gid,
                   const NookSubids *subids, int code, const char *message)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (NookIdMapPlan) plan
      = plan_for (uids, n_uid, gids, n_gid, subids, NOOK_USERNS_AUTO, &error);

  g_assert_null (plan);
  g_assert_error (error, NOOK_USERNS_ERROR, code);
  g_assert_cmpstr (error->message, ==, message);
}

static void
test_plan_outside (void)
{
  const NookIdMapping host_root = { .container_id = 0, .host_id = 0, .size = 1 };
  const NookIdMapping own_and_more = { .container_id = 0, .host_id = 1000, .size = 2 };
  const NookIdMapping past_subids[] = {
    { .container_id = 0, .host_id = 1000, .size = 1 },
    { .container_id = 1, .host_id = 100000, .size = 65537 },
  };
  const NookIdMapping other = { .container_id = 0, .host_id = 200000, .size = 10 };

  assert_plan_error (&host_root, 1, NULL, 0, &subids_one, NOOK_USERNS_ERROR_NEEDS_SUBIDS,
                     "linux.uidMappings[0]: host uid 0 is not yours to map (allowed: your own "
                     "uid 1000 with size 1; subordinate uids: 100000-165535)");
  assert_plan_error (&own_and_more, 1, NULL, 0, &subids_one, NOOK_USERNS_ERROR_NEEDS_SUBIDS,
                     "linux.uidMappings[0]: host range 1000-1001 is not yours to map (allowed: "
                     "your own uid 1000 with size 1; subordinate uids: 100000-165535)");
  assert_plan_error (NULL, 0, past_subids, 2, &subids_one, NOOK_USERNS_ERROR_NEEDS_SUBIDS,
                     "linux.gidMappings[1]: host range 100000-165536 is not yours to map "
                     "(allowed: your own gid 1000 with size 1; subordinate gids: "
                     "100000-165535)");
  assert_plan_error (&other, 1, NULL, 0, &subids_none, NOOK_USERNS_ERROR_NEEDS_SUBIDS,
                     "linux.uidMappings[0]: host range 200000-200009 is not yours to map "
                     "(allowed: your own uid 1000 with size 1; subordinate uids: none)");
}

static void
test_plan_overlap (void)
{
  const NookIdMapping container_overlap[] = {
    { .container_id = 0, .host_id = 100000, .size = 100 },
    { .container_id = 99, .host_id = 1000, .size = 1 },
  };
  const NookIdMapping host_overlap[] = {
    { .container_id = 0, .host_id = 100000, .size = 100 },
    { .container_id = 100, .host_id = 100050, .size = 100 },
  };

  assert_plan_error (container_overlap, 2, NULL, 0, &subids_one, NOOK_USERNS_ERROR_INVALID,
                     "linux.uidMappings[1]: container range 99 overlaps linux.uidMappings[0] "
                     "(container range 0-99)");
  assert_plan_error (NULL, 0, host_overlap, 2, &subids_one, NOOK_USERNS_ERROR_INVALID,
                     "linux.gidMappings[1]: host range 100050-100149 overlaps "
                     "linux.gidMappings[0] (host range 100000-100099)");
}

static void
test_plan_too_many (void)
{
  g_autofree NookIdMapping *lines = g_new0 (NookIdMapping, NOOK_IDMAP_MAX_LINES + 1);
  g_autoptr (GError) error = NULL;
  g_autoptr (NookIdMapPlan) plan = NULL;

  const NookSubidRange low[] = { { 1, 999 }, { 1001, 1000 } };
  const NookSubids subids_low = { (NookSubidRange *)low, 2, (NookSubidRange *)low, 2 };

  /* Short lines: 340 fit in a page of text. */
  for (guint i = 0; i < NOOK_IDMAP_MAX_LINES + 1; i++)
    lines[i] = (NookIdMapping){ i, 1 + i, 1 };
  plan = plan_for (lines, NOOK_IDMAP_MAX_LINES, NULL, 0, &subids_low, NOOK_USERNS_AUTO, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (plan->n_uid, ==, NOOK_IDMAP_MAX_LINES);
  g_clear_pointer (&plan, nook_idmap_plan_free);

  /* Long lines: 340 of them are more than a page. */
  for (guint i = 0; i < NOOK_IDMAP_MAX_LINES + 1; i++)
    lines[i] = (NookIdMapping){ i, 100000 + i, 1 };
  if (sysconf (_SC_PAGESIZE) == 4096)
    assert_plan_error (lines, NOOK_IDMAP_MAX_LINES, NULL, 0, &subids_one, NOOK_USERNS_ERROR_INVALID,
                       "linux.uidMappings: the uid map is 4310 bytes as text, the kernel takes "
                       "less than 4096 (use fewer, larger ranges)");

  assert_plan_error (lines, NOOK_IDMAP_MAX_LINES + 1, NULL, 0, &subids_one,
                     NOOK_USERNS_ERROR_INVALID,
                     "linux.uidMappings: 341 ranges, more than the 340 lines the kernel takes "
                     "in a uid map");
}

static void
test_plan_invalid (void)
{
  const NookIdMapping empty = { .container_id = 0, .host_id = 1000, .size = 0 };
  /* A broken range is reported as broken even after one that is not allowed. */
  const NookIdMapping other_then_empty[] = {
    { .container_id = 0, .host_id = 500000, .size = 65536 },
    { .container_id = 70000, .host_id = 1000, .size = 0 },
  };
  const NookIdMapping past_end = { .container_id = 4294967295u, .host_id = 1000, .size = 1 };
  const NookIdMapping host_past_end = { .container_id = 0, .host_id = 4294967290u, .size = 10 };
  const NookIdMapping own = { .container_id = 0, .host_id = 1000, .size = 1 };

  assert_plan_error (&empty, 1, NULL, 0, &subids_one, NOOK_USERNS_ERROR_INVALID,
                     "linux.uidMappings[0]: size 0 maps no ids");
  assert_plan_error (&own, 1, other_then_empty, 2, &subids_one, NOOK_USERNS_ERROR_INVALID,
                     "linux.gidMappings[1]: size 0 maps no ids");
  assert_plan_error (&past_end, 1, NULL, 0, &subids_one, NOOK_USERNS_ERROR_INVALID,
                     "linux.uidMappings[0]: container range 4294967295+1 goes past the largest "
                     "uid 4294967294");
  assert_plan_error (NULL, 0, &host_past_end, 1, &subids_one, NOOK_USERNS_ERROR_INVALID,
                     "linux.gidMappings[0]: host range 4294967290+10 goes past the largest gid "
                     "4294967294");
}

static void
test_plan_one_side (void)
{
  const NookIdMapping own = { .container_id = 1000, .host_id = 1000, .size = 1 };
  g_autoptr (GError) error = NULL;
  g_autoptr (NookIdMapPlan) uid_only
      = plan_for (&own, 1, NULL, 0, &subids_one, NOOK_USERNS_AUTO, &error);

  g_assert_no_error (error);
  g_assert_cmpstr (uid_only->uid_map, ==, "1000 1000 1\n");
  g_assert_false (uid_only->uid_needs_helper);
  g_assert_cmpstr (uid_only->gid_map, ==, "0 1000 1\n1 100000 65536\n");
  g_assert_true (uid_only->gid_needs_helper);
  g_assert_false (uid_only->deny_setgroups);
}

static void
test_newidmap_argv (void)
{
  const NookIdMapping m[] = { { 0, 1000, 1 }, { 1, 100000, 65536 } };
  g_auto (GStrv) argv = nook_newidmap_argv ("/usr/bin/newuidmap", m, 2);
  g_autofree char *joined = g_strjoinv (" ", argv);

  g_assert_cmpstr (joined, ==, "/usr/bin/newuidmap PID 0 1000 1 1 100000 65536");
}

/* A plan of the caller's own ids only, written directly. */
static NookIdMapPlan *
own_id_plan (const NookIdMapping *uid, const NookIdMapping *gid, GError **error)
{
  NookIdMapRequest request = {
    .uid_mappings = uid,
    .n_uid = uid ? 1 : 0,
    .gid_mappings = gid,
    .n_gid = gid ? 1 : 0,
    .host_uid = getuid (),
    .host_gid = getgid (),
    .subids = NULL,
  };

  return nook_idmap_plan_new (&request, error);
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
      (void)!write (ready_fd, &byte, 1);
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
  (void)!write (child->go_fd, &byte, 1);
  close (child->go_fd);
  g_assert_cmpint (waitpid (child->pid, &status, 0), ==, child->pid);
  g_assert_true (WIFEXITED (status));
  return WEXITSTATUS (status);
}

static void
test_write_default (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (NookIdMapPlan) plan = own_id_plan (NULL, NULL, &error);
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
  g_autoptr (NookIdMapPlan) plan = own_id_plan (&uid, &gid, &error);
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
  g_autoptr (NookIdMapPlan) plan = own_id_plan (NULL, NULL, &error);
  g_autofree char *expected = NULL;
  UsernsChild child;

  g_assert_no_error (error);
  if (!start_userns_child (0, 0, &child))
    return;
  g_assert_true (nook_idmap_write (child.pid, plan, &error));
  g_assert_no_error (error);

  plan->deny_setgroups = FALSE;
  g_assert_false (nook_idmap_write (child.pid, plan, &error));
  expected = g_strdup_printf ("cannot write \"0 %u 1\" to /proc/%d/gid_map: %s", (guint)getgid (),
                              (int)child.pid, g_strerror (EPERM));
  g_assert_error (error, NOOK_USERNS_ERROR, NOOK_USERNS_ERROR_FAILED);
  g_assert_cmpstr (error->message, ==, expected);
  g_assert_cmpint (finish_userns_child (&child), ==, CHILD_OK);
}

static void
test_write_no_process (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (NookIdMapPlan) plan = own_id_plan (NULL, NULL, &error);
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
  expected = g_strdup_printf ("cannot open /proc/%d/setgroups: %s", (int)pid, g_strerror (ENOENT));
  g_assert_error (error, NOOK_USERNS_ERROR, NOOK_USERNS_ERROR_FAILED);
  g_assert_cmpstr (error->message, ==, expected);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/idmap/format", test_format);
  g_test_add_func ("/idmap/contains", test_contains);
  g_test_add_func ("/idmap/layout/default", test_layout_default);
  g_test_add_func ("/idmap/layout/keep-id", test_layout_keep_id);
  g_test_add_func ("/idmap/layout/split-ranges", test_layout_split_ranges);
  g_test_add_func ("/idmap/layout/limits", test_layout_limits);
  g_test_add_func ("/idmap/plan/default", test_plan_default);
  g_test_add_func ("/idmap/plan/no-subids", test_plan_no_subids);
  g_test_add_func ("/idmap/plan/keep-id", test_plan_keep_id);
  g_test_add_func ("/idmap/plan/keep-id-translate", test_plan_keep_id_translate);
  g_test_add_func ("/idmap/translate", test_translate);
  g_test_add_func ("/idmap/plan/config", test_plan_config);
  g_test_add_func ("/idmap/plan/config-adjacent", test_plan_config_adjacent);
  g_test_add_func ("/idmap/plan/outside", test_plan_outside);
  g_test_add_func ("/idmap/plan/overlap", test_plan_overlap);
  g_test_add_func ("/idmap/plan/too-many", test_plan_too_many);
  g_test_add_func ("/idmap/plan/invalid", test_plan_invalid);
  g_test_add_func ("/idmap/plan/one-side", test_plan_one_side);
  g_test_add_func ("/idmap/plan/privileged", test_plan_privileged);
  g_test_add_func ("/idmap/newidmap/argv", test_newidmap_argv);
  g_test_add_func ("/idmap/write/default", test_write_default);
  g_test_add_func ("/idmap/write/container-1000", test_write_container_1000);
  g_test_add_func ("/idmap/write/twice", test_write_twice);
  g_test_add_func ("/idmap/write/no-process", test_write_no_process);

  return g_test_run ();
}
