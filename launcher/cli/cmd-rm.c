/* nook rm [-f] NAME...
 *
 * Removes a stopped container: its kept layer and what a dead nook left in
 * the runtime dir. -f stops a running one first: SIGTERM to its process,
 * SIGKILL after a timeout. The process is the one in the state's pid file;
 * the state is live only while its nook holds the lock, and that nook waits
 * for that process, so the pid cannot have been reused. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "launcher/cli/commands.h"
#include "launcher/cli/options.h"
#include "launcher/container/rootfs.h"
#include "launcher/errors.h"
#include "launcher/log.h"
#include "storage/layers.h"

#define STOP_TIMEOUT_MS 10000
#define KILL_TIMEOUT_MS 5000

static const char rm_usage[]
    = "Usage: nook rm [OPTIONS] NAME...\n"
      "\n"
      "Remove containers: a named container's kept layer, and the state of a\n"
      "container whose nook was killed.\n"
      "\n"
      "Options:\n"
      "  -f, --force         Stop a running container first (SIGTERM, then SIGKILL\n"
      "                      after 10 seconds)\n"
      "  -h, --help          Show this help\n";

static gboolean
wait_stopped (const char *root, const char *name, int timeout_ms)
{
  for (int ms = 0; ms < timeout_ms; ms += 10)
    {
      if (nook_layer_runtime_status (root, name) != NOOK_RUNTIME_LIVE)
        return TRUE;
      g_usleep (10000);
    }
  return nook_layer_runtime_status (root, name) != NOOK_RUNTIME_LIVE;
}

static gboolean
stop_container (const char *root, const char *name, GError **error)
{
  g_autofree char *text = nook_layer_runtime_read (root, name, "pid");
  pid_t pid = text ? (pid_t)g_ascii_strtoll (text, NULL, 10) : 0;

  if (pid <= 0)
    {
      g_set_error (error, NOOK_ERROR, NOOK_ERROR_FAILED,
                   "rm: %s: running, but its pid is not known yet; try again", name);
      return FALSE;
    }
  if (kill (pid, SIGTERM) < 0 && errno != ESRCH)
    {
      g_set_error (error, NOOK_ERROR, NOOK_ERROR_FAILED, "rm: %s: kill %d: %s", name, (int)pid,
                   g_strerror (errno));
      return FALSE;
    }
  if (wait_stopped (root, name, STOP_TIMEOUT_MS))
    return TRUE;
  kill (pid, SIGKILL);
  if (wait_stopped (root, name, KILL_TIMEOUT_MS))
    return TRUE;
  g_set_error (error, NOOK_ERROR, NOOK_ERROR_FAILED, "rm: %s: still running after SIGKILL", name);
  return FALSE;
}

/* Under the layer's own lock: the container may run under another
 * --root, whose state this rm does not see. */
static gboolean
remove_layer (const char *name, const char *dir, GError **error)
{
  g_autoptr (GError) local = NULL;
  int lock_fd = nook_layer_lock (name, NULL, &local);

  if (lock_fd < 0)
    {
      if (g_error_matches (local, NOOK_STORAGE_ERROR, NOOK_STORAGE_ERROR_BUSY))
        g_set_error (error, NOOK_ERROR, NOOK_ERROR_BUSY,
                     "the container is running under another --root, or being created or "
                     "removed: its layer is in use (%s)",
                     local->message);
      else
        g_propagate_error (error, g_steal_pointer (&local));
      return FALSE;
    }
  if (!nook_rootfs_remove_layer_as_caller (dir, error))
    {
      close (lock_fd);
      return FALSE;
    }
  nook_layer_lock_remove (name, lock_fd);
  return TRUE;
}

static gboolean
remove_one (const char *root, const char *name, gboolean force, GError **error)
{
  g_autofree char *layers = nook_layers_dir ();
  g_autofree char *dir = g_build_filename (layers, name, NULL);
  /* Not whether layer.json reads: rm is the way out of a damaged one. */
  gboolean has_layer = g_file_test (dir, G_FILE_TEST_IS_DIR);
  NookRuntimeStatus st = nook_layer_runtime_status (root, name);

  if (strchr (name, '/') != NULL || strcmp (name, ".") == 0 || strcmp (name, "..") == 0)
    {
      g_set_error (error, NOOK_ERROR, NOOK_ERROR_USAGE, "rm: %s: not a container name", name);
      return FALSE;
    }
  /* Only the layer's lock left (a nook killed while removing it): that
   * was all there was to remove. */
  if (!has_layer && st == NOOK_RUNTIME_NONE && nook_layer_lock_collect (name))
    return TRUE;
  if (!has_layer && st == NOOK_RUNTIME_NONE)
    {
      g_set_error (error, NOOK_ERROR, NOOK_ERROR_FAILED, "rm: %s: no such container", name);
      return FALSE;
    }
  if (st == NOOK_RUNTIME_LIVE)
    {
      if (!force)
        {
          g_set_error (error, NOOK_ERROR, NOOK_ERROR_FAILED,
                       "rm: %s: the container is running (stop it, or use rm -f)", name);
          return FALSE;
        }
      if (!stop_container (root, name, error))
        return FALSE;
    }
  if (nook_layer_runtime_status (root, name) == NOOK_RUNTIME_DEAD
      && !nook_rootfs_collect_dead (root, name, error))
    {
      g_prefix_error (error, "rm: %s: ", name);
      return FALSE;
    }
  if (has_layer && !remove_layer (name, dir, error))
    {
      g_prefix_error (error, "rm: %s: ", name);
      return FALSE;
    }
  return TRUE;
}

gboolean
nook_cmd_rm (int argc, char **argv, const NookGlobalOptions *globals, int *out_status,
             GError **error)
{
  g_autofree char *root = NULL;
  g_autoptr (GError) first = NULL;
  g_autoptr (GOptionContext) ctx = g_option_context_new (NULL);
  gboolean force = FALSE, help = FALSE;
  GOptionEntry entries[] = {
    { "force", 'f', 0, G_OPTION_ARG_NONE, &force, NULL, NULL },
    { "help", 'h', 0, G_OPTION_ARG_NONE, &help, NULL, NULL },
    { NULL },
  };

  g_option_context_add_main_entries (ctx, entries, NULL);
  g_option_context_set_help_enabled (ctx, FALSE);
  if (!nook_cli_parse_options (ctx, "rm", &argc, &argv, error))
    return FALSE;
  if (nook_cli_help (help, rm_usage, out_status))
    return TRUE;
  if (argc < 2)
    {
      g_set_error (error, NOOK_ERROR, NOOK_ERROR_USAGE, "rm: missing NAME (see 'nook rm --help')");
      return FALSE;
    }
  root = globals->root ? g_strdup (globals->root) : nook_xdg_runtime_root (error);
  if (root == NULL)
    return FALSE;

  /* Every name is tried; the first failure goes up to main, later ones
   * are printed here. */
  for (int i = 1; i < argc; i++)
    {
      g_autoptr (GError) local = NULL;

      if (remove_one (root, argv[i], force, &local))
        continue;
      if (first == NULL)
        first = g_steal_pointer (&local);
      else
        nook_log_error ("%s", local->message);
    }
  if (first != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&first));
      return FALSE;
    }
  *out_status = 0;
  return TRUE;
}
