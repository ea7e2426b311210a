/* nook: exec, a process started in a running container: find the
 * container, load its config (its seccomp program from the store), make
 * the process (config.json's, or --process FILE's, with the command
 * line's overrides), start it in the container's namespaces and wait. */
#include "launcher/lifecycle/lifecycle.h"
#include "launcher/lifecycle/prepare.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "launcher/container/exec.h"
#include "launcher/errors.h"
#include "storage/state.h"

/* The running container: its state as decided now. A created container
 * (its process waiting for start) can be entered too, as with runc. */
static NookStateInfo *
load_target (const char *root, const char *id, NookContainerOptions *out_options, GError **error)
{
  g_autoptr (NookStateInfo) info = nook_state_load (root, id, error);

  if (info == NULL)
    {
      g_prefix_error (error, "exec: ");
      return NULL;
    }
  if (info->status != NOOK_STATUS_RUNNING && info->status != NOOK_STATUS_CREATED)
    {
      g_set_error (error, NOOK_ERROR, NOOK_ERROR_FAILED, "exec: container %s is %s", id,
                   info->status == NOOK_STATUS_STOPPED ? "not running" : "still being created");
      return NULL;
    }
  /* The run options that shape the process: who keep-id runs it as, and
   * whether setgroups keeps the caller's groups. */
  out_options->userns = g_strcmp0 (nook_state_pairs_get (info->options, "userns"), "keep-id") == 0
                            ? NOOK_USERNS_KEEP_ID
                            : NOOK_USERNS_AUTO;
  out_options->keep_groups
      = g_strcmp0 (nook_state_pairs_get (info->options, "group-add"), "keep-groups") == 0;
  out_options->toolbox = g_strcmp0 (nook_state_pairs_get (info->options, "toolbox"), "yes") == 0;
  return g_steal_pointer (&info);
}

static gboolean G_GNUC_PRINTF (2, 3) usage_error (GError **error, const char *format, ...)
{
  g_autofree char *message = NULL;
  va_list ap;

  va_start (ap, format);
  message = g_strdup_vprintf (format, ap);
  va_end (ap);
  g_set_error (error, NOOK_ERROR, NOOK_ERROR_USAGE, "exec: %s", message);
  return FALSE;
}

static gboolean
is_number (const char *s)
{
  return s[0] != '\0' && strspn (s, "0123456789") == strlen (s);
}

/* -u USER[:GROUP], each a number (as runc) or a name from the container's
 * /etc/passwd and /etc/group. Numbers are set here; names go to the child,
 * which looks them up once it has joined the container (nook_init_exec_main:
 * the container's root is a FUSE mount nook cannot read from outside). A
 * user name without GROUP takes the user's primary group; a number without
 * GROUP keeps the process's gid. */
static gboolean
apply_user (NookProcess *p, const char *user, NookExecJoin *join, GError **error)
{
  g_auto (GStrv) parts = g_strsplit (user, ":", 2);
  guint64 n;

  if (parts[0][0] == '\0' || (parts[1] != NULL && parts[1][0] == '\0'))
    return usage_error (error, "--user %s: expected USER[:GROUP], each a name or a number", user);
  if (!is_number (parts[0]))
    join->user_name = g_strdup (parts[0]);
  else if (!g_ascii_string_to_unsigned (parts[0], 10, 0, G_MAXUINT32 - 1, &n, NULL))
    return usage_error (error, "--user: uid %s is out of range", parts[0]);
  else
    p->uid = (guint32)n;
  join->user_group_given = parts[1] != NULL;
  if (parts[1] == NULL)
    ;
  else if (!is_number (parts[1]))
    join->group_name = g_strdup (parts[1]);
  else if (!g_ascii_string_to_unsigned (parts[1], 10, 0, G_MAXUINT32 - 1, &n, NULL))
    return usage_error (error, "--user: gid %s is out of range", parts[1]);
  else
    p->gid = (guint32)n;
  join->user_spec = g_strdup (user);
  return TRUE;
}

/* -g GID (repeatable): added to process.user.additionalGids, as runc. */
static gboolean
apply_additional_gids (NookProcess *p, char **gids, GError **error)
{
  guint n = gids ? g_strv_length (gids) : 0;

  if (n == 0)
    return TRUE;
  p->additional_gids = g_renew (guint32, p->additional_gids, p->n_additional_gids + n);
  for (guint i = 0; i < n; i++)
    {
      guint64 v;

      if (!g_ascii_string_to_unsigned (gids[i], 10, 0, G_MAXUINT32 - 1, &v, NULL))
        return usage_error (error, "--additional-gids %s: expected a gid (a number)", gids[i]);
      p->additional_gids[p->n_additional_gids++] = (guint32)v;
    }
  return TRUE;
}

/* HOME, when neither process.env nor -e gives it: the child sets the
 * process user's home from the container's /etc/passwd (the entry -u NAME
 * named, or the first with the uid), or "/", as runc and crun. */
static void
apply_home (const NookProcess *p, NookExecJoin *join)
{
  join->set_home = g_environ_getenv (p->env, "HOME") == NULL;
}

/* --cap: into the bounding, effective and permitted sets, and ambient when
 * the process has inheritable ones (ambient needs inheritable), as runc. */
static gboolean
apply_caps (NookProcess *p, char **caps, GError **error)
{
  for (char **cap = caps; cap && *cap; cap++)
    {
      int n = nook_config_cap_from_name (*cap);
      guint64 bit;

      if (n < 0)
        {
          g_set_error (error, NOOK_ERROR, NOOK_ERROR_USAGE, "exec: --cap %s: unknown capability",
                       *cap);
          return FALSE;
        }
      bit = G_GUINT64_CONSTANT (1) << n;
      p->caps.bounding |= bit;
      p->caps.effective |= bit;
      p->caps.permitted |= bit;
      if (p->caps.inheritable != 0)
        p->caps.ambient |= bit;
    }
  return TRUE;
}

static gboolean
apply_env (NookProcess *p, char **env, GError **error)
{
  /* As run's -e (config/overrides.h): NAME alone takes nook's value. */
  for (char **e = env; e && *e; e++)
    {
      g_autofree char *entry = NULL;
      char *entries[2] = { NULL, NULL };

      if (!nook_overrides_parse_env (*e, &entry, error))
        {
          g_prefix_error (error, "exec: ");
          return FALSE;
        }
      entries[0] = entry;
      p->env = nook_overrides_setenv (p->env, entries);
    }
  return TRUE;
}

/* run's and create's -e, which the container's process got and config.json
 * does not hold (lifecycle/create.c): an exec's process gets them as well,
 * as podman exec gets the container's environment; exec's own -e after. */
static void
apply_stored_env (NookProcess *p, char **options)
{
  for (char **o = options; o && o[0] && o[1]; o += 2)
    if (g_str_has_prefix (o[0], NOOK_STATE_ENV_PREFIX))
      p->env = g_environ_setenv (p->env, o[0] + strlen (NOOK_STATE_ENV_PREFIX), o[1], TRUE);
}

/* run's and create's -w (lifecycle/create.c), unless --cwd says. */
static void
apply_stored_cwd (NookProcess *p, char **options)
{
  const char *cwd = nook_state_pairs_get (options, NOOK_STATE_CWD);

  if (cwd != NULL)
    {
      g_free (p->cwd);
      p->cwd = g_strdup (cwd);
    }
}

/* --userns=keep-id ran config.json's 0:0 process as the caller, without
 * capabilities and with the caller's HOME: so does exec, unless -u says. */
static void
apply_keep_id (NookProcess *p, const NookContainerOptions *options)
{
  if (options->userns != NOOK_USERNS_KEEP_ID || p->uid != 0 || p->gid != 0)
    return;
  p->uid = getuid ();
  p->gid = getgid ();
  memset (&p->caps, 0, sizeof p->caps);
  p->env = g_environ_setenv (p->env, "HOME", g_get_home_dir (), TRUE);
}

/* The process's labels, named as the user gave them: the option, the
 * --process FILE, or config.json. */
static gboolean
check_lsm (const NookExecRequest *r, const NookConfig *config, GPtrArray *warnings, GError **error)
{
  const NookProcess *p = &config->process;
  const char *path = r->process_file ? r->process_file : config->config_path;

  return nook_container_check_lsm (r->apparmor ? NULL : path,
                                   r->apparmor       ? "exec: --apparmor"
                                   : r->process_file ? "apparmorProfile"
                                                     : "process.apparmorProfile",
                                   p->apparmor_profile, "apparmor", warnings, error)
         && nook_container_check_lsm (r->process_label ? NULL : path,
                                      r->process_label  ? "exec: --process-label"
                                      : r->process_file ? "selinuxLabel"
                                                        : "process.selinuxLabel",
                                      p->selinux_label, "selinux", warnings, error);
}

/* config->process becomes the exec's process. */
static gboolean
make_process (const NookExecRequest *r, const NookContainerOptions *options, char **stored_options,
              NookConfig *config, NookExecJoin *join, GPtrArray *warnings, GError **error)
{
  NookProcess *p = &config->process;

  if (r->process_file != NULL)
    {
      NookProcess from_file;

      if (r->command || r->env || r->cwd || r->user || r->caps || r->no_new_privs
          || r->additional_gids || r->apparmor || r->process_label)
        return usage_error (error, "--process FILE gives the whole process: COMMAND, --env, "
                                   "--cwd, --user, --additional-gids, --cap, --no-new-privs, "
                                   "--apparmor and --process-label cannot be added");
      if (!nook_config_load_process (r->process_file, &from_file, error))
        return FALSE;
      nook_config_process_clear (p);
      *p = from_file;
      apply_home (p, join);
      return check_lsm (r, config, warnings, error);
    }
  if (!r->login_shell && (r->command == NULL || r->command[0] == NULL))
    return usage_error (error, "missing COMMAND (see 'nook exec --help')");
  g_strfreev (p->args);
  if (r->command == NULL || r->command[0] == NULL)
    {
      /* The shell is the user's, in the container: the child knows it. */
      p->args = g_strdupv ((char *[]){ "/bin/sh", "-l", NULL });
      join->login_shell = TRUE;
    }
  else
    p->args = g_strdupv (r->command);
  join->cwd_fallback = g_strdup (r->cwd_fallback);
  if (r->user == NULL)
    apply_keep_id (p, options);
  else if (!apply_user (p, r->user, join, error))
    return FALSE;
  if (r->cwd == NULL)
    apply_stored_cwd (p, stored_options);
  else
    {
      if (!g_path_is_absolute (r->cwd))
        return usage_error (error, "--cwd must be an absolute path");
      g_free (p->cwd);
      p->cwd = g_strdup (r->cwd);
    }
  if (r->apparmor != NULL)
    {
      g_free (p->apparmor_profile);
      p->apparmor_profile = g_strdup (r->apparmor);
    }
  if (r->process_label != NULL)
    {
      g_free (p->selinux_label);
      p->selinux_label = g_strdup (r->process_label);
    }
  /* A toolbox session may sudo (lifecycle/prepare.c). */
  if (options->toolbox)
    p->no_new_privileges = FALSE;
  p->no_new_privileges |= r->no_new_privs;
  apply_stored_env (p, stored_options);
  if (!check_lsm (r, config, warnings, error) || !apply_env (p, r->env, error)
      || !apply_caps (p, r->caps, error) || !apply_additional_gids (p, r->additional_gids, error))
    return FALSE;
  apply_home (p, join);
  return TRUE;
}

static gboolean
check_terminal (const NookExecRequest *r, gboolean terminal, GError **error)
{
  if (terminal && r->detach && r->console_socket == NULL)
    return usage_error (error, "--tty with --detach needs --console-socket (nothing would "
                               "hold the terminal)");
  if (!terminal && r->console_socket != NULL)
    return usage_error (error, "--console-socket needs a terminal (--tty, or terminal: true "
                               "in --process FILE)");
  return TRUE;
}

/* The fds --preserve-fds passes must be the caller's: one that is not open
 * would be taken by the first fd nook opens (its pidfd of the container,
 * its sync socket), which would then pass into the container. */
static gboolean
check_preserved_fds (int n, GError **error)
{
  for (int fd = 3; fd < 3 + n; fd++)
    if (fcntl (fd, F_GETFD) < 0)
      {
        g_set_error (error, NOOK_ERROR, NOOK_ERROR_USAGE,
                     "exec: --preserve-fds %d: fd %d is not open", n, fd);
        return FALSE;
      }
  return TRUE;
}

static gboolean
write_pid_file (pid_t pid, gpointer data, GError **error)
{
  return nook_lifecycle_write_pid_file (data, pid, error);
}

/* The pidfd pins the process; is it still the container's? */
static gboolean
check_same_process (const NookStateInfo *info, const char *id, GError **error)
{
  if (info->start_time == 0 || nook_proc_start_time (info->pid) == info->start_time)
    return TRUE;
  g_set_error (error, NOOK_ERROR, NOOK_ERROR_FAILED, "exec: container %s is not running", id);
  return FALSE;
}

gboolean
nook_lifecycle_exec (const NookExecRequest *r, int *out_status, GError **error)
{
  g_autoptr (NookStateInfo) info = NULL;
  g_autoptr (NookConfig) config = NULL;
  g_autoptr (NookContainer) container = NULL;
  g_autoptr (GPtrArray) warnings = g_ptr_array_new_with_free_func (g_free);
  NookContainerOptions options = { 0 };
  NookExecJoin join = { .pidfd = -1 };
  NookExecOptions o = { r->detach, r->console_socket, NULL, (gpointer)r->pid_file };
  gboolean terminal, ok;

  if (r->preserve_fds < 0)
    return usage_error (error, "--preserve-fds must not be negative");
  if (!check_preserved_fds (r->preserve_fds, error))
    return FALSE;
  if ((info = load_target (r->state_root, r->id, &options, error)) == NULL)
    return FALSE;
  config = nook_lifecycle_load_config (info->bundle, info->config_path, r->use_filter_cache,
                                       warnings, error);
  if (config == NULL)
    return FALSE;
  ok = nook_exec_join_open (info->pid, r->id, &join, error)
       && check_same_process (info, r->id, error)
       && make_process (r, &options, info->options, config, &join, warnings, error);
  terminal = r->tty || (r->process_file != NULL && config->process.terminal);
  if (r->pid_file != NULL)
    o.started = write_pid_file;
  ok = ok && check_terminal (r, terminal, error)
       && (container = nook_container_new_exec (config, &options, &join, terminal,
                                                r->use_filter_cache, warnings, error))
              != NULL;
  if (ok)
    {
      container->preserve_fds = r->preserve_fds;
      container->detached = r->detach;
      nook_lifecycle_print_warnings (warnings);
      ok = nook_container_exec (container, &join, &o, out_status, error);
    }
  nook_exec_join_clear (&join);
  return ok;
}
