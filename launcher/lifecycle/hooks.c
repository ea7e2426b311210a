/* nook: running a container's OCI hooks: the state they read, and the ones
 * run from nook itself. */
#include "launcher/lifecycle/hooks.h"

#include <errno.h>
#include <json-glib/json-glib.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

#include "launcher/container/hook-spawn.h"
#include "launcher/errors.h"

/* The runtime-spec version of the state nook writes (as `nook spec`). */
#define STATE_OCI_VERSION "1.0.2"

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
  g_autoptr (JsonBuilder) b = json_builder_new_immutable ();
  g_autoptr (JsonNode) root = NULL;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "ociVersion");
  json_builder_add_string_value (b, STATE_OCI_VERSION);
  json_builder_set_member_name (b, "id");
  json_builder_add_string_value (b, id);
  json_builder_set_member_name (b, "status");
  json_builder_add_string_value (b, kind_status (kind));
  if (pid > 0)
    {
      json_builder_set_member_name (b, "pid");
      json_builder_add_int_value (b, pid);
    }
  json_builder_set_member_name (b, "bundle");
  json_builder_add_string_value (b, config->bundle_dir);
  json_builder_set_member_name (b, "annotations");
  json_builder_begin_object (b);
  for (guint i = 0; i < config->n_annotations; i++)
    {
      json_builder_set_member_name (b, config->annotations[i].key);
      json_builder_add_string_value (b, config->annotations[i].value);
    }
  json_builder_end_object (b);
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  return json_to_string (root, FALSE);
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
        fprintf (stderr, "nook: warning: %s\n", what);
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
        fprintf (stderr, "nook: warning: %s\n", local->message);
    }
}
