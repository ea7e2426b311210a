/* nook: newuidmap/newgidmap, run by the parent while the child waits. */
#include "userns/newidmap.h"

#include <errno.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#define PID_PLACEHOLDER "PID"

/* Debian installs them in /usr/bin, some distributions in /usr/sbin, which
 * an unprivileged PATH may lack. */
static char *
find_helper (const char *name)
{
  static const char *const dirs[] = { "/usr/bin", "/usr/sbin", "/bin", "/sbin" };
  char *path = g_find_program_in_path (name);

  for (gsize i = 0; path == NULL && i < G_N_ELEMENTS (dirs); i++)
    {
      g_autofree char *candidate = g_build_filename (dirs[i], name, NULL);

      if (access (candidate, X_OK) == 0)
        path = g_steal_pointer (&candidate);
    }
  return path;
}

/* Setuid root (Debian) or file capabilities (Fedora, Arch): without either
 * the helper runs unprivileged and fails with a less helpful message. */
static gboolean
helper_is_privileged (const char *path)
{
  struct stat st;

  if (stat (path, &st) < 0)
    return FALSE;
  if ((st.st_mode & S_ISUID) && st.st_uid == 0)
    return TRUE;
  return getxattr (path, "security.capability", NULL, 0) > 0;
}

static gboolean
prepare_one (const char *name, const NookIdMapping *mappings, guint n, char ***out_argv,
             GError **error)
{
  g_autofree char *path = find_helper (name);

  if (path == NULL)
    {
      g_set_error (error, NOOK_USERNS_ERROR, NOOK_USERNS_ERROR_NO_HELPER,
                   "%s not found: install the uidmap package (it maps the subordinate ids of "
                   "/etc/subuid and /etc/subgid)",
                   name);
      return FALSE;
    }
  if (!helper_is_privileged (path))
    {
      g_set_error (error, NOOK_USERNS_ERROR, NOOK_USERNS_ERROR_NO_HELPER,
                   "%s is neither setuid root nor has file capabilities: reinstall the uidmap "
                   "package",
                   path);
      return FALSE;
    }
  *out_argv = nook_newidmap_argv (path, mappings, n);
  return TRUE;
}

char **
nook_newidmap_argv (const char *helper_path, const NookIdMapping *mappings, guint n_mappings)
{
  GPtrArray *argv = g_ptr_array_new ();

  g_ptr_array_add (argv, g_strdup (helper_path));
  g_ptr_array_add (argv, g_strdup (PID_PLACEHOLDER));
  for (guint i = 0; i < n_mappings; i++)
    {
      g_ptr_array_add (argv, g_strdup_printf ("%u", mappings[i].container_id));
      g_ptr_array_add (argv, g_strdup_printf ("%u", mappings[i].host_id));
      g_ptr_array_add (argv, g_strdup_printf ("%u", mappings[i].size));
    }
  g_ptr_array_add (argv, NULL);
  return (char **)g_ptr_array_free (argv, FALSE);
}

gboolean
nook_newidmap_prepare (NookIdMapPlan *plan, GError **error)
{
  if (plan->gid_needs_helper
      && !prepare_one ("newgidmap", plan->gid_mappings, plan->n_gid, &plan->gid_helper_argv, error))
    return FALSE;
  if (plan->uid_needs_helper
      && !prepare_one ("newuidmap", plan->uid_mappings, plan->n_uid, &plan->uid_helper_argv, error))
    return FALSE;
  return TRUE;
}

/* nook blocks the signals it forwards; the helper starts with none blocked. */
static void
reset_signal_mask (gpointer data)
{
  sigset_t none;

  sigemptyset (&none);
  sigprocmask (SIG_SETMASK, &none, NULL);
}

gboolean
nook_newidmap_run (char *const *argv, pid_t pid, GError **error)
{
  g_auto (GStrv) args = g_strdupv ((char **)argv);
  g_autofree char *err_text = NULL;
  g_autofree char *basename = NULL;
  g_autoptr (GError) local_error = NULL;
  int wait_status = 0;

  g_return_val_if_fail (argv != NULL && argv[0] != NULL && argv[1] != NULL, FALSE);

  g_free (args[1]);
  args[1] = g_strdup_printf ("%d", (int)pid);
  basename = g_path_get_basename (args[0]);

  if (!g_spawn_sync (NULL, args, NULL, G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_CLOEXEC_PIPES,
                     reset_signal_mask, NULL, NULL, &err_text, &wait_status, &local_error))
    {
      g_set_error (error, NOOK_USERNS_ERROR, NOOK_USERNS_ERROR_FAILED, "running %s: %s", args[0],
                   local_error->message);
      return FALSE;
    }
  if (!g_spawn_check_wait_status (wait_status, &local_error))
    {
      g_autofree char *cmdline = g_strjoinv (" ", args + 1);

      /* The helper says why on stderr (a range not in /etc/subuid, ...):
       * keep its words, on one line. */
      g_strstrip (err_text);
      g_strdelimit (err_text, "\n", ' ');
      g_set_error (error, NOOK_USERNS_ERROR, NOOK_USERNS_ERROR_FAILED, "%s %s: %s", basename,
                   cmdline, *err_text ? err_text : local_error->message);
      return FALSE;
    }
  return TRUE;
}
