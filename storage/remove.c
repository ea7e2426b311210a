/* nook: the one recursive removal of the tree (remove.h).
 *
 * Iterative: a stack of open directories, one per level, each read with
 * readdir and emptied as it is read. Removing entries while reading a
 * directory may make readdir skip some on some file systems, so a
 * directory is read again until a whole pass finds nothing to remove; only
 * then is it removed from its parent. */
#include "storage/remove.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct
{
  DIR *dir;      /* owns its descriptor */
  char *path;    /* for error messages */
  char *name;    /* its name in the level below; NULL for the first level */
  guint removed; /* entries removed in this pass over the directory */
} Level;

static void
level_clear (Level *level)
{
  if (level->dir != NULL)
    closedir (level->dir);
  g_free (level->path);
  g_free (level->name);
}

static gboolean
errno_error (GError **error, int errsv, const char *what, const char *path)
{
  /* Files of the container's subordinate ids: the caller can retry from
   * inside a user namespace that maps them. */
  GFileError code
      = errsv == EACCES || errsv == EPERM ? G_FILE_ERROR_ACCES : g_file_error_from_errno (errsv);

  g_set_error (error, G_FILE_ERROR, code, "cannot %s %s: %s", what, path, g_strerror (errsv));
  return FALSE;
}

/* Opens the directory name in parent_fd without following a link. One the
 * container made unreadable (chmod 000) belongs to us: we may give
 * ourselves access back. */
static int
open_dir (int parent_fd, const char *name)
{
  int flags = O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;
  int fd = openat (parent_fd, name, flags);

  if (fd < 0 && errno == EACCES && fchmodat (parent_fd, name, 0700, 0) == 0)
    fd = openat (parent_fd, name, flags);
  return fd;
}

static gboolean
push_level (GArray *stack, int fd, const char *path, const char *name, GError **error)
{
  Level level = { 0 };

  level.dir = fdopendir (fd);
  if (level.dir == NULL)
    {
      int errsv = errno;

      close (fd);
      return errno_error (error, errsv, "list", path);
    }
  level.path = g_strdup (path);
  level.name = g_strdup (name);
  g_array_append_val (stack, level);
  return TRUE;
}

/* unlinkat, once more after making the directory writable when it was
 * not (a container's chmod 555): it is ours, so we may. */
static int
unlink_entry (int dir_fd, const char *name, int flags)
{
  int r = unlinkat (dir_fd, name, flags);

  if (r < 0 && errno == EACCES && fchmod (dir_fd, 0700) == 0)
    r = unlinkat (dir_fd, name, flags);
  return r;
}

/* One entry of the directory on top of the stack: removed, or opened and
 * pushed to be emptied first. */
static gboolean
handle_entry (GArray *stack, const char *name, GError **error)
{
  Level *top = &g_array_index (stack, Level, stack->len - 1);
  int dir_fd = dirfd (top->dir);
  g_autofree char *path = g_build_filename (top->path, name, NULL);
  int fd, errsv;

  if (unlink_entry (dir_fd, name, 0) == 0)
    {
      top->removed++;
      return TRUE;
    }
  if (errno == ENOENT)
    return TRUE;
  /* Linux says EISDIR for a directory; POSIX allows EPERM. */
  if (errno != EISDIR && errno != EPERM)
    return errno_error (error, errno, "remove", path);
  errsv = errno;
  fd = open_dir (dir_fd, name);
  if (fd < 0)
    {
      if (errno == ENOENT)
        return TRUE;
      /* Not a directory after all: the unlink's own error stands. */
      if (errno == ENOTDIR || errno == ELOOP)
        return errno_error (error, errsv, "remove", path);
      if (errno == EMFILE || errno == ENFILE)
        {
          g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_MFILE,
                       "cannot remove %s: directories nested %u deep, more than the "
                       "descriptors this process may open",
                       path, stack->len);
          return FALSE;
        }
      return errno_error (error, errno, "open", path);
    }
  return push_level (stack, fd, path, name, error);
}

/* The directory on top of the stack has been read to its end. */
static gboolean
finish_level (GArray *stack, GError **error)
{
  Level *top = &g_array_index (stack, Level, stack->len - 1);
  Level *below;

  /* Something went in this pass: read again for what readdir may have
   * skipped. A pass that removes nothing found nothing left. */
  if (top->removed > 0)
    {
      top->removed = 0;
      rewinddir (top->dir);
      return TRUE;
    }
  if (stack->len == 1)
    {
      g_array_set_size (stack, 0);
      return TRUE;
    }
  below = &g_array_index (stack, Level, stack->len - 2);
  if (unlink_entry (dirfd (below->dir), top->name, AT_REMOVEDIR) < 0 && errno != ENOENT)
    return errno_error (error, errno, "remove", top->path);
  below->removed++;
  g_array_set_size (stack, stack->len - 1);
  return TRUE;
}

gboolean
nook_remove_contents_at (int dir_fd, const char *path, const char *keep, GError **error)
{
  g_autoptr (GArray) stack = g_array_new (FALSE, TRUE, sizeof (Level));
  int fd;

  g_array_set_clear_func (stack, (GDestroyNotify)level_clear);
  /* fdopendir takes over the descriptor it is given: dir_fd stays the
   * caller's. */
  fd = openat (dir_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    return errno_error (error, errno, "open", path);
  if (!push_level (stack, fd, path, NULL, error))
    return FALSE;

  while (stack->len > 0)
    {
      Level *top = &g_array_index (stack, Level, stack->len - 1);
      struct dirent *entry;

      errno = 0;
      entry = readdir (top->dir);
      if (entry == NULL)
        {
          if (errno != 0)
            return errno_error (error, errno, "list", top->path);
          if (!finish_level (stack, error))
            return FALSE;
          continue;
        }
      if (strcmp (entry->d_name, ".") == 0 || strcmp (entry->d_name, "..") == 0)
        continue;
      if (stack->len == 1 && keep != NULL && strcmp (entry->d_name, keep) == 0)
        continue;
      if (!handle_entry (stack, entry->d_name, error))
        return FALSE;
    }
  return TRUE;
}

gboolean
nook_remove_tree_at (int parent_fd, const char *name, const char *path, GError **error)
{
  int fd, errsv;
  gboolean ok;

  if (unlinkat (parent_fd, name, 0) == 0 || errno == ENOENT)
    return TRUE;
  if (errno != EISDIR && errno != EPERM)
    return errno_error (error, errno, "remove", path);
  errsv = errno;
  fd = open_dir (parent_fd, name);
  if (fd < 0)
    {
      if (errno == ENOENT)
        return TRUE;
      return errno_error (error, errno == ENOTDIR || errno == ELOOP ? errsv : errno, "remove",
                          path);
    }
  ok = nook_remove_contents_at (fd, path, NULL, error);
  close (fd);
  if (!ok)
    return FALSE;
  if (unlinkat (parent_fd, name, AT_REMOVEDIR) < 0 && errno != ENOENT)
    return errno_error (error, errno, "remove", path);
  return TRUE;
}

gboolean
nook_remove_tree (const char *path, GError **error)
{
  g_autofree char *parent = g_path_get_dirname (path);
  g_autofree char *base = g_path_get_basename (path);
  int fd;
  gboolean ok;

  fd = open (parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    {
      if (errno == ENOENT)
        return TRUE;
      return errno_error (error, errno, "open", parent);
    }
  ok = nook_remove_tree_at (fd, base, path, error);
  close (fd);
  return ok;
}
