/* nook: the global options, given before the command as with runc and crun:
 *   nook [--root DIR] [--log FILE] [--log-format text|json] [--debug]
 *        [--systemd-cgroup] [--cgroup-manager cgroupfs|systemd|disabled] COMMAND ...
 * in any order, with --help/-h and --version/-v anywhere among them. */
#pragma once

#include <glib.h>

#include "launcher/cli/commands.h"

typedef enum
{
  NOOK_GLOBALS_COMMAND, /* go on with the command */
  NOOK_GLOBALS_HELP,    /* --help among the global options */
  NOOK_GLOBALS_VERSION, /* --version among them */
} NookGlobalsAction;

/* Parses the options before the command (argv[1] is the command afterwards)
 * and checks their values: a bad one is a NOOK_ERROR_USAGE. */
gboolean nook_cli_parse_globals (int *argc, char ***argv, NookGlobalOptions *globals,
                                 NookGlobalsAction *out_action, GError **error);

/* Opens the log (--log, --log-format, --debug) and says, once, what nook
 * does with the cgroup options. An unwritable log file is an error. */
gboolean nook_cli_apply_globals (const NookGlobalOptions *globals, GError **error);

void nook_global_options_clear (NookGlobalOptions *globals);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (NookGlobalOptions, nook_global_options_clear)
