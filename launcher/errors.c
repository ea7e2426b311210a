#include "launcher/errors.h"

G_DEFINE_QUARK (nook - error - quark, nook_error)

int
nook_error_exit_status (const GError *error)
{
  if (g_error_matches (error, NOOK_ERROR, NOOK_ERROR_EXEC_NOT_FOUND))
    return NOOK_EXIT_NOT_FOUND;
  if (g_error_matches (error, NOOK_ERROR, NOOK_ERROR_EXEC_DENIED))
    return NOOK_EXIT_CANNOT_EXEC;
  return NOOK_EXIT_FAILURE;
}
