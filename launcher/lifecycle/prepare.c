/* nook: preparing a container for run and create: load the config, build
 * the container, choose and make its root filesystem, claim its state. */
#include "launcher/lifecycle/prepare.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "launcher/errors.h"
#include "launcher/log.h"
#include "storage/layers.h"
#include "storage/state.h"

static gboolean
want_terminal (const NookRequest *r, const NookConfig *config, gboolean *out_terminal,
               GError **error)
{
  if (r->tty && !r->detach && !isatty (STDIN_FILENO))
    {
      g_set_error (error, NOOK_ERROR, NOOK_ERROR_USAGE, "%s: --tty: stdin is not a terminal",
                   r->verb);
      return FALSE;
    }
  /* terminal: true from a script or a pipe runs without a pty, silently:
   * toolbox users expect the same bundle to work both ways. */
  *out_terminal = !r->no_tty && (r->tty || (config->process.terminal && isatty (STDIN_FILENO)));
  /* A detached container has nobody to proxy its pty: it goes to the
   * console socket, and process.terminal asks for it whatever stdin is. */
  if (r->detach)
    *out_terminal = !r->no_tty && (r->tty || config->process.terminal);
  if (r->detach && *out_terminal && r->console_socket == NULL)
    {
      g_set_error (error, NOOK_ERROR, NOOK_ERROR_USAGE,
                   "%s: the container wants a terminal (process.terminal or -t) and runs "
                   "detached: give --console-socket SOCK to receive its pty",
                   r->verb);
      return FALSE;
    }
  return TRUE;
}

/* dir/nook-init when it is an executable file. */
static char *
init_helper_in (const char *dir)
{
  g_autofree char *path = g_build_filename (dir, "nook-init", NULL);

  return g_file_test (path, G_FILE_TEST_IS_EXECUTABLE) ? g_steal_pointer (&path) : NULL;
}

/* nook-init next to nook's own executable (the build tree), next to the
 * file argv[0] names, or where meson installed it. argv[0] is for a nook
 * run by another program that /proc/self/exe then names instead: the
 * dynamic loader (`ld.so nook run ...`), or a tool that loads nook into
 * itself. It is glibc's program_invocation_name, main's argv[0] as is, so
 * that no command needs to hand it down; only a path with a '/' names a
 * file (a bare name was looked up in PATH, which may have changed). */
static char *
find_init_helper (void)
{
  g_autofree char *exe = g_file_read_link ("/proc/self/exe", NULL);
  const char *argv0 = program_invocation_name;
  char *path;

  if (exe != NULL)
    {
      g_autofree char *dir = g_path_get_dirname (exe);

      if ((path = init_helper_in (dir)) != NULL)
        return path;
    }
  if (argv0 != NULL && strchr (argv0, '/') != NULL)
    {
      g_autofree char *file = realpath (argv0, NULL);
      g_autofree char *dir = file != NULL ? g_path_get_dirname (file) : NULL;

      if (dir != NULL && (path = init_helper_in (dir)) != NULL)
        return path;
    }
  return g_build_filename (NOOK_LIBEXECDIR, "nook-init", NULL);
}

/* --init: only a process that would be PID 1 of a pid namespace of its
 * own needs one (not with --pid=host, nor in a pid namespace joined by
 * path, whose PID 1 is someone else). The child execs it from this fd
 * (launcher/init/init-process.c), whatever the container's root holds. */
static gboolean
open_init (const NookRequest *r, NookContainer *c, GError **error)
{
  g_autofree char *path = NULL;

  if (!r->init || !(c->clone_flags & CLONE_NEWPID))
    return TRUE;
  path = find_init_helper ();
  c->init_fd = open (path, O_PATH | O_CLOEXEC);
  if (c->init_fd < 0)
    {
      g_set_error (error, NOOK_ERROR, NOOK_ERROR_FAILED,
                   "%s: the container's init %s: %s (--no-init runs without it)", r->verb, path,
                   g_strerror (errno));
      return FALSE;
    }
  return TRUE;
}

/* --rm --name NAME would run a fresh, empty layer next to the one NAME
 * kept, and drop it at exit: a container that looks like NAME but has
 * none of its files. */
static gboolean
check_rm_name (const NookRequest *r, GError **error)
{
  g_autofree char *root = NULL;
  g_autofree char *dir = NULL;

  if (!r->rm || r->name == NULL || r->id != NULL)
    return TRUE;
  root = nook_layers_dir ();
  dir = g_build_filename (root, r->name, NULL);
  if (!g_file_test (dir, G_FILE_TEST_EXISTS))
    return TRUE;
  g_set_error (error, NOOK_ERROR, NOOK_ERROR_USAGE,
               "%s: --rm --name %s: container %s has a kept layer (%s); --rm would run without "
               "it: leave out --rm to use it, or remove it first (nook rm %s)",
               r->verb, r->name, r->name, dir, r->name);
  return FALSE;
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
                   "%s: --rootfs=fuse-overlayfs: not supported yet for a container that joins "
                   "a user namespace by path or has no mount namespace of its own; use "
                   "--rootfs=overlay or --rootfs=bind",
                   r->verb);
      return FALSE;
    }
  if (*mode != NOOK_ROOTFS_BIND && !own_mntns)
    {
      g_set_error (error, NOOK_ERROR, NOOK_ERROR_USAGE,
                   "%s: --rootfs=%s: the container needs a mount namespace (add {\"type\": "
                   "\"mount\"} to linux.namespaces) or --rootfs=bind",
                   r->verb, nook_rootfs_mode_name (*mode));
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

  if (mode != NOOK_ROOTFS_BIND && r->name != NULL && r->id == NULL && !r->rm)
    {
      NookLayerInfo want = {
        .name = (char *)r->name,
        .bundle = c->config->bundle_dir,
        .rootfs = (char *)nook_rootfs_mode_name (mode),
        .uid_map = c->idmap->uid_map,
        .gid_map = c->idmap->gid_map,
        .options = r->stored_options,
      };
      /* Before anything touches the layer, --replace included: the
       * state's lock covers one runtime root only. */
      int lock_fd = nook_layer_lock (r->name, nook_state_get_dir (state), error);

      if (lock_fd < 0)
        return FALSE;
      if (r->replace)
        {
          g_autofree char *root = nook_layers_dir ();
          g_autofree char *dir = g_build_filename (root, r->name, NULL);

          if (!nook_rootfs_remove_layer (dir, c->idmap, error))
            {
              close (lock_fd);
              return FALSE;
            }
        }
      layer = nook_layer_open_persistent (&want, FALSE, error);
      if (layer == NULL)
        {
          close (lock_fd);
          return FALSE;
        }
      layer->lock_fd = lock_fd;
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

/* A named container is there to keep its changes: a read-only root (what
 * runc's and crun's spec write) keeps none, which would only show on the
 * next run. */
static void
warn_readonly_named (const NookRequest *r, const NookConfig *config, GPtrArray *warnings)
{
  if (r->name == NULL || r->id != NULL || r->rm || !config->root_readonly)
    return;
  g_ptr_array_add (warnings,
                   g_strdup_printf ("%s: root.readonly is true: container %s cannot change its "
                                    "root filesystem, so it keeps no changes (set root.readonly "
                                    "to false to keep them)",
                                    config->config_path, r->name));
}

void
nook_lifecycle_finish_rootfs (NookContainer *c, gboolean started, GError **error)
{
  g_autoptr (GError) local = NULL;
  g_autofree char *failure = NULL;

  if (c->rootfs == NULL)
    return;
  nook_rootfs_stop (c->rootfs);
  /* The layer is no longer used (the daemon is gone): released before
   * the state, so that whoever saw the state go (rm -f) finds the layer
   * free. */
  if (c->rootfs->layer != NULL && c->rootfs->layer->lock_fd >= 0)
    {
      close (c->rootfs->layer->lock_fd);
      c->rootfs->layer->lock_fd = -1;
    }
  /* The container's writes failed with ENOSPC: say where, before an
   * ephemeral layer (and with it, likely, what filled it) goes. */
  if (started && nook_layer_is_full (c->rootfs->layer))
    nook_log_warning ("the container's writable layer ran out of space (%s: no space left on "
                      "device); its writes failed with ENOSPC, the bundle's rootfs is untouched",
                      c->rootfs->layer->upper);
  /* The container failed on a dead FUSE mount: say why it died. */
  failure = nook_rootfs_daemon_failure (c->rootfs);
  if (failure != NULL && error != NULL && *error != NULL)
    g_prefix_error (error, "fuse-overlayfs failed (%s): ", failure);
  if (c->rootfs->layer != NULL && c->rootfs->layer->ephemeral
      && !nook_rootfs_remove_layer (c->rootfs->layer->dir, c->idmap, &local))
    nook_log_warning ("%s", local->message);
}

/* Is the host uid mapped by the container's uid map? */
static gboolean
host_uid_mapped (const NookIdMapPlan *plan, uid_t uid)
{
  for (guint i = 0; i < plan->n_uid; i++)
    if (uid >= plan->uid_mappings[i].host_id
        && uid - plan->uid_mappings[i].host_id < plan->uid_mappings[i].size)
      return TRUE;
  return FALSE;
}

/* A rootfs owned by ids the user namespace does not map (made by host
 * root, say) shows every file as nobody inside: say so once, now, rather
 * than let it be found as 65534 everywhere. Two stat calls: the rootfs
 * and its etc/, whose owners a whole tree of one maker shares. */
static void
check_rootfs_owner (const NookRequest *r, const NookConfig *config, const NookContainer *c,
                    GPtrArray *warnings)
{
  const char *const paths[] = { "", "/etc" };

  if (c->idmap == NULL || c->idmap->n_uid == 0)
    return;
  for (gsize i = 0; i < G_N_ELEMENTS (paths); i++)
    {
      g_autofree char *path = g_strconcat (config->root_path, paths[i], NULL);
      struct stat st;

      if (stat (path, &st) < 0 || host_uid_mapped (c->idmap, st.st_uid))
        continue;
      g_ptr_array_add (warnings,
                       g_strdup_printf ("%s: the rootfs (%s) is owned by uid %u, which the "
                                        "container's user namespace does not map: its files "
                                        "show as nobody (65534) inside; make the bundle with "
                                        "nook import, from a tarball of it: sudo tar -C %s -c "
                                        ". | nook import - NEW-BUNDLE",
                                        r->bundle, path, (guint)st.st_uid, config->root_path));
      return;
    }
}

void
nook_lifecycle_print_warnings (GPtrArray *warnings)
{
  for (guint i = 0; i < warnings->len; i++)
    nook_log_warning ("%s", (const char *)warnings->pdata[i]);
}

void
nook_prepared_clear (NookPrepared *p)
{
  g_clear_pointer (&p->state, nook_state_free);
  g_clear_pointer (&p->container, nook_container_free);
  g_clear_pointer (&p->config, nook_config_free);
}

gboolean
nook_lifecycle_prepare (const NookRequest *r, NookPrepared *p, GError **error)
{
  g_autoptr (GPtrArray) warnings = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *id = NULL;
  NookRootfsMode rootfs_mode = r->rootfs_mode;
  NookContainerOptions options = r->options;
  gboolean terminal;

  if (!check_rm_name (r, error))
    return FALSE;
  p->config = nook_lifecycle_load_config (r->bundle, r->config_path, r->use_filter_cache, warnings,
                                          error);
  if (p->config == NULL)
    return FALSE;
  nook_overrides_apply (r->overrides, p->config, warnings);
  warn_readonly_named (r, p->config, warnings);

  if (!want_terminal (r, p->config, &terminal, error))
    return FALSE;
  /* A toolbox is where you install things: its layer keeps them, whatever
   * the bundle's config says of its root, and sudo must work, whatever it
   * says of no_new_privileges (which would make sudo's setuid bit a no-op). */
  if (r->options.toolbox)
    {
      p->config->root_readonly = FALSE;
      p->config->process.no_new_privileges = FALSE;
    }
  if (r->overrides != NULL)
    options.home_given = g_environ_getenv (r->overrides->env, "HOME") != NULL;
  p->container = nook_container_new (p->config, &options, r->command, terminal, r->use_filter_cache,
                                     warnings, error);
  if (p->container == NULL)
    return FALSE;
  check_rootfs_owner (r, p->config, p->container, warnings);
  p->container->detached = r->detach;
  p->container->preserve_fds = r->preserve_fds;
  p->container->pid_file = r->pid_file;
  if (!open_init (r, p->container, error))
    return FALSE;
  if (p->config->has_resources)
    g_ptr_array_add (warnings, g_strdup ("linux.resources: cgroup limits are ignored "
                                         "(nook does not manage cgroups)"));
  nook_lifecycle_print_warnings (warnings);

  if (!check_rootfs_mode (r, p->container, &rootfs_mode, error)
      || !nook_rootfs_check_host (rootfs_mode, p->config->root_path, error))
    return FALSE;

  id = g_strdup (r->id ? r->id : r->name);
  if (id == NULL)
    id = nook_state_generate_id ();
  p->state = nook_state_create (r->state_root, id, error);
  if (p->state == NULL)
    return FALSE;

  p->container->state_lock_fd = nook_state_get_lock_fd (p->state);
  /* For nook list: how a running ephemeral container's root is mounted. */
  nook_state_set_rootfs (p->state, nook_rootfs_mode_name (rootfs_mode));
  if (!prepare_rootfs (r, p->container, p->state, rootfs_mode, error))
    {
      nook_lifecycle_finish_rootfs (p->container, FALSE, NULL);
      return FALSE;
    }
  /* An ephemeral layer lives in the state directory: with no space
   * there, the state cannot be written either, and the run would fail
   * after the container started. Fail now, with one message. */
  if (nook_layer_is_full (p->container->rootfs->layer) && p->container->rootfs->layer->ephemeral)
    {
      g_set_error (error, NOOK_ERROR, NOOK_ERROR_FAILED,
                   "cannot write the container's state and writable layer in %s: %s",
                   nook_state_get_dir (p->state), g_strerror (ENOSPC));
      nook_lifecycle_finish_rootfs (p->container, FALSE, NULL);
      return FALSE;
    }
  if (nook_layer_is_full (p->container->rootfs->layer))
    nook_log_warning ("the container's writable layer has no space left (%s): its writes will "
                      "fail with ENOSPC",
                      p->container->rootfs->layer->upper);
  return TRUE;
}

gboolean
nook_lifecycle_define (const NookRequest *r, GError **error)
{
  g_auto (NookPrepared) p = { 0 };

  /* Everything a start checks and makes before the launch: the config,
   * the id maps, the rootfs mode, the layer with its layer.json. Then the
   * state goes again; nothing was started. */
  if (!nook_lifecycle_prepare (r, &p, error))
    return FALSE;
  nook_lifecycle_finish_rootfs (p.container, FALSE, NULL);
  return TRUE;
}
