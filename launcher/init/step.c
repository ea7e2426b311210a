/* nook: how a set-up step in the child reports a failure: into a fixed
 * buffer (the child does not allocate), sent to the parent by init.c. */
#include "launcher/init/step.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int
nook_init_fail (NookInit *init, int err, const char *fmt, ...)
{
  va_list ap;
  size_t len;

  va_start (ap, fmt);
  vsnprintf (init->error.msg, sizeof (init->error.msg), fmt, ap);
  va_end (ap);
  if (err != 0)
    {
      len = strlen (init->error.msg);
      snprintf (init->error.msg + len, sizeof (init->error.msg) - len, ": %s", strerror (err));
    }
  init->error.err = err;
  return -1;
}

void
nook_init_warn (NookInit *init, const char *fmt, ...)
{
  NookSyncMsg msg = { .type = NOOK_SYNC_WARNING };
  va_list ap;

  va_start (ap, fmt);
  vsnprintf (msg.msg, sizeof (msg.msg), fmt, ap);
  va_end (ap);
  /* Best effort: a parent that cannot hear it will report the exit anyway. */
  nook_sync_send (init->sock, &msg, -1);
}
