/* nook: the global options (see globals.h). */
#include "launcher/cli/globals.h"

#include <linux/magic.h>
#include <string.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "launcher/cli/options.h"
#include "launcher/errors.h"
#include "launcher/log.h"

void
nook_global_options_clear (NookGlobalOptions *globals)
{
  g_clear_pointer (&globals->root, g_free);
  g_clear_pointer (&globals->log, g_free);
  g_clear_pointer (&globals->log_format, g_free);
  g_clear_pointer (&globals->cgroup_manager, g_free);
}

static gboolean
check_globals (NookGlobalOptions *globals, GError **error)
{
  static const char *const managers[] = { "cgroupfs", "systemd", "disabled", NULL };
  NookLogFormat format;

  if (!nook_log_format_parse (globals->log_format, &format, error))
    return FALSE;
  if (globals->cgroup_manager != NULL && !g_strv_contains (managers, globals->cgroup_manager))
    {
      g_set_error (error, NOOK_ERROR, NOOK_ERROR_USAGE,
                   "--cgroup-manager: unknown manager '%s' (cgroupfs, systemd or disabled)",
                   globals->cgroup_manager);
      return FALSE;
    }
  /* runc's and crun's older spelling of --cgroup-manager=systemd. */
  if (globals->systemd_cgroup && globals->cgroup_manager == NULL)
    globals->cgroup_manager = g_strdup ("systemd");
  return TRUE;
}

gboolean
nook_cli_parse_globals (int *argc, char ***argv, NookGlobalOptions *globals,
                        NookGlobalsAction *out_action, GError **error)
{
  gboolean help = FALSE, version = FALSE;
  GOptionEntry entries[] = {
    { "root", 0, 0, G_OPTION_ARG_FILENAME, &globals->root, NULL, NULL },
    { "log", 0, 0, G_OPTION_ARG_FILENAME, &globals->log, NULL, NULL },
    { "log-format", 0, 0, G_OPTION_ARG_STRING, &globals->log_format, NULL, NULL },
    { "debug", 0, 0, G_OPTION_ARG_NONE, &globals->debug, NULL, NULL },
    { "systemd-cgroup", 0, 0, G_OPTION_ARG_NONE, &globals->systemd_cgroup, NULL, NULL },
    { "cgroup-manager", 0, 0, G_OPTION_ARG_STRING, &globals->cgroup_manager, NULL, NULL },
    { "help", 'h', 0, G_OPTION_ARG_NONE, &help, NULL, NULL },
    { "version", 'v', 0, G_OPTION_ARG_NONE, &version, NULL, NULL },
    { NULL },
  };
  g_autoptr (GOptionContext) ctx = g_option_context_new (NULL);

  g_option_context_add_main_entries (ctx, entries, NULL);
  g_option_context_set_help_enabled (ctx, FALSE);
  /* The command's own options follow it: stop there. */
  g_option_context_set_strict_posix (ctx, TRUE);
  if (!nook_cli_parse_options (ctx, NULL, argc, argv, error))
    return FALSE;
  /* Help and version win over a bad value, as in runc. */
  *out_action = help ? NOOK_GLOBALS_HELP : version ? NOOK_GLOBALS_VERSION : NOOK_GLOBALS_COMMAND;
  if (*out_action != NOOK_GLOBALS_COMMAND)
    return TRUE;
  return check_globals (globals, error);
}

/* nook's own cgroup on the unified hierarchy, from /proc/self/cgroup
 * ("0::/user.slice/..."), or NULL when there is none at /sys/fs/cgroup
 * (cgroup v1, or hybrid mode with cgroup2 at /sys/fs/cgroup/unified). */
static char *
own_cgroup_dir (const char **out_why)
{
  g_autofree char *contents = NULL;
  g_auto (GStrv) lines = NULL;
  struct statfs fs;

  if (statfs ("/sys/fs/cgroup", &fs) != 0 || fs.f_type != CGROUP2_SUPER_MAGIC)
    {
      *out_why = "/sys/fs/cgroup is not a cgroup2 file system";
      return NULL;
    }
  if (!g_file_get_contents ("/proc/self/cgroup", &contents, NULL, NULL))
    {
      *out_why = "/proc/self/cgroup cannot be read";
      return NULL;
    }
  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    if (g_str_has_prefix (lines[i], "0::"))
      return g_build_filename ("/sys/fs/cgroup", lines[i] + 3, NULL);
  *out_why = "no cgroup2 entry in /proc/self/cgroup";
  return NULL;
}

/* A tree is delegated to the user when they may create cgroups in their
 * own one and move processes there. */
static gboolean
cgroup_delegated (const char **out_why)
{
  g_autofree char *dir = own_cgroup_dir (out_why);
  g_autofree char *procs = NULL;

  if (dir == NULL)
    return FALSE;
  procs = g_build_filename (dir, "cgroup.procs", NULL);
  if (access (dir, W_OK) != 0 || access (procs, W_OK) != 0)
    {
      *out_why = "the caller's cgroup is not writable";
      return FALSE;
    }
  return TRUE;
}

/* nook never creates cgroups: the container stays in nook's own, and
 * linux.resources limits are not applied (run warns about those). An
 * engine that passes a cgroup manager learns it once, in its log. */
static void
note_cgroups (const NookGlobalOptions *globals)
{
  const char *why = NULL;

  if (globals->cgroup_manager == NULL)
    return;
  if (strcmp (globals->cgroup_manager, "disabled") == 0)
    {
      nook_log_debug ("cgroups: disabled");
      return;
    }
  if (!cgroup_delegated (&why))
    nook_log_info ("cgroups: --cgroup-manager=%s is accepted but nook does not manage cgroups: "
                   "no delegated cgroup tree (%s); containers stay in the caller's cgroup",
                   globals->cgroup_manager, why);
  else
    nook_log_info ("cgroups: --cgroup-manager=%s is accepted but nook does not manage cgroups; "
                   "containers stay in the caller's cgroup",
                   globals->cgroup_manager);
}

gboolean
nook_cli_apply_globals (const NookGlobalOptions *globals, GError **error)
{
  NookLogFormat format = NOOK_LOG_FORMAT_TEXT;

  if (!nook_log_format_parse (globals->log_format, &format, error)
      || !nook_log_setup (globals->log, format, globals->debug, error))
    return FALSE;
  note_cgroups (globals);
  return TRUE;
}
