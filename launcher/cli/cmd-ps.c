/* nook ps [--format table|json] ID [PS-OPTIONS...]: as runc ps. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "launcher/cli/commands.h"
#include "launcher/cli/options.h"
#include "launcher/errors.h"
#include "launcher/lifecycle/ps.h"

static const char ps_usage[]
    = "Usage: nook ps [OPTIONS] ID [PS-OPTIONS...]\n"
      "\n"
      "List the processes of the running container ID, as 'runc ps' does: the\n"
      "lines of ps(1) (run with PS-OPTIONS, default -ef) for the processes in the\n"
      "container's pid namespace (for a container in the host's pid namespace: the\n"
      "container process and its descendants).\n"
      "\n"
      "Options:\n"
      "  -f, --format FORMAT table (default) or json (an array of pids)\n"
      "  -h, --help          Show this help\n";

static void
print_json (GArray *pids)
{
  printf ("[");
  for (guint i = 0; i < pids->len; i++)
    printf ("%s%d", i ? "," : "", (int)g_array_index (pids, pid_t, i));
  printf ("]\n");
}

static gboolean
has_pid (GArray *pids, long pid)
{
  for (guint i = 0; i < pids->len; i++)
    if (g_array_index (pids, pid_t, i) == pid)
      return TRUE;
  return FALSE;
}

/* Which whitespace-separated column of ps's header is PID. */
static int
pid_column (const char *header)
{
  g_auto (GStrv) fields = g_strsplit_set (header, " \t", -1);
  int column = 0;

  for (guint i = 0; fields[i] != NULL; i++)
    {
      if (*fields[i] == '\0')
        continue;
      if (strcmp (fields[i], "PID") == 0)
        return column;
      column++;
    }
  return -1;
}

static long
field_as_pid (const char *line, int column)
{
  g_auto (GStrv) fields = g_strsplit_set (line, " \t", -1);
  int n = 0;

  for (guint i = 0; fields[i] != NULL; i++)
    if (*fields[i] != '\0' && n++ == column)
      return strtol (fields[i], NULL, 10);
  return -1;
}

/* ps's header and the lines of the container's processes. */
static gboolean
print_table (GArray *pids, char **ps_options, GError **error)
{
  g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();
  g_auto (GStrv) argv = NULL;
  g_auto (GStrv) lines = NULL;
  g_autofree char *out = NULL;
  int column, wait_status = 0;

  g_strv_builder_add (builder, "ps");
  if (ps_options == NULL || *ps_options == NULL)
    g_strv_builder_add (builder, "-ef");
  else
    g_strv_builder_addv (builder, (const char **)ps_options);
  argv = g_strv_builder_end (builder);
  if (!g_spawn_sync (NULL, argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out, NULL, &wait_status,
                     error)
      || !g_spawn_check_wait_status (wait_status, error))
    {
      g_prefix_error (error, "ps: running ps: ");
      return FALSE;
    }
  lines = g_strsplit (out, "\n", -1);
  column = lines[0] != NULL ? pid_column (lines[0]) : -1;
  if (column < 0)
    {
      g_set_error (error, NOOK_ERROR, NOOK_ERROR_USAGE, "ps: ps printed no PID column");
      return FALSE;
    }
  printf ("%s\n", lines[0]);
  for (guint i = 1; lines[i] != NULL; i++)
    if (*lines[i] != '\0' && has_pid (pids, field_as_pid (lines[i], column)))
      printf ("%s\n", lines[i]);
  return TRUE;
}

gboolean
nook_cmd_ps (int argc, char **argv, const NookGlobalOptions *globals, int *out_status,
             GError **error)
{
  g_autoptr (GOptionContext) ctx = g_option_context_new (NULL);
  g_autoptr (GArray) pids = NULL;
  g_autofree char *format = NULL;
  gboolean help = FALSE;
  GOptionEntry entries[] = {
    { "format", 'f', 0, G_OPTION_ARG_STRING, &format, NULL, NULL },
    { "help", 'h', 0, G_OPTION_ARG_NONE, &help, NULL, NULL },
    { NULL },
  };

  g_option_context_add_main_entries (ctx, entries, NULL);
  g_option_context_set_help_enabled (ctx, FALSE);
  /* Stop at ID: what follows are ps's own options. */
  g_option_context_set_strict_posix (ctx, TRUE);
  if (!nook_cli_parse_options (ctx, "ps", &argc, &argv, error))
    return FALSE;
  *out_status = 0;
  if (help)
    {
      fputs (ps_usage, stdout);
      return TRUE;
    }
  if (format != NULL && strcmp (format, "table") != 0 && strcmp (format, "json") != 0)
    {
      nook_cli_usage_error (error, "ps", "--format: unknown format '%s' (table or json)", format);
      return FALSE;
    }
  if (argc >= 2 && strcmp (argv[1], "--") == 0)
    argc--, argv++;
  if (argc < 2)
    {
      nook_cli_usage_error (error, "ps", "missing ID");
      return FALSE;
    }
  /* "nook ps ID -- -o pid,comm": the "--" only separates. */
  if (argc >= 3 && strcmp (argv[2], "--") == 0)
    {
      argv[2] = argv[1];
      argc--, argv++;
    }
  pids = nook_lifecycle_ps (globals->root, argv[1], error);
  if (pids == NULL)
    return FALSE;
  if (g_strcmp0 (format, "json") == 0)
    {
      if (argc > 2)
        {
          nook_cli_usage_error (error, "ps", "PS-OPTIONS need --format table");
          return FALSE;
        }
      print_json (pids);
      return TRUE;
    }
  return print_table (pids, argv + 2, error);
}
