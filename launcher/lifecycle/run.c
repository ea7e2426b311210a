/* nook: running a container in the foreground: prepare, launch, wait,
 * tear down. */
#include "launcher/lifecycle/prepare.h"

gboolean
nook_lifecycle_run (const NookRequest *r, int *out_status, GError **error)
{
  g_auto (NookPrepared) p = { 0 };
  gboolean ok;

  if (!nook_lifecycle_prepare (r, &p, error))
    return FALSE;
  ok = nook_container_run (p.container, p.state, out_status, error);
  nook_lifecycle_finish_rootfs (p.container, TRUE, error);
  return ok;
}
