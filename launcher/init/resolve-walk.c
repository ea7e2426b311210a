/* nook: resolving a path inside the rootfs without openat2, for kernels
 * before 5.6 and seccomp profiles that deny openat2.
 *
 * It keeps openat2(RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS)'s guarantee:
 * the walk never leaves the root. Each component is opened with
 * openat(O_PATH | O_NOFOLLOW) under the previous one; a symlink is read
 * and its text resolved again here, an absolute one from the root; ".."
 * drops the last component of the path resolved so far, and at the root
 * stays there. The resolved path holds no symlink and no "..", so the
 * directory it names is reopened from the root, component by component,
 * with O_NOFOLLOW | O_DIRECTORY: a component swapped for a symlink under
 * us fails the walk (EAGAIN, as openat2 answers a race) rather than
 * following it. Magic links (/proc/PID/root, ...) are read as text, as
 * paths inside the root: they cannot jump out either.
 *
 * Stack buffers only: this runs in the cloned child, which does not
 * allocate. (crun's chroot_realpath and bubblewrap's path walks are the
 * models; this follows neither line by line.) */
#include "launcher/init/resolve.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* As the kernel's MAXSYMLINKS. */
#define MAX_SYMLINKS 40

/* An O_PATH fd of the directory resolved (a path relative to the root,
 * without symlinks or ".."), or -1. */
static int
reopen_resolved (int rootfd, const char *resolved)
{
  char comp[NAME_MAX + 1];
  const char *p = resolved;
  int cur = fcntl (rootfd, F_DUPFD_CLOEXEC, 0);

  while (cur >= 0 && *p != '\0')
    {
      const char *end = strchrnul (p, '/');
      size_t n = end - p;
      int next;

      memcpy (comp, p, n);
      comp[n] = '\0';
      next = openat (cur, comp, O_PATH | O_NOFOLLOW | O_DIRECTORY | O_CLOEXEC);
      close (cur);
      if (next < 0 && (errno == ENOTDIR || errno == ELOOP || errno == ENOENT))
        errno = EAGAIN;
      cur = next;
      p = *end ? end + 1 : end;
    }
  return cur;
}

/* The last fd of a walk: ask for flags on it as open(2) would. pathfd is
 * an O_PATH fd of the entry, named name under dirfd (NULL: the entry is
 * dirfd itself). Closes pathfd. */
static int
finish (int dirfd, const char *name, int pathfd, int flags)
{
  struct stat want, got;
  int fd;

  if (fstat (pathfd, &want) < 0)
    {
      close (pathfd);
      return -1;
    }
  if ((flags & O_DIRECTORY) && !S_ISDIR (want.st_mode))
    {
      close (pathfd);
      return errno = ENOTDIR, -1;
    }
  if (flags & O_PATH)
    return pathfd;
  /* Opened by name again, never following: the entry must be the one
   * the walk found, or the call fails. */
  fd = openat (name ? dirfd : pathfd, name ? name : ".", flags | O_NOFOLLOW | O_CLOEXEC);
  close (pathfd);
  if (fd < 0)
    return -1;
  if (fstat (fd, &got) < 0 || got.st_dev != want.st_dev || got.st_ino != want.st_ino)
    {
      close (fd);
      return errno = EAGAIN, -1;
    }
  return fd;
}

/* Appends name to resolved ("" is the root). */
static bool
push (char resolved[PATH_MAX], const char *name)
{
  size_t len = strlen (resolved), n = strlen (name);

  if (len + (len > 0) + n >= PATH_MAX)
    return false;
  if (len > 0)
    resolved[len++] = '/';
  memcpy (resolved + len, name, n + 1);
  return true;
}

static void
pop (char resolved[PATH_MAX])
{
  char *slash = strrchr (resolved, '/');

  if (slash != NULL)
    *slash = '\0';
  else
    resolved[0] = '\0';
}

/* Replaces rest (whose first component was the symlink read into target)
 * with target followed by what came after it. */
static bool
splice_symlink (char rest[PATH_MAX], const char *after, const char *target)
{
  char next[PATH_MAX];
  size_t t = strlen (target), a = strlen (after);

  if (t + 1 + a >= sizeof next)
    return false;
  memcpy (next, target, t);
  next[t] = '/';
  memcpy (next + t + 1, after, a + 1);
  memcpy (rest, next, t + 1 + a + 1);
  return true;
}

int
nook_open_in_root_walk (int rootfd, const char *path, int flags)
{
  char rest[PATH_MAX], resolved[PATH_MAX] = "", comp[NAME_MAX + 1];
  const char *p;
  int cur, hops = 0;

  if (path[0] == '\0')
    return errno = ENOENT, -1;
  if (strlen (path) >= sizeof rest)
    return errno = ENAMETOOLONG, -1;
  strcpy (rest, path);
  cur = fcntl (rootfd, F_DUPFD_CLOEXEC, 0);
  p = rest;
  while (cur >= 0)
    {
      const char *end;
      size_t n;
      bool last;
      struct stat st;
      int fd;

      while (*p == '/')
        p++;
      if (*p == '\0')
        return finish (cur, NULL, cur, flags);
      end = strchrnul (p, '/');
      n = end - p;
      if (n > NAME_MAX)
        {
          close (cur);
          return errno = ENAMETOOLONG, -1;
        }
      memcpy (comp, p, n);
      comp[n] = '\0';
      p = end;
      last = p[strspn (p, "/")] == '\0';
      if (strcmp (comp, ".") == 0)
        continue;
      if (strcmp (comp, "..") == 0)
        {
          /* At the root, ".." is the root: the walk never climbs out. */
          pop (resolved);
          close (cur);
          cur = reopen_resolved (rootfd, resolved);
          continue;
        }
      fd = openat (cur, comp, O_PATH | O_NOFOLLOW | O_CLOEXEC);
      if (fd < 0)
        break;
      if (fstat (fd, &st) < 0)
        {
          int saved = errno;

          close (fd);
          errno = saved;
          break;
        }
      if (S_ISLNK (st.st_mode) && !(last && (flags & O_NOFOLLOW)))
        {
          char target[PATH_MAX];
          ssize_t len = readlinkat (fd, "", target, sizeof target - 1);

          close (fd);
          if (len < 0)
            break;
          target[len] = '\0';
          if (++hops > MAX_SYMLINKS)
            {
              close (cur);
              return errno = ELOOP, -1;
            }
          if (!splice_symlink (rest, p, target))
            {
              close (cur);
              return errno = ENAMETOOLONG, -1;
            }
          p = rest;
          if (target[0] == '/')
            {
              resolved[0] = '\0';
              close (cur);
              cur = fcntl (rootfd, F_DUPFD_CLOEXEC, 0);
            }
          continue;
        }
      if (last)
        {
          int r = finish (cur, comp, fd, flags);
          int saved = errno;

          close (cur);
          errno = saved;
          return r;
        }
      if (!S_ISDIR (st.st_mode) || !push (resolved, comp))
        {
          int err = S_ISDIR (st.st_mode) ? ENAMETOOLONG : ENOTDIR;

          close (fd);
          close (cur);
          return errno = err, -1;
        }
      close (cur);
      cur = fd;
    }
  if (cur >= 0)
    {
      int saved = errno;

      close (cur);
      errno = saved;
    }
  return -1;
}
