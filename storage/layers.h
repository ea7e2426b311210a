/* nook: the writable layer of a container's root filesystem.
 *
 * A layer is a directory holding upper/, work/ and merged/ (the empty mount
 * point the overlay is mounted on inside the container's mount namespace).
 * Persistent layers live in ${XDG_DATA_HOME:-~/.local/share}/nook/containers/
 * NAME with a metadata file, layer.json; ephemeral (--rm) ones inside the
 * container's runtime state directory. */
#pragma once

#include <glib.h>

#include "storage/xdg.h"

typedef struct
{
  char *dir;
  char *upper;
  char *work;
  char *merged;
  gboolean ephemeral;
  /* A persistent layer's lock (nook_layer_lock), held for the
   * container's life; -1 for an ephemeral one. */
  int lock_fd;
} NookLayer;

/* What layer.json records about a persistent container. */
typedef struct
{
  char *name;
  char *bundle;
  char *rootfs;  /* rootfs mode */
  char *uid_map; /* the map text of the first run */
  char *gid_map;
  char *created; /* ISO 8601 */
  /* The options that shaped the container ("--net=host", ...), in the
   * canonical spelling of nook run; reused by every later start. NULL in
   * a layer.json written before nook kept them. */
  char **options;
} NookLayerInfo;

void nook_layer_free (NookLayer *layer);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (NookLayer, nook_layer_free)
void nook_layer_info_free (NookLayerInfo *info);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (NookLayerInfo, nook_layer_info_free)

/* ${XDG_DATA_HOME:-~/.local/share}/nook/containers (not created). */
char *nook_layers_dir (void);

/* Creates DIR/upper, DIR/work and DIR/merged (DIR itself must exist). */
NookLayer *nook_layer_new_ephemeral (const char *dir, GError **error);

/* Opens or creates the persistent layer of container name. An existing one
 * must have been made from the same bundle (unless replace, which wipes it
 * first), the same rootfs mode and the same id maps: files in the upper
 * layer belong to the ids of the first run. */
NookLayer *nook_layer_open_persistent (const NookLayerInfo *want, gboolean replace, GError **error);

/* Locks the persistent layer of container name, whatever runtime root
 * its state is under: the lock is ${XDG_DATA_HOME}/nook/containers/
 * .NAME.lock, held (flock) by the nook that runs the container, or removes
 * it, for as long as it does. The file also records the state directory
 * of the last container that used the layer: one that still lives there
 * (a detached container, which no nook holds) keeps the layer busy too.
 * state_dir: the caller's own state directory, recorded; NULL for a
 * caller that only removes. Returns the locked fd, or -1 with
 * NOOK_STORAGE_ERROR_BUSY when the container runs, or another error. */
int nook_layer_lock (const char *name, const char *state_dir, GError **error);

/* After the layer of name is removed under lock_fd: removes the lock
 * file and releases the lock. */
void nook_layer_lock_remove (const char *name, int lock_fd);

/* The lock file of name when its layer is gone (what a nook killed
 * between removing the layer and removing the lock leaves): removed under
 * the lock. TRUE when there was one to remove; FALSE when there was none,
 * or it is in use. */
gboolean nook_layer_lock_collect (const char *name);

/* layer.json of container name; NULL with error when it has none. */
NookLayerInfo *nook_layer_info_load (const char *name, GError **error);

/* Names of the persistent containers, sorted. */
GPtrArray *nook_layer_list_names (GError **error);

/* Is the file system of the layer's upper directory out of space or of
 * inodes for the caller? (The container's writes then fail with ENOSPC.) */
gboolean nook_layer_is_full (const NookLayer *layer);

/* Bytes used by the files under path (st_blocks, not following links). */
guint64 nook_layer_disk_usage (const char *path);

/* Is the runtime state root/id held by a live nook (its lock taken)? */
typedef enum
{
  NOOK_RUNTIME_NONE,    /* no state directory */
  NOOK_RUNTIME_LIVE,    /* a nook holds its lock: the container runs */
  NOOK_RUNTIME_DEAD,    /* left by a nook that died */
  NOOK_RUNTIME_STOPPED, /* a detached container that stopped: kept until delete */
} NookRuntimeStatus;

NookRuntimeStatus nook_layer_runtime_status (const char *root, const char *id);

/* Ids of the state directories under root, sorted. */
GPtrArray *nook_layer_runtime_ids (const char *root);

/* A file of the state directory root/id as text, or NULL. */
char *nook_layer_runtime_read (const char *root, const char *id, const char *name);
