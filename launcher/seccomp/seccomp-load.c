/* nook: loading a compiled BPF program (child side).
 *
 * Runs in the container's init right before execve, after clone(): no
 * allocation, no GLib, no libseccomp, only syscalls, so that it is safe
 * whatever state the parent's allocator and locks were in at clone time. */
#include "launcher/seccomp/seccomp.h"

#include <errno.h>
#include <linux/seccomp.h>
#include <sys/syscall.h>
#include <unistd.h>

static int
set_mode_filter (unsigned int flags, struct sock_fprog *prog)
{
  if (syscall (SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, prog) == 0)
    return 0;
  return -errno;
}

int
nook_seccomp_load (const struct sock_filter *insns, unsigned short n_insns, unsigned int flags)
{
  /* The kernel copies the program and never writes to it: the cast only
   * drops a const that struct sock_fprog does not have. */
  struct sock_fprog prog = {
    .len = n_insns,
    .filter = (struct sock_filter *)insns,
  };

  int saved_errno = errno;
  int ret = set_mode_filter (flags, &prog);

  /* Kernels older than a flag (SPEC_ALLOW is 4.17) refuse the whole call
   * with EINVAL; the flags only tune how the filter is applied, so load it
   * without them rather than run the container with no filter at all. */
  if (ret == -EINVAL && flags != 0)
    ret = set_mode_filter (0, &prog);

  errno = saved_errno;
  return ret;
}
