/* nook run [OPTIONS] BUNDLE [COMMAND [ARG...]] */
#include <stdio.h>
#include <unistd.h>

#include "launcher/commands.h"
#include "launcher/config.h"
#include "launcher/container.h"
#include "launcher/errors.h"
#include "storage/state.h"

typedef struct
{
  char *config;
  char *name;
  gboolean tty;
  gboolean no_tty;
  gboolean no_filter_cache;
  gboolean help;
} NookRunOptions;

static void
run_options_clear (NookRunOptions *o)
{
  g_free (o->config);
  g_free (o->name);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (NookRunOptions, run_options_clear)

static const char run_usage[]
    = "Usage: nook run [OPTIONS] BUNDLE [COMMAND [ARG...]]\n"
      "\n"
      "Run the OCI bundle in directory BUNDLE as the calling user and wait for it.\n"
      "COMMAND replaces process.args of the config. nook exits with the process's\n"
      "status (128+N when it was killed by signal N), 125 when nook itself fails,\n"
      "126 when COMMAND cannot be executed and 127 when it is not found.\n"
      "\n"
      "Options:\n"
      "  -c, --config FILE   Read FILE instead of BUNDLE/config.json\n"
      "  -n, --name NAME     Container name (default: a random id)\n"
      "  -t, --tty           Allocate a pseudo-terminal (stdin must be a terminal)\n"
      "  -T, --no-tty        Never allocate one, whatever process.terminal says\n"
      "  --no-filter-cache   Compile the seccomp profile, bypassing the per-user store\n"
      "                      of compiled filters (also NOOK_NO_FILTER_CACHE=1)\n"
      "  -h, --help          Show this help\n";

static gboolean
parse_run_options (int *argc, char ***argv, NookRunOptions *o, GError **error)
{
  GOptionEntry entries[] = {
    { "config", 'c', 0, G_OPTION_ARG_FILENAME, &o->config, NULL, NULL },
    { "name", 'n', 0, G_OPTION_ARG_STRING, &o->name, NULL, NULL },
    { "tty", 't', 0, G_OPTION_ARG_NONE, &o->tty, NULL, NULL },
    { "no-tty", 'T', 0, G_OPTION_ARG_NONE, &o->no_tty, NULL, NULL },
    { "no-filter-cache", 0, 0, G_OPTION_ARG_NONE, &o->no_filter_cache, NULL, NULL },
    { "help", 'h', 0, G_OPTION_ARG_NONE, &o->help, NULL, NULL },
    { NULL },
  };
  g_autoptr (GOptionContext) ctx = g_option_context_new (NULL);

  g_option_context_add_main_entries (ctx, entries, NULL);
  g_option_context_set_help_enabled (ctx, FALSE);
  /* Stop at BUNDLE: what follows belongs to the container's command. */
  g_option_context_set_strict_posix (ctx, TRUE);
  if (!g_option_context_parse (ctx, argc, argv, error))
    {
      g_prefix_error (error, "run: ");
      (*error)->code = NOOK_ERROR_USAGE;
      (*error)->domain = NOOK_ERROR;
      return FALSE;
    }
  if (o->tty && o->no_tty)
    {
      g_set_error (error, NOOK_ERROR, NOOK_ERROR_USAGE, "run: --tty and --no-tty exclude each other");
      return FALSE;
    }
  return TRUE;
}

static gboolean
want_terminal (const NookRunOptions *o, const NookConfig *config, gboolean *out_terminal,
               GError **error)
{
  if (o->tty && !isatty (STDIN_FILENO))
    {
      g_set_error (error, NOOK_ERROR, NOOK_ERROR_USAGE, "run: --tty: stdin is not a terminal");
      return FALSE;
    }
  /* terminal: true from a script or a pipe runs without a pty, silently:
   * toolbox users expect the same bundle to work both ways. */
  *out_terminal = !o->no_tty && (o->tty || (config->process.terminal && isatty (STDIN_FILENO)));
  return TRUE;
}

static void
print_warnings (GPtrArray *warnings)
{
  for (guint i = 0; i < warnings->len; i++)
    fprintf (stderr, "nook: warning: %s\n", (const char *) warnings->pdata[i]);
}

gboolean
nook_cmd_run (int argc, char **argv, const NookGlobalOptions *globals, int *out_status,
              GError **error)
{
  g_auto (NookRunOptions) o = { 0 };
  g_autoptr (NookConfig) config = NULL;
  g_autoptr (NookContainer) container = NULL;
  g_autoptr (NookState) state = NULL;
  g_autoptr (GPtrArray) warnings = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *id = NULL;
  gboolean terminal;

  if (!parse_run_options (&argc, &argv, &o, error))
    return FALSE;
  if (o.help)
    {
      fputs (run_usage, stdout);
      *out_status = 0;
      return TRUE;
    }
  /* argv[0] is "run"; "--" before BUNDLE is left by strict POSIX parsing. */
  if (argc >= 2 && g_strcmp0 (argv[1], "--") == 0)
    argc--, argv++;
  if (argc < 2)
    {
      g_set_error (error, NOOK_ERROR, NOOK_ERROR_USAGE,
                   "run: missing BUNDLE (see 'nook run --help')");
      return FALSE;
    }

  /* nook run BUNDLE -- COMMAND...: the "--" only separates. */
  if (argc >= 3 && g_strcmp0 (argv[2], "--") == 0)
    {
      argv[2] = argv[1];
      argc--, argv++;
    }

  config = nook_config_load (argv[1], o.config, error);
  if (config == NULL)
    return FALSE;

  if (!want_terminal (&o, config, &terminal, error))
    return FALSE;

  gboolean use_filter_cache
      = !o.no_filter_cache && g_strcmp0 (g_getenv ("NOOK_NO_FILTER_CACHE"), "1") != 0;
  container = nook_container_new (config, argc > 2 ? argv + 2 : NULL, terminal, use_filter_cache,
                                  warnings, error);
  if (container == NULL)
    return FALSE;
  if (config->has_resources)
    g_ptr_array_add (warnings, g_strdup ("linux.resources: cgroup limits are ignored "
                                         "(nook does not manage cgroups)"));
  print_warnings (warnings);

  id = o.name ? g_strdup (o.name) : nook_state_generate_id ();
  state = nook_state_create (globals->root, id, error);
  if (state == NULL)
    return FALSE;

  return nook_container_run (container, state, out_status, error);
}
