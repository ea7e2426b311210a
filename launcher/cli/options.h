/* nook: what the command files share: parsing a verb's options. */
#pragma once

#include <glib.h>

/* Parses argv against entries (help disabled: each verb prints its own),
 * strict POSIX when strict. A GOption error becomes nook's usage error,
 * "VERB: what (see 'nook VERB --help')". */
gboolean nook_cli_parse (const char *verb, const GOptionEntry *entries, gboolean strict, int *argc,
                         char ***argv, GError **error);

/* The one ID argument of an OCI verb: argv[1], exactly one. */
gboolean nook_cli_one_id (const char *verb, int argc, char **argv, const char **out_id,
                          GError **error);
