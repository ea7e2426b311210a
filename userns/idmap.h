/* nook: user namespace id mappings: computing, validating, formatting, writing.
 *
 * The arithmetic (layout of the default and keep-id maps, validation of a
 * config's maps, the map text) is pure and unit-tested; nook_idmap_write is
 * the only part that touches a process. */
#pragma once

#include <glib.h>
#include <sys/types.h>

#include "userns/subid.h"

#define NOOK_USERNS_ERROR (nook_userns_error_quark ())
GQuark nook_userns_error_quark (void);

typedef enum
{
  NOOK_USERNS_ERROR_FAILED,
  NOOK_USERNS_ERROR_INVALID,      /* a mapping that cannot be valid */
  NOOK_USERNS_ERROR_NEEDS_SUBIDS, /* a mapping of ids the caller may not map */
  NOOK_USERNS_ERROR_NO_HELPER,    /* newuidmap/newgidmap missing or not privileged */
} NookUsernsError;

/* The kernel's limit on lines in uid_map/gid_map (UID_GID_MAP_MAX_EXTENTS). */
#define NOOK_IDMAP_MAX_LINES 340

typedef struct
{
  guint32 container_id;
  guint32 host_id;
  guint32 size;
} NookIdMapping;

/* How maps are laid out when the config has none. */
typedef enum
{
  NOOK_USERNS_AUTO,    /* container 0 = the caller, 1..N = subordinate ids (podman) */
  NOOK_USERNS_KEEP_ID, /* the caller's id is the same inside; 0 = first subordinate id */
} NookUsernsMode;

/* What the maps are planned from. */
typedef struct
{
  const NookIdMapping *uid_mappings; /* from the config; n_uid == 0: laid out by mode */
  guint n_uid;
  const NookIdMapping *gid_mappings;
  guint n_gid;
  uid_t host_uid; /* the caller */
  gid_t host_gid;
  const NookSubids *subids; /* the caller's subordinate ranges; NULL: none */
  NookUsernsMode mode;
  /* The caller has CAP_SETUID and CAP_SETGID in its user namespace (an
   * engine's runtime, uid 0 in the engine's namespace): subids then holds the
   * ids mapped in that namespace, and the maps are written directly, with
   * setgroups left allowed, instead of through newuidmap/newgidmap. */
  gboolean privileged;
} NookIdMapRequest;

/* What is written for one container. */
typedef struct
{
  NookIdMapping *uid_mappings; /* sorted by container id */
  guint n_uid;
  NookIdMapping *gid_mappings;
  guint n_gid;
  char *uid_map; /* the text the kernel takes: "0 1000 1\n1 100000 65536\n" */
  char *gid_map;
  gboolean uid_needs_helper; /* more than the caller's own id: newuidmap writes it */
  gboolean gid_needs_helper;
  gboolean deny_setgroups; /* gid_map written directly: "deny" to /proc/PID/setgroups first */
  char **uid_helper_argv;  /* newuidmap argv, argv[1] the pid to fill in (nook_newidmap_prepare) */
  char **gid_helper_argv;
  /* Under keep-id: the maps of the caller's default (auto) container, which
   * is how files of the bundle and of layers are owned. A layer filesystem
   * shows them through these (nook_idmap_translate) so that they look the
   * same under keep-id; NULL otherwise. */
  NookIdMapping *storage_uid_mappings;
  guint n_storage_uid;
  NookIdMapping *storage_gid_mappings;
  guint n_storage_gid;
} NookIdMapPlan;

/* One range of a translation between two maps of the same host ids. */
typedef struct
{
  guint32 ns_id;    /* the id a file has as the namespace sees it */
  guint32 shown_id; /* the id it would have under the other map */
  guint32 size;
} NookIdShift;

void nook_idmap_plan_free (NookIdMapPlan *plan);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (NookIdMapPlan, nook_idmap_plan_free)

/* Formats mappings as map text ("C H S\n" per line). */
char *nook_idmap_format (const NookIdMapping *mappings, guint n_mappings);

/* Lays the host ranges out onto container ids 0, 1, 2, ... in order, around
 * one pinned id: own_container_id maps to own_host_id, and a range that
 * straddles it is split. Returns mappings sorted by container id; more than
 * NOOK_IDMAP_MAX_LINES lines is an error. */
NookIdMapping *nook_idmap_layout (guint32 own_container_id, guint32 own_host_id,
                                  const NookSubidRange *ranges, guint n_ranges, guint *out_n,
                                  GError **error);

/* Plans both maps. Config mappings are honoured exactly once checked: every
 * host range must be the caller's own id or lie within its subordinate
 * ranges, no two container (or host) ranges may overlap, no size 0, at most
 * NOOK_IDMAP_MAX_LINES lines. Without config mappings the maps are laid out
 * by request->mode. Errors are one line naming the JSON path and range. */
NookIdMapPlan *nook_idmap_plan_new (const NookIdMapRequest *request, GError **error);

/* For every host id that both maps cover: the id a namespace of ns sees it
 * as, next to the one a namespace of shown sees it as, in ranges sorted by
 * ns_id (host ids only one map covers are left out). *out_n 0 and NULL when
 * the two maps agree on every shared id. */
NookIdShift *nook_idmap_translate (const NookIdMapping *ns, guint n_ns, const NookIdMapping *shown,
                                   guint n_shown, guint *out_n);

/* Is the container id mapped? (for process.user checks) */
gboolean nook_idmap_contains (const NookIdMapping *mappings, guint n_mappings, guint32 id);

/* Writes the maps of process pid from the parent while the child waits: gid
 * first (newgidmap, or setgroups "deny" then gid_map), then uid. */
gboolean nook_idmap_write (pid_t pid, const NookIdMapPlan *plan, GError **error);
