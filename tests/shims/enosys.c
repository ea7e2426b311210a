/* nook tests: an LD_PRELOAD shim that makes chosen syscalls fail with
 * ENOSYS, as on a kernel too old for them or under an engine's seccomp
 * profile that denies them.
 *
 *   NOOK_ENOSYS=close_range,openat2,pidfd_open,clone3,signalfd
 *                          which ones fail
 *   NOOK_ENOSYS_LOG=FILE   each failed call appends its name there, so a
 *                          test can tell that the fallback really ran
 *
 * nook makes these calls through syscall(2) (and GLib may use the libc
 * wrappers close_range, pidfd_open and signalfd): both are wrapped. The constructor
 * removes LD_PRELOAD from the environment, so the helpers nook runs
 * (newuidmap, fuse-overlayfs, pasta) and the container's process never
 * load the shim; the setuid newuidmap would ignore it anyway. The clone()d
 * children of nook are the same program image and keep it, which is what
 * we want: the container's init makes the calls under test.
 *
 * Everything is resolved in the constructor: the wrappers run in nook's
 * clone()d children, which must not allocate. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/pidfd.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef SYS_close_range
#define SYS_close_range 436
#endif
#ifndef SYS_openat2
#define SYS_openat2 437
#endif
#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SYS_clone3
#define SYS_clone3 435
#endif

/* Far above the fds the tests place (up to 251), close-on-exec. */
#define LOG_FD_MIN 900

typedef long (*syscall_fn) (long, ...);

static const struct
{
  const char *name;
  long nr;
} known[] = {
  { "close_range", SYS_close_range }, { "openat2", SYS_openat2 },
  { "pidfd_open", SYS_pidfd_open },   { "clone3", SYS_clone3 },
  { "signalfd", SYS_signalfd4 },
};

static int failing[sizeof known / sizeof known[0]];
static syscall_fn real_syscall;
static int log_fd = -1;

static int
fails (long nr)
{
  for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
    if (known[i].nr == nr && failing[i])
      {
        if (log_fd >= 0)
          {
            char line[32];
            size_t n = strlen (known[i].name);

            memcpy (line, known[i].name, n);
            line[n] = '\n';
            if (write (log_fd, line, n + 1) < 0)
              {
                /* Nothing to do: the test sees a missing line. */
              }
          }
        return 1;
      }
  return 0;
}

/* Idempotent: the constructors of other libraries (GLib's) may make
 * calls before ours runs. */
static void
enosys_load (void)
{
  const char *list = getenv ("NOOK_ENOSYS");
  const char *log = getenv ("NOOK_ENOSYS_LOG");

  if (real_syscall != NULL)
    return;
  real_syscall = (syscall_fn)dlsym (RTLD_NEXT, "syscall");
  for (size_t i = 0; list != NULL && i < sizeof known / sizeof known[0]; i++)
    {
      size_t n = strlen (known[i].name);

      for (const char *p = list; (p = strstr (p, known[i].name)) != NULL; p += n)
        if ((p == list || p[-1] == ',') && (p[n] == '\0' || p[n] == ','))
          failing[i] = 1;
    }
  if (log != NULL && *log != '\0')
    {
      int fd = open (log, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);

      if (fd >= 0)
        {
          log_fd = fcntl (fd, F_DUPFD_CLOEXEC, LOG_FD_MIN);
          close (fd);
        }
    }
}

__attribute__ ((constructor)) static void
enosys_init (void)
{
  enosys_load ();
  unsetenv ("LD_PRELOAD");
}

__attribute__ ((visibility ("default"))) long
syscall (long nr, ...)
{
  va_list ap;
  long a[6];

  va_start (ap, nr);
  for (int i = 0; i < 6; i++)
    a[i] = va_arg (ap, long);
  va_end (ap);
  enosys_load ();
  if (fails (nr))
    {
      errno = ENOSYS;
      return -1;
    }
  return real_syscall (nr, a[0], a[1], a[2], a[3], a[4], a[5]);
}

__attribute__ ((visibility ("default"))) int
close_range (unsigned int first, unsigned int last, int flags)
{
  return (int)syscall (SYS_close_range, first, last, flags);
}

__attribute__ ((visibility ("default"))) int
pidfd_open (pid_t pid, unsigned int flags)
{
  return (int)syscall (SYS_pidfd_open, pid, flags);
}

__attribute__ ((visibility ("default"))) int
signalfd (int fd, const sigset_t *mask, int flags)
{
  /* The kernel's sigset is 8 bytes, glibc's sigset_t larger. */
  return (int)syscall (SYS_signalfd4, fd, mask, (size_t)8, flags);
}
