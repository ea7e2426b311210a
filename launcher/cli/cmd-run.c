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
#include "launcher/errors.h"
#include "launcher/lifecycle/lifecycle.h"
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
  char *bundle;    /* -b, --bundle: runc's form */
  gboolean detach; /* -d: create and start, then exit */
  char *pid_file;
  char *console_socket;
  int preserve_fds;
  gboolean replace; /* --replace: start a named container's layer afresh */
  gboolean init;    /* --init: nook-init as PID 1 (the default of nook's form) */
  gboolean no_init; /* --no-init: the process is PID 1 */
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
  g_free (o->bundle);
  g_free (o->pid_file);
  g_free (o->console_socket);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (NookRunOptions, run_options_clear)

static const char run_usage[]
    = "Usage: nook run [OPTIONS] BUNDLE [COMMAND [ARG...]]\n"
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
      "                      as in runc and crun)\n"
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
    { "bundle", 'b', 0, G_OPTION_ARG_FILENAME, &o->bundle, NULL, NULL },
    { "detach", 'd', 0, G_OPTION_ARG_NONE, &o->detach, NULL, NULL },
    { "pid-file", 0, 0, G_OPTION_ARG_FILENAME, &o->pid_file, NULL, NULL },
    { "console-socket", 0, 0, G_OPTION_ARG_FILENAME, &o->console_socket, NULL, NULL },
    { "preserve-fds", 0, 0, G_OPTION_ARG_INT, &o->preserve_fds, NULL, NULL },
    { "init", 0, 0, G_OPTION_ARG_NONE, &o->init, NULL, NULL },
    { "no-init", 0, 0, G_OPTION_ARG_NONE, &o->no_init, NULL, NULL },
    { "help", 'h', 0, G_OPTION_ARG_NONE, &o->help, NULL, NULL },
    { NULL },
  };
  /* Strict: stop at BUNDLE, what follows belongs to the container's command. */
  if (!nook_cli_parse ("run", entries, TRUE, argc, argv, error))
    return FALSE;
  if (o->tty && o->no_tty)
    {
      g_set_error (error, NOOK_ERROR, NOOK_ERROR_USAGE,
                   "run: --tty and --no-tty exclude each other");
      return FALSE;
    }
  if (o->init && o->no_init)
    {
      g_set_error (error, NOOK_ERROR, NOOK_ERROR_USAGE,
                   "run: --init and --no-init exclude each other");
      return FALSE;
    }
  return TRUE;
}

/* OPTION=VALUE where VALUE must be the one accepted word. */
static gboolean
parse_only_value (const char *option, const char *value, const char *accepted, gboolean *out_set,
                  GError **error)
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

/* runc's form: -b, or one argument that is not a bundle while the current
 * directory is one. */
static gboolean
runc_form (const NookRunOptions *o, int argc, char **argv)
{
  g_autofree char *config = NULL;

  if (o->bundle != NULL)
    return TRUE;
  if (argc != 2 || o->config != NULL)
    return FALSE;
  config = g_build_filename (argv[1], "config.json", NULL);
  return !g_file_test (config, G_FILE_TEST_EXISTS)
         && g_file_test ("config.json", G_FILE_TEST_EXISTS);
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

gboolean
nook_cmd_run (int argc, char **argv, const NookGlobalOptions *globals, int *out_status,
              GError **error)
{
  g_auto (NookRunOptions) o = { 0 };
  NookRequest request = { 0 };

  if (!parse_run_options (&argc, &argv, &o, error))
    return FALSE;
  if (!container_options (&o, &request.options, error))
    return FALSE;
  if (!nook_rootfs_mode_parse (o.rootfs, &request.rootfs_mode, error))
    return FALSE;
  if (o.replace && o.name == NULL)
    {
      g_set_error (error, NOOK_ERROR, NOOK_ERROR_USAGE, "run: --replace needs --name");
      return FALSE;
    }
  if (nook_cli_help (o.help, run_usage, out_status))
    return TRUE;
  if (!nook_cli_first_operand ("run", "BUNDLE", &argc, &argv, error))
    return FALSE;

  if (runc_form (&o, argc, argv))
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
  request.use_filter_cache
      = !o.no_filter_cache && g_strcmp0 (g_getenv ("NOOK_NO_FILTER_CACHE"), "1") != 0;
  if (o.detach)
    return run_detached (&request, globals, out_status, error);
  return nook_lifecycle_run (&request, out_status, error);
}
