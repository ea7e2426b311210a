/* nook: the launcher's error domain and the exit statuses it maps to. */
#pragma once

#include <glib.h>

#define NOOK_ERROR (nook_error_quark ())
GQuark nook_error_quark (void);

typedef enum
{
  NOOK_ERROR_FAILED,         /* nook's own failure: exit 125 */
  NOOK_ERROR_USAGE,          /* bad command line: exit 125 */
  NOOK_ERROR_CONFIG,         /* invalid config.json: exit 125 */
  NOOK_ERROR_BUSY,           /* a container of that name is running: exit 125 */
  NOOK_ERROR_EXEC_NOT_FOUND, /* process.args[0] not found: exit 127 */
  NOOK_ERROR_EXEC_DENIED,    /* process.args[0] not executable: exit 126 */
} NookError;

enum
{
  NOOK_EXIT_FAILURE = 125,
  NOOK_EXIT_CANNOT_EXEC = 126,
  NOOK_EXIT_NOT_FOUND = 127,
};

/* Exit status for an error that reached main. */
int nook_error_exit_status (const GError *error);
