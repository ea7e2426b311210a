/* nook: creating a container that outlives this nook (create, run -d).
 *
 * Everything up to the container's process is set up as for run; the
 * process then waits on the exec fifo in the state directory until start
 * opens it. There is no monitor process: the container's process goes to
 * the caller's subreaper (conmon, for podman) when nook exits, which is
 * what engines wait on. Its liveness afterwards is its pid and start time
 * (storage/state-read.c); the state stays until delete. */
#include "launcher/lifecycle/prepare.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "launcher/errors.h"
#include "launcher/lifecycle/hooks.h"

static gboolean
make_exec_fifo (NookPrepared *p, GError **error)
{
  g_autofree char *path = g_build_filename (nook_state_get_dir (p->state), "exec.fifo", NULL);

  if (mkfifo (path, 0600) < 0)
    {
      g_set_error (error, NOOK_ERROR, NOOK_ERROR_FAILED, "cannot create %s: %s", path,
                   g_strerror (errno));
      return FALSE;
    }
  /* O_PATH: opening it for writing would block; the child reopens it
   * through /proc/self/fd when it is ready to wait. */
  p->container->exec_fifo_fd = open (path, O_PATH | O_CLOEXEC);
  if (p->container->exec_fifo_fd < 0)
    {
      g_set_error (error, NOOK_ERROR, NOOK_ERROR_FAILED, "cannot open %s: %s", path,
                   g_strerror (errno));
      return FALSE;
    }
  return TRUE;
}

/* The run options that shaped the container, for exec and list, and
 * which post-hooks it has: start and delete read its config again only
 * for those. Strings made here go to owned. */
GPtrArray *
nook_lifecycle_option_pairs (const NookRequest *r, const NookConfig *config, GPtrArray *owned)
{
  GPtrArray *pairs = g_ptr_array_new ();
  const NookContainerOptions *o = &r->options;
  g_auto (GStrv) env = r->overrides ? nook_overrides_setenv (NULL, r->overrides->env) : NULL;

  if (config->n_hooks[NOOK_HOOK_POSTSTART] > 0)
    g_ptr_array_add (pairs, "hooks.poststart"), g_ptr_array_add (pairs, "yes");
  if (config->n_hooks[NOOK_HOOK_POSTSTOP] > 0)
    g_ptr_array_add (pairs, "hooks.poststop"), g_ptr_array_add (pairs, "yes");
  if (r->entered)
    g_ptr_array_add (pairs, "entered"), g_ptr_array_add (pairs, "yes");

  g_ptr_array_add (pairs, "userns");
  g_ptr_array_add (pairs, o->userns == NOOK_USERNS_KEEP_ID ? "keep-id" : "auto");
  if (o->keep_groups)
    g_ptr_array_add (pairs, "group-add"), g_ptr_array_add (pairs, "keep-groups");
  if (o->net != NOOK_NET_CONFIG)
    g_ptr_array_add (pairs, "net"), g_ptr_array_add (pairs, (char *)nook_net_mode_name (o->net));
  if (o->ipc_host)
    g_ptr_array_add (pairs, "ipc"), g_ptr_array_add (pairs, "host");
  if (o->pid_host)
    g_ptr_array_add (pairs, "pid"), g_ptr_array_add (pairs, "host");
  if (o->uts_host)
    g_ptr_array_add (pairs, "uts"), g_ptr_array_add (pairs, "host");
  if (o->dns_bundle)
    g_ptr_array_add (pairs, "dns"), g_ptr_array_add (pairs, "bundle");
  if (o->toolbox)
    g_ptr_array_add (pairs, "toolbox"), g_ptr_array_add (pairs, "yes");
  /* -w and -e as the process got them (NAME alone resolved, the last of a
   * name kept): exec reads config.json again, which holds neither. */
  if (r->overrides != NULL && r->overrides->workdir != NULL)
    g_ptr_array_add (pairs, NOOK_STATE_CWD), g_ptr_array_add (pairs, r->overrides->workdir);
  for (char **e = env; e && *e; e++)
    {
      const char *eq = strchr (*e, '=');
      char *name = g_strdup_printf (NOOK_STATE_ENV_PREFIX "%.*s", (int)(eq - *e), *e);
      char *value = g_strdup (eq + 1);

      g_ptr_array_add (owned, name), g_ptr_array_add (owned, value);
      g_ptr_array_add (pairs, name), g_ptr_array_add (pairs, value);
    }
  g_ptr_array_add (pairs, NULL);
  return pairs;
}

static GPtrArray *
annotation_pairs (const NookConfig *config)
{
  GPtrArray *pairs = g_ptr_array_new ();

  for (guint i = 0; i < config->n_annotations; i++)
    {
      g_ptr_array_add (pairs, config->annotations[i].key);
      g_ptr_array_add (pairs, config->annotations[i].value);
    }
  g_ptr_array_add (pairs, NULL);
  return pairs;
}

typedef struct
{
  const NookRequest *request;
  NookPrepared *prepared;
  pid_t pid;
} Created;

static gboolean
record_state (pid_t pid, gpointer data, GError **error)
{
  Created *created = data;
  const NookRequest *r = created->request;
  NookPrepared *p = created->prepared;
  g_autoptr (GPtrArray) owned = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GPtrArray) options = nook_lifecycle_option_pairs (r, p->config, owned);
  g_autoptr (GPtrArray) annotations = annotation_pairs (p->config);
  NookStateRecord record = {
    .pid = pid,
    .bundle = p->config->bundle_dir,
    .config_path = r->config_path ? p->config->config_path : NULL,
    .detached = TRUE,
    .annotations = (const char *const *)annotations->pdata,
    .options = (const char *const *)options->pdata,
  };

  created->pid = pid;
  if (!nook_state_write (p->state, &record, error))
    return FALSE;
  return r->pid_file == NULL || nook_lifecycle_write_pid_file (r->pid_file, pid, error);
}

gboolean
nook_lifecycle_create (const NookRequest *r, GError **error)
{
  g_auto (NookPrepared) p = { 0 };
  g_autoptr (NookHooks) hooks = NULL;
  g_autofree char *id = NULL;
  Created created = { .request = r, .prepared = &p };

  if (!nook_lifecycle_prepare (r, &p, error))
    return FALSE;
  /* prestart, createRuntime and createContainer run inside the launch;
   * startContainer in the child after start; poststart in start. */
  id = g_strdup (nook_state_get_id (p.state));
  hooks = nook_hooks_new (p.config, id);
  nook_hooks_attach (hooks, p.container, FALSE);
  if (!make_exec_fifo (&p, error)
      || !nook_container_create (p.container, p.state, r->console_socket, record_state, &created,
                                 error))
    {
      /* Nothing of a failed create stays: the process (killed by
       * nook_container_create), its daemon, the layer and the state
       * directory go; then poststop, as after a delete. */
      nook_lifecycle_finish_rootfs (p.container, created.pid > 0, error);
      g_clear_pointer (&p.state, nook_state_free);
      if (p.config->n_hooks[NOOK_HOOK_POSTSTOP] > 0)
        nook_hooks_run_warn (p.config, NOOK_HOOK_POSTSTOP, id, nook_hooks_get_pid (hooks), NULL);
      return FALSE;
    }
  nook_rootfs_detach (p.container->rootfs);
  nook_pasta_detach (p.container->pasta);
  nook_state_detach (g_steal_pointer (&p.state));
  return TRUE;
}
