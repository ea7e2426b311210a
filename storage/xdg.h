/* nook: XDG base directories for nook's files. */
#pragma once

#include <glib.h>

#define NOOK_STORAGE_ERROR (nook_storage_error_quark ())
GQuark nook_storage_error_quark (void);

typedef enum
{
  NOOK_STORAGE_ERROR_FAILED,
  NOOK_STORAGE_ERROR_BUSY,      /* a live container holds that name */
  NOOK_STORAGE_ERROR_INSECURE,  /* a directory not owned by the user or writable by others */
  NOOK_STORAGE_ERROR_NOT_FOUND, /* no container of that id */
  NOOK_STORAGE_ERROR_EXISTS,    /* a stopped container of that id awaits delete */
  NOOK_STORAGE_ERROR_DAMAGED,   /* a file nook wrote cannot be read back */
} NookStorageError;

/* contents written to path through a temporary file beside it (0600,
 * a unique name) renamed into place, so that a reader never sees half a
 * file. A failure names path, not the temporary file, and removes the
 * temporary file. No fsync (GLib's CONSISTENT mode does one on most file
 * systems): nook's state is worthless after a crash, and an fsync costs
 * milliseconds on every start. */
gboolean nook_storage_write_file (const char *path, const char *contents, GError **error);

/* Sets NOOK_STORAGE_ERROR_FAILED "cannot WHAT PATH: strerror(errsv)";
 * returns FALSE. */
gboolean nook_storage_errno_error (GError **error, int errsv, const char *what, const char *path);

/* ${XDG_RUNTIME_DIR}/nook, or /tmp/nook-UID when XDG_RUNTIME_DIR is unset.
 * Created (mode 0700) and checked to be the user's own. */
char *nook_xdg_runtime_root (GError **error);

/* ${XDG_CACHE_HOME:-$HOME/.cache} (not created). */
char *nook_xdg_cache_home (void);

/* ${XDG_CACHE_HOME:-$HOME/.cache}/nook (not created). */
char *nook_xdg_cache_dir (void);

/* ${XDG_DATA_HOME:-$HOME/.local/share}/nook (not created). */
char *nook_xdg_data_dir (void);

/* mkdir -p with mode for the components it creates. */
gboolean nook_mkdir_p (const char *path, int mode, GError **error);
