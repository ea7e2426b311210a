/* nook enter [OPTIONS] NAME [COMMAND [ARG...]]
 *
 * A session in the named container NAME from any terminal: the container
 * is started (detached, with its stored options) when it is not running,
 * and stops when its last session ends. Without COMMAND the session is
 * the user's login shell. */
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "launcher/cli/commands.h"
#include "launcher/cli/options.h"
#include "launcher/cli/run-options.h"
#include "launcher/errors.h"
#include "launcher/lifecycle/lifecycle.h"
#include "storage/layers.h"

static const char enter_usage[]
    = "Usage: nook enter [OPTIONS] NAME [COMMAND [ARG...]]\n"
      "\n"
      "Run COMMAND, or a login shell, in the named container NAME (made by\n"
      "'nook create --toolbox NAME BUNDLE' or 'nook run --name NAME BUNDLE').\n"
      "A container that is not running is started first, detached, with the\n"
      "options it was made with; it stops when its last session ends. Any number\n"
      "of terminals may enter it at once. In a toolbox container the session is\n"
      "yours (your uid, gid, name and home) in the current directory, or in your\n"
      "home when the container has no such directory; a terminal is used when\n"
      "stdin and stdout are terminals. TERM, LANG, LC_*, DISPLAY, WAYLAND_DISPLAY,\n"
      "XAUTHORITY, XDG_RUNTIME_DIR, DBUS_SESSION_BUS_ADDRESS, SSH_AUTH_SOCK,\n"
      "PULSE_SERVER and COLORTERM are passed in from your environment.\n"
      "\n"
      "Options:\n"
      "  --root                Run as the container's root instead of you\n"
      "  -e, --env K=V         Set K in the session's environment (repeatable)\n"
      "  -w, --workdir DIR     Start in DIR (absolute) instead\n"
      "  -T, --no-tty          Never allocate a terminal\n"
      "  --keep-running        Leave the container running when this session is\n"
      "                        the last to end ('nook stop NAME' stops it)\n"
      "  --no-filter-cache     Compile the seccomp profile, bypassing the store\n"
      "  --userns=MODE         These container options of run may be given: they\n"
      "  --group-add=keep-groups  must then be what NAME was created with\n"
      "  --net=MODE\n"
      "  --ipc=host\n"
      "  --pid=host\n"
      "  --uts=host\n"
      "  --dns=bundle\n"
      "  --rootfs=MODE\n"
      "  -h, --help            Show this help\n";

typedef struct
{
  gboolean root;
  char **env;
  char *workdir;
  gboolean no_tty;
  gboolean keep_running;
} EnterOptions;

static void
enter_options_clear (EnterOptions *o)
{
  g_strfreev (o->env);
  g_free (o->workdir);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (EnterOptions, enter_options_clear)

static gboolean
parse_enter_options (int *argc, char ***argv, EnterOptions *e, NookRunOptions *o, GError **error)
{
  GOptionEntry entries[5 + NOOK_RUN_CONTAINER_ENTRIES] = {
    { "root", 0, 0, G_OPTION_ARG_NONE, &e->root, NULL, NULL },
    { "env", 'e', 0, G_OPTION_ARG_STRING_ARRAY, &e->env, NULL, NULL },
    { "workdir", 'w', 0, G_OPTION_ARG_FILENAME, &e->workdir, NULL, NULL },
    { "no-tty", 'T', 0, G_OPTION_ARG_NONE, &e->no_tty, NULL, NULL },
    { "keep-running", 0, 0, G_OPTION_ARG_NONE, &e->keep_running, NULL, NULL },
  };

  nook_run_options_container_entries (o, entries + 5);
  /* Strict: stop at NAME, what follows belongs to the command. */
  return nook_cli_parse ("enter", entries, TRUE, argc, argv, error);
}

/* The host variables a desktop session needs inside: terminal, locale,
 * display, sound, session bus, ssh agent. */
static gboolean
forwarded (const char *name)
{
  static const char *const names[] = {
    "TERM",          "COLORTERM",       "LANG",
    "LANGUAGE",      "DISPLAY",         "WAYLAND_DISPLAY",
    "XAUTHORITY",    "XDG_RUNTIME_DIR", "DBUS_SESSION_BUS_ADDRESS",
    "SSH_AUTH_SOCK", "PULSE_SERVER",    NULL,
  };

  return g_str_has_prefix (name, "LC_") || g_strv_contains (names, name);
}

static char **
session_env (const EnterOptions *e, const struct passwd *pw, gboolean toolbox)
{
  g_auto (GStrv) host = g_get_environ ();
  GPtrArray *env = g_ptr_array_new ();

  for (char **v = host; *v; v++)
    {
      g_autofree char *name = g_strndup (*v, strcspn (*v, "="));

      if (strchr (*v, '=') != NULL && forwarded (name))
        g_ptr_array_add (env, g_strdup (*v));
    }
  if (toolbox && pw != NULL)
    {
      const char *user = e->root ? "root" : pw->pw_name;

      g_ptr_array_add (env, g_strdup_printf ("USER=%s", user));
      g_ptr_array_add (env, g_strdup_printf ("LOGNAME=%s", user));
      g_ptr_array_add (env, g_strdup_printf ("HOME=%s", e->root ? "/root" : pw->pw_dir));
    }
  for (char **v = e->env; v && *v; v++)
    g_ptr_array_add (env, g_strdup (*v));
  g_ptr_array_add (env, NULL);
  return (char **)g_ptr_array_free (env, FALSE);
}

/* How the container starts when it is not running: its stored options
 * (completed by, and checked against, the ones given), detached, its
 * process an idle loop that ends on SIGTERM. */
static gboolean
start_request (const char *name, const NookLayerInfo *info, NookRunOptions *o,
               const NookGlobalOptions *globals, NookRequest *r, NookOverrides **out_overrides,
               GError **error)
{
  static char *idle[]
      = { "/bin/sh", "-c", "trap 'exit 0' TERM INT HUP; while :; do sleep 3600 & wait $!; done",
          NULL };

  if (info->options != NULL
      && !nook_run_options_merge_stored ("enter", name, info->options, o, error))
    return FALSE;
  if (o->rootfs == NULL && info->rootfs[0] != '\0')
    o->rootfs = g_strdup (info->rootfs);
  if (!nook_run_options_apply ("enter", o, r, error))
    return FALSE;
  *out_overrides = nook_overrides_new ("enter", o->env, o->volumes, o->devices, o->workdir, error);
  if (*out_overrides == NULL)
    return FALSE;
  r->overrides = *out_overrides;
  r->verb = "enter";
  r->bundle = info->bundle;
  r->name = name;
  r->state_root = globals->root;
  r->rootfs_given = o->rootfs != NULL;
  r->detach = TRUE;
  r->no_tty = TRUE;
  r->command = idle;
  r->entered = TRUE;
  /* PID 1 reaps what sessions leave behind and passes stop's SIGTERM on. */
  r->init = TRUE;
  r->use_filter_cache
      = !o->no_filter_cache && g_strcmp0 (g_getenv ("NOOK_NO_FILTER_CACHE"), "1") != 0;
  return TRUE;
}

gboolean
nook_cmd_enter (int argc, char **argv, const NookGlobalOptions *globals, int *out_status,
                GError **error)
{
  g_auto (EnterOptions) e = { 0 };
  g_auto (NookRunOptions) o = { 0 };
  g_autoptr (NookLayerInfo) info = NULL;
  g_autoptr (NookOverrides) overrides = NULL;
  g_autoptr (GError) local = NULL;
  g_auto (GStrv) env = NULL;
  g_autofree char *user = NULL;
  g_autofree char *cwd = NULL;
  struct passwd *pw = getpwuid (getuid ());
  NookRequest start = { 0 };
  NookEnterRequest r = { .start = &start };
  const char *name;

  if (!parse_enter_options (&argc, &argv, &e, &o, error))
    return FALSE;
  if (nook_cli_help (o.help, enter_usage, out_status))
    return TRUE;
  if (!nook_cli_first_operand ("enter", "NAME", &argc, &argv, error))
    return FALSE;
  name = argv[1];
  if (e.workdir != NULL && !g_path_is_absolute (e.workdir))
    {
      nook_cli_usage_error (error, "enter", "--workdir %s: not an absolute path", e.workdir);
      return FALSE;
    }
  info = nook_layer_info_load (name, &local);
  if (info == NULL && g_error_matches (local, G_FILE_ERROR, G_FILE_ERROR_NOENT))
    {
      g_set_error (error, NOOK_ERROR, NOOK_ERROR_USAGE,
                   "enter: no container %s (make one with 'nook create --toolbox %s BUNDLE' "
                   "or 'nook run --name %s BUNDLE')",
                   name, name, name);
      return FALSE;
    }
  if (info == NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local));
      return FALSE;
    }
  if (!start_request (name, info, &o, globals, &start, &overrides, error))
    return FALSE;

  r.keep_running = e.keep_running;
  r.exec.id = name;
  r.exec.state_root = globals->root;
  r.exec.command = argc > 2 ? argv + 2 : NULL;
  r.exec.login_shell = TRUE;
  r.exec.env = env = session_env (&e, pw, o.toolbox);
  r.exec.tty = !e.no_tty && isatty (STDIN_FILENO) && isatty (STDOUT_FILENO);
  r.exec.use_filter_cache = start.use_filter_cache;
  if (e.root)
    r.exec.user = "0:0";
  else if (o.toolbox)
    r.exec.user = user = g_strdup_printf ("%u:%u", (unsigned)getuid (), (unsigned)getgid ());
  /* A toolbox follows you: the same directory inside (your home is
   * there), or your home when the container lacks it. */
  if (e.workdir != NULL)
    r.exec.cwd = e.workdir;
  else if (o.toolbox && (cwd = g_get_current_dir ()) != NULL && g_path_is_absolute (cwd))
    {
      r.exec.cwd = cwd;
      r.exec.cwd_fallback = e.root ? "/root" : pw ? pw->pw_dir : "/";
    }
  return nook_lifecycle_enter (&r, out_status, error);
}
