/* nook: the runtime state of a live container: ${XDG_RUNTIME_DIR}/nook/<id>/.
 *
 * Ownership of a container id is the flock (LOCK_EX) on <id>/lock, held by the
 * nook process running the container for the container's whole life. The
 * kernel drops the lock when that process dies, however it dies, so a state
 * directory whose lock nobody holds is the leftover of a dead nook and can be
 * taken over.
 *
 * Invariant that makes "exactly one winner" hold: the owner is whoever holds
 * the flock on the lock file that is currently linked at <root>/<id>/lock.
 * Lock files are only ever unlinked by their owner (in nook_state_free), and
 * the owner unlinks it last, just before removing the directory. A contender
 * therefore takes the flock first and only then checks that the directory and
 * the lock file it locked are still the ones at those paths; if not, it lost
 * a race with a removal and starts over. */
#include "storage/state.h"

#include "storage/autofd.h"
#include "storage/json.h"
#include "storage/remove.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#define NOOK_STATE_ID_MAX 128
#define NOOK_STATE_OCI_VERSION "1.0.2"
#define LOCK_NAME "lock"
/* Directories being made (claim_new): never a container id, which starts
 * with a letter or digit. */
#define NEW_PREFIX ".new-"

/* Directories and lock files disappear only when their owner releases them,
 * so each retry means another nook made progress; running out of attempts
 * means something other than nook keeps changing the directory. */
#define CREATE_ATTEMPTS 100

struct NookState
{
  char *id;
  char *dir;
  int dir_fd;
  int lock_fd;
  /* Only the owner may remove the directory: a failed create must leave a
   * live container's state alone. */
  gboolean owned;
  char *rootfs;   /* how the root is mounted, for nook ls; NULL if unset */
  char **options; /* nook_state_set_options; NULL if unset */
};

static gboolean
id_char_ok (char c, gboolean first)
{
  if (g_ascii_isalnum (c))
    return TRUE;
  return !first && (c == '_' || c == '.' || c == '-');
}

gboolean
nook_state_validate_id (const char *id, GError **error)
{
  size_t len = strlen (id);
  gboolean ok = len > 0 && len <= NOOK_STATE_ID_MAX;

  for (size_t i = 0; ok && i < len; i++)
    ok = id_char_ok (id[i], i == 0);

  if (!ok)
    {
      g_autofree char *escaped = g_strescape (id, NULL);

      g_set_error (error, NOOK_STORAGE_ERROR, NOOK_STORAGE_ERROR_FAILED,
                   "invalid container id \"%s\": it must be 1 to %d letters, digits, '_', '.' "
                   "or '-', starting with a letter or digit",
                   escaped, NOOK_STATE_ID_MAX);
      return FALSE;
    }
  return TRUE;
}

static gboolean
same_file (const struct stat *a, const struct stat *b)
{
  return a->st_dev == b->st_dev && a->st_ino == b->st_ino;
}

/* state.json of the directory says the container was made to outlive its
 * nook (create, run -d). */
static gboolean
is_detached (int dir_fd)
{
  g_autoptr (NookJsonDoc) doc = NULL;
  g_autofree char *text = NULL;
  gsize length = 0;
  nook_autofd int fd = openat (dir_fd, "state.json", O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  g_autoptr (GIOChannel) ch = NULL;

  if (fd < 0)
    return FALSE;
  ch = g_io_channel_unix_new (fd);
  g_io_channel_set_encoding (ch, NULL, NULL);
  if (g_io_channel_read_to_end (ch, &text, &length, NULL) != G_IO_STATUS_NORMAL
      || (doc = nook_json_parse (text, length, NULL)) == NULL)
    return FALSE;
  /* A member of another type is not TRUE. */
  return nook_json_get_bool (nook_json_doc_root (doc), "detached", FALSE);
}

typedef enum
{
  CLAIM_OWNED,
  CLAIM_RETRY,
  CLAIM_FAILED,
} ClaimResult;

static ClaimResult
claim_failed (GError **error, int errsv, const char *what, const char *path)
{
  nook_storage_errno_error (error, errsv, what, path);
  return CLAIM_FAILED;
}

/* A new state directory is made under a temporary name, with its lock
 * file made and locked inside, and only then renamed to the id: a
 * directory at <root>/<id> therefore always has a lock file, and one
 * without (left by an older nook, killed between its mkdir and its lock)
 * is abandoned, never half made. The temporary name says who makes it, so
 * that one whose maker died is known for garbage (nook_state_collect_new). */
static char *
new_dir_path (const NookState *state)
{
  g_autofree char *root = g_path_get_dirname (state->dir);

  return g_strdup_printf ("%s/%s%d-%" G_GUINT64_FORMAT "-%08x", root, NEW_PREFIX, (int)getpid (),
                          nook_proc_start_time (getpid ()), g_random_int ());
}

static void
drop_new_dir (int dir_fd, const char *path)
{
  unlinkat (dir_fd, LOCK_NAME, 0);
  rmdir (path);
}

/* One attempt at making the id's directory: CLAIM_OWNED, or CLAIM_RETRY
 * when one exists already (then claim_existing). */
static ClaimResult
claim_new (NookState *state, GError **error)
{
  g_autofree char *tmp = new_dir_path (state);
  nook_autofd int dir_fd = -1;
  nook_autofd int lock_fd = -1;

  if (mkdir (tmp, 0700) < 0)
    return claim_failed (error, errno, "create directory", tmp);
  dir_fd = open (tmp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (dir_fd < 0)
    return claim_failed (error, errno, "open", tmp);
  lock_fd = openat (dir_fd, LOCK_NAME,
                    O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC, 0600);
  if (lock_fd < 0 || flock (lock_fd, LOCK_EX | LOCK_NB) < 0)
    {
      int errsv = errno;

      drop_new_dir (dir_fd, tmp);
      return claim_failed (error, errsv, "lock", tmp);
    }
  /* Over nothing, or over an empty directory (garbage: one with a live
   * owner holds its lock file); a directory with entries stays. */
  if (rename (tmp, state->dir) < 0)
    {
      int errsv = errno;

      drop_new_dir (dir_fd, tmp);
      if (errsv == EEXIST || errsv == ENOTEMPTY)
        return CLAIM_RETRY;
      return claim_failed (error, errsv, "create", state->dir);
    }
  nook_close_fdp (&state->dir_fd);
  nook_close_fdp (&state->lock_fd);
  state->dir_fd = dir_fd;
  state->lock_fd = lock_fd;
  dir_fd = lock_fd = -1;
  state->owned = TRUE;
  return CLAIM_OWNED;
}

/* One attempt at taking over an existing directory of the id: open it,
 * lock its lock file, and check that both are still the ones at their
 * paths. CLAIM_RETRY when it went away meanwhile. */
static ClaimResult
claim_existing (NookState *state, GError **error)
{
  g_autofree char *lock_path = g_build_filename (state->dir, LOCK_NAME, NULL);
  struct stat dir_st, lock_st, path_st;

  nook_close_fdp (&state->dir_fd);
  nook_close_fdp (&state->lock_fd);

  state->dir_fd = open (state->dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (state->dir_fd < 0)
    {
      /* Removed by its owner since our rename found it. */
      if (errno == ENOENT)
        return CLAIM_RETRY;
      return claim_failed (error, errno, "open", state->dir);
    }
  if (fstat (state->dir_fd, &dir_st) < 0)
    return claim_failed (error, errno, "stat", state->dir);

  /* O_CREAT covers a directory that a dead nook left before it made its
   * lock. On a directory that is already removed it fails with ENOENT. */
  state->lock_fd = openat (state->dir_fd, LOCK_NAME,
                           O_RDWR | O_CREAT | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC, 0600);
  if (state->lock_fd < 0)
    {
      if (errno == ENOENT)
        return CLAIM_RETRY;
      return claim_failed (error, errno, "open", lock_path);
    }

  if (flock (state->lock_fd, LOCK_EX | LOCK_NB) < 0)
    {
      if (errno == EWOULDBLOCK)
        {
          g_set_error (error, NOOK_STORAGE_ERROR, NOOK_STORAGE_ERROR_BUSY,
                       "container %s is already running", state->id);
          return CLAIM_FAILED;
        }
      return claim_failed (error, errno, "lock", lock_path);
    }

  /* The lock counts only if nobody removed the directory or its lock file
   * while we were opening them (see the invariant at the top). */
  if (fstat (state->lock_fd, &lock_st) < 0)
    return claim_failed (error, errno, "stat", lock_path);
  if (lstat (state->dir, &path_st) < 0 || !same_file (&dir_st, &path_st))
    return CLAIM_RETRY;
  if (fstatat (state->dir_fd, LOCK_NAME, &path_st, AT_SYMLINK_NOFOLLOW) < 0
      || !same_file (&lock_st, &path_st))
    return CLAIM_RETRY;

  /* A detached container's state is not a leftover: it stays until
   * delete, whether its process still runs or not. */
  if (is_detached (state->dir_fd))
    {
      g_set_error (error, NOOK_STORAGE_ERROR, NOOK_STORAGE_ERROR_EXISTS,
                   "container %s already exists (see 'nook state %s'; 'nook delete %s' "
                   "removes it)",
                   state->id, state->id, state->id);
      return CLAIM_FAILED;
    }

  state->owned = TRUE;

  /* Leftovers of a nook that died: the lock file itself stays, since we hold
   * the lock on it and a new one would be a second, unheld lock. */
  if (!nook_remove_contents_at (state->dir_fd, state->dir, LOCK_NAME, error))
    {
      g_prefix_error (error, "cannot clean up the state of a dead container %s: ", state->id);
      return CLAIM_FAILED;
    }
  return CLAIM_OWNED;
}

NookState *
nook_state_create (const char *root, const char *id, GError **error)
{
  g_autoptr (NookState) state = NULL;
  g_autofree char *default_root = NULL;

  g_return_val_if_fail (id != NULL, NULL);

  if (!nook_state_validate_id (id, error))
    return NULL;

  if (root != NULL)
    {
      /* Like runc's --root: a root the user names is created when missing
       * and otherwise trusted as it is; it is their choice, not a shared
       * path such as /tmp. */
      if (!nook_mkdir_p (root, 0700, error))
        return NULL;
    }
  else
    {
      default_root = nook_xdg_runtime_root (error);
      if (default_root == NULL)
        return NULL;
      root = default_root;
    }

  state = g_new0 (NookState, 1);
  state->id = g_strdup (id);
  state->dir = g_build_filename (root, id, NULL);
  state->dir_fd = -1;
  state->lock_fd = -1;

  for (int attempt = 0; attempt < CREATE_ATTEMPTS; attempt++)
    {
      ClaimResult r = claim_new (state, error);

      if (r == CLAIM_RETRY)
        r = claim_existing (state, error);
      if (r == CLAIM_OWNED)
        return g_steal_pointer (&state);
      if (r == CLAIM_FAILED)
        return NULL;
    }

  g_set_error (error, NOOK_STORAGE_ERROR, NOOK_STORAGE_ERROR_FAILED,
               "cannot create %s: it kept being removed and recreated by other processes",
               state->dir);
  return NULL;
}

const char *
nook_state_get_dir (const NookState *state)
{
  return state->dir;
}

int
nook_state_get_lock_fd (const NookState *state)
{
  return state->lock_fd;
}

const char *
nook_state_get_id (const NookState *state)
{
  return state->id;
}

static gboolean
write_state_file (NookState *state, const char *name, const char *contents, GError **error)
{
  g_autofree char *path = g_build_filename (state->dir, name, NULL);

  return nook_storage_write_file (path, contents, error);
}

static void
add_pairs (NookJsonWriter *builder, const char *name, const char *const *pairs)
{
  if (pairs == NULL || pairs[0] == NULL)
    return;
  nook_json_writer_member (builder, name);
  nook_json_writer_begin_object (builder);
  for (gsize i = 0; pairs[i] != NULL && pairs[i + 1] != NULL; i += 2)
    {
      nook_json_writer_member (builder, pairs[i]);
      nook_json_writer_string (builder, pairs[i + 1]);
    }
  nook_json_writer_end_object (builder);
}

static void
add_string (NookJsonWriter *builder, const char *name, const char *value)
{
  if (value == NULL)
    return;
  nook_json_writer_member (builder, name);
  nook_json_writer_string (builder, value);
}

static char *
state_json (NookState *state, const NookStateRecord *r, guint64 start_time)
{
  g_autoptr (NookJsonWriter) builder = nook_json_writer_new (TRUE);
  g_autoptr (GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *created = g_date_time_format_iso8601 (now);

  nook_json_writer_begin_object (builder);
  add_string (builder, "ociVersion", NOOK_STATE_OCI_VERSION);
  add_string (builder, "id", state->id);
  /* What the container was when this was written; readers decide the
   * status anew (nook_state_load). */
  add_string (builder, "status", r->detached ? "created" : "running");
  nook_json_writer_member (builder, "pid");
  nook_json_writer_int (builder, r->pid);
  add_string (builder, "bundle", r->bundle);
  add_string (builder, "created", created);
  add_string (builder, "rootfs", state->rootfs);
  add_string (builder, "config", r->config_path);
  if (r->detached)
    {
      nook_json_writer_member (builder, "detached");
      nook_json_writer_bool (builder, TRUE);
    }
  if (start_time != 0)
    {
      nook_json_writer_member (builder, "starttime");
      nook_json_writer_int (builder, (gint64)start_time);
    }
  add_pairs (builder, "annotations", r->annotations);
  add_pairs (builder, "options", r->options);
  nook_json_writer_end_object (builder);
  return nook_json_writer_finish (g_steal_pointer (&builder), NULL);
}

gboolean
nook_state_write (NookState *state, const NookStateRecord *record, GError **error)
{
  g_autofree char *pid_text = NULL;
  g_autofree char *json = NULL;

  g_return_val_if_fail (state != NULL && state->owned, FALSE);
  g_return_val_if_fail (record->pid > 0, FALSE);
  g_return_val_if_fail (record->bundle != NULL, FALSE);

  pid_text = g_strdup_printf ("%d", (int)record->pid);
  json = state_json (state, record, nook_proc_start_time (record->pid));

  /* state.json last: its presence is what says the container exists. */
  if (!write_state_file (state, "pid", pid_text, error))
    return FALSE;
  return write_state_file (state, "state.json", json, error);
}

gboolean
nook_state_set_running (NookState *state, pid_t pid, const char *bundle, GError **error)
{
  NookStateRecord record
      = { .pid = pid, .bundle = bundle, .options = (const char *const *)state->options };

  return nook_state_write (state, &record, error);
}

void
nook_state_set_rootfs (NookState *state, const char *mode)
{
  g_free (state->rootfs);
  state->rootfs = g_strdup (mode);
}

void
nook_state_set_options (NookState *state, const char *const *pairs)
{
  g_strfreev (state->options);
  state->options = g_strdupv ((char **)pairs);
}

void
nook_state_free (NookState *state)
{
  if (state == NULL)
    return;

  /* The lock file goes last, after everything else, and only then the
   * directory: from the moment it is unlinked a new nook may create a fresh
   * lock in this directory and own it, so nothing in it may be touched after
   * that (our rmdir then simply fails with ENOTEMPTY). Errors are ignored:
   * whatever is left is a dead container's state, which the next create of
   * this id removes. */
  if (state->owned && state->dir_fd >= 0)
    {
      if (nook_remove_contents_at (state->dir_fd, state->dir, LOCK_NAME, NULL))
        {
          unlinkat (state->dir_fd, LOCK_NAME, 0);
          rmdir (state->dir);
        }
    }

  nook_close_fdp (&state->dir_fd);
  nook_close_fdp (&state->lock_fd);
  g_free (state->dir);
  g_free (state->id);
  g_free (state->rootfs);
  g_strfreev (state->options);
  g_free (state);
}

void
nook_state_detach (NookState *state)
{
  if (state == NULL)
    return;
  state->owned = FALSE;
  nook_state_free (state);
}

NookState *
nook_state_open (const char *root, const char *id, GError **error)
{
  g_autoptr (NookState) state = NULL;
  g_autofree char *default_root = NULL;
  g_autofree char *lock_path = NULL;
  struct stat dir_st, lock_st, path_st;

  if (!nook_state_validate_id (id, error))
    return NULL;
  if (root == NULL && (root = default_root = nook_xdg_runtime_root (error)) == NULL)
    return NULL;
  state = g_new0 (NookState, 1);
  state->id = g_strdup (id);
  state->dir = g_build_filename (root, id, NULL);
  state->lock_fd = -1;
  lock_path = g_build_filename (state->dir, LOCK_NAME, NULL);
  state->dir_fd = open (state->dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (state->dir_fd < 0)
    {
      if (errno == ENOENT)
        g_set_error (error, NOOK_STORAGE_ERROR, NOOK_STORAGE_ERROR_NOT_FOUND,
                     "container %s does not exist", id);
      else
        nook_storage_errno_error (error, errno, "open", state->dir);
      return NULL;
    }
  state->lock_fd = openat (state->dir_fd, LOCK_NAME,
                           O_RDWR | O_CREAT | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC, 0600);
  if (state->lock_fd < 0)
    {
      nook_storage_errno_error (error, errno, "open", lock_path);
      return NULL;
    }
  if (flock (state->lock_fd, LOCK_EX | LOCK_NB) < 0)
    {
      if (errno == EWOULDBLOCK)
        g_set_error (error, NOOK_STORAGE_ERROR, NOOK_STORAGE_ERROR_BUSY,
                     "container %s is in use by another nook (running in the foreground, "
                     "or being created)",
                     id);
      else
        nook_storage_errno_error (error, errno, "lock", lock_path);
      return NULL;
    }
  /* As in claim_existing: the lock counts only on the files still at
   * their paths. */
  if (fstat (state->dir_fd, &dir_st) < 0 || lstat (state->dir, &path_st) < 0
      || !same_file (&dir_st, &path_st) || fstat (state->lock_fd, &lock_st) < 0
      || fstatat (state->dir_fd, LOCK_NAME, &path_st, AT_SYMLINK_NOFOLLOW) < 0
      || !same_file (&lock_st, &path_st))
    {
      g_set_error (error, NOOK_STORAGE_ERROR, NOOK_STORAGE_ERROR_NOT_FOUND,
                   "container %s does not exist", id);
      return NULL;
    }
  state->owned = TRUE;
  return g_steal_pointer (&state);
}

NookState *
nook_state_claim_dead (const char *root, const char *id, GError **error)
{
  g_autoptr (NookState) state = nook_state_open (root, id, error);

  if (state == NULL)
    return NULL;
  /* Decided under the lock: no nook holds it now, and none can take it
   * until we release it. A detached container has no nook holding its
   * lock and is no leftover: it stays until delete. */
  if (is_detached (state->dir_fd))
    {
      state->owned = FALSE;
      g_set_error (error, NOOK_STORAGE_ERROR, NOOK_STORAGE_ERROR_EXISTS,
                   "container %s is detached: its state stays until delete", id);
      return NULL;
    }
  return g_steal_pointer (&state);
}

/* The maker of a temporary directory NEW_PREFIX<pid>-<start time>-<random>
 * still runs. */
static gboolean
maker_alive (const char *name)
{
  const char *p = name + strlen (NEW_PREFIX);
  char *end = NULL;
  guint64 pid = g_ascii_strtoull (p, &end, 10);
  guint64 start;

  if (end == p || *end != '-' || pid == 0 || pid > G_MAXINT32)
    return FALSE;
  p = end + 1;
  start = g_ascii_strtoull (p, &end, 10);
  if (end == p || *end != '-')
    return FALSE;
  /* Without /proc its maker could not read its own start time: the pid
   * alone decides, erring on the side of keeping. */
  if (start == 0)
    return kill ((pid_t)pid, 0) == 0 || errno == EPERM;
  return nook_proc_start_time ((pid_t)pid) == start;
}

void
nook_state_collect_new (const char *root)
{
  nook_autofd int root_fd = open (root, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  g_autoptr (GPtrArray) dead = g_ptr_array_new_with_free_func (g_free);
  nook_autofd int list_fd = -1;
  struct dirent *entry;
  DIR *dir;

  if (root_fd < 0 || (list_fd = openat (root_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
    return;
  dir = fdopendir (list_fd);
  if (dir == NULL)
    return;
  list_fd = -1;
  while ((entry = readdir (dir)) != NULL)
    if (g_str_has_prefix (entry->d_name, NEW_PREFIX) && !maker_alive (entry->d_name))
      g_ptr_array_add (dead, g_strdup (entry->d_name));
  closedir (dir);
  for (guint i = 0; i < dead->len; i++)
    {
      g_autofree char *path = g_build_filename (root, dead->pdata[i], NULL);

      nook_remove_tree_at (root_fd, dead->pdata[i], path, NULL);
    }
}

char *
nook_state_generate_id (void)
{
  guint8 bytes[32];
  GString *id = g_string_sized_new (2 * sizeof bytes);

  /* getrandom can only come up short on signals for requests over 256
   * bytes, or fail on kernels without it; g_random is good enough for a
   * name that only has to be unique. */
  if (getrandom (bytes, sizeof bytes, 0) != (ssize_t)sizeof bytes)
    for (size_t i = 0; i < sizeof bytes; i++)
      bytes[i] = (guint8)g_random_int_range (0, 256);

  for (size_t i = 0; i < sizeof bytes; i++)
    g_string_append_printf (id, "%02x", bytes[i]);
  return g_string_free (id, FALSE);
}
