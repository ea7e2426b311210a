/* nook: command line entry point. The only place that prints errors. */
#include <locale.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "launcher/cli/commands.h"
#include "launcher/cli/globals.h"
#include "launcher/errors.h"
#include "launcher/log.h"
#include "storage/build-id.h"

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
  { "enter", nook_cmd_enter, "Enter a named container from any terminal (starts it)" },
  { "exec", nook_cmd_exec, "Run a command in a running container" },
  { "features", nook_cmd_features, "Show what nook supports (OCI features document)" },
  { "import", nook_cmd_import, "Make a bundle from a tarball, a directory or an OCI layout" },
  { "kill", nook_cmd_kill, "Send a signal to a container's process" },
  { "list", nook_cmd_ls, "List containers (named ones with their layer, running ones)", "ls" },
  { "ps", nook_cmd_ps, "List the processes of a running container" },
  { "rm", nook_cmd_rm, "Remove stopped containers and their layers" },
  { "run", nook_cmd_run, "Run a container from an OCI bundle" },
  { "spec", nook_cmd_spec, "Write a default config.json" },
  { "start", nook_cmd_start, "Start a created container" },
  { "state", nook_cmd_state, "Print a container's state as JSON" },
  { "stop", nook_cmd_stop, "Stop running containers (SIGTERM, then SIGKILL)" },
};

static void
print_usage (FILE *out)
{
  fprintf (out, "Usage: nook [GLOBAL OPTIONS] COMMAND [OPTIONS] [ARGS...]\n\n"
                "A rootless container launcher for OCI bundles.\n\nCommands:\n");
  for (gsize i = 0; i < G_N_ELEMENTS (commands); i++)
    fprintf (out, "  %-10s %s\n", commands[i].name, commands[i].summary);
  fprintf (out, "  %-10s %s\n", "help", "Show this help, or the help of COMMAND");
  fprintf (out, "\nGlobal options (before COMMAND, in any order):\n"
                "  --root DIR          Directory for container state\n"
                "                      (default: $XDG_RUNTIME_DIR/nook, or /tmp/nook-UID)\n"
                "  --log FILE          Write errors, warnings and info lines to FILE\n"
                "                      (errors also go to stderr)\n"
                "  --log-format FMT    Format of the log: text (default) or json, one\n"
                "                      {\"level\",\"msg\",\"time\"} object per line\n"
                "  --debug             Add debug lines to the log (or to stderr)\n"
                "  --cgroup-manager MGR\n"
                "                      cgroupfs, systemd or disabled: accepted for\n"
                "                      runc/crun compatibility; nook does not manage\n"
                "                      cgroups (said once in the log)\n"
                "  --systemd-cgroup    The same as --cgroup-manager systemd\n"
                "  -v, --version       Print the version and exit\n"
                "  -h, --help          Show this help\n\n"
                "Run 'nook help COMMAND' or 'nook COMMAND --help' for the options of a command.\n");
}

static const NookCommand *
find_command (const char *name)
{
  for (gsize i = 0; i < G_N_ELEMENTS (commands); i++)
    if (strcmp (name, commands[i].name) == 0 || g_strcmp0 (name, commands[i].alias) == 0)
      return &commands[i];
  return NULL;
}

static int
fail (const GError *error)
{
  nook_log_error ("%s", error->message);
  return nook_error_exit_status (error);
}

static int
run_command (const NookCommand *command, int argc, char **argv, const NookGlobalOptions *globals)
{
  g_autoptr (GError) error = NULL;
  int status = 0;

  nook_log_debug ("%s: state root %s", argv[0], globals->root ? globals->root : "(default)");
  if (!command->func (argc, argv, globals, &status, &error))
    return fail (error);
  nook_log_debug ("%s: exit status %d", argv[0], status);
  return status;
}

/* nook help [COMMAND]: the command's own --help. */
static int
help_command (int argc, char **argv, const NookGlobalOptions *globals)
{
  const NookCommand *command;
  char *help_argv[] = { NULL, (char *)"--help", NULL };

  if (argc < 3 || strcmp (argv[2], "--help") == 0 || strcmp (argv[2], "-h") == 0)
    {
      print_usage (stdout);
      return 0;
    }
  command = find_command (argv[2]);
  if (command == NULL)
    {
      nook_log_error ("help: unknown command '%s' (see 'nook --help')", argv[2]);
      return NOOK_EXIT_FAILURE;
    }
  help_argv[0] = argv[2];
  return run_command (command, 2, help_argv, globals);
}

int
main (int argc, char **argv)
{
  g_auto (NookGlobalOptions) globals = { 0 };
  g_autoptr (GError) error = NULL;
  NookGlobalsAction action = NOOK_GLOBALS_COMMAND;
  const NookCommand *command;
  int status;

  /* Only the character set: GOption converts arguments with it. nook's own
   * messages are not translated, so the other categories would only cost
   * file opens on every start. */
  setlocale (LC_CTYPE, "");

  if (!nook_cli_parse_globals (&argc, &argv, &globals, &action, &error))
    return fail (error);
  if (action == NOOK_GLOBALS_HELP)
    {
      print_usage (stdout);
      return 0;
    }
  if (action == NOOK_GLOBALS_VERSION)
    {
      g_autofree char *build_id = nook_build_id_to_hex ();

      /* The build id too: the version stays the same across builds, and
       * the filter store keeps one set of entries per build. */
      printf ("nook version %s\nbuild-id: %s\n", NOOK_VERSION, build_id);
      return 0;
    }
  if (!nook_cli_apply_globals (&globals, &error))
    return fail (error);
  if (argc < 2)
    {
      print_usage (stderr);
      return NOOK_EXIT_FAILURE;
    }
  if (strcmp (argv[1], "help") == 0)
    return help_command (argc, argv, &globals);

  command = find_command (argv[1]);
  if (command == NULL)
    {
      nook_log_error ("unknown command '%s' (see 'nook --help')", argv[1]);
      return NOOK_EXIT_FAILURE;
    }
  status = run_command (command, argc - 1, argv + 1, &globals);
  nook_log_close ();
  return status;
}
