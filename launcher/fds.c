/* nook: keeping nook's file descriptors out of the processes it execs.
 *
 * Marking rather than closing: the execve may still fail, and its error
 * goes back to the parent over a close-on-exec socket. crun's
 * mark_or_close_fds_ge_than is the model of the fallbacks. */
#include "launcher/fds.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/close_range.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

/* The kernel's default fs.nr_open: no fd is above it unless raised. */
#define NR_OPEN_DEFAULT (1024 * 1024)

static void
mark (int fd)
{
  int flags = fcntl (fd, F_GETFD);

  if (flags >= 0 && !(flags & FD_CLOEXEC))
    fcntl (fd, F_SETFD, flags | FD_CLOEXEC);
}

static int
parse_fd (const char *name)
{
  long n = 0;

  if (*name == '\0')
    return -1;
  for (; *name; name++)
    {
      if (*name < '0' || *name > '9' || n > 0x7fffffff / 10)
        return -1;
      n = n * 10 + (*name - '0');
    }
  return (int)n;
}

/* Each fd >= first that /proc/self/fd lists; -1 without /proc. */
static int
mark_listed (int first)
{
  char buf[4096];
  int dirfd = open ("/proc/self/fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  ssize_t n;

  if (dirfd < 0)
    return -1;
  /* Flags only: the table does not change under the listing. */
  while ((n = getdents64 (dirfd, buf, sizeof buf)) > 0)
    for (ssize_t off = 0; off < n;)
      {
        struct dirent64 *d = (struct dirent64 *)(buf + off);
        int fd = parse_fd (d->d_name);

        if (fd >= first && fd != dirfd)
          mark (fd);
        off += d->d_reclen;
      }
  close (dirfd);
  return n < 0 ? -1 : 0;
}

void
nook_fds_cloexec_from (int first)
{
  struct rlimit rl;
  rlim_t end;

  if (syscall (SYS_close_range, (unsigned int)first, ~0U, CLOSE_RANGE_CLOEXEC) == 0)
    return;
  /* ENOSYS before 5.9, EINVAL for the flag before 5.11, EPERM or ENOSYS
   * from a seccomp filter. */
  if (mark_listed (first) == 0)
    return;
  /* No /proc (a container without one, after pivot_root): every number
   * the table can hold. An fd above a hard limit lowered after it was
   * opened would escape, which is why /proc comes first. */
  end = getrlimit (RLIMIT_NOFILE, &rl) == 0 && rl.rlim_max != RLIM_INFINITY ? rl.rlim_max
                                                                            : NR_OPEN_DEFAULT;
  for (rlim_t fd = first; fd < end; fd++)
    mark ((int)fd);
}
