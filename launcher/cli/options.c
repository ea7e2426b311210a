/* nook: parsing a verb's options (options.h). */
#include "launcher/cli/options.h"

#include <stdio.h>
#include <string.h>

#include "launcher/errors.h"

static char *
see_help (const char *verb)
{
  return verb != NULL ? g_strdup_printf ("(see 'nook %s --help')", verb)
                      : g_strdup ("(see 'nook --help')");
}

/* GLib's messages start with a capital and quote with “”: nook's start
 * lower-case and quote with '' (messages are one plain line). */
static char *
plain_message (const char *message)
{
  GString *s = g_string_new (message);

  g_string_replace (s, "“", "'", 0);
  g_string_replace (s, "”", "'", 0);
  if (s->len > 0)
    s->str[0] = g_ascii_tolower (s->str[0]);
  return g_string_free (s, FALSE);
}

void
nook_cli_option_error (const GError *glib_error, const char *verb, GError **error)
{
  g_autofree char *message = plain_message (glib_error->message);
  g_autofree char *see = see_help (verb);

  if (verb != NULL)
    g_set_error (error, NOOK_ERROR, NOOK_ERROR_USAGE, "%s: %s %s", verb, message, see);
  else
    g_set_error (error, NOOK_ERROR, NOOK_ERROR_USAGE, "%s %s", message, see);
}

gboolean
nook_cli_parse_options (GOptionContext *ctx, const char *verb, int *argc, char ***argv,
                        GError **error)
{
  g_autoptr (GError) local = NULL;

  if (g_option_context_parse (ctx, argc, argv, &local))
    return TRUE;
  nook_cli_option_error (local, verb, error);
  return FALSE;
}

void
nook_cli_usage_error (GError **error, const char *verb, const char *format, ...)
{
  g_autofree char *message = NULL;
  g_autofree char *see = see_help (verb);
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error (error, NOOK_ERROR, NOOK_ERROR_USAGE, "%s: %s %s", verb, message, see);
}

gboolean
nook_cli_parse (const char *verb, const GOptionEntry *entries, gboolean strict, int *argc,
                char ***argv, GError **error)
{
  g_autoptr (GOptionContext) ctx = g_option_context_new (NULL);

  g_option_context_add_main_entries (ctx, entries, NULL);
  g_option_context_set_help_enabled (ctx, FALSE);
  g_option_context_set_strict_posix (ctx, strict);
  return nook_cli_parse_options (ctx, verb, argc, argv, error);
}

gboolean
nook_cli_help (gboolean help, const char *usage, int *out_status)
{
  if (!help)
    return FALSE;
  fputs (usage, stdout);
  *out_status = 0;
  return TRUE;
}

gboolean
nook_cli_first_operand (const char *verb, const char *what, int *argc, char ***argv, GError **error)
{
  if (*argc >= 2 && strcmp ((*argv)[1], "--") == 0)
    (*argc)--, (*argv)++;
  if (*argc >= 2)
    return TRUE;
  g_set_error (error, NOOK_ERROR, NOOK_ERROR_USAGE, "%s: missing %s (see 'nook %s --help')", verb,
               what, verb);
  return FALSE;
}

gboolean
nook_cli_one_id (const char *verb, int argc, char **argv, const char **out_id, GError **error)
{
  if (argc != 2)
    {
      nook_cli_usage_error (error, verb, "%s",
                            argc < 2 ? "missing container ID" : "too many arguments");
      return FALSE;
    }
  *out_id = argv[1];
  return TRUE;
}
