/* nook: running a container in the foreground: load, prepare, choose and
 * make the root filesystem, launch, wait, tear down. */
#include "launcher/lifecycle/lifecycle.h"

#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "launcher/errors.h"
#include "storage/layers.h"
#include "storage/state.h"

static gboolean
want_terminal (const NookRequest *r, const NookConfig *config, gboolean *out_terminal,
               GError **error)
{
  if (r->tty && !isatty (STDIN_FILENO))
    {
      g_set_error (error, NOOK_ERROR, NOOK_ERROR_USAGE, "run: --tty: stdin is not a terminal");
      return FALSE;
    }
  /* terminal: true from a script or a pipe runs without a pty, silently:
   * toolbox users expect the same bundle to work both ways. */
  *out_terminal = !r->no_tty && (r->tty || (config->process.terminal && isatty (STDIN_FILENO)));
  return TRUE;
}

/* fuse-overlayfs is mounted from outside, into the namespaces clone()
 * created; a user namespace joined by path is entered only later by the
 * child itself. Without --rootfs such a container gets the kernel's
 * overlay instead, and a container without a mount namespace of its own
 * the bundle's rootfs. */
static gboolean
check_rootfs_mode (const NookRequest *r, const NookContainer *c, NookRootfsMode *mode,
                   GError **error)
{
  gboolean own_mntns = (c->clone_flags & CLONE_NEWNS) != 0;
  gboolean fuse_ok = own_mntns && (c->clone_now_flags & CLONE_NEWUSER) != 0;

  if (!r->rootfs_given && !own_mntns)
    *mode = NOOK_ROOTFS_BIND;
  else if (!r->rootfs_given && !fuse_ok)
    *mode = NOOK_ROOTFS_OVERLAY;
  if (*mode == NOOK_ROOTFS_FUSE_OVERLAYFS && !fuse_ok)
    {
      g_set_error (error, NOOK_ERROR, NOOK_ERROR_USAGE,
                   "run: --rootfs=fuse-overlayfs: not supported yet for a container that joins "
                   "a user namespace by path or has no mount namespace of its own; use "
                   "--rootfs=overlay or --rootfs=bind");
      return FALSE;
    }
  if (*mode != NOOK_ROOTFS_BIND && !own_mntns)
    {
      g_set_error (error, NOOK_ERROR, NOOK_ERROR_USAGE,
                   "run: --rootfs=%s: the container needs a mount namespace (add {\"type\": "
                   "\"mount\"} to linux.namespaces) or --rootfs=bind",
                   nook_rootfs_mode_name (*mode));
      return FALSE;
    }
  return TRUE;
}

/* The writable layer and how it is mounted: kept in the data dir for a
 * named container, in the state dir (removed at exit) otherwise. */
static gboolean
prepare_rootfs (const NookRequest *r, NookContainer *c, NookState *state, NookRootfsMode mode,
                GError **error)
{
  g_autoptr (NookLayer) layer = NULL;

  if (mode != NOOK_ROOTFS_BIND && r->name != NULL && !r->rm)
    {
      NookLayerInfo want = {
        .name = (char *)r->name,
        .bundle = c->config->bundle_dir,
        .rootfs = (char *)nook_rootfs_mode_name (mode),
        .uid_map = c->idmap->uid_map,
        .gid_map = c->idmap->gid_map,
      };

      if (r->replace)
        {
          g_autofree char *root = nook_layers_dir ();
          g_autofree char *dir = g_build_filename (root, r->name, NULL);

          if (!nook_rootfs_remove_layer (dir, c->idmap, error))
            return FALSE;
        }
      layer = nook_layer_open_persistent (&want, FALSE, error);
    }
  else if (mode != NOOK_ROOTFS_BIND)
    {
      g_autofree char *dir = g_build_filename (nook_state_get_dir (state), "layer", NULL);

      layer = nook_layer_new_ephemeral (dir, error);
    }
  if (mode != NOOK_ROOTFS_BIND && layer == NULL)
    return FALSE;
  c->rootfs = nook_rootfs_new (mode, c->config->root_path, c->config->root_readonly,
                               g_steal_pointer (&layer), c->idmap, error);
  return c->rootfs != NULL;
}

/* The container ended (or never started): its daemon goes, and an
 * ephemeral layer with it. A layer that cannot be removed is left for
 * `nook ls` to clean, with a warning. */
static void
finish_rootfs (NookContainer *c, gboolean started, GError **error)
{
  g_autoptr (GError) local = NULL;
  g_autofree char *failure = NULL;

  if (c->rootfs == NULL)
    return;
  nook_rootfs_stop (c->rootfs);
  /* The container's writes failed with ENOSPC: say where, before an
   * ephemeral layer (and with it, likely, what filled it) goes. */
  if (started && nook_layer_is_full (c->rootfs->layer))
    fprintf (stderr,
             "nook: warning: the container's writable layer ran out of space (%s: no space "
             "left on device); its writes failed with ENOSPC, the bundle's rootfs is "
             "untouched\n",
             c->rootfs->layer->upper);
  /* The container failed on a dead FUSE mount: say why it died. */
  failure = nook_rootfs_daemon_failure (c->rootfs);
  if (failure != NULL && error != NULL && *error != NULL)
    g_prefix_error (error, "fuse-overlayfs failed (%s): ", failure);
  if (c->rootfs->layer != NULL && c->rootfs->layer->ephemeral
      && !nook_rootfs_remove_layer (c->rootfs->layer->dir, c->idmap, &local))
    fprintf (stderr, "nook: warning: %s\n", local->message);
}

/* Printing belongs to the command line; run has no other way to show
 * warnings before the container takes over the terminal. */
static void
print_warnings (GPtrArray *warnings)
{
  for (guint i = 0; i < warnings->len; i++)
    fprintf (stderr, "nook: warning: %s\n", (const char *)warnings->pdata[i]);
}

gboolean
nook_lifecycle_run (const NookRequest *r, int *out_status, GError **error)
{
  g_autoptr (NookConfig) config = NULL;
  g_autoptr (NookContainer) container = NULL;
  g_autoptr (NookState) state = NULL;
  g_autoptr (GPtrArray) warnings = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *id = NULL;
  NookRootfsMode rootfs_mode = r->rootfs_mode;
  gboolean terminal, ok;

  config = nook_lifecycle_load_config (r->bundle, r->config_path, r->use_filter_cache, warnings,
                                       error);
  if (config == NULL)
    return FALSE;

  if (!want_terminal (r, config, &terminal, error))
    return FALSE;
  container = nook_container_new (config, &r->options, r->command, terminal, r->use_filter_cache,
                                  warnings, error);
  if (container == NULL)
    return FALSE;
  if (config->has_resources)
    g_ptr_array_add (warnings, g_strdup ("linux.resources: cgroup limits are ignored "
                                         "(nook does not manage cgroups)"));
  print_warnings (warnings);

  if (!check_rootfs_mode (r, container, &rootfs_mode, error)
      || !nook_rootfs_check_host (rootfs_mode, config->root_path, error))
    return FALSE;

  id = r->name ? g_strdup (r->name) : nook_state_generate_id ();
  state = nook_state_create (r->state_root, id, error);
  if (state == NULL)
    return FALSE;

  /* For nook ls: how a running ephemeral container's root is mounted. */
  nook_state_set_rootfs (state, nook_rootfs_mode_name (rootfs_mode));
  if (!prepare_rootfs (r, container, state, rootfs_mode, error))
    {
      finish_rootfs (container, FALSE, NULL);
      return FALSE;
    }
  if (nook_layer_is_full (container->rootfs->layer))
    fprintf (stderr,
             "nook: warning: the container's writable layer has no space left (%s): its "
             "writes will fail with ENOSPC\n",
             container->rootfs->layer->upper);
  ok = nook_container_run (container, state, out_status, error);
  finish_rootfs (container, TRUE, error);
  return ok;
}
