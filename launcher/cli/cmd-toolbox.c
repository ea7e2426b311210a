/* nook create --toolbox [OPTIONS] NAME BUNDLE
 *
 * A toolbox container: a named container from BUNDLE set up for daily
 * work as the caller, entered with nook enter. Its options are stored
 * with it (layer.json) and reused on every entry; nothing starts here. */
#include <stdio.h>
#include <string.h>

#include "launcher/cli/commands.h"
#include "launcher/cli/options.h"
#include "launcher/cli/run-options.h"
#include "launcher/errors.h"
#include "launcher/lifecycle/lifecycle.h"
#include "storage/layers.h"

static const char toolbox_usage[]
    = "Usage: nook create --toolbox [OPTIONS] NAME BUNDLE\n"
      "\n"
      "Make the toolbox container NAME from BUNDLE, to be entered with\n"
      "'nook enter NAME' from any terminal. Inside you are yourself (your name,\n"
      "uid, gid, shell and home, in the sudo or wheel group, with sudo without a\n"
      "password when the bundle has sudo; 'nook enter --root' is root); it shares\n"
      "your network, IPC and hostname, keeps your supplementary groups (video,\n"
      "render, kvm) and its root is writable whatever the bundle's config says.\n"
      "Its options are kept with it and reused on every entry.\n"
      "\n"
      "Options (as for nook run; these are the defaults):\n"
      "  --userns=keep-id --group-add=keep-groups --net=host --ipc=host --uts=host\n"
      "  --pid=host          Also share your processes (not by default)\n"
      "  --rootfs=MODE       fuse-overlayfs (default) or overlay\n"
      "  --replace           Make NAME afresh, dropping its layer\n"
      "  -h, --help          Show this help\n";

/* Appends spec to *list unless one given already binds its destination. */
static void
add_bind (char ***list, const char *source, const char *spec)
{
  g_autoptr (GPtrArray) all = g_ptr_array_new ();
  const char *dst = strchr (spec, ':') + 1;
  gsize dst_len = strcspn (dst, ":");

  if (!g_file_test (source, G_FILE_TEST_EXISTS))
    return;
  for (char **s = *list; s && *s; s++)
    {
      const char *d = strchr (*s, ':');

      if (d != NULL && strncmp (d + 1, dst, dst_len) == 0 && strchr (":", d[1 + dst_len]))
        return;
      g_ptr_array_add (all, *s);
    }
  g_ptr_array_add (all, g_strdup (spec));
  g_ptr_array_add (all, NULL);
  g_free (*list);
  *list = (char **)g_ptr_array_free (g_steal_pointer (&all), FALSE);
}

/* What of the host a toolbox session expects to find: the home, /tmp (X11
 * sockets), the runtime dir (Wayland, PipeWire, PulseAudio, D-Bus), the
 * time zone, and the GPU, sound, input and kvm devices that exist. hosts
 * and resolv.conf are the host's already (--net=host, see --dns). */
static void
toolbox_binds (NookRunOptions *o)
{
  const char *runtime = g_getenv ("XDG_RUNTIME_DIR");
  const char *home = g_get_home_dir ();
  static const char *const dev_dirs[] = { "/dev/dri", "/dev/snd", "/dev/input" };
  static const char *const dev_nodes[] = { "/dev/kvm", "/dev/fuse", "/dev/net/tun" };

  if (home != NULL && g_path_is_absolute (home) && strcmp (home, "/") != 0)
    {
      g_autofree char *spec = g_strdup_printf ("%s:%s", home, home);

      add_bind (&o->volumes, home, spec);
    }
  add_bind (&o->volumes, "/tmp", "/tmp:/tmp");
  if (runtime != NULL && g_path_is_absolute (runtime) && strchr (runtime, ':') == NULL)
    {
      g_autofree char *spec = g_strdup_printf ("%s:%s", runtime, runtime);

      add_bind (&o->volumes, runtime, spec);
    }
  add_bind (&o->volumes, "/etc/localtime", "/etc/localtime:/etc/localtime:ro");
  for (gsize i = 0; i < G_N_ELEMENTS (dev_dirs); i++)
    {
      g_autofree char *spec = g_strdup_printf ("%s:%s", dev_dirs[i], dev_dirs[i]);

      add_bind (&o->volumes, dev_dirs[i], spec);
    }
  for (gsize i = 0; i < G_N_ELEMENTS (dev_nodes); i++)
    {
      g_autofree char *spec = g_strdup_printf ("%s:%s", dev_nodes[i], dev_nodes[i]);

      add_bind (&o->devices, dev_nodes[i], spec);
    }
}

/* The toolbox defaults, for the options not given. */
static void
toolbox_defaults (NookRunOptions *o)
{
  struct
  {
    char **field;
    const char *value;
  } defaults[] = {
    { &o->userns, "keep-id" }, { &o->group_add, "keep-groups" },
    { &o->net, "host" },       { &o->ipc, "host" },
    { &o->uts, "host" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (defaults); i++)
    if (*defaults[i].field == NULL)
      *defaults[i].field = g_strdup (defaults[i].value);
  toolbox_binds (o);
  o->toolbox = TRUE;
}

gboolean
nook_cmd_create_toolbox (int argc, char **argv, const NookGlobalOptions *globals, int *out_status,
                         GError **error)
{
  g_auto (NookRunOptions) o = { 0 };
  g_auto (GStrv) stored = NULL;
  g_autoptr (NookLayerInfo) info = NULL;
  g_autoptr (NookOverrides) overrides = NULL;
  NookRequest request = { 0 };

  if (!nook_run_options_parse ("create", &argc, &argv, &o, error))
    return FALSE;
  if (nook_cli_help (o.help, toolbox_usage, out_status))
    return TRUE;
  if (!nook_cli_first_operand ("create", "NAME", &argc, &argv, error))
    return FALSE;
  if (argc != 3)
    {
      nook_cli_usage_error (error, "create", "--toolbox takes NAME and BUNDLE");
      return FALSE;
    }
  if (g_strcmp0 (o.rootfs, "bind") == 0)
    {
      nook_cli_usage_error (error, "create",
                            "--toolbox --rootfs=bind: a toolbox keeps its changes in its own "
                            "layer (fuse-overlayfs or overlay)");
      return FALSE;
    }
  info = o.replace ? NULL : nook_layer_info_load (argv[1], NULL);
  if (info != NULL)
    {
      g_set_error (error, NOOK_ERROR, NOOK_ERROR_USAGE,
                   "create: container %s exists (from %s); enter it with 'nook enter %s', or "
                   "make it afresh with --replace",
                   argv[1], info->bundle, argv[1]);
      return FALSE;
    }
  toolbox_defaults (&o);
  if (!nook_run_options_apply ("create", &o, &request, error))
    return FALSE;
  overrides = nook_overrides_new ("create", o.env, o.volumes, o.devices, o.workdir, error);
  if (overrides == NULL)
    return FALSE;
  request.overrides = overrides;
  request.verb = "create";
  request.name = argv[1];
  request.bundle = argv[2];
  request.state_root = globals->root;
  request.rootfs_given = o.rootfs != NULL;
  request.replace = o.replace;
  request.no_tty = TRUE;
  request.detach = TRUE;
  request.stored_options = stored = nook_run_options_to_stored (&o);
  request.use_filter_cache
      = !o.no_filter_cache && g_strcmp0 (g_getenv ("NOOK_NO_FILTER_CACHE"), "1") != 0;
  if (!nook_lifecycle_define (&request, error))
    return FALSE;
  printf ("%s\n", argv[1]);
  *out_status = 0;
  return TRUE;
}
