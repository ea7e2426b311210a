/* nook: the runtime state of a live container: ${XDG_RUNTIME_DIR}/nook/<id>/. */
#pragma once

#include <glib.h>
#include <sys/types.h>

#include "storage/xdg.h"

typedef struct NookState NookState;

/* Creates the state directory of container id under root (NULL: the default
 * runtime root) and takes its lock. A live container of that id: error
 * NOOK_STORAGE_ERROR_BUSY. A dead one's leftovers are removed first. */
NookState *nook_state_create (const char *root, const char *id, GError **error);

const char *nook_state_get_dir (const NookState *state);
/* The fd holding the lock: a child cloned from the owner must close it, or
 * it would hold the lock for as long as it lives. */
int nook_state_get_lock_fd (const NookState *state);
const char *nook_state_get_id (const NookState *state);

/* How the container's root is mounted ("fuse-overlayfs", ...): recorded in
 * state.json by nook_state_write, for nook list. */
void nook_state_set_rootfs (NookState *state, const char *mode);

/* The run options of a foreground container, key, value, ..., NULL
 * (copied): recorded by nook_state_set_running, for exec. */
void nook_state_set_options (NookState *state, const char *const *pairs);

/* What state.json records of a container. */
typedef struct
{
  pid_t pid; /* the container's process, as the host sees it */
  const char *bundle;
  const char *config_path; /* the config.json it was made from; NULL: BUNDLE/config.json */
  /* The container outlives this nook (create, run -d): its process's
   * start time is recorded, and the state stays until delete. */
  gboolean detached;
  const char *const *annotations; /* key, value, ..., NULL; or NULL */
  const char *const *options;     /* the run options that shaped it, same shape */
} NookStateRecord;

/* Writes state.json (and the pid file) atomically. */
gboolean nook_state_write (NookState *state, const NookStateRecord *record, GError **error);

/* nook_state_write of a foreground container: pid and bundle only. */
gboolean nook_state_set_running (NookState *state, pid_t pid, const char *bundle, GError **error);

/* Opens the state of an existing container and takes its lock, without
 * touching what is in it (delete). NOOK_STORAGE_ERROR_NOT_FOUND without
 * one, NOOK_STORAGE_ERROR_BUSY while a nook holds it (a foreground run, or
 * a create still under way). Freeing it removes the state. */
NookState *nook_state_open (const char *root, const char *id, GError **error);

/* Takes the lock of root/id (root NULL: the default) to collect what a
 * dead nook left: the lock is taken first and the decision made under it.
 * NOOK_STORAGE_ERROR_BUSY while a nook holds it (a foreground run, or a
 * create under way), NOOK_STORAGE_ERROR_EXISTS for a detached container
 * (kept until delete), NOOK_STORAGE_ERROR_NOT_FOUND when it is gone. The
 * caller removes what needs more than the state's own removal (a layer
 * of subordinate ids), then frees it, which removes the directory. */
NookState *nook_state_claim_dead (const char *root, const char *id, GError **error);

/* Removes the temporary directories under root of nooks that died while
 * making a state directory. */
void nook_state_collect_new (const char *root);

/* Removes the state directory and releases the lock. */
void nook_state_free (NookState *state);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (NookState, nook_state_free)

/* Releases the lock and keeps the state directory: a detached container's
 * state stays until delete. */
void nook_state_detach (NookState *state);

typedef enum
{
  NOOK_STATUS_CREATING, /* a nook is still setting it up */
  NOOK_STATUS_CREATED,  /* set up; the process waits for start */
  NOOK_STATUS_RUNNING,
  NOOK_STATUS_STOPPED,
} NookStatus;

const char *nook_status_name (NookStatus status);

/* A container's state as read back, with its status decided now. */
typedef struct
{
  char *id;
  char *dir;
  char *bundle;
  char *config_path; /* NULL: BUNDLE/config.json */
  char *rootfs;
  char *created;
  pid_t pid;
  guint64 start_time;
  gboolean detached;
  gboolean owner_alive; /* a nook holds the lock (foreground run, create) */
  NookStatus status;
  char **annotations; /* key, value, ..., NULL (never NULL itself) */
  char **options;     /* the same */
} NookStateInfo;

/* Reads root/id (root NULL: the default runtime root). A process counts as
 * the container's only while its start time is the recorded one, so a
 * reused pid never makes a stopped container look alive.
 * NOOK_STORAGE_ERROR_NOT_FOUND when there is no such container. */
NookStateInfo *nook_state_load (const char *root, const char *id, GError **error);
void nook_state_info_free (NookStateInfo *info);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (NookStateInfo, nook_state_info_free)

/* The value of key in a key, value, ..., NULL array, or NULL. */
const char *nook_state_pairs_get (char **pairs, const char *key);

/* The start time of process pid (clock ticks since boot, field 22 of
 * /proc/PID/stat), or 0 when there is no such process or it is a zombie. */
guint64 nook_proc_start_time (pid_t pid);

/* Checks a container id as runc does: 1 to 128 letters, digits, '_', '.'
 * or '-', starting with a letter or digit. */
gboolean nook_state_validate_id (const char *id, GError **error);

/* A fresh random container id (64 hex digits, like runc). */
char *nook_state_generate_id (void);
