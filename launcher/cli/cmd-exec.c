/* nook exec [OPTIONS] ID [COMMAND [ARG...]] */
#include <stdio.h>
#include <string.h>

#include "launcher/cli/commands.h"
#include "launcher/cli/options.h"
#include "launcher/errors.h"
#include "launcher/lifecycle/lifecycle.h"

typedef struct
{
  gboolean tty;
  char *console_socket;
  gboolean detach;
  char *pid_file;
  char **env;
  char *cwd;
  char *user;
  char **additional_gids;
  char *apparmor;
  char *process_label;
  char **caps;
  gboolean no_new_privs;
  int preserve_fds;
  char *process;
  gboolean no_filter_cache;
  gboolean help;
  char *workdir;  /* -w: --cwd, as podman spells it */
  char **volumes; /* -v: refused, the mounts are the container's */
  char **devices; /* --device: the same */
} NookExecOptionsCli;

static void
exec_options_clear (NookExecOptionsCli *o)
{
  g_free (o->console_socket);
  g_free (o->pid_file);
  g_strfreev (o->env);
  g_free (o->cwd);
  g_free (o->user);
  g_strfreev (o->additional_gids);
  g_free (o->apparmor);
  g_free (o->process_label);
  g_strfreev (o->caps);
  g_free (o->process);
  g_free (o->workdir);
  g_strfreev (o->volumes);
  g_strfreev (o->devices);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (NookExecOptionsCli, exec_options_clear)

static const char exec_usage[]
    = "Usage: nook exec [OPTIONS] ID [COMMAND [ARG...]]\n"
      "\n"
      "Run COMMAND in the running container ID: in all of its namespaces, with\n"
      "its process's user, capabilities, rlimits, no_new_privileges and seccomp\n"
      "filter (config.json's process, or FILE with --process). nook exits with the\n"
      "command's status (128+N when killed by signal N), 125 when nook itself fails\n"
      "(no such container, or it is not running), 126 when COMMAND cannot be\n"
      "executed and 127 when it is not found.\n"
      "\n"
      "Options:\n"
      "  -t, --tty                 Allocate a pseudo-terminal\n"
      "  --console-socket SOCK     Send the terminal's master to the unix socket SOCK\n"
      "                            (SCM_RIGHTS) instead of proxying it\n"
      "  -d, --detach              Exit once COMMAND runs (with -t: --console-socket)\n"
      "  --pid-file FILE           Write COMMAND's pid to FILE\n"
      "  -e, --env NAME=VALUE      Set an environment variable (repeatable); NAME\n"
      "                            alone takes its value from nook's environment\n"
      "  --cwd DIR, -w, --workdir DIR\n"
      "                            Working directory (default: process.cwd)\n"
      "  -u, --user USER[:GROUP]   Run as USER (and GROUP): numbers, or names from the\n"
      "                            container's /etc/passwd and /etc/group (default:\n"
      "                            process.user; a user name alone takes its group)\n"
      "  -g, --additional-gids GID Add a supplementary group (repeatable)\n"
      "  --cap CAP                 Add a capability, e.g. CAP_NET_RAW (repeatable)\n"
      "  --no-new-privs            Set no_new_privileges\n"
      "  --preserve-fds N          Pass fds 3 to 3+N-1 on to COMMAND\n"
      "  --apparmor PROFILE        AppArmor profile (refused where the host runs\n"
      "                            AppArmor: nook cannot apply it; ignored with a\n"
      "                            warning where it does not)\n"
      "  --process-label LABEL     SELinux label (the same rule)\n"
      "  -p, --process FILE        The process as a runtime-spec JSON object (replaces\n"
      "                            COMMAND and every option that shapes the process)\n"
      "  --no-filter-cache         Compile the seccomp profile, bypassing the store\n"
      "  -h, --help                Show this help\n";

static gboolean
parse_exec_options (int *argc, char ***argv, NookExecOptionsCli *o, GError **error)
{
  GOptionEntry entries[] = {
    { "tty", 't', 0, G_OPTION_ARG_NONE, &o->tty, NULL, NULL },
    { "console-socket", 0, 0, G_OPTION_ARG_FILENAME, &o->console_socket, NULL, NULL },
    { "detach", 'd', 0, G_OPTION_ARG_NONE, &o->detach, NULL, NULL },
    { "pid-file", 0, 0, G_OPTION_ARG_FILENAME, &o->pid_file, NULL, NULL },
    { "env", 'e', 0, G_OPTION_ARG_STRING_ARRAY, &o->env, NULL, NULL },
    { "cwd", 0, 0, G_OPTION_ARG_FILENAME, &o->cwd, NULL, NULL },
    { "user", 'u', 0, G_OPTION_ARG_STRING, &o->user, NULL, NULL },
    { "additional-gids", 'g', 0, G_OPTION_ARG_STRING_ARRAY, &o->additional_gids, NULL, NULL },
    { "apparmor", 0, 0, G_OPTION_ARG_STRING, &o->apparmor, NULL, NULL },
    { "process-label", 0, 0, G_OPTION_ARG_STRING, &o->process_label, NULL, NULL },
    { "cap", 'c', 0, G_OPTION_ARG_STRING_ARRAY, &o->caps, NULL, NULL },
    { "no-new-privs", 0, 0, G_OPTION_ARG_NONE, &o->no_new_privs, NULL, NULL },
    { "preserve-fds", 0, 0, G_OPTION_ARG_INT, &o->preserve_fds, NULL, NULL },
    { "process", 'p', 0, G_OPTION_ARG_FILENAME, &o->process, NULL, NULL },
    { "no-filter-cache", 0, 0, G_OPTION_ARG_NONE, &o->no_filter_cache, NULL, NULL },
    { "workdir", 'w', 0, G_OPTION_ARG_FILENAME, &o->workdir, NULL, NULL },
    { "volume", 'v', G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_FILENAME_ARRAY, &o->volumes, NULL, NULL },
    { "device", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_FILENAME_ARRAY, &o->devices, NULL, NULL },
    { "help", 'h', 0, G_OPTION_ARG_NONE, &o->help, NULL, NULL },
    { NULL },
  };
  /* Strict: stop at ID, what follows belongs to the command. */
  if (!nook_cli_parse ("exec", entries, TRUE, argc, argv, error))
    return FALSE;
  if (o->volumes != NULL || o->devices != NULL)
    {
      g_set_error (error, NOOK_ERROR, NOOK_ERROR_USAGE,
                   "exec: %s: the mounts of a running container cannot change (give it to "
                   "run or create)",
                   o->volumes != NULL ? "-v/--volume" : "--device");
      return FALSE;
    }
  if (o->workdir != NULL && o->cwd != NULL)
    {
      g_set_error (error, NOOK_ERROR, NOOK_ERROR_USAGE,
                   "exec: --cwd and -w/--workdir are the same option: give one");
      return FALSE;
    }
  if (o->workdir != NULL)
    o->cwd = g_steal_pointer (&o->workdir);
  return TRUE;
}

gboolean
nook_cmd_exec (int argc, char **argv, const NookGlobalOptions *globals, int *out_status,
               GError **error)
{
  g_auto (NookExecOptionsCli) o = { 0 };
  NookExecRequest request = { 0 };

  if (!parse_exec_options (&argc, &argv, &o, error))
    return FALSE;
  if (nook_cli_help (o.help, exec_usage, out_status))
    return TRUE;
  /* A "--" before ID or before COMMAND only separates. */
  if (!nook_cli_first_operand ("exec", "container ID", &argc, &argv, error))
    return FALSE;
  if (argc >= 3 && strcmp (argv[2], "--") == 0)
    {
      argv[2] = argv[1];
      argc--, argv++;
    }

  request.id = argv[1];
  request.state_root = globals->root;
  request.process_file = o.process;
  request.command = argc > 2 ? argv + 2 : NULL;
  request.env = o.env;
  request.cwd = o.cwd;
  request.user = o.user;
  request.additional_gids = o.additional_gids;
  request.apparmor = o.apparmor;
  request.process_label = o.process_label;
  request.caps = o.caps;
  request.no_new_privs = o.no_new_privs;
  request.tty = o.tty;
  request.detach = o.detach;
  request.console_socket = o.console_socket;
  request.pid_file = o.pid_file;
  request.preserve_fds = o.preserve_fds;
  request.use_filter_cache
      = !o.no_filter_cache && g_strcmp0 (g_getenv ("NOOK_NO_FILTER_CACHE"), "1") != 0;
  return nook_lifecycle_exec (&request, out_status, error);
}
