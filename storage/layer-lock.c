/* nook: the lock of a persistent layer (layers.h, nook_layer_lock).
 *
 * A named container's state directory is under a runtime root that
 * --root chooses, but its layer is one per user: a lock in the state
 * directory alone let `nook --root B rm NAME` remove the layer of NAME
 * running under root A. The layer therefore has its own lock, beside it
 * in the layers directory (outside the layer, so removing the layer never
 * races with its own lock file), taken by every nook that uses or
 * removes the layer.
 *
 * Invariant, as for state directories (state.c): the owner is whoever
 * holds the flock on the lock file currently linked at the path. Only a
 * remover unlinks it, while holding it, after the layer is gone; a
 * contender checks after locking that the file it locked is still the one
 * at the path, and starts over if not.
 *
 * A detached container (run -d --name) outlives the nook that started it,
 * so no process holds the lock for it: the lock file records the state
 * directory of the container using the layer, and a contender that gets
 * the lock still finds the layer busy while that state says the container
 * lives. */
#include "storage/layers.h"
#include "storage/state.h"

#include "storage/autofd.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#define LOCK_ATTEMPTS 100
#define RECORD_MAX 4096

static char *
lock_path (const char *name)
{
  g_autofree char *root = nook_layers_dir ();
  g_autofree char *base = g_strdup_printf (".%s.lock", name);

  /* Container names never start with '.': no layer is called that. */
  return g_build_filename (root, base, NULL);
}

static gboolean
busy (GError **error, const char *name, const char *where)
{
  g_set_error (error, NOOK_STORAGE_ERROR, NOOK_STORAGE_ERROR_BUSY,
               "container %s is running%s%s (its layer is in use)", name,
               where ? " with state in " : "", where ? where : "");
  return FALSE;
}

typedef enum
{
  LOCK_TAKEN,
  LOCK_RETRY,
  LOCK_FAILED,
} LockResult;

static LockResult
lock_failed (GError **error, int errsv, const char *what, const char *path)
{
  nook_storage_errno_error (error, errsv, what, path);
  return LOCK_FAILED;
}

/* One attempt at taking the lock at path. */
static LockResult
lock_once (const char *name, const char *path, int *out_fd, GError **error)
{
  nook_autofd int fd = -1;
  struct stat fd_st, path_st;

  fd = open (path, O_RDWR | O_CREAT | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC, 0600);
  if (fd < 0)
    return lock_failed (error, errno, "open", path);
  if (flock (fd, LOCK_EX | LOCK_NB) < 0)
    {
      if (errno != EWOULDBLOCK)
        return lock_failed (error, errno, "lock", path);
      busy (error, name, NULL);
      return LOCK_FAILED;
    }
  if (fstat (fd, &fd_st) < 0)
    return lock_failed (error, errno, "stat", path);
  /* Unlinked by a remover between our open and flock: not the lock. */
  if (lstat (path, &path_st) < 0 || fd_st.st_dev != path_st.st_dev
      || fd_st.st_ino != path_st.st_ino)
    return LOCK_RETRY;
  *out_fd = fd;
  fd = -1;
  return LOCK_TAKEN;
}

/* The state directory the lock file records, if the container there is
 * still alive: a detached container that no nook holds. */
static gboolean
check_record (int fd, const char *name, const char *state_dir, GError **error)
{
  char text[RECORD_MAX + 1];
  g_autofree char *root = NULL;
  g_autofree char *id = NULL;
  g_autoptr (NookStateInfo) info = NULL;
  ssize_t n = pread (fd, text, RECORD_MAX, 0);

  if (n < 0)
    return nook_storage_errno_error (error, errno, "read the lock of container", name);
  text[n] = '\0';
  if (n == 0 || g_strcmp0 (text, state_dir) == 0)
    return TRUE;
  root = g_path_get_dirname (text);
  id = g_path_get_basename (text);
  info = nook_state_load (root, id, NULL);
  if (info != NULL && info->status != NOOK_STATUS_STOPPED)
    return busy (error, name, text);
  return TRUE;
}

static gboolean
write_record (int fd, const char *path, const char *state_dir, GError **error)
{
  size_t len = strlen (state_dir);

  errno = 0;
  if (ftruncate (fd, 0) < 0 || pwrite (fd, state_dir, len, 0) != (ssize_t)len)
    {
      int errsv = errno ? errno : EIO;

      g_set_error (error, NOOK_STORAGE_ERROR, NOOK_STORAGE_ERROR_FAILED,
                   "cannot write %s (the layer's lock, recording state directory %s): %s", path,
                   state_dir, g_strerror (errsv));
      return FALSE;
    }
  return TRUE;
}

int
nook_layer_lock (const char *name, const char *state_dir, GError **error)
{
  g_autofree char *root = nook_layers_dir ();
  g_autofree char *path = lock_path (name);
  g_autofree char *abs_dir = state_dir ? g_canonicalize_filename (state_dir, NULL) : NULL;

  if (!nook_mkdir_p (root, 0700, error))
    return -1;
  for (int attempt = 0; attempt < LOCK_ATTEMPTS; attempt++)
    {
      nook_autofd int fd = -1;
      int taken;

      switch (lock_once (name, path, &fd, error))
        {
        case LOCK_FAILED:
          return -1;
        case LOCK_RETRY:
          continue;
        case LOCK_TAKEN:
          break;
        }
      if (!check_record (fd, name, abs_dir, error))
        return -1;
      if (abs_dir != NULL && !write_record (fd, path, abs_dir, error))
        {
          g_autofree char *dir = g_build_filename (root, name, NULL);

          /* No layer yet (a full file system): no lock file left either. */
          if (!g_file_test (dir, G_FILE_TEST_EXISTS))
            unlink (path);
          return -1;
        }
      taken = fd;
      fd = -1;
      return taken;
    }
  g_set_error (error, NOOK_STORAGE_ERROR, NOOK_STORAGE_ERROR_FAILED,
               "cannot lock %s: it kept being removed and recreated by other processes", path);
  return -1;
}

void
nook_layer_lock_remove (const char *name, int lock_fd)
{
  g_autofree char *path = lock_path (name);

  /* Unlinked while held: a contender that opened it before sees, once it
   * gets the lock, that it is no longer at the path. */
  unlink (path);
  close (lock_fd);
}

gboolean
nook_layer_lock_collect (const char *name)
{
  g_autofree char *path = lock_path (name);
  g_autofree char *root = nook_layers_dir ();
  g_autofree char *dir = g_build_filename (root, name, NULL);
  struct stat st;
  int lock_fd;

  if (lstat (path, &st) < 0)
    return FALSE;
  lock_fd = nook_layer_lock (name, NULL, NULL);
  if (lock_fd < 0)
    return FALSE;
  /* Made again since by a nook that then let go of it: its layer's. */
  if (lstat (dir, &st) == 0)
    {
      close (lock_fd);
      return FALSE;
    }
  nook_layer_lock_remove (name, lock_fd);
  return TRUE;
}
