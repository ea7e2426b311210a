/* nook: the default OCI configuration written by `nook spec`.
 *
 * The same skeleton as `runc spec` / `crun spec`, adjusted to what nook does:
 * no linux.resources (nook does not use cgroups), and in rootless mode no
 * uidMappings/gidMappings (nook computes them from the caller's ids and
 * subordinate ranges). */
#pragma once

#include <glib.h>

/* The configuration as pretty-printed JSON, ending with a newline. */
char *nook_spec_generate (gboolean rootless);

/* Writes bundle_dir/config.json atomically with mode 0644. Without force an
 * existing file is an error (NOOK_ERROR_FAILED). */
gboolean nook_spec_write (const char *bundle_dir, gboolean rootless, gboolean force,
                          GError **error);
