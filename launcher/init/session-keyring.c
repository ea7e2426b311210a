/* nook: a fresh session keyring for the processes nook starts
 * (session-keyring.h). */
#include "launcher/init/session-keyring.h"

#include <errno.h>
#include <linux/keyctl.h>
#include <sys/syscall.h>
#include <unistd.h>

int
nook_session_keyring_new (void)
{
  /* A NULL name: an anonymous keyring. A named one would be joined if a
   * keyring of that name already existed, and anyone could have made it. */
  if (syscall (SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, NULL, 0, 0, 0) >= 0 || errno == ENOSYS)
    return 0;
  return -errno;
}
