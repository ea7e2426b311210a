/* nook: what the command files share: parsing a verb's options. */
#pragma once

#include <glib.h>

/* Parses argv against entries (help disabled: each verb prints its own),
 * strict POSIX when strict. A GOption error becomes nook's usage error,
 * "VERB: what (see 'nook VERB --help')". */
gboolean nook_cli_parse (const char *verb, const GOptionEntry *entries, gboolean strict, int *argc,
                         char ***argv, GError **error);

/* --help given: usage printed to stdout, *out_status 0, TRUE (the verb
 * returns at once). */
gboolean nook_cli_help (gboolean help, const char *usage, int *out_status);

/* After strict parsing argv[0] is the verb and a "--" before the first
 * operand is still there: drops it; "VERB: missing WHAT (see 'nook VERB
 * --help')" when there is no operand. */
gboolean nook_cli_first_operand (const char *verb, const char *what, int *argc, char ***argv,
                                 GError **error);

/* The one ID argument of an OCI verb: argv[1], exactly one. */
gboolean nook_cli_one_id (const char *verb, int argc, char **argv, const char **out_id,
                          GError **error);

/* g_option_context_parse on a context the verb made, with GLib's errors
 * turned into nook's own: "VERB: unknown option --foo (see 'nook VERB
 * --help')", NOOK_ERROR_USAGE (exit 125). verb NULL: the global options
 * ("see 'nook --help'"). */
gboolean nook_cli_parse_options (GOptionContext *ctx, const char *verb, int *argc, char ***argv,
                                 GError **error);

/* The same for an error of g_option_context_parse_strv. */
void nook_cli_option_error (const GError *glib_error, const char *verb, GError **error);

/* Sets a NOOK_ERROR_USAGE "VERB: MESSAGE (see 'nook VERB --help')". */
void nook_cli_usage_error (GError **error, const char *verb, const char *format, ...)
    G_GNUC_PRINTF (3, 4);
