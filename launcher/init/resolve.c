/* nook: looking up and creating mount targets inside the rootfs, in the
 * child.
 *
 * Every lookup goes through openat2(RESOLVE_IN_ROOT), or the same walk done
 * by hand where there is no openat2 (resolve-walk.c): ".." and absolute
 * symlinks stop at the rootfs, so a bundle can never make nook create or
 * mount anything outside it. A missing path is created one component at a
 * time, each under a parent found the same way; a dangling symlink on the way
 * is followed to its target (inside the rootfs), which is created, as crun
 * does for /etc/x -> ../foo/bar. Stack buffers only: the child does not
 * allocate. */
#include "launcher/init/resolve.h"
#include "launcher/init/step.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

/* Symlinks followed while creating one path, as the kernel's MAXSYMLINKS. */
#define MAX_SYMLINK_HOPS 40
/* create_missing's answer when it rewrote the path through a symlink. */
#define RESTART 1

/* Known once the first call answered: whether openat2 is there. */
static int openat2_missing;

int
nook_open_in_root (int rootfd, const char *path, int flags)
{
  struct open_how how = {
    .flags = flags | O_CLOEXEC,
    .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
  };
  int fd;

  do
    {
      if (openat2_missing)
        fd = nook_open_in_root_walk (rootfd, path, flags);
      else
        {
          fd = syscall (SYS_openat2, rootfd, path, &how, sizeof (how));
          /* Before Linux 5.6, or a seccomp profile that denies it (EPERM is
           * what Docker's default profile answers for what it does not
           * know). Neither errno is an answer openat2 gives for a path. */
          if (fd < 0 && (errno == ENOSYS || errno == EPERM))
            {
              openat2_missing = 1;
              fd = nook_open_in_root_walk (rootfd, path, flags);
            }
        }
    }
  while (fd < 0 && errno == EAGAIN);
  return fd;
}

void
nook_init_fd_path (char buf[NOOK_FD_PATH_MAX], int fd)
{
  snprintf (buf, NOOK_FD_PATH_MAX, "/proc/self/fd/%d", fd);
}

/* Creates name (a directory, or an empty file when as_file) in the
 * directory at dir (a path inside the root). An existing entry is fine.
 * Returns 0 or -errno. */
static int
create_entry (int rootfd, const char *dir, const char *name, gboolean as_file)
{
  char dirbuf[NOOK_FD_PATH_MAX];
  int parent, dirfd, r = 0;

  parent = nook_open_in_root (rootfd, dir[0] ? dir : "/", O_PATH | O_DIRECTORY);
  if (parent < 0)
    return -errno;
  /* O_PATH fds cannot create everywhere: reopen the directory for real. */
  nook_init_fd_path (dirbuf, parent);
  dirfd = open (dirbuf, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  close (parent);
  if (dirfd < 0)
    return -errno;
  if (as_file)
    {
      int created
          = openat (dirfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);

      if (created >= 0)
        close (created);
      else if (errno != EEXIST)
        r = -errno;
    }
  else if (mkdirat (dirfd, name, 0755) < 0 && errno != EEXIST)
    r = -errno;
  close (dirfd);
  return r;
}

/* path[0..end) names a missing entry. When it is a dangling symlink,
 * rewrites path to go through its target instead and returns RESTART;
 * returns 0 when it is no symlink, -errno on failure. */
static int
follow_dangling (int rootfd, char *path, size_t end)
{
  char dir[PATH_MAX], target[PATH_MAX], next[PATH_MAX];
  const char *rest = path + end;
  char *slash;
  ssize_t n;
  int dirfd, len;

  memcpy (dir, path, end);
  dir[end] = '\0';
  slash = strrchr (dir, '/');
  *slash = '\0';
  dirfd = nook_open_in_root (rootfd, dir[0] ? dir : "/", O_PATH | O_DIRECTORY);
  if (dirfd < 0)
    return -errno;
  n = readlinkat (dirfd, slash + 1, target, sizeof (target) - 1);
  close (dirfd);
  if (n < 0)
    return errno == EINVAL || errno == ENOENT ? 0 : -errno;
  target[n] = '\0';
  if (target[0] == '/')
    len = snprintf (next, sizeof (next), "%s%s", target, rest);
  else
    len = snprintf (next, sizeof (next), "%s/%s%s", dir, target, rest);
  if (len < 0 || (size_t)len >= sizeof (next))
    return -ENAMETOOLONG;
  memcpy (path, next, len + 1);
  return RESTART;
}

/* Creates the missing components of path, in order. Returns 0 when the
 * whole path exists, RESTART when path was rewritten, or -errno. */
static int
create_missing (int rootfd, char *path, gboolean as_file)
{
  size_t len = strlen (path);

  for (size_t i = 1; i <= len; i++)
    {
      gboolean last = (i == len);
      char prefix[PATH_MAX];
      char *slash;
      int fd, r;

      if (!last && path[i] != '/')
        continue;
      memcpy (prefix, path, i);
      prefix[i] = '\0';
      fd = nook_open_in_root (rootfd, prefix, O_PATH);
      if (fd >= 0)
        {
          close (fd);
          continue;
        }
      if (errno != ENOENT)
        return -errno;
      slash = strrchr (prefix, '/');
      if (slash[1] == '\0')
        continue;
      r = follow_dangling (rootfd, path, i);
      if (r != 0)
        return r;
      *slash = '\0';
      r = create_entry (rootfd, prefix, slash + 1, last && as_file);
      if (r < 0)
        return r;
    }
  return 0;
}

int
nook_init_open_or_create_in_root (int rootfd, const char *path, gboolean as_file)
{
  char buf[PATH_MAX];
  size_t len = strlen (path);

  if (len >= sizeof (buf))
    return -ENAMETOOLONG;
  memcpy (buf, path, len + 1);
  for (int hops = 0; hops <= MAX_SYMLINK_HOPS; hops++)
    {
      int fd = nook_open_in_root (rootfd, buf, O_PATH);
      int r;

      if (fd >= 0 || errno != ENOENT)
        return fd >= 0 ? fd : -errno;
      r = create_missing (rootfd, buf, as_file);
      if (r < 0)
        return r;
      if (r == 0)
        {
          fd = nook_open_in_root (rootfd, buf, O_PATH);
          return fd >= 0 ? fd : -errno;
        }
    }
  return -ELOOP;
}
