/* nook run [OPTIONS] BUNDLE [COMMAND [ARG...]] */
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "launcher/cli/commands.h"
#include "launcher/config/config.h"
#include "launcher/container/container.h"
#include "launcher/errors.h"
#include "launcher/container/rootfs.h"
#include "launcher/seccomp/seccomp-alias.h"
#include "storage/layers.h"
#include "storage/state.h"

typedef struct
{
  char *config;
  char *name;
  gboolean tty;
  gboolean no_tty;
  gboolean no_filter_cache;
  gboolean help;
  char *userns;    /* --userns=auto|keep-id */
  char *group_add; /* --group-add=keep-groups */
  char *net;       /* --net=host|none|pasta */
  char *ipc;       /* --ipc=host */
  char *pid;       /* --pid=host */
  char *uts;       /* --uts=host */
  char *dns;       /* --dns=bundle */
  char *rootfs;    /* --rootfs=fuse-overlayfs|overlay|bind */
  gboolean rm;     /* --rm: an ephemeral layer even with --name */
  gboolean replace; /* --replace: start a named container's layer afresh */
} NookRunOptions;

static void
run_options_clear (NookRunOptions *o)
{
  g_free (o->config);
  g_free (o->name);
  g_free (o->userns);
  g_free (o->group_add);
  g_free (o->net);
  g_free (o->ipc);
  g_free (o->pid);
  g_free (o->uts);
  g_free (o->dns);
  g_free (o->rootfs);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (NookRunOptions, run_options_clear)

static const char run_usage[]
    = "Usage: nook run [OPTIONS] BUNDLE [COMMAND [ARG...]]\n"
      "\n"
      "Run the OCI bundle in directory BUNDLE as the calling user and wait for it.\n"
      "COMMAND replaces process.args of the config. nook exits with the process's\n"
      "status (128+N when it was killed by signal N), 125 when nook itself fails,\n"
      "126 when COMMAND cannot be executed and 127 when it is not found.\n"
      "\n"
      "Options:\n"
      "  -c, --config FILE   Read FILE instead of BUNDLE/config.json\n"
      "  -n, --name NAME     Container name (default: a random id)\n"
      "  -t, --tty           Allocate a pseudo-terminal (stdin must be a terminal)\n"
      "  -T, --no-tty        Never allocate one, whatever process.terminal says\n"
      "  --no-filter-cache   Compile the seccomp profile, bypassing the per-user store\n"
      "                      of compiled filters (also NOOK_NO_FILTER_CACHE=1)\n"
      "  --userns=MODE       auto (default): container root is you, 1..N your\n"
      "                      subordinate ids; keep-id: your uid and gid are the same\n"
      "                      inside, and a config user 0:0 runs as you\n"
      "  --group-add=keep-groups\n"
      "                      Keep your supplementary groups (e.g. kvm, video)\n"
      "  --net=MODE          host: share your network; none: loopback only;\n"
      "                      pasta: a private network with outbound access (passt)\n"
      "  --ipc=host          Share your IPC namespace, /dev/mqueue and /dev/shm\n"
      "  --pid=host          Share your PID namespace (and /proc)\n"
      "  --uts=host          Share your hostname (the config's is ignored)\n"
      "  --dns=bundle        Keep the bundle's /etc/resolv.conf and /etc/hosts\n"
      "                      (default with network access: your host's, read-only)\n"
      "  --rootfs=MODE       fuse-overlayfs (default): the bundle's rootfs stays\n"
      "                      untouched under a writable layer; overlay: the same with\n"
      "                      the kernel's overlayfs (Linux 5.11+); bind: write into\n"
      "                      the bundle's rootfs itself\n"
      "  --rm                Throw the writable layer away at exit (the default\n"
      "                      without --name; with --name the layer is kept in\n"
      "                      ~/.local/share/nook/containers/NAME)\n"
      "  --replace           With --name: start afresh from BUNDLE, dropping the\n"
      "                      container's layer\n"
      "  -h, --help          Show this help\n";

static gboolean
parse_run_options (int *argc, char ***argv, NookRunOptions *o, GError **error)
{
  GOptionEntry entries[] = {
    { "config", 'c', 0, G_OPTION_ARG_FILENAME, &o->config, NULL, NULL },
    { "name", 'n', 0, G_OPTION_ARG_STRING, &o->name, NULL, NULL },
    { "tty", 't', 0, G_OPTION_ARG_NONE, &o->tty, NULL, NULL },
    { "no-tty", 'T', 0, G_OPTION_ARG_NONE, &o->no_tty, NULL, NULL },
    { "no-filter-cache", 0, 0, G_OPTION_ARG_NONE, &o->no_filter_cache, NULL, NULL },
    { "userns", 0, 0, G_OPTION_ARG_STRING, &o->userns, NULL, NULL },
    { "group-add", 0, 0, G_OPTION_ARG_STRING, &o->group_add, NULL, NULL },
    { "net", 0, 0, G_OPTION_ARG_STRING, &o->net, NULL, NULL },
    { "network", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_STRING, &o->net, NULL, NULL },
    { "ipc", 0, 0, G_OPTION_ARG_STRING, &o->ipc, NULL, NULL },
    { "pid", 0, 0, G_OPTION_ARG_STRING, &o->pid, NULL, NULL },
    { "uts", 0, 0, G_OPTION_ARG_STRING, &o->uts, NULL, NULL },
    { "dns", 0, 0, G_OPTION_ARG_STRING, &o->dns, NULL, NULL },
    { "rootfs", 0, 0, G_OPTION_ARG_STRING, &o->rootfs, NULL, NULL },
    { "rm", 0, 0, G_OPTION_ARG_NONE, &o->rm, NULL, NULL },
    { "replace", 0, 0, G_OPTION_ARG_NONE, &o->replace, NULL, NULL },
    { "help", 'h', 0, G_OPTION_ARG_NONE, &o->help, NULL, NULL },
    { NULL },
  };
  g_autoptr (GOptionContext) ctx = g_option_context_new (NULL);

  g_option_context_add_main_entries (ctx, entries, NULL);
  g_option_context_set_help_enabled (ctx, FALSE);
  /* Stop at BUNDLE: what follows belongs to the container's command. */
  g_option_context_set_strict_posix (ctx, TRUE);
  if (!g_option_context_parse (ctx, argc, argv, error))
    {
      g_prefix_error (error, "run: ");
      (*error)->code = NOOK_ERROR_USAGE;
      (*error)->domain = NOOK_ERROR;
      return FALSE;
    }
  if (o->tty && o->no_tty)
    {
      g_set_error (error, NOOK_ERROR, NOOK_ERROR_USAGE, "run: --tty and --no-tty exclude each other");
      return FALSE;
    }
  return TRUE;
}

/* OPTION=VALUE where VALUE must be the one accepted word. */
static gboolean
parse_only_value (const char *option, const char *value, const char *accepted,
                  gboolean *out_set, GError **error)
{
  *out_set = FALSE;
  if (value == NULL)
    return TRUE;
  if (g_strcmp0 (value, accepted) != 0)
    {
      g_set_error (error, NOOK_ERROR, NOOK_ERROR_USAGE, "run: --%s: unknown value '%s' (%s)",
                   option, value, accepted);
      return FALSE;
    }
  *out_set = TRUE;
  return TRUE;
}

static gboolean
container_options (const NookRunOptions *o, NookContainerOptions *out, GError **error)
{
  out->userns = NOOK_USERNS_AUTO;
  if (g_strcmp0 (o->userns, "keep-id") == 0)
    out->userns = NOOK_USERNS_KEEP_ID;
  else if (o->userns != NULL && strcmp (o->userns, "auto") != 0)
    {
      g_set_error (error, NOOK_ERROR, NOOK_ERROR_USAGE,
                   "run: --userns: unknown mode '%s' (auto or keep-id)", o->userns);
      return FALSE;
    }
  return parse_only_value ("group-add", o->group_add, "keep-groups", &out->keep_groups, error)
         && nook_net_mode_parse (o->net, &out->net, error)
         && parse_only_value ("ipc", o->ipc, "host", &out->ipc_host, error)
         && parse_only_value ("pid", o->pid, "host", &out->pid_host, error)
         && parse_only_value ("uts", o->uts, "host", &out->uts_host, error)
         && parse_only_value ("dns", o->dns, "bundle", &out->dns_bundle, error);
}

static gboolean
want_terminal (const NookRunOptions *o, const NookConfig *config, gboolean *out_terminal,
               GError **error)
{
  if (o->tty && !isatty (STDIN_FILENO))
    {
      g_set_error (error, NOOK_ERROR, NOOK_ERROR_USAGE, "run: --tty: stdin is not a terminal");
      return FALSE;
    }
  /* terminal: true from a script or a pipe runs without a pty, silently:
   * toolbox users expect the same bundle to work both ways. */
  *out_terminal = !o->no_tty && (o->tty || (config->process.terminal && isatty (STDIN_FILENO)));
  return TRUE;
}

/* fuse-overlayfs is mounted from outside, into the namespaces clone()
 * created; a user namespace joined by path is entered only later by the
 * child itself. Without --rootfs such a container gets the kernel's
 * overlay instead, and a container without a mount namespace of its own
 * the bundle's rootfs. */
static gboolean
check_rootfs_mode (const NookRunOptions *o, const NookContainer *c, NookRootfsMode *mode,
                   GError **error)
{
  gboolean own_mntns = (c->clone_flags & CLONE_NEWNS) != 0;
  gboolean fuse_ok = own_mntns && (c->clone_now_flags & CLONE_NEWUSER) != 0;

  if (o->rootfs == NULL && !own_mntns)
    *mode = NOOK_ROOTFS_BIND;
  else if (o->rootfs == NULL && !fuse_ok)
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
prepare_rootfs (const NookRunOptions *o, NookContainer *c, NookState *state,
                NookRootfsMode mode, GError **error)
{
  g_autoptr (NookLayer) layer = NULL;

  if (mode != NOOK_ROOTFS_BIND && o->name != NULL && !o->rm)
    {
      NookLayerInfo want = {
        .name = o->name,
        .bundle = c->config->bundle_dir,
        .rootfs = (char *) nook_rootfs_mode_name (mode),
        .uid_map = c->idmap->uid_map,
        .gid_map = c->idmap->gid_map,
      };

      if (o->replace)
        {
          g_autofree char *root = nook_layers_dir ();
          g_autofree char *dir = g_build_filename (root, o->name, NULL);

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

static void
print_warnings (GPtrArray *warnings)
{
  for (guint i = 0; i < warnings->len; i++)
    fprintf (stderr, "nook: warning: %s\n", (const char *) warnings->pdata[i]);
}

gboolean
nook_cmd_run (int argc, char **argv, const NookGlobalOptions *globals, int *out_status,
              GError **error)
{
  g_auto (NookRunOptions) o = { 0 };
  g_autoptr (NookConfig) config = NULL;
  g_autoptr (NookContainer) container = NULL;
  g_autoptr (NookState) state = NULL;
  g_autoptr (GPtrArray) warnings = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *id = NULL;
  NookContainerOptions copts = { 0 };
  NookRootfsMode rootfs_mode;
  gboolean terminal, ok;

  if (!parse_run_options (&argc, &argv, &o, error))
    return FALSE;
  if (!container_options (&o, &copts, error))
    return FALSE;
  if (!nook_rootfs_mode_parse (o.rootfs, &rootfs_mode, error))
    return FALSE;
  if (o.replace && o.name == NULL)
    {
      g_set_error (error, NOOK_ERROR, NOOK_ERROR_USAGE, "run: --replace needs --name");
      return FALSE;
    }
  if (o.help)
    {
      fputs (run_usage, stdout);
      *out_status = 0;
      return TRUE;
    }
  /* argv[0] is "run"; "--" before BUNDLE is left by strict POSIX parsing. */
  if (argc >= 2 && g_strcmp0 (argv[1], "--") == 0)
    argc--, argv++;
  if (argc < 2)
    {
      g_set_error (error, NOOK_ERROR, NOOK_ERROR_USAGE,
                   "run: missing BUNDLE (see 'nook run --help')");
      return FALSE;
    }

  /* nook run BUNDLE -- COMMAND...: the "--" only separates. */
  if (argc >= 3 && g_strcmp0 (argv[2], "--") == 0)
    {
      argv[2] = argv[1];
      argc--, argv++;
    }

  gboolean use_filter_cache
      = !o.no_filter_cache && g_strcmp0 (g_getenv ("NOOK_NO_FILTER_CACHE"), "1") != 0;
  config = nook_config_load_with_store (argv[1], o.config, use_filter_cache, warnings, error);
  if (config == NULL)
    return FALSE;

  if (!want_terminal (&o, config, &terminal, error))
    return FALSE;
  container = nook_container_new (config, &copts, argc > 2 ? argv + 2 : NULL,
                                               terminal, use_filter_cache, warnings, error);
  if (container == NULL)
    return FALSE;
  if (config->has_resources)
    g_ptr_array_add (warnings, g_strdup ("linux.resources: cgroup limits are ignored "
                                         "(nook does not manage cgroups)"));
  print_warnings (warnings);

  if (!check_rootfs_mode (&o, container, &rootfs_mode, error)
      || !nook_rootfs_check_host (rootfs_mode, config->root_path, error))
    return FALSE;

  id = o.name ? g_strdup (o.name) : nook_state_generate_id ();
  state = nook_state_create (globals->root, id, error);
  if (state == NULL)
    return FALSE;

  /* For nook ls: how a running ephemeral container's root is mounted. */
  nook_state_set_rootfs (state, nook_rootfs_mode_name (rootfs_mode));
  if (!prepare_rootfs (&o, container, state, rootfs_mode, error))
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
