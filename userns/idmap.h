/* nook: user namespace id mappings: computing, validating, formatting, writing. */
#pragma once

#include <glib.h>
#include <sys/types.h>

#define NOOK_USERNS_ERROR (nook_userns_error_quark ())
GQuark nook_userns_error_quark (void);

typedef enum
{
  NOOK_USERNS_ERROR_FAILED,
  NOOK_USERNS_ERROR_INVALID,      /* a mapping that cannot be valid */
  NOOK_USERNS_ERROR_NEEDS_SUBIDS, /* a mapping that needs subordinate ids */
} NookUsernsError;

typedef struct
{
  guint32 container_id;
  guint32 host_id;
  guint32 size;
} NookIdMapping;

/* What is written for one container: the uid and gid maps as the kernel takes them. */
typedef struct
{
  char *uid_map;           /* "0 1000 1\n" */
  char *gid_map;
  gboolean deny_setgroups; /* write "deny" to /proc/PID/setgroups first */
} NookIdMapPlan;

void nook_idmap_plan_free (NookIdMapPlan *plan);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (NookIdMapPlan, nook_idmap_plan_free)

/* Formats mappings as map text ("C H S\n" per line). */
char *nook_idmap_format (const NookIdMapping *mappings, guint n_mappings);

/* Plans the maps for a container of a caller with host ids host_uid/host_gid.
 * No mappings in the config: container root is the caller. With mappings: they
 * must fit a single own-id mapping (one range of size 1 onto the caller's id),
 * otherwise NOOK_USERNS_ERROR_NEEDS_SUBIDS naming the range. */
NookIdMapPlan *nook_idmap_plan_new (const NookIdMapping *uid_mappings, guint n_uid,
                                    const NookIdMapping *gid_mappings, guint n_gid,
                                    uid_t host_uid, gid_t host_gid, GError **error);

/* Is the container id mapped by this plan's map? (for process.user checks) */
gboolean nook_idmap_contains (const NookIdMapping *mappings, guint n_mappings, guint32 id);

/* Writes setgroups (when denied), gid_map and uid_map of process pid, from the
 * parent while the child waits. */
gboolean nook_idmap_write (pid_t pid, const NookIdMapPlan *plan, GError **error);
