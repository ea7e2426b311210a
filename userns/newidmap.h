/* nook: running the setuid helpers newuidmap and newgidmap (package uidmap),
 * which write maps of subordinate ids that an unprivileged process may not. */
#pragma once

#include <glib.h>
#include <sys/types.h>

#include "userns/idmap.h"

/* Finds the helpers the plan needs and prepares their argv (before clone):
 * "newuidmap", PID, then "C H S" per mapping. Missing, or neither setuid
 * root nor with file capabilities: NOOK_USERNS_ERROR_NO_HELPER naming the
 * uidmap package. Plans that need no helper are left alone. */
gboolean nook_newidmap_prepare (NookIdMapPlan *plan, GError **error);

/* Builds one argv (pure, for the unit tests); argv[1] is a placeholder for
 * the pid. */
char **nook_newidmap_argv (const char *helper_path, const NookIdMapping *mappings,
                           guint n_mappings);

/* Runs a prepared helper on process pid and waits for it. */
gboolean nook_newidmap_run (char *const *argv, pid_t pid, GError **error);
