/* nook: planning the user namespace of a container of the calling user. */
#include "userns/userns.h"

#include <linux/capability.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "userns/newidmap.h"
#include "userns/subid.h"

static char *
caller_name (uid_t uid)
{
  struct passwd *pw = getpwuid (uid);

  return pw ? g_strdup (pw->pw_name) : NULL;
}

/* Config maps of only the caller's own ids need no subordinate ranges: the
 * lookup (NSS, libsubid, /etc/subuid) is skipped on that path. */
static gboolean
own_ids_only (const NookIdMapping *m, guint n, guint32 own)
{
  if (n == 0)
    return FALSE;
  for (guint i = 0; i < n; i++)
    if (m[i].host_id != own || m[i].size != 1)
      return FALSE;
  return TRUE;
}

/* Engines (rootless podman with --userns=keep-id) run their runtime as uid 0
 * in a user namespace of their own, with every capability there, and hand it
 * complete maps. Such a caller may map any id its namespace maps and must
 * write the maps itself: newuidmap would look uid 0 up in /etc/subuid. */
static gboolean
has_setid_caps (void)
{
  g_autofree char *status = NULL;
  const char *line;
  guint64 eff;

  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL))
    return FALSE;
  line = strstr (status, "\nCapEff:");
  if (line == NULL)
    return FALSE;
  eff = strtoull (line + strlen ("\nCapEff:"), NULL, 16);
  return (eff & (1ULL << CAP_SETUID)) != 0 && (eff & (1ULL << CAP_SETGID)) != 0;
}

/* The ids mapped in the caller's user namespace, as its own ids (the first
 * column of /proc/self/uid_map or gid_map). */
static NookSubidRange *
ids_mapped_here (const char *map, guint *out_n)
{
  g_autofree char *path = g_strconcat ("/proc/self/", map, NULL);
  g_autofree char *text = NULL;
  g_auto (GStrv) lines = NULL;
  GArray *out = g_array_new (FALSE, FALSE, sizeof (NookSubidRange));

  if (g_file_get_contents (path, &text, NULL, NULL))
    {
      lines = g_strsplit (text, "\n", -1);
      for (guint i = 0; lines[i] != NULL; i++)
        {
          guint64 inner, outer, count;
          NookSubidRange r;

          if (sscanf (lines[i], "%" G_GUINT64_FORMAT " %" G_GUINT64_FORMAT " %" G_GUINT64_FORMAT,
                      &inner, &outer, &count)
                  != 3
              || count == 0 || inner >= G_MAXUINT32)
            continue;
          r = (NookSubidRange){ (guint32)inner, (guint32)MIN (count, G_MAXUINT32 - inner) };
          g_array_append_val (out, r);
        }
    }
  *out_n = out->len;
  return (NookSubidRange *)(gpointer)g_array_free (out, FALSE);
}

NookIdMapPlan *
nook_userns_plan_for_caller (const NookIdMapping *uid_mappings, guint n_uid,
                             const NookIdMapping *gid_mappings, guint n_gid, NookUsernsMode mode,
                             GPtrArray *warnings, GError **error)
{
  uid_t uid = getuid ();
  gid_t gid = getgid ();
  gboolean privileged = n_uid > 0 && n_gid > 0 && has_setid_caps ();
  gboolean need_subids = !privileged
                         && (mode != NOOK_USERNS_AUTO || !own_ids_only (uid_mappings, n_uid, uid)
                             || !own_ids_only (gid_mappings, n_gid, gid));
  g_autofree char *user = need_subids ? caller_name (uid) : NULL;
  g_autoptr (NookSubids) subids
      = need_subids ? nook_subids_lookup (user, uid, gid) : g_new0 (NookSubids, 1);

  if (privileged)
    {
      subids->uids = ids_mapped_here ("uid_map", &subids->n_uids);
      subids->gids = ids_mapped_here ("gid_map", &subids->n_gids);
    }
  NookIdMapRequest request = {
    .uid_mappings = uid_mappings,
    .n_uid = n_uid,
    .gid_mappings = gid_mappings,
    .n_gid = n_gid,
    .host_uid = uid,
    .host_gid = gid,
    .subids = subids,
    .mode = mode,
    .privileged = privileged,
  };
  g_autoptr (NookIdMapPlan) plan = nook_idmap_plan_new (&request, error);

  if (plan == NULL)
    return NULL;
  if (!nook_newidmap_prepare (plan, error))
    return NULL;

  if (warnings != NULL && subids->unavailable != NULL && (n_uid == 0 || n_gid == 0))
    {
      g_ptr_array_add (warnings,
                       g_strdup_printf ("cannot load libsubid (%s): the container maps only "
                                        "your own uid and gid; install the libsubid4 package",
                                        subids->unavailable));
      return g_steal_pointer (&plan);
    }
  if (warnings != NULL
      && ((n_uid == 0 && subids->n_uids == 0) || (n_gid == 0 && subids->n_gids == 0)))
    {
      g_autofree char *who = user ? g_strdup (user) : g_strdup_printf ("%u", (guint)uid);

      g_ptr_array_add (warnings,
                       g_strdup_printf ("no subordinate %s for %s in /etc/subuid and "
                                        "/etc/subgid: the container maps only your own uid "
                                        "and gid; to give it 65536 more, run as root: usermod "
                                        "--add-subuids 100000-165535 --add-subgids "
                                        "100000-165535 %s",
                                        subids->n_uids == 0 && subids->n_gids == 0 ? "ids"
                                        : subids->n_uids == 0                      ? "uids"
                                                                                   : "gids",
                                        who, who));
    }
  return g_steal_pointer (&plan);
}
