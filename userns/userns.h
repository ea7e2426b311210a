/* nook: the user namespace of a container of the calling user, planned in
 * the parent before clone(): subordinate ranges, maps, helpers. */
#pragma once

#include <glib.h>

#include "userns/idmap.h"

/* Plans the maps for the caller (getuid/getgid): reads its subordinate
 * ranges (libsubid), checks the config's mappings or lays the maps out by
 * mode, and prepares newuidmap/newgidmap when a map needs them. A map laid
 * out without subordinate ranges is the caller's own id alone, and one
 * warning naming the usermod command that fixes it is appended to
 * warnings. */
NookIdMapPlan *nook_userns_plan_for_caller (const NookIdMapping *uid_mappings, guint n_uid,
                                            const NookIdMapping *gid_mappings, guint n_gid,
                                            NookUsernsMode mode, GPtrArray *warnings,
                                            GError **error);
