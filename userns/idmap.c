/* nook: user namespace id mappings: computing, validating, formatting, writing. */
#include "userns/idmap.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

G_DEFINE_QUARK (nook-userns-error-quark, nook_userns_error)

/* What differs between the uid and the gid side, for messages. */
typedef struct
{
  const char *json_path; /* where the mappings came from in config.json */
  const char *id_name;   /* "uid" or "gid" */
  const char *helper;    /* the setuid helper that would map sub-ids */
} IdKind;

static const IdKind uid_kind = { "linux.uidMappings", "uid", "newuidmap" };
static const IdKind gid_kind = { "linux.gidMappings", "gid", "newgidmap" };

void
nook_idmap_plan_free (NookIdMapPlan *plan)
{
  if (plan == NULL)
    return;
  g_free (plan->uid_map);
  g_free (plan->gid_map);
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
  return (guint64) start + size <= G_MAXUINT32;
}

static char *
describe_host_range (const IdKind *kind, const NookIdMapping *mapping)
{
  if (mapping->size == 1)
    return g_strdup_printf ("host %s %u", kind->id_name, mapping->host_id);
  return g_strdup_printf ("host range %u-%u", mapping->host_id,
                          (guint32) (mapping->host_id + mapping->size - 1));
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
                   "%s[%u]: host range %u+%u goes past the largest %s 4294967294",
                   kind->json_path, index, mapping->host_id, mapping->size, kind->id_name);
      return FALSE;
    }
  return TRUE;
}

/* Without subordinate ids an unprivileged process may write exactly one
 * line mapping its own id (user_namespaces(7)); anything else needs the
 * setuid helpers, which are not wired up yet. Each mapping is checked for
 * validity first so that a broken config is reported as such rather than as
 * a missing feature. */
static gboolean
resolve_own_id (const IdKind *kind, const NookIdMapping *mappings, guint n_mappings,
                guint32 own_id, NookIdMapping *out_mapping, GError **error)
{
  if (n_mappings == 0)
    {
      *out_mapping = (NookIdMapping){ .container_id = 0, .host_id = own_id, .size = 1 };
      return TRUE;
    }

  for (guint i = 0; i < n_mappings; i++)
    if (!check_range_valid (kind, i, &mappings[i], error))
      return FALSE;

  for (guint i = 0; i < n_mappings; i++)
    {
      if (mappings[i].size == 1 && mappings[i].host_id == own_id)
        continue;

      g_autofree char *range = describe_host_range (kind, &mappings[i]);
      g_set_error (error, NOOK_USERNS_ERROR, NOOK_USERNS_ERROR_NEEDS_SUBIDS,
                   "%s[%u]: %s needs subordinate ids (%s), not supported yet; only the caller's "
                   "own %s %u can be mapped",
                   kind->json_path, i, range, kind->helper, kind->id_name, own_id);
      return FALSE;
    }

  if (n_mappings > 1)
    {
      g_set_error (error, NOOK_USERNS_ERROR, NOOK_USERNS_ERROR_NEEDS_SUBIDS,
                   "%s[1]: a second range needs subordinate ids (%s), not supported yet; only "
                   "one mapping of the caller's own %s %u can be written",
                   kind->json_path, kind->helper, kind->id_name, own_id);
      return FALSE;
    }

  *out_mapping = mappings[0];
  return TRUE;
}

NookIdMapPlan *
nook_idmap_plan_new (const NookIdMapping *uid_mappings, guint n_uid,
                     const NookIdMapping *gid_mappings, guint n_gid, uid_t host_uid,
                     gid_t host_gid, GError **error)
{
  g_autoptr (NookIdMapPlan) plan = NULL;
  NookIdMapping uid_mapping, gid_mapping;

  g_return_val_if_fail (n_uid == 0 || uid_mappings != NULL, NULL);
  g_return_val_if_fail (n_gid == 0 || gid_mappings != NULL, NULL);

  if (!resolve_own_id (&uid_kind, uid_mappings, n_uid, host_uid, &uid_mapping, error))
    return NULL;
  if (!resolve_own_id (&gid_kind, gid_mappings, n_gid, host_gid, &gid_mapping, error))
    return NULL;

  plan = g_new0 (NookIdMapPlan, 1);
  plan->uid_map = nook_idmap_format (&uid_mapping, 1);
  plan->gid_map = nook_idmap_format (&gid_mapping, 1);
  /* An unprivileged process may only write gid_map after giving up
   * setgroups(2) in the namespace; otherwise the container could drop a
   * supplementary group the host uses to deny it access. The direct write is
   * always the unprivileged path, so always deny. */
  plan->deny_setgroups = TRUE;
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
  g_autofree char *path = g_strdup_printf ("/proc/%d/%s", (int) pid, name);
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

  if (written < 0 || (size_t) written != len)
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

  /* Order matters to the kernel: setgroups must be denied before gid_map is
   * written by an unprivileged process. */
  if (plan->deny_setgroups && !write_proc_file (pid, "setgroups", "deny", error))
    return FALSE;
  if (!write_proc_file (pid, "gid_map", plan->gid_map, error))
    return FALSE;
  return write_proc_file (pid, "uid_map", plan->uid_map, error);
}
