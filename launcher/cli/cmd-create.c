/* nook create [--bundle|-b DIR] [--pid-file F] [--console-socket SOCK]
 *             [--preserve-fds N] [--no-new-keyring] [--no-pivot] ID
 *
 * runc's create: everything up to the container's process, which waits
 * for `nook start`. The bundle's rootfs is used in place, as runc and crun
 * do (engines have mounted it already); --rootfs chooses otherwise. */
#include <stdio.h>
#include <string.h>

#include "launcher/cli/commands.h"
#include "launcher/cli/options.h"
#include "launcher/cli/run-options.h"
#include "launcher/errors.h"
#include "launcher/lifecycle/lifecycle.h"

static const char create_usage[]
    = "Usage: nook create [OPTIONS] ID\n"
      "       nook create --toolbox [OPTIONS] NAME BUNDLE   (see --toolbox --help)\n"
      "\n"
      "Create container ID from the bundle: namespaces, root filesystem and mounts\n"
      "are set up, and its process waits for 'nook start ID'. The bundle's rootfs\n"
      "is used in place, as runc does.\n"
      "\n"
      "Options:\n"
      "  -b, --bundle DIR     The bundle directory (default: .)\n"
      "  --pid-file FILE      Write the container process's pid to FILE\n"
      "  --console-socket S   Send the pty master to the unix socket S (needed when\n"
      "                       process.terminal is true)\n"
      "  --preserve-fds N     Pass fds 3 to 3+N-1 into the container's process\n"
      "  --rootfs=MODE        bind (default), overlay or fuse-overlayfs (the layer\n"
      "                       goes at delete)\n"
      "  --no-filter-cache    Compile the seccomp profile, bypassing the store\n"
      "  --init               Run a small init (nook-init) as PID 1 in front of the\n"
      "                       process: it forwards signals, reaps zombies and exits\n"
      "                       as the process did (off by default, as in runc)\n"
      "  --no-new-keyring     Accepted for runc compatibility; nook always gives the\n"
      "                       container a fresh session keyring (the filter store's\n"
      "                       secret must stay out of its reach)\n"
      "  --no-pivot           Accepted for runc compatibility (nook always uses\n"
      "                       pivot_root)\n" NOOK_RUN_OVERRIDES_HELP
      "  --toolbox            A toolbox container: NAME BUNDLE and run's options\n"
      "                       follow (see 'nook create --toolbox --help')\n"
      "  -h, --help           Show this help\n";

gboolean
nook_cmd_create (int argc, char **argv, const NookGlobalOptions *globals, int *out_status,
                 GError **error)
{
  g_autofree char *bundle = NULL, *pid_file = NULL, *console_socket = NULL, *rootfs = NULL;
  g_auto (GStrv) env = NULL, volumes = NULL, devices = NULL;
  g_autofree char *workdir = NULL;
  g_autoptr (NookOverrides) overrides = NULL;
  gboolean help = FALSE, no_keyring = FALSE, no_pivot = FALSE, no_cache = FALSE;
  gboolean init = FALSE;
  int preserve_fds = 0;
  NookRequest request = { 0 };
  const char *id;
  GOptionEntry entries[] = {
    { "bundle", 'b', 0, G_OPTION_ARG_FILENAME, &bundle, NULL, NULL },
    { "pid-file", 0, 0, G_OPTION_ARG_FILENAME, &pid_file, NULL, NULL },
    { "console-socket", 0, 0, G_OPTION_ARG_FILENAME, &console_socket, NULL, NULL },
    { "preserve-fds", 0, 0, G_OPTION_ARG_INT, &preserve_fds, NULL, NULL },
    { "rootfs", 0, 0, G_OPTION_ARG_STRING, &rootfs, NULL, NULL },
    { "no-filter-cache", 0, 0, G_OPTION_ARG_NONE, &no_cache, NULL, NULL },
    { "init", 0, 0, G_OPTION_ARG_NONE, &init, NULL, NULL },
    { "no-new-keyring", 0, 0, G_OPTION_ARG_NONE, &no_keyring, NULL, NULL },
    { "no-pivot", 0, 0, G_OPTION_ARG_NONE, &no_pivot, NULL, NULL },
    { "env", 'e', 0, G_OPTION_ARG_STRING_ARRAY, &env, NULL, NULL },
    { "volume", 'v', 0, G_OPTION_ARG_FILENAME_ARRAY, &volumes, NULL, NULL },
    { "workdir", 'w', 0, G_OPTION_ARG_FILENAME, &workdir, NULL, NULL },
    { "device", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &devices, NULL, NULL },
    { "help", 'h', 0, G_OPTION_ARG_NONE, &help, NULL, NULL },
    { NULL },
  };

  /* create --toolbox NAME BUNDLE is another command under the same verb:
   * its options are run's. */
  for (int i = 1; i < argc && strcmp (argv[i], "--") != 0; i++)
    if (strcmp (argv[i], "--toolbox") == 0)
      {
        memmove (argv + i, argv + i + 1, (argc - i) * sizeof *argv);
        return nook_cmd_create_toolbox (argc - 1, argv, globals, out_status, error);
      }
  if (!nook_cli_parse ("create", entries, FALSE, &argc, &argv, error))
    return FALSE;
  if (nook_cli_help (help, create_usage, out_status))
    return TRUE;
  if (!nook_cli_one_id ("create", argc, argv, &id, error))
    return FALSE;
  if (preserve_fds < 0)
    {
      g_set_error (error, NOOK_ERROR, NOOK_ERROR_USAGE, "create: --preserve-fds: %d is negative",
                   preserve_fds);
      return FALSE;
    }
  overrides = nook_overrides_new ("create", env, volumes, devices, workdir, error);
  if (overrides == NULL)
    return FALSE;
  request.overrides = overrides;
  request.rootfs_mode = NOOK_ROOTFS_BIND;
  if (rootfs != NULL && !nook_rootfs_mode_parse (rootfs, &request.rootfs_mode, error))
    return FALSE;
  request.verb = "create";
  request.id = id;
  request.bundle = bundle ? bundle : ".";
  request.state_root = globals->root;
  request.rootfs_given = TRUE;
  request.detach = TRUE;
  request.pid_file = pid_file;
  request.console_socket = console_socket;
  request.preserve_fds = preserve_fds;
  request.init = init;
  request.use_filter_cache = !no_cache && g_strcmp0 (g_getenv ("NOOK_NO_FILTER_CACHE"), "1") != 0;
  if (!nook_lifecycle_create (&request, error))
    return FALSE;
  *out_status = 0;
  return TRUE;
}
