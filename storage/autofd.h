/* nook: the one cleanup attribute for file descriptors (GLib 2.74 has no
 * g_autofd). Used by storage/ and launcher/. */
#pragma once

#include <errno.h>
#include <unistd.h>

static inline void
nook_close_fdp (int *fdp)
{
  int saved_errno = errno;

  if (*fdp >= 0)
    close (*fdp);
  *fdp = -1;
  errno = saved_errno;
}

#define nook_autofd __attribute__ ((cleanup (nook_close_fdp)))
