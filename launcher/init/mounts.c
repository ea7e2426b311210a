/* nook: the container's filesystem: rootfs, the config's mounts, /dev,
 * pivot_root, masked and read-only paths. Runs in the child (init.h).
 *
 * Mount targets inside the rootfs are resolved in it (nook_open_in_root:
 * openat2 RESOLVE_IN_ROOT, or the same walk by hand) and mounted through
 * /proc/self/fd/N, so a symlink in the bundle can never make nook create
 * or mount something outside the rootfs. */
#include "launcher/init/step.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#define FD_PATH_MAX NOOK_FD_PATH_MAX
#define fd_path nook_init_fd_path
#define open_in_root nook_open_in_root
#define open_or_create_in_root nook_init_open_or_create_in_root

/* What a bind remount can change about atime: the kernel locks all of it
 * together (MNT_LOCK_ATIME). */
#define ATIME_FLAGS (MS_RELATIME | MS_NOATIME | MS_STRICTATIME | MS_NODIRATIME)

/* Flags the kernel locks on a mount shared from a more privileged user
 * namespace: a remount inside the container must repeat them or get EPERM. */
static unsigned long
locked_flags (const char *path)
{
  struct statvfs sv;
  unsigned long flags = 0;

  if (statvfs (path, &sv) < 0)
    return 0;
  if (sv.f_flag & ST_NOSUID)
    flags |= MS_NOSUID;
  if (sv.f_flag & ST_NODEV)
    flags |= MS_NODEV;
  if (sv.f_flag & ST_NOEXEC)
    flags |= MS_NOEXEC;
  if (sv.f_flag & ST_RDONLY)
    flags |= MS_RDONLY;
  if (sv.f_flag & ST_NOATIME)
    flags |= MS_NOATIME;
  if (sv.f_flag & ST_NODIRATIME)
    flags |= MS_NODIRATIME;
  if (sv.f_flag & ST_RELATIME)
    flags |= MS_RELATIME;
  return flags;
}

static void
describe_atime (char *buf, size_t size, unsigned long flags)
{
  snprintf (buf, size, "%s%s",
            flags & MS_NOATIME    ? "noatime"
            : flags & MS_RELATIME ? "relatime"
                                  : "strictatime",
            flags & MS_NODIRATIME ? ",nodiratime" : "");
}

/* Names each atime option of the config that the kernel kept from us. */
static void
warn_atime_locked (NookInit *init, const char *what, unsigned long asked, unsigned long kept)
{
  static const struct
  {
    unsigned long flag;
    const char *name;
  } names[] = {
    { MS_NOATIME, "noatime" },
    { MS_NODIRATIME, "nodiratime" },
    { MS_STRICTATIME, "strictatime" },
    { MS_RELATIME, "relatime" },
  };
  const NookMount *m;
  char kept_text[32];

  if (init->mount_index < 0)
    return;
  m = &init->config->mounts[init->mount_index];
  describe_atime (kept_text, sizeof (kept_text), kept);
  for (size_t i = 0; i < G_N_ELEMENTS (names); i++)
    {
      int j = 0;

      if (!(asked & names[i].flag) || (kept & names[i].flag))
        continue;
      while (m->options[j] != NULL && strcmp (m->options[j], names[i].name) != 0)
        j++;
      nook_init_warn (init,
                      "mounts[%d].options[%d]: \"%s\" not applied to %s: the host locks the "
                      "atime flags of this mount in a user namespace (it keeps %s)",
                      init->mount_index, j, names[i].name, what, kept_text);
    }
}

/* The remount repeats the flags the kernel locked (it would refuse to
 * clear them). Atime flags are locked as a whole: when the config asks for
 * other ones, the mount keeps the host's, and a warning names what was not
 * applied (as crun does, which goes on too). */
static int
remount_bind (NookInit *init, const char *what, const char *target, unsigned long flags,
              unsigned long extra, unsigned long clear)
{
  unsigned long locked = locked_flags (target);
  unsigned long want = extra | (locked & ~clear);

  if (flags & ATIME_FLAGS)
    want = (want & ~ATIME_FLAGS) | (flags & ATIME_FLAGS);
  if (mount (NULL, target, NULL, MS_REMOUNT | MS_BIND | want, NULL) == 0)
    return 0;
  if (errno != EPERM || (want & ATIME_FLAGS) == (locked & ATIME_FLAGS))
    return -1;
  want = (want & ~ATIME_FLAGS) | (locked & ATIME_FLAGS);
  if (mount (NULL, target, NULL, MS_REMOUNT | MS_BIND | want, NULL) < 0)
    return -1;
  warn_atime_locked (init, what, flags & ATIME_FLAGS, locked & ATIME_FLAGS);
  return 0;
}

/* Bind mounts source on target, then applies the flags a bind cannot take at once. */
static int
bind_mount (NookInit *init, const char *what, const char *source, const char *target,
            unsigned long flags, unsigned long clear)
{
  const unsigned long remount_flags = MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_NOATIME
                                      | MS_NODIRATIME | MS_RELATIME | MS_STRICTATIME;
  unsigned long extra = flags & remount_flags;

  if (mount (source, target, NULL, MS_BIND | (flags & MS_REC), NULL) < 0)
    return nook_init_fail (init, errno, "bind mount %s on %s", source, what);
  if (extra == 0)
    return 0;
  /* target names the mount point as it was before the bind (an fd opened
   * earlier): remounting it would hit the mount below. Look the path up
   * again to reach the new mount. */
  if (g_str_has_prefix (target, "/proc/self/fd/") && init->rootfd >= 0)
    {
      char fresh[FD_PATH_MAX];
      int r, fd = open_in_root (init->rootfd, what, O_PATH);

      if (fd < 0)
        return nook_init_fail (init, errno, "reopen %s after the bind mount", what);
      fd_path (fresh, fd);
      r = remount_bind (init, what, fresh, flags, extra, clear);
      close (fd);
      if (r < 0)
        return nook_init_fail (init, errno, "remount %s with its options", what);
      return 0;
    }
  if (remount_bind (init, what, target, flags, extra, clear) < 0)
    return nook_init_fail (init, errno, "remount %s with its options", what);
  return 0;
}

int
nook_init_step_propagation (NookInit *init)
{
  /* Nothing mounted in the container may propagate back to the host. A
   * rootfsPropagation of slave or rslave keeps receiving the host's mounts
   * (through the binds of its trees), as in crun; shared and unbindable are
   * applied to the new root after pivot_root, which refuses a shared
   * one. */
  unsigned long type = init->config->rootfs_propagation & MS_SLAVE ? MS_SLAVE : MS_PRIVATE;

  if (mount (NULL, "/", NULL, MS_REC | type, NULL) < 0)
    return nook_init_fail (init, errno, "making / %s", type == MS_SLAVE ? "a slave" : "private");
  return 0;
}

int
nook_init_step_rootfs (NookInit *init)
{
  const NookRootfs *rootfs = init->container->rootfs;
  const char *root = rootfs ? rootfs->target : init->config->root_path;

  /* pivot_root needs the new root to be a mount point. fuse-overlayfs is
   * one already: the parent mounted it before sync 1 (rootfs.c). */
  if (rootfs != NULL && rootfs->mode == NOOK_ROOTFS_OVERLAY)
    {
      if (mount ("overlay", root, "overlay", rootfs->mount_flags, rootfs->overlay_data) < 0)
        return nook_init_fail (init, errno,
                               "mount overlay on %s (needs Linux 5.11 or later; try "
                               "--rootfs=fuse-overlayfs or --rootfs=bind)",
                               root);
    }
  else if ((rootfs == NULL || rootfs->mode == NOOK_ROOTFS_BIND)
           && mount (root, root, NULL, MS_BIND | MS_REC, NULL) < 0)
    return nook_init_fail (init, errno, "bind mount rootfs %s", root);
  init->rootfd = open (root, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (init->rootfd < 0)
    return nook_init_fail (init, errno, "open rootfs %s", root);
  return 0;
}

static gboolean
type_is (const NookMount *m, const char *type)
{
  return m->type != NULL && strcmp (m->type, type) == 0;
}

static gboolean
has_new_ns (const NookInit *init, NookNsType type)
{
  return (init->container->clone_flags & nook_ns_type_clone_flag (type)) != 0
         || init->container->ns_fds[type] >= 0;
}

static unsigned int
mount_attr_of (unsigned long flags)
{
  return (flags & MS_RDONLY ? MOUNT_ATTR_RDONLY : 0) | (flags & MS_NOSUID ? MOUNT_ATTR_NOSUID : 0)
         | (flags & MS_NODEV ? MOUNT_ATTR_NODEV : 0) | (flags & MS_NOEXEC ? MOUNT_ATTR_NOEXEC : 0);
}

/* Sets flags (ro, nosuid, nodev, noexec) on the mount now at what, and on
 * every mount below it when recursive. Only sets: flags the kernel locked
 * stay as they are. Returns 0 or -errno. */
int
nook_init_restrict_mount (NookInit *init, const char *what, unsigned long flags, gboolean recursive)
{
  struct mount_attr attr = { .attr_set = mount_attr_of (flags) };
  int fd, r;

  if (attr.attr_set == 0)
    return 0;
  fd = open_in_root (init->rootfd, what, O_PATH);
  if (fd < 0)
    return -errno;
  r = mount_setattr (fd, "", AT_EMPTY_PATH | (recursive ? AT_RECURSIVE : 0), &attr, sizeof (attr));
  r = r < 0 ? -errno : 0;
  close (fd);
  return r;
}

/* A recursive bind of one of the host's trees whose flags hold for every
 * mount in it: a remount of the top would leave the submounts as they were
 * (the host's cgroup controllers read-write under a read-only /sys).
 * Returns 0 or -errno, so that callers can fall back. */
static int
bind_tree (NookInit *init, const char *what, const char *source, const char *target,
           unsigned long flags)
{
  if (mount (source, target, NULL, MS_BIND | MS_REC, NULL) < 0)
    return -errno;
  return nook_init_restrict_mount (init, what, flags, TRUE);
}

/* A kernel filesystem the container may not be allowed to mount (it needs its
 * own namespace of the kind, owned by its user namespace): fall back to a
 * recursive bind of the host's, as crun does. */
static int
mount_special (NookInit *init, const NookMount *m, const char *target, gboolean own_ns,
               const char *host_path)
{
  unsigned long flags = m->flags & ~(MS_BIND | MS_REC);
  int r;

  if (own_ns && mount (m->type, target, m->type, flags, m->data) == 0)
    return 0;
  if (own_ns && errno != EPERM && errno != EACCES)
    return nook_init_fail (init, errno, "mount %s on %s", m->type, m->destination);
  r = bind_tree (init, m->destination, host_path, target, flags);
  if (r < 0)
    return nook_init_fail (init, -r, "bind mount %s on %s", host_path, m->destination);
  return 0;
}

/* cgroup2 needs a cgroup namespace of the container's own, and even then
 * the kernel refuses it (EBUSY) over a /sys bound from the host (no
 * network namespace). Then, as crun: the host's tree, recursively with the
 * mount's flags (ro from podman); and where not even that can be bound, an
 * empty read-only tmpfs, so that nothing of the host shows through. */
static int
mount_cgroup (NookInit *init, const NookMount *m, const char *target)
{
  unsigned long flags = m->flags & ~(MS_BIND | MS_REC);

  if (has_new_ns (init, NOOK_NS_CGROUP)
      && mount ("cgroup2", target, "cgroup2", flags, m->data) == 0)
    return 0;
  if (access ("/sys/fs/cgroup", F_OK) == 0
      && bind_tree (init, m->destination, "/sys/fs/cgroup", target, flags) == 0)
    return 0;
  if (mount ("tmpfs", target, "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC,
             "size=0k,mode=0555")
      < 0)
    return nook_init_fail (init, errno, "mount an empty tmpfs on %s", m->destination);
  return 0;
}

static int
mount_devpts (NookInit *init, const NookMount *m, const char *target)
{
  char data[512];
  const char *gid;
  unsigned long flags = m->flags & ~(MS_BIND | MS_REC);

  if (mount ("devpts", target, "devpts", flags, m->data) == 0)
    return 0;
  gid = m->data ? strstr (m->data, "gid=") : NULL;
  if (errno != EINVAL || gid == NULL)
    return nook_init_fail (init, errno, "mount devpts on %s", m->destination);

  /* gid=5 names a group that a single-id user namespace does not map: the
   * kernel refuses it. Mount without it, as crun does. */
  {
    size_t n = 0;
    const char *p = m->data;

    while (*p && n + 1 < sizeof (data))
      {
        const char *end = strchrnul (p, ',');
        if (strncmp (p, "gid=", 4) != 0)
          {
            size_t len = end - p;
            if (n + len + 2 >= sizeof (data))
              break;
            if (n > 0)
              data[n++] = ',';
            memcpy (data + n, p, len);
            n += len;
          }
        p = *end ? end + 1 : end;
      }
    data[n] = '\0';
  }
  if (mount ("devpts", target, "devpts", flags, data) < 0)
    return nook_init_fail (init, errno, "mount devpts on %s", m->destination);
  return 0;
}

/* A separate call after the mount: mount(2) takes no propagation flag
 * together with others. And fd of the mount point opened before the mount
 * names the directory below it, so the new mount is looked up again. */
static int
set_propagation (NookInit *init, const NookMount *m)
{
  char target[FD_PATH_MAX];
  int fd, r;

  if (m->propagation == 0)
    return 0;
  fd = open_in_root (init->rootfd, m->destination, O_PATH);
  if (fd < 0)
    return nook_init_fail (init, errno, "reopen %s after mounting it", m->destination);
  fd_path (target, fd);
  r = mount (NULL, target, NULL, m->propagation, NULL);
  close (fd);
  if (r < 0)
    return nook_init_fail (init, errno, "set propagation of %s", m->destination);
  return 0;
}

static int
mount_one (NookInit *init, const NookMount *m)
{
  char target[FD_PATH_MAX];
  gboolean as_file = FALSE;
  int fd, r;

  if (m->is_bind)
    {
      struct stat st;
      if (stat (m->source, &st) < 0)
        return nook_init_fail (init, errno, "bind source %s", m->source);
      as_file = !S_ISDIR (st.st_mode);
    }

  fd = open_or_create_in_root (init->rootfd, m->destination, as_file);
  if (fd < 0)
    return nook_init_fail (init, -fd, "mount point %s", m->destination);
  fd_path (target, fd);

  if (m->is_bind)
    r = bind_mount (init, m->destination, m->source, target, m->flags, m->clear_flags);
  else if (type_is (m, "proc"))
    r = mount_special (init, m, target, has_new_ns (init, NOOK_NS_PID), "/proc");
  else if (type_is (m, "sysfs"))
    r = mount_special (init, m, target, has_new_ns (init, NOOK_NS_NETWORK), "/sys");
  else if (type_is (m, "mqueue"))
    {
      /* Sharing the host's IPC namespace on a host that mounts no mqueue:
       * there is nothing to share, leave the mount point empty. */
      if (!has_new_ns (init, NOOK_NS_IPC) && access ("/dev/mqueue", F_OK) < 0)
        {
          close (fd);
          return 0;
        }
      else
        r = mount_special (init, m, target, has_new_ns (init, NOOK_NS_IPC), "/dev/mqueue");
    }
  else if (init->container->options.ipc_host && strcmp (m->destination, "/dev/shm") == 0)
    /* --ipc=host: POSIX shared memory is files in /dev/shm, so sharing
     * the host's IPC means sharing its /dev/shm too (X11 MIT-SHM). */
    r = bind_mount (init, m->destination, "/dev/shm", target,
                    MS_REC | (m->flags & (MS_NOSUID | MS_NODEV | MS_NOEXEC)), 0);
  else if (type_is (m, "cgroup") || type_is (m, "cgroup2"))
    r = mount_cgroup (init, m, target);
  else if (type_is (m, "devpts"))
    r = mount_devpts (init, m, target);
  else if (mount (m->source ? m->source : m->type, target, m->type, m->flags & ~MS_REC, m->data)
           < 0)
    r = nook_init_fail (init, errno, "mount %s on %s", m->type ? m->type : "(none)",
                        m->destination);
  else
    r = 0;

  close (fd);
  if (r < 0)
    return r;
  return set_propagation (init, m);
}

int
nook_init_step_mounts (NookInit *init)
{
  for (guint i = 0; i < init->config->n_mounts; i++)
    {
      const NookMount *m = &init->config->mounts[i];

      init->mount_index = i;
      if (mount_one (init, m) < 0)
        return -1;
      init->mount_index = -1;
      if (strcmp (m->destination, "/dev") == 0 && !m->is_bind)
        init->dev_is_tmpfs = TRUE;
    }
  return 0;
}

/* A container with network access resolves names as the host does: the
 * host's resolv.conf and hosts, read-only, over the bundle's (created empty
 * when the bundle has none). The parent decided (container.c). */
int
nook_init_step_etc_files (NookInit *init)
{
  static const char *const files[] = { "/etc/resolv.conf", "/etc/hosts" };
  const gboolean wanted[] = { init->container->bind_resolv_conf, init->container->bind_hosts };
  char target[FD_PATH_MAX];

  for (size_t i = 0; i < G_N_ELEMENTS (files); i++)
    {
      int fd, r;

      if (!wanted[i])
        continue;
      fd = open_or_create_in_root (init->rootfd, files[i], TRUE);
      if (fd < 0)
        return nook_init_fail (init, -fd, "mount point %s", files[i]);
      fd_path (target, fd);
      r = bind_mount (init, files[i], files[i], target,
                      MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, 0);
      close (fd);
      if (r < 0)
        return -1;
    }
  return 0;
}

int
nook_init_step_pivot_root (NookInit *init)
{
  if (fchdir (init->rootfd) < 0)
    return nook_init_fail (init, errno, "chdir to rootfs");
  close (init->rootfd);
  init->rootfd = -1;

  /* pivot_root(".", ".") stacks the old root on the new one; detaching it
   * then leaves only the rootfs. The unmount cannot propagate: the old
   * tree was made private (or a slave) by the first mount step, and the
   * new root is private until rootfsPropagation is applied, last. (A
   * mount(MS_SLAVE | MS_REC) of "." here, as runc does, would reach the
   * new root below, not the old one, and turn the config's shared mounts
   * into private ones.) */
  if (syscall (SYS_pivot_root, ".", ".") < 0)
    return nook_init_fail (init, errno, "pivot_root to %s", init->config->root_path);
  if (umount2 (".", MNT_DETACH) < 0)
    return nook_init_fail (init, errno, "detaching the old root");
  if (chdir ("/") < 0)
    return nook_init_fail (init, errno, "chdir /");
  return 0;
}

/* After the masks and read-only paths, which bind mounts: an unbindable
 * root would refuse them. */
int
nook_init_step_rootfs_propagation (NookInit *init)
{
  if (init->config->rootfs_propagation != 0
      && mount (NULL, "/", NULL, init->config->rootfs_propagation, NULL) < 0)
    return nook_init_fail (init, errno, "setting linux.rootfsPropagation");
  return 0;
}

int
nook_init_step_masks (NookInit *init)
{
  char *const *p;

  for (p = init->config->masked_paths; p && *p; p++)
    {
      struct stat st;

      if (lstat (*p, &st) < 0)
        {
          if (errno == ENOENT)
            continue;
          return nook_init_fail (init, errno, "masking %s", *p);
        }
      if (S_ISDIR (st.st_mode))
        {
          if (mount ("tmpfs", *p, "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC,
                     "size=0k,mode=0555")
              < 0)
            return nook_init_fail (init, errno, "masking %s", *p);
        }
      else if (mount ("/dev/null", *p, NULL, MS_BIND, NULL) < 0)
        return nook_init_fail (init, errno, "masking %s", *p);
    }

  for (p = init->config->readonly_paths; p && *p; p++)
    {
      if (mount (*p, *p, NULL, MS_BIND | MS_REC, NULL) < 0)
        {
          if (errno == ENOENT)
            continue;
          return nook_init_fail (init, errno, "making %s read-only", *p);
        }
      if (mount (NULL, *p, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY | locked_flags (*p), NULL) < 0)
        return nook_init_fail (init, errno, "making %s read-only", *p);
    }
  return 0;
}

int
nook_init_step_readonly_root (NookInit *init)
{
  if (!init->config->root_readonly)
    return 0;
  if (mount (NULL, "/", NULL, MS_REMOUNT | MS_BIND | MS_RDONLY | locked_flags ("/"), NULL) < 0)
    return nook_init_fail (init, errno, "remounting the rootfs read-only");
  return 0;
}
