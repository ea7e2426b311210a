/* nook: running a container's OCI hooks: the state they read, the ones run
 * from nook itself, and the glue that lets the child run its own. */
#include "launcher/lifecycle/hooks.h"

#include <errno.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

#include "launcher/container/hook-spawn.h"
#include "launcher/errors.h"
#include "launcher/log.h"
#include "storage/json.h"

/* The runtime-spec version of the state nook writes (as `nook spec`). */
#define STATE_OCI_VERSION "1.0.2"

struct NookHooks
{
  NookContainerHooks base; /* first: launch.c hands us back a pointer to it */
  const NookConfig *config;
  const char *id;
  pid_t pid;
  gboolean run_poststart;
};

/* The status of the container while hooks of kind run (runtime.md). */
static const char *
kind_status (NookHookKind kind)
{
  switch (kind)
    {
    case NOOK_HOOK_PRESTART:
    case NOOK_HOOK_CREATE_RUNTIME:
    case NOOK_HOOK_CREATE_CONTAINER:
      return "creating";
    case NOOK_HOOK_START_CONTAINER:
      return "created";
    case NOOK_HOOK_POSTSTART:
      return "running";
    default:
      return "stopped";
    }
}

char *
nook_hooks_state_json (const NookConfig *config, NookHookKind kind, const char *id, pid_t pid)
{
  g_autoptr (NookJsonWriter) b = nook_json_writer_new (FALSE);

  nook_json_writer_begin_object (b);
  nook_json_writer_member (b, "ociVersion");
  nook_json_writer_string (b, STATE_OCI_VERSION);
  nook_json_writer_member (b, "id");
  nook_json_writer_string (b, id);
  nook_json_writer_member (b, "status");
  nook_json_writer_string (b, kind_status (kind));
  if (pid > 0)
    {
      nook_json_writer_member (b, "pid");
      nook_json_writer_int (b, pid);
    }
  nook_json_writer_member (b, "bundle");
  nook_json_writer_string (b, config->bundle_dir);
  nook_json_writer_member (b, "annotations");
  nook_json_writer_begin_object (b);
  for (guint i = 0; i < config->n_annotations; i++)
    {
      nook_json_writer_member (b, config->annotations[i].key);
      nook_json_writer_string (b, config->annotations[i].value);
    }
  nook_json_writer_end_object (b);
  nook_json_writer_end_object (b);
  return nook_json_writer_finish (g_steal_pointer (&b), NULL);
}

/* The state in an anonymous file: every hook of a kind reads it from the
 * start, however large it is, without a writer to wait for. */
static int
state_fd (const NookConfig *config, NookHookKind kind, const char *id, pid_t pid, GError **error)
{
  g_autofree char *json = nook_hooks_state_json (config, kind, id, pid);
  gsize len = strlen (json);
  int fd = memfd_create ("nook-hook-state", MFD_CLOEXEC);

  if (fd < 0)
    {
      g_set_error (error, NOOK_ERROR, NOOK_ERROR_FAILED, "hooks.%s: memfd_create: %s",
                   nook_hook_kind_name (kind), g_strerror (errno));
      return -1;
    }
  for (gsize off = 0; off < len;)
    {
      ssize_t n = write (fd, json + off, len - off);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          int err = errno;

          close (fd);
          g_set_error (error, NOOK_ERROR, NOOK_ERROR_FAILED, "hooks.%s: writing the state: %s",
                       nook_hook_kind_name (kind), g_strerror (err));
          return -1;
        }
      off += n;
    }
  return fd;
}

/* Runs the hooks of kind; on the first failure, its description in error
 * (stop) or in warnings (go on). */
static gboolean
run_kind (const NookConfig *config, NookHookKind kind, const char *id, pid_t pid, gboolean stop,
          GPtrArray *warnings, GError **error)
{
  int fd;

  if (config->n_hooks[kind] == 0)
    return TRUE;
  fd = state_fd (config, kind, id, pid, error);
  if (fd < 0)
    return FALSE;
  for (guint i = 0; i < config->n_hooks[kind]; i++)
    {
      NookHookResult result;
      char what[512];

      if (nook_hook_spawn (&config->hooks[kind][i], fd, &result) == 0)
        continue;
      nook_hook_describe (what, sizeof what, kind, i, &config->hooks[kind][i], &result);
      if (stop)
        {
          close (fd);
          g_set_error (error, NOOK_ERROR, NOOK_ERROR_FAILED, "%s", what);
          return FALSE;
        }
      if (warnings != NULL)
        g_ptr_array_add (warnings, g_strdup (what));
      else
        nook_log_warning ("%s", what);
    }
  close (fd);
  return TRUE;
}

gboolean
nook_hooks_run (const NookConfig *config, NookHookKind kind, const char *id, pid_t pid,
                GError **error)
{
  return run_kind (config, kind, id, pid, TRUE, NULL, error);
}

void
nook_hooks_run_warn (const NookConfig *config, NookHookKind kind, const char *id, pid_t pid,
                     GPtrArray *warnings)
{
  g_autoptr (GError) local = NULL;

  if (!run_kind (config, kind, id, pid, FALSE, warnings, &local))
    {
      if (warnings != NULL)
        g_ptr_array_add (warnings, g_strdup (local->message));
      else
        nook_log_warning ("%s", local->message);
    }
}

/* The hooks sync, in the parent: prestart then createRuntime (runtime.md, steps 3
 * and 4), then the state for the hooks the child runs. */
static gboolean
on_runtime (NookContainerHooks *base, pid_t pid, GError **error)
{
  NookHooks *h = (NookHooks *)base;
  const NookConfig *config = h->config;

  h->pid = pid;
  if (!nook_hooks_run (config, NOOK_HOOK_PRESTART, h->id, pid, error)
      || !nook_hooks_run (config, NOOK_HOOK_CREATE_RUNTIME, h->id, pid, error))
    return FALSE;
  if (config->n_hooks[NOOK_HOOK_CREATE_CONTAINER] > 0)
    {
      base->create_container_state
          = state_fd (config, NOOK_HOOK_CREATE_CONTAINER, h->id, pid, error);
      if (base->create_container_state < 0)
        return FALSE;
    }
  if (config->n_hooks[NOOK_HOOK_START_CONTAINER] > 0)
    {
      base->start_container_state = state_fd (config, NOOK_HOOK_START_CONTAINER, h->id, pid, error);
      if (base->start_container_state < 0)
        return FALSE;
    }
  return TRUE;
}

static void
on_started (NookContainerHooks *base, pid_t pid)
{
  NookHooks *h = (NookHooks *)base;

  h->pid = pid;
  if (h->run_poststart)
    nook_hooks_run_warn (h->config, NOOK_HOOK_POSTSTART, h->id, pid, NULL);
}

NookHooks *
nook_hooks_new (const NookConfig *config, const char *id)
{
  NookHooks *h;
  guint total = 0;

  for (guint kind = 0; kind < NOOK_HOOK_KIND_COUNT; kind++)
    total += config->n_hooks[kind];
  if (total == 0)
    return NULL;
  h = g_new0 (NookHooks, 1);
  h->config = config;
  h->id = id;
  h->base.create_container_state = -1;
  h->base.start_container_state = -1;
  h->base.started = on_started;
  /* Only these need the child to stop before pivot_root. */
  if (config->n_hooks[NOOK_HOOK_PRESTART] + config->n_hooks[NOOK_HOOK_CREATE_RUNTIME]
          + config->n_hooks[NOOK_HOOK_CREATE_CONTAINER] + config->n_hooks[NOOK_HOOK_START_CONTAINER]
      > 0)
    h->base.runtime = on_runtime;
  return h;
}

void
nook_hooks_free (NookHooks *h)
{
  if (h == NULL)
    return;
  if (h->base.create_container_state >= 0)
    close (h->base.create_container_state);
  if (h->base.start_container_state >= 0)
    close (h->base.start_container_state);
  g_free (h);
}

void
nook_hooks_attach (NookHooks *h, NookContainer *container, gboolean run_poststart)
{
  if (h == NULL)
    return;
  h->run_poststart = run_poststart;
  container->hooks = &h->base;
}

pid_t
nook_hooks_get_pid (const NookHooks *h)
{
  return h != NULL ? h->pid : 0;
}
