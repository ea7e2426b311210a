/* nook run [OPTIONS] BUNDLE [COMMAND [ARG...]]
 * nook run [-b DIR] [-d] [--pid-file F] [--console-socket S] [--preserve-fds N] ID
 *
 * Two forms: nook's own (a bundle, and a command to run in it) and runc's
 * (a container id; the bundle is -b or the current directory). The rule
 * that tells them apart (run_form) is in --help and README. */
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "launcher/cli/commands.h"
#include "launcher/cli/options.h"
#include "launcher/cli/run-options.h"
#include "launcher/errors.h"
#include "launcher/lifecycle/lifecycle.h"
#include "storage/layers.h"
#include "storage/state.h"

static const char run_usage[]
    = "Usage: nook run [OPTIONS] BUNDLE [COMMAND [ARG...]]\n"
      "       nook run --name NAME [OPTIONS] [COMMAND [ARG...]]   (NAME exists)\n"
      "       nook run [-b DIR] [-d] [--pid-file F] [--console-socket S] ID   (runc's form)\n"
      "\n"
      "runc's form is taken when -b/--bundle is given, or when the one argument\n"
      "is not a directory holding config.json while the current directory holds\n"
      "one: the argument is then the container's id, the bundle's rootfs is used\n"
      "in place (--rootfs=bind, as runc does) and no COMMAND may follow.\n"
      "\n"
      "Run the OCI bundle in directory BUNDLE as the calling user and wait for it.\n"
      "COMMAND replaces process.args of the config. nook exits with the process's\n"
      "status (128+N when it was killed by signal N), 125 when nook itself fails,\n"
      "126 when COMMAND cannot be executed and 127 when it is not found.\n"
      "\n"
      "Options:\n"
      "  -c, --config FILE   Read FILE instead of BUNDLE/config.json\n"
      "  -n, --name NAME     Container name (default: a random id). A named container\n"
      "                      keeps its layer, bundle and options (--userns, --net,\n"
      "                      ...): later runs may leave them, and BUNDLE, out\n"
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
      "  -b, --bundle DIR    runc's form: the bundle directory (default: .)\n"
      "  -d, --detach        Create and start the container, then exit; it runs on\n"
      "                      (nook state, kill, delete; the id is printed when nook\n"
      "                      chose it)\n"
      "  --pid-file FILE     Write the container process's pid to FILE\n"
      "  --console-socket S  With -d and a terminal: send the pty master to the\n"
      "                      unix socket S (SCM_RIGHTS)\n"
      "  --preserve-fds N    Pass fds 3 to 3+N-1 into the container's process\n"
      "  --no-init           The process is PID 1 of the container (the OCI way):\n"
      "                      without a handler it ignores SIGTERM and SIGINT, and\n"
      "                      nobody else reaps orphans. By default a small init\n"
      "                      (nook-init) is PID 1: it forwards signals to the\n"
      "                      process, reaps zombies and exits as the process did\n"
      "  --init              runc's form: run nook-init as PID 1 (off by default,\n"
      "                      as in runc and crun)\n" NOOK_RUN_OVERRIDES_HELP
      "  -h, --help          Show this help\n";

static gboolean
is_bundle (const char *dir)
{
  g_autofree char *config = g_build_filename (dir, "config.json", NULL);

  return g_file_test (config, G_FILE_TEST_EXISTS);
}

/* runc's form: -b, or one argument that is not a bundle while the current
 * directory is one. */
static gboolean
runc_form (const NookRunOptions *o, int argc, char **argv)
{
  if (o->bundle != NULL)
    return TRUE;
  if (argc != 2 || o->config != NULL)
    return FALSE;
  return !is_bundle (argv[1]) && is_bundle (".");
}

/* create, then start; the id goes to stdout when nook chose it. */
static gboolean
run_detached (NookRequest *request, const NookGlobalOptions *globals, int *out_status,
              GError **error)
{
  g_autofree char *generated = NULL;

  if (request->id == NULL && request->name == NULL)
    request->id = generated = nook_state_generate_id ();
  if (!nook_lifecycle_create (request, error))
    return FALSE;
  if (!nook_lifecycle_start (globals->root, request->id ? request->id : request->name, error))
    {
      nook_lifecycle_delete (globals->root, request->id ? request->id : request->name, TRUE, NULL);
      return FALSE;
    }
  if (generated != NULL)
    printf ("%s\n", generated);
  *out_status = 0;
  return TRUE;
}

/* A named container that exists: the options it was created with
 * complete (and must agree with) the ones given, and without a BUNDLE
 * operand its bundle is the stored one. */
static gboolean
reuse_named (NookRunOptions *o, int *argc, char ***argv, char **out_bundle, GError **error)
{
  g_autoptr (NookLayerInfo) info = NULL;
  g_autoptr (GError) local = NULL;

  *out_bundle = NULL;
  if (o->name == NULL || o->replace || o->bundle != NULL)
    return TRUE;
  info = nook_layer_info_load (o->name, &local);
  if (info == NULL)
    return TRUE; /* new, or damaged: the layer itself says which, later */
  if (info->options != NULL
      && !nook_run_options_merge_stored ("run", o->name, info->options, o, error))
    return FALSE;
  if (o->rootfs == NULL && info->rootfs[0] != '\0')
    o->rootfs = g_strdup (info->rootfs);
  if (info->bundle[0] == '\0')
    return TRUE;
  /* argv[0] is the verb. "--" ends the options: then a COMMAND follows.
   * Otherwise the first operand is the BUNDLE only when it is one. */
  if (*argc > 1 && strcmp ((*argv)[1], "--") == 0)
    {
      (*argv)[1] = (*argv)[0];
      (*argc)--, (*argv)++;
    }
  else if (*argc > 1 && is_bundle ((*argv)[1]))
    return TRUE;
  *out_bundle = g_strdup (info->bundle);
  return TRUE;
}

gboolean
nook_cmd_run (int argc, char **argv, const NookGlobalOptions *globals, int *out_status,
              GError **error)
{
  g_auto (NookRunOptions) o = { 0 };
  g_auto (GStrv) stored = NULL;
  g_autofree char *stored_bundle = NULL;
  g_autoptr (NookOverrides) overrides = NULL;
  NookRequest request = { 0 };

  if (!nook_run_options_parse ("run", &argc, &argv, &o, error))
    return FALSE;
  if (nook_cli_help (o.help, run_usage, out_status))
    return TRUE;
  if (!reuse_named (&o, &argc, &argv, &stored_bundle, error))
    return FALSE;
  if (!nook_run_options_apply ("run", &o, &request, error))
    return FALSE;
  if (o.replace && o.name == NULL)
    {
      g_set_error (error, NOOK_ERROR, NOOK_ERROR_USAGE, "run: --replace needs --name");
      return FALSE;
    }
  if (stored_bundle == NULL && !nook_cli_first_operand ("run", "BUNDLE", &argc, &argv, error))
    return FALSE;
  overrides = nook_overrides_new ("run", o.env, o.volumes, o.devices, o.workdir, error);
  if (overrides == NULL)
    return FALSE;

  if (stored_bundle != NULL)
    {
      request.bundle = stored_bundle;
      request.command = argc > 1 ? argv + 1 : NULL;
      request.rootfs_given = o.rootfs != NULL;
      request.init = !o.no_init;
    }
  else if (runc_form (&o, argc, argv))
    {
      if (argc != 2)
        {
          g_set_error (error, NOOK_ERROR, NOOK_ERROR_USAGE,
                       "run: runc's form (-b DIR ID) takes no COMMAND after the id");
          return FALSE;
        }
      request.id = argv[1];
      request.bundle = o.bundle ? o.bundle : ".";
      if (o.rootfs == NULL)
        request.rootfs_mode = NOOK_ROOTFS_BIND;
      request.rootfs_given = TRUE;
      /* As runc and crun: the process is PID 1 unless asked. */
      request.init = o.init;
    }
  else
    {
      /* nook run BUNDLE -- COMMAND...: the "--" only separates. */
      if (argc >= 3 && g_strcmp0 (argv[2], "--") == 0)
        {
          argv[2] = argv[1];
          argc--, argv++;
        }
      request.bundle = argv[1];
      request.command = argc > 2 ? argv + 2 : NULL;
      request.rootfs_given = o.rootfs != NULL;
      /* Scripts get the host's semantics: signals, zombies, 128+N. */
      request.init = !o.no_init;
    }
  if (!o.detach && (o.console_socket != NULL))
    {
      g_set_error (error, NOOK_ERROR, NOOK_ERROR_USAGE,
                   "run: --console-socket goes with -d (in the foreground the terminal is "
                   "nook's own)");
      return FALSE;
    }
  request.verb = "run";
  request.config_path = o.config;
  request.name = o.name;
  request.state_root = globals->root;
  request.rm = o.rm;
  request.replace = o.replace;
  request.tty = o.tty;
  request.no_tty = o.no_tty;
  request.detach = o.detach;
  request.pid_file = o.pid_file;
  request.console_socket = o.console_socket;
  request.preserve_fds = o.preserve_fds;
  request.stored_options = stored = nook_run_options_to_stored (&o);
  request.overrides = overrides;
  request.use_filter_cache
      = !o.no_filter_cache && g_strcmp0 (g_getenv ("NOOK_NO_FILTER_CACHE"), "1") != 0;
  if (o.detach)
    return run_detached (&request, globals, out_status, error);
  return nook_lifecycle_run (&request, out_status, error);
}
