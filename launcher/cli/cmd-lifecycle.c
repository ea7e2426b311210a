/* nook start | state | kill | delete ID: the OCI verbs on an existing
 * container, with runc's options and spellings. Each is option parsing
 * plus one lifecycle call. */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "launcher/cli/commands.h"
#include "launcher/cli/options.h"
#include "launcher/errors.h"
#include "launcher/lifecycle/lifecycle.h"

gboolean
nook_cmd_start (int argc, char **argv, const NookGlobalOptions *globals, int *out_status,
                GError **error)
{
  gboolean help = FALSE;
  const char *id;
  GOptionEntry entries[] = {
    { "help", 'h', 0, G_OPTION_ARG_NONE, &help, NULL, NULL },
    { NULL },
  };

  if (!nook_cli_parse ("start", entries, FALSE, &argc, &argv, error))
    return FALSE;
  if (nook_cli_help (help,
                     "Usage: nook start ID\n\nLet a created container's process run.\n\n"
                     "Options:\n  -h, --help          Show this help\n",
                     out_status))
    return TRUE;
  if (!nook_cli_one_id ("start", argc, argv, &id, error)
      || !nook_lifecycle_start (globals->root, id, error))
    return FALSE;
  *out_status = 0;
  return TRUE;
}

gboolean
nook_cmd_state (int argc, char **argv, const NookGlobalOptions *globals, int *out_status,
                GError **error)
{
  gboolean help = FALSE;
  g_autofree char *json = NULL;
  const char *id;
  GOptionEntry entries[] = {
    { "help", 'h', 0, G_OPTION_ARG_NONE, &help, NULL, NULL },
    { NULL },
  };

  if (!nook_cli_parse ("state", entries, FALSE, &argc, &argv, error))
    return FALSE;
  if (nook_cli_help (help,
                     "Usage: nook state ID\n\nPrint the OCI state of a container as JSON: "
                     "ociVersion, id,\nstatus (created, running, stopped), pid, bundle, created, "
                     "owner,\nannotations.\n\nOptions:\n  -h, --help          Show this help\n",
                     out_status))
    return TRUE;
  if (!nook_cli_one_id ("state", argc, argv, &id, error)
      || (json = nook_lifecycle_state_json (globals->root, id, error)) == NULL)
    return FALSE;
  printf ("%s\n", json);
  *out_status = 0;
  return TRUE;
}

/* SIGTERM, TERM, term, 15. */
static gboolean
parse_signal (const char *text, int *out_signo, GError **error)
{
  const char *name = g_ascii_strncasecmp (text, "SIG", 3) == 0 ? text + 3 : text;
  char *end;
  long n = strtol (text, &end, 10);

  if (*text != '\0' && *end == '\0' && n > 0 && n < NSIG)
    {
      *out_signo = (int)n;
      return TRUE;
    }
  for (int signo = 1; signo < NSIG; signo++)
    {
      const char *abbrev = sigabbrev_np (signo);

      if (abbrev != NULL && g_ascii_strcasecmp (abbrev, name) == 0)
        {
          *out_signo = signo;
          return TRUE;
        }
    }
  g_set_error (error, NOOK_ERROR, NOOK_ERROR_USAGE, "kill: unknown signal '%s'", text);
  return FALSE;
}

gboolean
nook_cmd_kill (int argc, char **argv, const NookGlobalOptions *globals, int *out_status,
               GError **error)
{
  gboolean help = FALSE, all = FALSE;
  int signo = SIGTERM;
  GOptionEntry entries[] = {
    { "all", 'a', 0, G_OPTION_ARG_NONE, &all, NULL, NULL },
    { "help", 'h', 0, G_OPTION_ARG_NONE, &help, NULL, NULL },
    { NULL },
  };

  if (!nook_cli_parse ("kill", entries, FALSE, &argc, &argv, error))
    return FALSE;
  if (nook_cli_help (help,
                     "Usage: nook kill [OPTIONS] ID [SIGNAL]\n\n"
                     "Send SIGNAL (default SIGTERM; a name with or without SIG, or a number)\n"
                     "to the container's process.\n\nOptions:\n"
                     "  -a, --all           Send it to every process of the container\n"
                     "  -h, --help          Show this help\n",
                     out_status))
    return TRUE;
  if (argc < 2 || argc > 3)
    {
      g_set_error (error, NOOK_ERROR, NOOK_ERROR_USAGE, "kill: %s (see 'nook kill --help')",
                   argc < 2 ? "missing container ID" : "too many arguments");
      return FALSE;
    }
  if ((argc == 3 && !parse_signal (argv[2], &signo, error))
      || !nook_lifecycle_kill (globals->root, argv[1], signo, all, error))
    return FALSE;
  *out_status = 0;
  return TRUE;
}

gboolean
nook_cmd_delete (int argc, char **argv, const NookGlobalOptions *globals, int *out_status,
                 GError **error)
{
  gboolean help = FALSE, force = FALSE;
  const char *id;
  GOptionEntry entries[] = {
    { "force", 'f', 0, G_OPTION_ARG_NONE, &force, NULL, NULL },
    { "help", 'h', 0, G_OPTION_ARG_NONE, &help, NULL, NULL },
    { NULL },
  };

  if (!nook_cli_parse ("delete", entries, FALSE, &argc, &argv, error))
    return FALSE;
  if (nook_cli_help (help,
                     "Usage: nook delete [OPTIONS] ID\n\n"
                     "Remove a stopped container: its state and its ephemeral layer.\n\n"
                     "Options:\n"
                     "  -f, --force         Kill a running container first (SIGKILL); a\n"
                     "                      container that does not exist is not an error\n"
                     "  -h, --help          Show this help\n",
                     out_status))
    return TRUE;
  if (!nook_cli_one_id ("delete", argc, argv, &id, error)
      || !nook_lifecycle_delete (globals->root, id, force, error))
    return FALSE;
  *out_status = 0;
  return TRUE;
}
