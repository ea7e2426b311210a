/* nook: the container's root filesystem: the bundle's rootfs itself (bind),
 * or an overlay of a writable layer on it (kernel overlayfs, or
 * fuse-overlayfs served from outside the container's PID namespace). */
#pragma once

#include <glib.h>
#include <sys/types.h>

#include "storage/layers.h"
#include "userns/idmap.h"

typedef enum
{
  NOOK_ROOTFS_FUSE_OVERLAYFS, /* the default */
  NOOK_ROOTFS_OVERLAY,
  NOOK_ROOTFS_BIND,
} NookRootfsMode;

typedef struct
{
  NookRootfsMode mode;
  NookLayer *layer;          /* NULL in bind mode */
  char *target;              /* what the child opens as its root (prepared here) */
  char *overlay_data;        /* overlay mode: the mount options */
  unsigned long mount_flags; /* MS_RDONLY for root.readonly */
  char **fuse_argv;          /* fuse-overlayfs argv; the mount is fd 3 */
  char *fuse_log;            /* its stderr */
  pid_t fuse_pid;            /* the daemon, once started; 0 before */
  int fuse_status;           /* its wait status, once stopped */
} NookRootfs;

gboolean nook_rootfs_mode_parse (const char *value, NookRootfsMode *out_mode, GError **error);
const char *nook_rootfs_mode_name (NookRootfsMode mode);

/* What the mode needs on this host, checked before any layer is made:
 * fuse-overlayfs in PATH and an accessible /dev/fuse, layer paths an
 * overlay can take. */
gboolean nook_rootfs_check_host (NookRootfsMode mode, const char *root_path, GError **error);

/* Prepares the mode over root_path (the bundle's rootfs) and layer (taken;
 * NULL for bind). Checks what the mode needs on this host: fuse-overlayfs
 * in PATH and an accessible /dev/fuse. plan: the container's maps; under
 * keep-id fuse-overlayfs shows files as a default container would. */
NookRootfs *nook_rootfs_new (NookRootfsMode mode, const char *root_path, gboolean readonly,
                             NookLayer *layer, const NookIdMapPlan *plan, GError **error);
void nook_rootfs_free (NookRootfs *rootfs);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (NookRootfs, nook_rootfs_free)

/* fuse-overlayfs mode, in the parent after the id maps are written and
 * before the child goes on: mounts the FUSE filesystem on the target inside
 * the child's user and mount namespaces and starts the daemon in its user
 * namespace only (not its PID or mount namespace). No-op in other modes. */
gboolean nook_rootfs_start (NookRootfs *rootfs, pid_t child, GError **error);

/* After the container ended: waits for the daemon to see its mount gone,
 * killing it if it does not within a short time. */
void nook_rootfs_stop (NookRootfs *rootfs);

/* A detached container keeps its fuse-overlayfs daemon: it exits by itself
 * when the container's mount namespace goes. Forget it here. */
void nook_rootfs_detach (NookRootfs *rootfs);

/* After stop: the last line the daemon logged when it exited with an
 * error (it failed to start, say), or NULL. */
char *nook_rootfs_daemon_failure (const NookRootfs *rootfs);

/* Removes a layer directory, from a user namespace with the maps of plan
 * when files of subordinate ids are in the way. */
gboolean nook_rootfs_remove_layer (const char *dir, const NookIdMapPlan *plan, GError **error);

/* The same with the maps of a default (--userns=auto) container of the
 * caller, which cover every id a container of the caller can own; for
 * layers whose container is gone (nook ls, nook rm). */
gboolean nook_rootfs_remove_layer_as_caller (const char *dir, GError **error);

/* Cleans up the runtime state root/id of a container whose nook died:
 * its ephemeral layer, a pasta it left running, then the state directory. FALSE with
 * NOOK_STORAGE_ERROR_BUSY when the container is alive after all. */
gboolean nook_rootfs_collect_dead (const char *root, const char *id, GError **error);
