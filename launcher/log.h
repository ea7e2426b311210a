/* nook: the program's messages: errors, warnings, info and debug lines.
 *
 * Library code never logs (it returns a GError); the command line and the
 * lifecycle stages do, through these functions, so that --log, --log-format
 * and --debug apply to every message nook prints.
 *
 * Where a message goes, as crun does it:
 *   - without --log: errors and warnings on stderr ("nook: ...",
 *     "nook: warning: ..."); info and debug lines only with --debug;
 *   - with --log FILE: every message in FILE (debug only with --debug), as
 *     text or, with --log-format json, one JSON object per line
 *     {"level":"error|warning|info|debug","msg":"...","time":"RFC3339"};
 *     errors also on stderr, since a caller without the file must still
 *     see why nook failed (podman shows the "msg" of the last error line).
 *
 * The configuration is process-wide state set once by main: a message can
 * come from anywhere in the parent, and passing the options down through
 * every stage for that would only add parameters. Not for the container's
 * child after clone(): it reports over the sync socket instead. */
#pragma once

#include <glib.h>

typedef enum
{
  NOOK_LOG_ERROR,
  NOOK_LOG_WARNING,
  NOOK_LOG_INFO,
  NOOK_LOG_DEBUG,
} NookLogLevel;

typedef enum
{
  NOOK_LOG_FORMAT_TEXT,
  NOOK_LOG_FORMAT_JSON,
} NookLogFormat;

/* "text" or "json" (NULL: text); anything else is a usage error. */
gboolean nook_log_format_parse (const char *name, NookLogFormat *out_format, GError **error);

/* Opens path for appending (created 0644 when missing; NULL: no log file)
 * and sets the format and whether debug lines are written. An unwritable
 * path is an error, and the configuration is left as it was. */
gboolean nook_log_setup (const char *path, NookLogFormat format, gboolean debug, GError **error);

void nook_log (NookLogLevel level, const char *format, ...) G_GNUC_PRINTF (2, 3);

#define nook_log_error(...) nook_log (NOOK_LOG_ERROR, __VA_ARGS__)
#define nook_log_warning(...) nook_log (NOOK_LOG_WARNING, __VA_ARGS__)
#define nook_log_info(...) nook_log (NOOK_LOG_INFO, __VA_ARGS__)
#define nook_log_debug(...) nook_log (NOOK_LOG_DEBUG, __VA_ARGS__)

/* Closes the log file; later messages go to stderr only. */
void nook_log_close (void);
