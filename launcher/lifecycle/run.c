/* nook: running a container in the foreground: prepare, launch, wait,
 * tear down. */
#include "launcher/lifecycle/prepare.h"

#include "launcher/lifecycle/hooks.h"

/* For exec, as create records them: a foreground container's state has
 * its run options too (-e, --userns, ...). */
static void
record_options (const NookRequest *r, NookPrepared *p)
{
  g_autoptr (GPtrArray) owned = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GPtrArray) options = NULL;

  if (p->state == NULL)
    return;
  options = nook_lifecycle_option_pairs (r, p->config, owned);
  nook_state_set_options (p->state, (const char *const *)options->pdata);
}

gboolean
nook_lifecycle_run (const NookRequest *r, int *out_status, GError **error)
{
  g_auto (NookPrepared) p = { 0 };
  g_autofree char *id = NULL;
  g_autoptr (NookHooks) hooks = NULL;
  gboolean ok;

  if (!nook_lifecycle_prepare (r, &p, error))
    return FALSE;
  record_options (r, &p);
  /* run is create + start + wait + delete: every kind of hook fires. */
  id = g_strdup (nook_state_get_id (p.state));
  hooks = nook_hooks_new (p.config, id);
  nook_hooks_attach (hooks, p.container, TRUE);
  ok = nook_container_run (p.container, p.state, out_status, error);
  nook_lifecycle_finish_rootfs (p.container, TRUE, error);
  if (p.config->n_hooks[NOOK_HOOK_POSTSTOP] > 0)
    {
      /* After the container is deleted (runtime.md, step 13), also when a
       * hook failed its create. */
      g_clear_pointer (&p.state, nook_state_free);
      nook_hooks_run_warn (p.config, NOOK_HOOK_POSTSTOP, id, nook_hooks_get_pid (hooks), NULL);
    }
  return ok;
}
