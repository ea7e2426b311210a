/* nook: device nodes in the container's /dev, in the child (step.h).
 *
 * mknod of a device is refused in a user namespace: the standard nodes and
 * the config's linux.devices are bind mounts of the host's nodes (the
 * parent checked that each exists with the numbers asked for). */
#include "launcher/init/step.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

/* Binds the host's node at host over path (inside the rootfs), with
 * flags (nosuid, noexec) on the new mount. Returns 0 or -1 (init->error set). */
static int
bind_node (NookInit *init, const char *host, const char *path, unsigned long flags)
{
  char target[NOOK_FD_PATH_MAX];
  int fd, r;

  fd = nook_init_open_or_create_in_root (init->rootfd, path, TRUE);
  if (fd < 0)
    return nook_init_fail (init, -fd, "creating %s", path);
  nook_init_fd_path (target, fd);
  r = mount (host, target, NULL, MS_BIND, NULL);
  close (fd);
  if (r < 0)
    return nook_init_fail (init, errno, "bind mount %s", path);
  r = nook_init_restrict_mount (init, path, flags, FALSE);
  if (r < 0)
    return nook_init_fail (init, -r, "setting %s nosuid,noexec", path);
  return 0;
}

static int
make_links (NookInit *init)
{
  static const char *const links[][2] = {
    { "ptmx", "pts/ptmx" },          { "fd", "/proc/self/fd" },
    { "stdin", "/proc/self/fd/0" },  { "stdout", "/proc/self/fd/1" },
    { "stderr", "/proc/self/fd/2" },
  };
  char path[NOOK_FD_PATH_MAX];
  int devfd, dirfd;

  devfd = nook_open_in_root (init->rootfd, "/dev", O_PATH | O_DIRECTORY);
  if (devfd < 0)
    return nook_init_fail (init, errno, "open /dev");
  nook_init_fd_path (path, devfd);
  dirfd = open (path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  close (devfd);
  if (dirfd < 0)
    return nook_init_fail (init, errno, "open /dev");
  for (size_t i = 0; i < G_N_ELEMENTS (links); i++)
    {
      if (symlinkat (links[i][1], dirfd, links[i][0]) < 0 && errno != EEXIST)
        {
          int err = errno;
          close (dirfd);
          return nook_init_fail (init, err, "symlink /dev/%s", links[i][0]);
        }
    }
  close (dirfd);
  return 0;
}

/* The standard nodes get nosuid,noexec, as crun gives them: nothing in
 * the container should execute or gain privileges through them. */
int
nook_init_step_dev (NookInit *init)
{
  static const char *const nodes[]
      = { "/dev/null", "/dev/zero", "/dev/full", "/dev/random", "/dev/urandom", "/dev/tty" };

  if (!init->dev_is_tmpfs)
    return 0;
  for (size_t i = 0; i < G_N_ELEMENTS (nodes); i++)
    if (bind_node (init, nodes[i], nodes[i], MS_NOSUID | MS_NOEXEC) < 0)
      return -1;
  return make_links (init);
}

/* A FIFO needs no privilege: made in the container, in its directory
 * found (or created) inside the rootfs. */
static int
make_fifo (NookInit *init, const char *path)
{
  char parent[PATH_MAX], dir[NOOK_FD_PATH_MAX];
  const char *slash = strrchr (path, '/');
  int pfd, dfd, r;

  snprintf (parent, sizeof (parent), "%.*s", (int)(slash - path), path);
  pfd = nook_init_open_or_create_in_root (init->rootfd, parent[0] ? parent : "/", FALSE);
  if (pfd < 0)
    return nook_init_fail (init, -pfd, "creating %s", path);
  nook_init_fd_path (dir, pfd);
  dfd = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  close (pfd);
  if (dfd < 0)
    return nook_init_fail (init, errno, "creating %s", path);
  r = mknodat (dfd, slash + 1, S_IFIFO | 0666, 0);
  if (r < 0 && errno != EEXIST)
    {
      int err = errno;
      close (dfd);
      return nook_init_fail (init, err, "mkfifo %s", path);
    }
  close (dfd);
  return 0;
}

int
nook_init_step_devices (NookInit *init)
{
  for (guint i = 0; i < init->config->n_devices; i++)
    {
      const NookDevice *d = &init->config->devices[i];
      const char *host = d->host_path ? d->host_path : d->path;
      int r = d->type == 'p' ? make_fifo (init, d->path) : bind_node (init, host, d->path, 0);

      if (r < 0)
        return -1;
    }
  return 0;
}
