/* nook: libFuzzer target for what nook does with /etc/subuid and
 * /etc/subgid: the input is read by nook_subid_parse_file as nook reads
 * those files (as shadow does: OWNER:START:COUNT lines, other lines
 * ignored), the ranges of the caller (by name or number) go through
 * nook_subid_ranges_normalize and nook_idmap_plan_new in both modes, as
 * nook_subids_lookup and the launcher do.
 *
 * Checked on every plan: the caller's own id mapped, no container id and
 * no host id mapped twice, no range past 4294967294, at most 340 lines,
 * and map text that matches the mappings. */
#include "tests/fuzz/fuzz-common.h"

#include <errno.h>
#include <string.h>

#include "userns/idmap.h"

#define USER "nt"
#define UID 1000
#define GID 1000

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  fuzz_fatal_criticals ();
  return 0;
}

static void
check_side (const char *what, const NookIdMapping *m, guint n, const char *text, guint32 own_host)
{
  g_autofree char *formatted = nook_idmap_format (m, n);
  gboolean own = FALSE;

  if (n == 0 || n > NOOK_IDMAP_MAX_LINES)
    fuzz_fail ("fuzz-subid: %s: %u lines", what, n);
  if (g_strcmp0 (formatted, text) != 0)
    fuzz_fail ("fuzz-subid: %s: the map text is not the mappings'", what);
  for (guint i = 0; i < n; i++)
    {
      if (m[i].size == 0 || (guint64)m[i].container_id + m[i].size > G_MAXUINT32
          || (guint64)m[i].host_id + m[i].size > G_MAXUINT32)
        fuzz_fail ("fuzz-subid: %s: bad range %u %u %u", what, m[i].container_id, m[i].host_id,
                   m[i].size);
      own |= own_host >= m[i].host_id && (guint64)own_host < (guint64)m[i].host_id + m[i].size;
      for (guint j = 0; j < i; j++)
        if ((m[i].container_id < (guint64)m[j].container_id + m[j].size
             && m[j].container_id < (guint64)m[i].container_id + m[i].size)
            || (m[i].host_id < (guint64)m[j].host_id + m[j].size
                && m[j].host_id < (guint64)m[i].host_id + m[i].size))
          fuzz_fail ("fuzz-subid: %s: lines %u and %u overlap", what, j, i);
    }
  if (!own)
    fuzz_fail ("fuzz-subid: %s: the caller's id %u is not mapped", what, own_host);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autofree char *text = g_strndup ((const char *)data, size);
  guint n_raw = 0;
  g_autofree NookSubidRange *raw = nook_subid_parse_file (text, USER, UID, &n_raw);
  NookSubids subids = { 0 };
  g_autofree NookSubidRange *uids = NULL;
  g_autofree NookSubidRange *gids = NULL;
  g_autofree char *described = NULL;

  uids = nook_subid_ranges_normalize (raw, n_raw, UID, &subids.n_uids);
  gids = nook_subid_ranges_normalize (raw, n_raw, GID + 1, &subids.n_gids);
  subids.uids = uids;
  subids.gids = gids;
  described = nook_subid_ranges_describe (uids, subids.n_uids);
  for (guint i = 0; i < subids.n_uids; i++)
    if (uids[i].count == 0 || (guint64)uids[i].start + uids[i].count > G_MAXUINT32
        || (UID >= uids[i].start && UID - uids[i].start < uids[i].count))
      fuzz_fail ("fuzz-subid: normalized range %u+%u", uids[i].start, uids[i].count);

  for (NookUsernsMode mode = NOOK_USERNS_AUTO; mode <= NOOK_USERNS_KEEP_ID; mode++)
    {
      NookIdMapRequest request
          = { .host_uid = UID, .host_gid = GID + 1, .subids = &subids, .mode = mode };
      g_autoptr (GError) error = NULL;
      g_autoptr (NookIdMapPlan) plan = nook_idmap_plan_new (&request, &error);

      if ((plan == NULL) == (error == NULL))
        fuzz_fail ("fuzz-subid: plan %p with error %p", (void *)plan, (void *)error);
      if (plan == NULL)
        continue;
      check_side ("uid", plan->uid_mappings, plan->n_uid, plan->uid_map, UID);
      check_side ("gid", plan->gid_mappings, plan->n_gid, plan->gid_map, GID + 1);
    }
  return 0;
}
