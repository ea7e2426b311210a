#include "launcher/errors.h"

/* Spelt out rather than G_DEFINE_QUARK (nook-error-quark, ...): clang-format reads
 * the dashes of that name as minus signs and spaces them into the string. */
GQuark
nook_error_quark (void)
{
  return g_quark_from_static_string ("nook-error-quark");
}

int
nook_error_exit_status (const GError *error)
{
  if (g_error_matches (error, NOOK_ERROR, NOOK_ERROR_EXEC_NOT_FOUND))
    return NOOK_EXIT_NOT_FOUND;
  if (g_error_matches (error, NOOK_ERROR, NOOK_ERROR_EXEC_DENIED))
    return NOOK_EXIT_CANNOT_EXEC;
  return NOOK_EXIT_FAILURE;
}
