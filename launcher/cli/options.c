/* nook: parsing a verb's options (options.h). */
#include "launcher/cli/options.h"

#include "launcher/errors.h"

gboolean
nook_cli_parse (const char *verb, const GOptionEntry *entries, gboolean strict, int *argc,
                char ***argv, GError **error)
{
  g_autoptr (GOptionContext) ctx = g_option_context_new (NULL);
  g_autoptr (GError) local = NULL;

  g_option_context_add_main_entries (ctx, entries, NULL);
  g_option_context_set_help_enabled (ctx, FALSE);
  g_option_context_set_strict_posix (ctx, strict);
  if (g_option_context_parse (ctx, argc, argv, &local))
    return TRUE;
  g_set_error (error, NOOK_ERROR, NOOK_ERROR_USAGE, "%s: %s (see 'nook %s --help')", verb,
               local->message, verb);
  return FALSE;
}

gboolean
nook_cli_one_id (const char *verb, int argc, char **argv, const char **out_id, GError **error)
{
  if (argc != 2)
    {
      g_set_error (error, NOOK_ERROR, NOOK_ERROR_USAGE, "%s: %s (see 'nook %s --help')", verb,
                   argc < 2 ? "missing container ID" : "too many arguments", verb);
      return FALSE;
    }
  *out_id = argv[1];
  return TRUE;
}
