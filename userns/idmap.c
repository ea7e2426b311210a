/* nook: user namespace id mappings: computing, validating, formatting, writing. */
#include "userns/idmap.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "userns/newidmap.h"

/* Spelt out rather than G_DEFINE_QUARK (nook-userns-error-quark, ...): clang-format reads
 * the dashes of that name as minus signs and spaces them into the string. */
GQuark
nook_userns_error_quark (void)
{
  return g_quark_from_static_string ("nook-userns-error-quark");
}

/* What differs between the uid and the gid side, for messages. */
typedef struct
{
  const char *json_path; /* where the mappings came from in config.json */
  const char *id_name;   /* "uid" or "gid" */
} IdKind;

static const IdKind uid_kind = { "linux.uidMappings", "uid" };
static const IdKind gid_kind = { "linux.gidMappings", "gid" };

void
nook_idmap_plan_free (NookIdMapPlan *plan)
{
  if (plan == NULL)
    return;
  g_free (plan->uid_mappings);
  g_free (plan->gid_mappings);
  g_free (plan->uid_map);
  g_free (plan->gid_map);
  g_strfreev (plan->uid_helper_argv);
  g_strfreev (plan->gid_helper_argv);
  g_free (plan->storage_uid_mappings);
  g_free (plan->storage_gid_mappings);
  g_free (plan);
}

char *
nook_idmap_format (const NookIdMapping *mappings, guint n_mappings)
{
  GString *text = g_string_new (NULL);

  for (guint i = 0; i < n_mappings; i++)
    g_string_append_printf (text, "%u %u %u\n", mappings[i].container_id, mappings[i].host_id,
                            mappings[i].size);
  return g_string_free (text, FALSE);
}

static int
compare_ns_id (gconstpointer a, gconstpointer b)
{
  const NookIdShift *x = a, *y = b;

  return x->ns_id < y->ns_id ? -1 : x->ns_id > y->ns_id;
}

NookIdShift *
nook_idmap_translate (const NookIdMapping *ns, guint n_ns, const NookIdMapping *shown,
                      guint n_shown, guint *out_n)
{
  g_autoptr (GArray) out = g_array_new (FALSE, FALSE, sizeof (NookIdShift));
  gboolean identity = TRUE;

  for (guint i = 0; i < n_ns; i++)
    for (guint j = 0; j < n_shown; j++)
      {
        /* 64 bits: a range may end at 2^32. */
        guint64 lo = MAX ((guint64)ns[i].host_id, (guint64)shown[j].host_id);
        guint64 hi
            = MIN ((guint64)ns[i].host_id + ns[i].size, (guint64)shown[j].host_id + shown[j].size);
        NookIdShift shift;

        if (lo >= hi)
          continue;
        shift.ns_id = ns[i].container_id + (guint32)(lo - ns[i].host_id);
        shift.shown_id = shown[j].container_id + (guint32)(lo - shown[j].host_id);
        shift.size = (guint32)(hi - lo);
        identity = identity && shift.ns_id == shift.shown_id;
        g_array_append_val (out, shift);
      }
  if (identity)
    {
      *out_n = 0;
      return NULL;
    }
  g_array_sort (out, compare_ns_id);
  *out_n = out->len;
  return (NookIdShift *)(gpointer)g_array_free (g_steal_pointer (&out), FALSE);
}

gboolean
nook_idmap_contains (const NookIdMapping *mappings, guint n_mappings, guint32 id)
{
  /* id - start < size, not id < start + size, which can overflow. */
  for (guint i = 0; i < n_mappings; i++)
    if (id >= mappings[i].container_id && id - mappings[i].container_id < mappings[i].size)
      return TRUE;
  return FALSE;
}

/* The kernel takes ids below 4294967295 ((u32) -1 means "no id"), so a range
 * must end at or before it. */
static gboolean
range_fits (guint32 start, guint32 size)
{
  return (guint64)start + size <= G_MAXUINT32;
}

static gboolean
check_range_valid (const IdKind *kind, guint index, const NookIdMapping *mapping, GError **error)
{
  if (mapping->size == 0)
    {
      g_set_error (error, NOOK_USERNS_ERROR, NOOK_USERNS_ERROR_INVALID,
                   "%s[%u]: size 0 maps no ids", kind->json_path, index);
      return FALSE;
    }
  if (!range_fits (mapping->container_id, mapping->size))
    {
      g_set_error (error, NOOK_USERNS_ERROR, NOOK_USERNS_ERROR_INVALID,
                   "%s[%u]: container range %u+%u goes past the largest %s 4294967294",
                   kind->json_path, index, mapping->container_id, mapping->size, kind->id_name);
      return FALSE;
    }
  if (!range_fits (mapping->host_id, mapping->size))
    {
      g_set_error (error, NOOK_USERNS_ERROR, NOOK_USERNS_ERROR_INVALID,
                   "%s[%u]: host range %u+%u goes past the largest %s 4294967294", kind->json_path,
                   index, mapping->host_id, mapping->size, kind->id_name);
      return FALSE;
    }
  return TRUE;
}

static gboolean
ranges_overlap (guint32 a, guint32 a_size, guint32 b, guint32 b_size)
{
  return (guint64)a < (guint64)b + b_size && (guint64)b < (guint64)a + a_size;
}

static char *
describe_range (guint32 start, guint32 size)
{
  if (size == 1)
    return g_strdup_printf ("%u", start);
  return g_strdup_printf ("%u-%u", start, (guint32)(start + size - 1));
}

/* The kernel refuses a map whose container ranges, or whose host ranges,
 * overlap; say which two lines it is. */
static gboolean
check_no_overlap (const IdKind *kind, const NookIdMapping *mappings, guint n, GError **error)
{
  for (guint i = 1; i < n; i++)
    for (guint j = 0; j < i; j++)
      {
        const NookIdMapping *a = &mappings[i], *b = &mappings[j];
        gboolean container = ranges_overlap (a->container_id, a->size, b->container_id, b->size);
        const char *side = container ? "container" : "host";
        g_autofree char *range_a = NULL, *range_b = NULL;

        if (!container && !ranges_overlap (a->host_id, a->size, b->host_id, b->size))
          continue;
        range_a = describe_range (container ? a->container_id : a->host_id, a->size);
        range_b = describe_range (container ? b->container_id : b->host_id, b->size);
        g_set_error (error, NOOK_USERNS_ERROR, NOOK_USERNS_ERROR_INVALID,
                     "%s[%u]: %s range %s overlaps %s[%u] (%s range %s)", kind->json_path, i, side,
                     range_a, kind->json_path, j, side, range_b);
        return FALSE;
      }
  return TRUE;
}

/* Does one subordinate range, or a run of adjacent ones, hold the whole
 * host range? (newuidmap accepts a range spread over adjacent lines.) */
static gboolean
within_subids (const NookSubidRange *subids, guint n_subids, guint64 start, guint64 end)
{
  gboolean advanced = TRUE;

  while (start < end && advanced)
    {
      advanced = FALSE;
      for (guint i = 0; i < n_subids; i++)
        if (start >= subids[i].start && start < (guint64)subids[i].start + subids[i].count)
          {
            start = (guint64)subids[i].start + subids[i].count;
            advanced = TRUE;
            break;
          }
    }
  return start >= end;
}

/* newuidmap/newgidmap map the caller's own id only as a range of one. */
static gboolean
host_range_allowed (const NookIdMapping *m, guint32 own_id, const NookSubidRange *subids,
                    guint n_subids)
{
  if (m->size == 1 && m->host_id == own_id)
    return TRUE;
  return within_subids (subids, n_subids, m->host_id, (guint64)m->host_id + m->size);
}

static gboolean
check_config_mappings (const IdKind *kind, const NookIdMapping *mappings, guint n, guint32 own_id,
                       const NookSubidRange *subids, guint n_subids, GError **error)
{
  if (n > NOOK_IDMAP_MAX_LINES)
    {
      g_set_error (error, NOOK_USERNS_ERROR, NOOK_USERNS_ERROR_INVALID,
                   "%s: %u ranges, more than the %d lines the kernel takes in a %s map",
                   kind->json_path, n, NOOK_IDMAP_MAX_LINES, kind->id_name);
      return FALSE;
    }
  for (guint i = 0; i < n; i++)
    if (!check_range_valid (kind, i, &mappings[i], error))
      return FALSE;
  if (!check_no_overlap (kind, mappings, n, error))
    return FALSE;

  for (guint i = 0; i < n; i++)
    {
      g_autofree char *range = NULL, *allowed = NULL;

      if (host_range_allowed (&mappings[i], own_id, subids, n_subids))
        continue;
      range = describe_range (mappings[i].host_id, mappings[i].size);
      allowed = nook_subid_ranges_describe (subids, n_subids);
      g_set_error (error, NOOK_USERNS_ERROR, NOOK_USERNS_ERROR_NEEDS_SUBIDS,
                   "%s[%u]: host %s %s is not yours to map (allowed: your own %s %u with size "
                   "1; subordinate %ss: %s)",
                   kind->json_path, i, mappings[i].size == 1 ? kind->id_name : "range", range,
                   kind->id_name, own_id, kind->id_name, allowed);
      return FALSE;
    }
  return TRUE;
}

static int
compare_container_id (gconstpointer a, gconstpointer b)
{
  const NookIdMapping *x = a, *y = b;

  return x->container_id < y->container_id ? -1 : x->container_id > y->container_id;
}

NookIdMapping *
nook_idmap_layout (guint32 own_container_id, guint32 own_host_id, const NookSubidRange *ranges,
                   guint n_ranges, guint *out_n, GError **error)
{
  g_autoptr (GArray) out = g_array_new (FALSE, FALSE, sizeof (NookIdMapping));
  NookIdMapping own = { own_container_id, own_host_id, 1 };
  guint64 next = 0; /* the next free container id */

  g_array_append_val (out, own);
  for (guint i = 0; i < n_ranges; i++)
    {
      guint64 host = ranges[i].start, left = ranges[i].count;

      while (left > 0 && next < G_MAXUINT32)
        {
          NookIdMapping m;
          guint64 chunk = left;

          if (next == own_container_id)
            {
              next++;
              continue;
            }
          if (next < own_container_id)
            chunk = MIN (chunk, own_container_id - next);
          chunk = MIN (chunk, G_MAXUINT32 - next);
          m = (NookIdMapping){ (guint32)next, (guint32)host, (guint32)chunk };
          g_array_append_val (out, m);
          next += chunk;
          host += chunk;
          left -= chunk;
        }
    }
  if (out->len > NOOK_IDMAP_MAX_LINES)
    {
      g_set_error (error, NOOK_USERNS_ERROR, NOOK_USERNS_ERROR_INVALID,
                   "%u subordinate ranges make a map of %u lines, more than the %d the kernel "
                   "takes",
                   n_ranges, out->len, NOOK_IDMAP_MAX_LINES);
      return NULL;
    }
  g_array_sort (out, compare_container_id);
  *out_n = out->len;
  return (NookIdMapping *)(gpointer)g_array_free (g_steal_pointer (&out), FALSE);
}

/* One side (uid or gid) of the plan. */
static gboolean
plan_side (const IdKind *kind, const NookIdMapping *config, guint n_config, guint32 own_id,
           const NookSubidRange *subids, guint n_subids, NookUsernsMode mode, gboolean privileged,
           NookIdMapping **out, guint *out_n, gboolean *out_needs_helper, GError **error)
{
  if (n_config > 0)
    {
      if (!check_config_mappings (kind, config, n_config, own_id, subids, n_subids, error))
        return FALSE;
      *out = g_memdup2 (config, n_config * sizeof (NookIdMapping));
      *out_n = n_config;
      qsort (*out, *out_n, sizeof (NookIdMapping), compare_container_id);
    }
  else
    {
      *out = nook_idmap_layout (mode == NOOK_USERNS_KEEP_ID ? own_id : 0, own_id, subids, n_subids,
                                out_n, error);
      if (*out == NULL)
        {
          g_prefix_error (error, "%s: ", kind->json_path);
          return FALSE;
        }
    }
  /* Only a single line mapping the caller's own id may be written without
   * privilege (user_namespaces(7)); with CAP_SETUID/CAP_SETGID any map of
   * ids mapped in the caller's namespace may. */
  *out_needs_helper
      = !privileged && !(*out_n == 1 && (*out)[0].size == 1 && (*out)[0].host_id == own_id);
  return TRUE;
}

/* The kernel also takes a map only in one write of less than a page
 * (user_namespaces(7)): 340 lines of large ids do not fit. Say so now
 * rather than let newuidmap fail with EINVAL. */
static gboolean
check_text_size (const IdKind *kind, const char *text, GError **error)
{
  long page = sysconf (_SC_PAGESIZE);
  size_t len = strlen (text);

  if (page <= 0 || len < (size_t)page)
    return TRUE;
  g_set_error (error, NOOK_USERNS_ERROR, NOOK_USERNS_ERROR_INVALID,
               "%s: the %s map is %zu bytes as text, the kernel takes less than %ld (use fewer, "
               "larger ranges)",
               kind->json_path, kind->id_name, len, page);
  return FALSE;
}

NookIdMapPlan *
nook_idmap_plan_new (const NookIdMapRequest *request, GError **error)
{
  g_autoptr (NookIdMapPlan) plan = g_new0 (NookIdMapPlan, 1);
  const NookSubids *subids = request->subids;

  g_return_val_if_fail (request->n_uid == 0 || request->uid_mappings != NULL, NULL);
  g_return_val_if_fail (request->n_gid == 0 || request->gid_mappings != NULL, NULL);

  if (!plan_side (&uid_kind, request->uid_mappings, request->n_uid, request->host_uid,
                  subids ? subids->uids : NULL, subids ? subids->n_uids : 0, request->mode,
                  request->privileged, &plan->uid_mappings, &plan->n_uid, &plan->uid_needs_helper,
                  error))
    return NULL;
  if (!plan_side (&gid_kind, request->gid_mappings, request->n_gid, request->host_gid,
                  subids ? subids->gids : NULL, subids ? subids->n_gids : 0, request->mode,
                  request->privileged, &plan->gid_mappings, &plan->n_gid, &plan->gid_needs_helper,
                  error))
    return NULL;

  if (request->mode == NOOK_USERNS_KEEP_ID && request->n_uid == 0 && request->n_gid == 0)
    {
      gboolean unused;

      if (!plan_side (&uid_kind, NULL, 0, request->host_uid, subids ? subids->uids : NULL,
                      subids ? subids->n_uids : 0, NOOK_USERNS_AUTO, request->privileged,
                      &plan->storage_uid_mappings, &plan->n_storage_uid, &unused, error)
          || !plan_side (&gid_kind, NULL, 0, request->host_gid, subids ? subids->gids : NULL,
                         subids ? subids->n_gids : 0, NOOK_USERNS_AUTO, request->privileged,
                         &plan->storage_gid_mappings, &plan->n_storage_gid, &unused, error))
        return NULL;
    }

  plan->uid_map = nook_idmap_format (plan->uid_mappings, plan->n_uid);
  plan->gid_map = nook_idmap_format (plan->gid_mappings, plan->n_gid);
  if (!check_text_size (&uid_kind, plan->uid_map, error)
      || !check_text_size (&gid_kind, plan->gid_map, error))
    return NULL;
  /* An unprivileged process may only write gid_map after giving up
   * setgroups(2) in the namespace; otherwise the container could drop a
   * supplementary group the host uses to deny it access. newgidmap checks
   * the ranges against /etc/subgid instead and leaves setgroups allowed, as
   * a caller with CAP_SETGID may. */
  plan->deny_setgroups = !request->privileged && !plan->gid_needs_helper;
  return g_steal_pointer (&plan);
}

/* The map text on one line, for error messages. */
static char *
one_line (const char *text)
{
  g_autofree char *copy = g_strchomp (g_strdup (text));
  g_auto (GStrv) lines = g_strsplit (copy, "\n", -1);

  return g_strjoinv ("; ", lines);
}

/* The kernel parses a map from a single write(2) and refuses a second one,
 * so the whole text goes in one call and a short write is an error. */
static gboolean
write_proc_file (pid_t pid, const char *name, const char *text, GError **error)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/%s", (int)pid, name);
  size_t len = strlen (text);
  ssize_t written;
  int fd, saved_errno;

  fd = open (path, O_WRONLY | O_CLOEXEC);
  if (fd < 0)
    {
      saved_errno = errno;
      g_set_error (error, NOOK_USERNS_ERROR, NOOK_USERNS_ERROR_FAILED, "cannot open %s: %s", path,
                   g_strerror (saved_errno));
      return FALSE;
    }

  written = write (fd, text, len);
  saved_errno = errno;
  close (fd);

  if (written < 0 || (size_t)written != len)
    {
      g_autofree char *shown = one_line (text);

      g_set_error (error, NOOK_USERNS_ERROR, NOOK_USERNS_ERROR_FAILED,
                   "cannot write \"%s\" to %s: %s", shown, path,
                   written < 0 ? g_strerror (saved_errno) : "short write");
      return FALSE;
    }
  return TRUE;
}

gboolean
nook_idmap_write (pid_t pid, const NookIdMapPlan *plan, GError **error)
{
  g_return_val_if_fail (pid > 0, FALSE);
  g_return_val_if_fail (plan != NULL, FALSE);

  /* gid first: newgidmap decides about setgroups, and an unprivileged
   * direct write must deny setgroups before gid_map. */
  if (plan->gid_needs_helper)
    {
      if (!nook_newidmap_run (plan->gid_helper_argv, pid, error))
        return FALSE;
    }
  else
    {
      if (plan->deny_setgroups && !write_proc_file (pid, "setgroups", "deny", error))
        return FALSE;
      if (!write_proc_file (pid, "gid_map", plan->gid_map, error))
        return FALSE;
    }
  if (plan->uid_needs_helper)
    return nook_newidmap_run (plan->uid_helper_argv, pid, error);
  return write_proc_file (pid, "uid_map", plan->uid_map, error);
}
