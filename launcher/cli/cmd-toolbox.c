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

/* The toolbox defaults, for the options not given. */
static void
toolbox_defaults (NookRunOptions *o)
{
  struct
  {
    char **field;
    const char *value;
  } defaults[] = {
    { &o->userns, "keep-id" }, { &o->group_add, "keep-groups" }, { &o->net, "host" },
    { &o->ipc, "host" },       { &o->uts, "host" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (defaults); i++)
    if (*defaults[i].field == NULL)
      *defaults[i].field = g_strdup (defaults[i].value);
  o->toolbox = TRUE;
}

gboolean
nook_cmd_create_toolbox (int argc, char **argv, const NookGlobalOptions *globals, int *out_status,
                         GError **error)
{
  g_auto (NookRunOptions) o = { 0 };
  g_auto (GStrv) stored = NULL;
  g_autoptr (NookLayerInfo) info = NULL;
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
