/* nook: loading a compiled BPF program (child side).
 *
 * nook_seccomp_load runs in the container's init right before execve, after
 * clone(): no allocation, no GLib, no libseccomp, only syscalls, so that it
 * is safe whatever state the parent's allocator and locks were in at clone
 * time. nook_seccomp_kernel_flags runs in the parent, before clone(). */
#include "launcher/seccomp/seccomp.h"

#include <errno.h>
#include <glib.h>
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

  /* No retry without the flags: the parent already dropped, with a warning,
   * the ones this kernel does not know (nook_seccomp_kernel_flags), so an
   * EINVAL here is a real error, not a flag to lose silently. */
  int saved_errno = errno;
  int ret = set_mode_filter (flags, &prog);

  errno = saved_errno;
  return ret;
}

#ifndef SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV
#define SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV (1UL << 5)
#endif

/* "SECCOMP_FILTER_FLAG_LOG" for SECCOMP_FILTER_FLAG_LOG, and so on. */
static const char *
flag_name (unsigned int flag)
{
  switch (flag)
    {
    case SECCOMP_FILTER_FLAG_TSYNC:
      return "SECCOMP_FILTER_FLAG_TSYNC";
    case SECCOMP_FILTER_FLAG_LOG:
      return "SECCOMP_FILTER_FLAG_LOG";
    case SECCOMP_FILTER_FLAG_SPEC_ALLOW:
      return "SECCOMP_FILTER_FLAG_SPEC_ALLOW";
    case SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV:
      return "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV";
    default:
      return "an unknown flag";
    }
}

/* seccomp(2) checks the flags before it reads the program: a known flag
 * with a NULL program fails with EFAULT, an unknown one with EINVAL
 * (libseccomp probes the same way). Anything else (seccomp filtered out
 * around nook, ENOSYS) says nothing: the flag is kept, and the load fails
 * with a clear error if the kernel refuses it. */
static gboolean
kernel_knows_flag (unsigned int flag)
{
  int saved_errno = errno;
  gboolean known
      = syscall (SYS_seccomp, SECCOMP_SET_MODE_FILTER, flag, NULL) == 0 || errno != EINVAL;

  errno = saved_errno;
  return known;
}

unsigned int
nook_seccomp_kernel_flags (const NookSeccomp *seccomp, GPtrArray *warnings)
{
  unsigned int flags = nook_seccomp_load_flags (seccomp), usable = 0;

  for (unsigned int bit = 1; bit != 0 && bit <= flags; bit <<= 1)
    {
      const char *why = NULL;

      if ((flags & bit) == 0)
        continue;
      /* It only changes how a notify listener waits, and nook creates none
       * (SCMP_ACT_NOTIFY is refused): the kernel refuses it without one. */
      if (bit == SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV)
        why = "applies only to a notify listener (SCMP_ACT_NOTIFY), which nook does not create";
      else if (!kernel_knows_flag (bit))
        why = "is not supported by this kernel";
      if (why == NULL)
        {
          usable |= bit;
          continue;
        }
      /* SPEC_ALLOW when the config gives no flags is nook's own default, as
       * crun's: a kernel without it (before 4.17) just keeps the mitigation. */
      if (warnings != NULL && seccomp->has_flags)
        g_ptr_array_add (warnings,
                         g_strdup_printf ("linux.seccomp.flags: %s %s: the filter is loaded "
                                          "without it",
                                          flag_name (bit), why));
    }
  return usable;
}
