/* nook: command line entry point. The only place that prints errors. */
#include <locale.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "launcher/cli/commands.h"
#include "launcher/errors.h"

typedef struct
{
  const char *name;
  NookCommandFunc func;
  const char *summary;
  const char *alias; /* another name it answers to, as podman's list for ls */
} NookCommand;

static const NookCommand commands[] = {
  { "cache", nook_cmd_cache, "Manage the store of compiled seccomp filters" },
  { "create", nook_cmd_create, "Create a container whose process waits for start" },
  { "delete", nook_cmd_delete, "Remove a stopped container (-f: kill it first)" },
  { "kill", nook_cmd_kill, "Send a signal to a container's process" },
  { "list", nook_cmd_ls, "List containers (named ones with their layer, running ones)", "ls" },
  { "rm", nook_cmd_rm, "Remove stopped containers and their layers" },
  { "run", nook_cmd_run, "Run a container from an OCI bundle" },
  { "spec", nook_cmd_spec, "Write a default config.json" },
  { "start", nook_cmd_start, "Start a created container" },
  { "state", nook_cmd_state, "Print a container's state as JSON" },
};

static void
print_usage (FILE *out)
{
  fprintf (out, "Usage: nook [GLOBAL OPTIONS] COMMAND [OPTIONS] [ARGS...]\n\n"
                "A rootless container launcher for OCI bundles.\n\nCommands:\n");
  for (gsize i = 0; i < G_N_ELEMENTS (commands); i++)
    fprintf (out, "  %-10s %s\n", commands[i].name, commands[i].summary);
  fprintf (out, "\nGlobal options:\n"
                "  --root DIR          Directory for container state\n"
                "  --log FILE          Log file (accepted for runc compatibility)\n"
                "  --log-format FMT    Log format: text or json\n"
                "  -v, --version       Print the version and exit\n"
                "  -h, --help          Show this help\n\n"
                "Run 'nook COMMAND --help' for the options of a command.\n");
}

/* Global options come before the verb, as with runc and crun. */
static gboolean
parse_globals (int *argc, char ***argv, NookGlobalOptions *globals, gboolean *out_exit,
               GError **error)
{
  gboolean version = FALSE;
  GOptionEntry entries[] = {
    { "root", 0, 0, G_OPTION_ARG_FILENAME, &globals->root, "State directory root", "DIR" },
    { "log", 0, 0, G_OPTION_ARG_FILENAME, &globals->log, "Log file", "FILE" },
    { "log-format", 0, 0, G_OPTION_ARG_STRING, &globals->log_format, "Log format", "FMT" },
    { "version", 'v', 0, G_OPTION_ARG_NONE, &version, "Print the version", NULL },
    { NULL },
  };
  g_autoptr (GOptionContext) ctx = g_option_context_new ("COMMAND");

  g_option_context_add_main_entries (ctx, entries, NULL);
  g_option_context_set_help_enabled (ctx, FALSE);
  g_option_context_set_strict_posix (ctx, TRUE);
  if (!g_option_context_parse (ctx, argc, argv, error))
    return FALSE;
  if (version)
    {
      printf ("nook version %s\n", NOOK_VERSION);
      *out_exit = TRUE;
    }
  return TRUE;
}

int
main (int argc, char **argv)
{
  NookGlobalOptions globals = { 0 };
  g_autoptr (GError) error = NULL;
  gboolean done = FALSE;
  int status = 0;

  /* Only the character set: GOption converts arguments with it. nook's own
   * messages are not translated, so the other categories would only cost
   * file opens on every start. */
  setlocale (LC_CTYPE, "");

  if (argc >= 2 && (strcmp (argv[1], "--help") == 0 || strcmp (argv[1], "-h") == 0))
    {
      print_usage (stdout);
      return 0;
    }
  if (!parse_globals (&argc, &argv, &globals, &done, &error))
    {
      fprintf (stderr, "nook: %s\n", error->message);
      return NOOK_EXIT_FAILURE;
    }
  if (done)
    return 0;
  if (argc < 2)
    {
      print_usage (stderr);
      return NOOK_EXIT_FAILURE;
    }
  if (strcmp (argv[1], "help") == 0)
    {
      print_usage (stdout);
      return 0;
    }

  for (gsize i = 0; i < G_N_ELEMENTS (commands); i++)
    {
      if (strcmp (argv[1], commands[i].name) != 0
          && g_strcmp0 (argv[1], commands[i].alias) != 0)
        continue;
      if (!commands[i].func (argc - 1, argv + 1, &globals, &status, &error))
        {
          fprintf (stderr, "nook: %s\n", error->message);
          return nook_error_exit_status (error);
        }
      return status;
    }

  fprintf (stderr, "nook: unknown command '%s' (see 'nook --help')\n", argv[1]);
  return NOOK_EXIT_FAILURE;
}
