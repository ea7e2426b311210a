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
const char *nook_state_get_id (const NookState *state);

/* Records the container's process (state.json and pid file). */
/* How the container's root is mounted ("fuse-overlayfs", ...): recorded in
 * state.json by nook_state_set_running, for nook ls. */
void nook_state_set_rootfs (NookState *state, const char *mode);

gboolean nook_state_set_running (NookState *state, pid_t pid, const char *bundle,
                                 GError **error);

/* Removes the state directory and releases the lock. */
void nook_state_free (NookState *state);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (NookState, nook_state_free)

/* A fresh random container id (64 hex digits, like runc). */
char *nook_state_generate_id (void);
