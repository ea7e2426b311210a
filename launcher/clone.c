/* nook: fork() without glibc.
 *
 * clone3 (Linux 5.3+) takes its arguments in a struct, the same on every
 * architecture. Where it is missing (an older kernel, or a seccomp
 * profile answering ENOSYS, as Docker's does so that glibc falls back),
 * clone(2) with a NULL stack: its argument order differs by architecture.
 * On s390 and CRIS the stack comes first and the flags second; everywhere
 * else Debian ships (amd64, arm64, armel, armhf, i386, mips64el, mipsel,
 * ppc64el) the flags come first, then the stack. The parent/child tid and
 * tls arguments, whose order also differs, are unused without the flags
 * that read them. (bubblewrap's raw_clone has the same two forms.) */
#include "launcher/clone.h"

#include <errno.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef SYS_clone3
#define SYS_clone3 435
#endif

/* Set once clone3 answered ENOSYS. */
static int clone3_missing;

static pid_t
clone_legacy (unsigned long flags)
{
#if defined(__s390__) || defined(__CRIS__)
  return (pid_t)syscall (SYS_clone, NULL, flags);
#else
  return (pid_t)syscall (SYS_clone, flags, NULL);
#endif
}

pid_t
nook_raw_clone (unsigned long flags)
{
  struct clone_args args;
  pid_t pid;

  if (!clone3_missing)
    {
      memset (&args, 0, sizeof args);
      args.flags = flags & ~(unsigned long)CSIGNAL;
      /* With CLONE_PARENT the child's exit signal is the caller's own,
       * whatever is asked; clone3 refuses to be asked (EINVAL). */
      args.exit_signal = (flags & CLONE_PARENT) ? 0 : flags & CSIGNAL;
      pid = (pid_t)syscall (SYS_clone3, &args, sizeof args);
      if (pid >= 0 || errno != ENOSYS)
        return pid;
      clone3_missing = 1;
    }
  return clone_legacy (flags);
}

/* The child's stack in nook_clone_vfork: only the pages it uses are
 * touched. */
#define VFORK_STACK_SIZE (1024 * 1024)

pid_t
nook_clone_vfork (int (*fn) (void *), void *arg, unsigned long flags, int fork_only)
{
  pid_t pid = -1;

  if (!fork_only)
    {
      void *stack = mmap (NULL, VFORK_STACK_SIZE, PROT_READ | PROT_WRITE,
                          MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK | MAP_NORESERVE, -1, 0);

      if (stack != MAP_FAILED)
        {
          int err;

          /* The caller runs again once the child no longer uses the stack. */
          pid = clone (fn, (char *)stack + VFORK_STACK_SIZE, CLONE_VM | CLONE_VFORK | (int)flags,
                       arg);
          err = errno;
          munmap (stack, VFORK_STACK_SIZE);
          errno = err;
        }
    }
  if (pid < 0)
    {
      pid = nook_raw_clone (flags);
      if (pid == 0)
        _exit (fn (arg));
    }
  return pid;
}
