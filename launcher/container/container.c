/* nook: preparing a container in the parent, before clone(): everything the
 * child will need is computed and checked here, where errors are cheap. */
#include "launcher/container/container.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <sched.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "launcher/container/userdb.h"
#include "launcher/errors.h"
#include "launcher/seccomp/seccomp-prepare.h"
#include "userns/userns.h"

#define DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

void
nook_container_free (NookContainer *c)
{
  if (c == NULL)
    return;
  g_strfreev (c->argv);
  g_free (c->passwd_line);
  g_free (c->sudoers_line);
  g_free (c->user_name);
  g_free (c->group_line);
  g_strfreev (c->own_envp);
  g_clear_pointer (&c->idmap, nook_idmap_plan_free);
  g_clear_pointer (&c->seccomp, nook_bpf_program_free);
  g_clear_pointer (&c->pasta, nook_pasta_free);
  g_clear_pointer (&c->rootfs, nook_rootfs_free);
  for (int i = 0; i < NOOK_NS_COUNT; i++)
    if (c->ns_fds[i] >= 0)
      close (c->ns_fds[i]);
  if (c->exec_fifo_fd >= 0)
    close (c->exec_fifo_fd);
  if (c->init_fd >= 0)
    close (c->init_fd);
  g_free (c);
}

static int
read_last_cap (void)
{
  g_autofree char *text = NULL;

  if (!g_file_get_contents ("/proc/sys/kernel/cap_last_cap", &text, NULL, NULL))
    return 40; /* CAP_CHECKPOINT_RESTORE, the last one Linux 5.9+ knows */
  return (int)g_ascii_strtoll (text, NULL, 10);
}

/* linux.namespaces with the command line's overrides: --net/--ipc/--pid/
 * --uts=host take the namespace out, --net=none|pasta put a fresh one in. */
static gboolean
namespace_requested (const NookContainer *c, NookNsType type)
{
  const NookContainerOptions *o = &c->options;

  switch (type)
    {
    case NOOK_NS_NETWORK:
      if (o->net == NOOK_NET_HOST)
        return FALSE;
      if (o->net == NOOK_NET_NONE || o->net == NOOK_NET_PASTA)
        return TRUE;
      break;
    case NOOK_NS_IPC:
      if (o->ipc_host)
        return FALSE;
      break;
    case NOOK_NS_PID:
      if (o->pid_host)
        return FALSE;
      break;
    case NOOK_NS_UTS:
      if (o->uts_host)
        return FALSE;
      break;
    default:
      break;
    }
  return c->config->namespaces[type].requested;
}

/* The path to join, unless the command line replaced the namespace. */
static const char *
namespace_path (const NookContainer *c, NookNsType type)
{
  if (type == NOOK_NS_NETWORK && c->options.net != NOOK_NET_CONFIG)
    return NULL;
  return namespace_requested (c, type) ? c->config->namespaces[type].path : NULL;
}

static gboolean
prepare_namespaces (NookContainer *c, GError **error)
{
  const NookConfig *config = c->config;
  const NookNamespace *user = &config->namespaces[NOOK_NS_USER];

  /* A user namespace joined by path already has its maps. */
  c->new_userns = user->requested && user->path == NULL;
  if (!user->requested && geteuid () != 0)
    {
      g_set_error (error, NOOK_ERROR, NOOK_ERROR_CONFIG,
                   "%s: linux.namespaces: a rootless container needs a user namespace "
                   "(add {\"type\": \"user\"})",
                   config->config_path);
      return FALSE;
    }

  for (int i = 0; i < NOOK_NS_COUNT; i++)
    {
      const char *path = namespace_path (c, i);

      if (!namespace_requested (c, i))
        continue;
      if (path == NULL)
        {
          c->clone_flags |= nook_ns_type_clone_flag (i);
          continue;
        }
      c->ns_fds[i] = open (path, O_RDONLY | O_CLOEXEC);
      if (c->ns_fds[i] < 0)
        {
          int err = errno;
          g_set_error (error, NOOK_ERROR, NOOK_ERROR_CONFIG, "%s: %s namespace %s: %s",
                       config->config_path, nook_ns_type_name (i), path, g_strerror (err));
          return FALSE;
        }
    }

  /* --uts=host: the host's name stays; the config's is ignored. */
  if ((config->hostname || config->domainname) && !c->options.uts_host
      && !config->namespaces[NOOK_NS_UTS].requested)
    {
      g_set_error (error, NOOK_ERROR, NOOK_ERROR_CONFIG,
                   "%s: hostname: setting a hostname needs a UTS namespace in linux.namespaces",
                   config->config_path);
      return FALSE;
    }
  c->clone_now_flags = c->ns_fds[NOOK_NS_USER] >= 0 ? 0 : c->clone_flags;
  return TRUE;
}

/* process.user must exist inside the user namespace, and supplementary
 * groups need setgroups(), which a map written without newgidmap denies.
 * Under --userns=keep-id a config that leaves the user at 0:0 runs the
 * process as the caller (the point of keep-id), without the capabilities
 * the config meant for root, as podman does for a non-root user. */
static gboolean
check_user (NookContainer *c, GError **error)
{
  const NookConfig *config = c->config;
  const NookProcess *p = &config->process;
  const NookIdMapPlan *plan = c->idmap;

  c->uid = p->uid;
  c->gid = p->gid;
  if (!c->new_userns)
    return TRUE;
  if (c->options.userns == NOOK_USERNS_KEEP_ID && p->uid == 0 && p->gid == 0)
    {
      c->uid = getuid ();
      c->gid = getgid ();
      c->drop_caps = TRUE;
    }
  if (!nook_idmap_contains (plan->uid_mappings, plan->n_uid, c->uid))
    {
      g_set_error (error, NOOK_ERROR, NOOK_ERROR_CONFIG,
                   "%s: process.user.uid: %u is not mapped in the user namespace (uid map: %s)",
                   config->config_path, c->uid, g_strchomp (plan->uid_map));
      return FALSE;
    }
  if (!nook_idmap_contains (plan->gid_mappings, plan->n_gid, c->gid))
    {
      g_set_error (error, NOOK_ERROR, NOOK_ERROR_CONFIG,
                   "%s: process.user.gid: %u is not mapped in the user namespace (gid map: %s)",
                   config->config_path, c->gid, g_strchomp (plan->gid_map));
      return FALSE;
    }
  if (p->n_additional_gids > 0 && c->options.keep_groups)
    {
      g_set_error (error, NOOK_ERROR, NOOK_ERROR_CONFIG,
                   "%s: process.user.additionalGids: cannot be combined with "
                   "--group-add=keep-groups, which keeps the caller's groups instead",
                   config->config_path);
      return FALSE;
    }
  if (p->n_additional_gids > 0 && plan->deny_setgroups)
    {
      g_set_error (error, NOOK_ERROR, NOOK_ERROR_CONFIG,
                   "%s: process.user.additionalGids: supplementary groups need a gid map with "
                   "subordinate gids (newgidmap); this one maps only your own gid (%s)",
                   config->config_path, g_strchomp (plan->gid_map));
      return FALSE;
    }
  for (guint i = 0; i < p->n_additional_gids; i++)
    if (!nook_idmap_contains (plan->gid_mappings, plan->n_gid, p->additional_gids[i]))
      {
        g_set_error (error, NOOK_ERROR, NOOK_ERROR_CONFIG,
                     "%s: process.user.additionalGids[%u]: %u is not mapped in the user "
                     "namespace (gid map: %s)",
                     config->config_path, i, p->additional_gids[i], g_strchomp (plan->gid_map));
        return FALSE;
      }
  return TRUE;
}

/* --userns=keep-id runs the process as the caller: give it a name and a
 * home, as podman does. */
static void
prepare_keep_id_user (NookContainer *c)
{
  struct passwd *pw;
  struct group *gr;

  if (c->options.userns != NOOK_USERNS_KEEP_ID || c->uid != getuid ()
      || (pw = getpwuid (c->uid)) == NULL || strpbrk (pw->pw_name, ":\n") != NULL
      || strpbrk (pw->pw_dir, ":\n") != NULL)
    return;
  gr = getgrgid (c->gid);
  if (gr != NULL && strpbrk (gr->gr_name, ":\n") != NULL)
    gr = NULL;
  /* A toolbox is the caller's own machine: their shell, and sudo without
   * a password ("x": none in /etc/shadow; busybox rejects an empty field). */
  if (c->options.toolbox)
    {
      const char *shell = pw->pw_shell && pw->pw_shell[0] == '/' && !strpbrk (pw->pw_shell, ":\n")
                              ? pw->pw_shell
                              : "/bin/sh";

      c->passwd_line = g_strdup_printf ("%s:x:%u:%u:%s:%s:%s\n", pw->pw_name, c->uid, c->gid,
                                        pw->pw_name, pw->pw_dir, shell);
      c->sudoers_line = g_strdup_printf ("%s ALL=(ALL:ALL) NOPASSWD: ALL\n", pw->pw_name);
      c->user_name = g_strdup (pw->pw_name);
    }
  else
    c->passwd_line = g_strdup_printf ("%s:*:%u:%u:%s:%s:/bin/sh\n", pw->pw_name, c->uid, c->gid,
                                      pw->pw_name, pw->pw_dir);
  c->group_line = g_strdup_printf ("%s:x:%u:\n", gr ? gr->gr_name : pw->pw_name, c->gid);
  /* The config's HOME was root's when keep-id turned its 0:0 into the
   * caller (drop_caps); one for a user it names itself stays. */
  if ((c->drop_caps && !c->options.home_given) || g_environ_getenv (c->envp, "HOME") == NULL)
    {
      c->own_envp = g_environ_setenv (g_strdupv (c->envp), "HOME", pw->pw_dir, TRUE);
      c->envp = c->own_envp;
    }
}

/* The envp the container owns, to add to. */
static char **
own_envp (NookContainer *c)
{
  if (c->own_envp == NULL)
    c->own_envp = g_strdupv (c->envp);
  c->envp = c->own_envp;
  return c->own_envp;
}

/* runc and crun: without HOME in process.env, the process user's home from
 * the container's /etc/passwd, or "/". */
static void
prepare_home (NookContainer *c)
{
  g_autofree char *passwd = NULL;
  g_autofree char *home = NULL;
  guint32 uid = c->uid;
  int rootfd;

  if (g_environ_getenv (c->envp, "HOME") != NULL)
    return;
  rootfd = open (c->config->root_path, O_PATH | O_DIRECTORY | O_CLOEXEC);
  passwd = nook_userdb_read (rootfd, "etc/passwd");
  if (rootfd >= 0)
    close (rootfd);
  if (passwd != NULL)
    nook_userdb_find_user (passwd, NULL, &uid, NULL, &home);
  c->own_envp = g_environ_setenv (own_envp (c), "HOME", home ? home : "/", TRUE);
  c->envp = c->own_envp;
}

/* Socket activation, as crun: LISTEN_FDS in nook's environment hands fds
 * 3..3+N-1 on to the process, with LISTEN_PID its pid (filled in by the
 * child). They must be open now, before nook opens fds of its own that
 * could take their numbers and leak into the container. */
static gboolean
prepare_listen_fds (NookContainer *c, GError **error)
{
  const char *fds = g_getenv ("LISTEN_FDS");
  const char *names = g_getenv ("LISTEN_FDNAMES");
  const char *pid = g_getenv ("LISTEN_PID");
  guint64 n;

  /* sd_listen_fds(3): fds meant for another process are not ours to pass. */
  if (fds == NULL || !g_ascii_string_to_unsigned (fds, 10, 1, 1024, &n, NULL)
      || (pid != NULL && g_ascii_strtoll (pid, NULL, 10) != getpid ()))
    return TRUE;
  for (int fd = 3; fd < 3 + (int)n; fd++)
    if (fcntl (fd, F_GETFD) < 0)
      {
        g_set_error (error, NOOK_ERROR, NOOK_ERROR_USAGE,
                     "LISTEN_FDS=%s: fd %d is not open, so there is nothing to pass on", fds, fd);
        return FALSE;
      }
  c->listen_fds = n;
  c->own_envp = g_environ_setenv (own_envp (c), "LISTEN_FDS", fds, TRUE);
  if (names != NULL)
    c->own_envp = g_environ_setenv (c->own_envp, "LISTEN_FDNAMES", names, TRUE);
  /* Room for any pid: the child writes its digits over the spaces. */
  c->own_envp = g_environ_setenv (c->own_envp, "LISTEN_PID", "           ", TRUE);
  c->envp = c->own_envp;
  for (char **e = c->envp; *e != NULL; e++)
    if (g_str_has_prefix (*e, "LISTEN_PID="))
      c->listen_pid = *e + strlen ("LISTEN_PID=");
  return TRUE;
}

/* An unprivileged process may raise its OOM score adjustment, not lower it
 * below the one it has: say so before starting, naming the field. */
static gboolean
prepare_oom_score_adj (NookContainer *c, GError **error)
{
  const NookProcess *p = &c->config->process;
  g_autofree char *text = NULL;
  gint64 current = 0;

  if (!p->has_oom_score_adj)
    return TRUE;
  if (g_file_get_contents ("/proc/self/oom_score_adj", &text, NULL, NULL))
    current = g_ascii_strtoll (text, NULL, 10);
  if (p->oom_score_adj < current)
    {
      g_set_error (error, NOOK_ERROR, NOOK_ERROR_CONFIG,
                   "%s: process.oomScoreAdj: %" G_GINT64_FORMAT
                   " is below nook's own (%" G_GINT64_FORMAT
                   "): lowering it needs CAP_SYS_RESOURCE on the host",
                   c->config->config_path, p->oom_score_adj, current);
      return FALSE;
    }
  g_snprintf (c->oom_score_adj, sizeof (c->oom_score_adj), "%" G_GINT64_FORMAT, p->oom_score_adj);
  return TRUE;
}

static gboolean
host_has_lsm (const char *name)
{
  g_autofree char *lsms = NULL;
  g_auto (GStrv) list = NULL;

  if (!g_file_get_contents ("/sys/kernel/security/lsm", &lsms, NULL, NULL))
    return (strcmp (name, "apparmor") == 0
            && g_file_test ("/sys/module/apparmor/parameters/enabled", G_FILE_TEST_EXISTS))
           || (strcmp (name, "selinux") == 0
               && g_file_test ("/sys/fs/selinux", G_FILE_TEST_IS_DIR));
  list = g_strsplit (g_strstrip (lsms), ",", -1);
  return g_strv_contains ((const char *const *)list, name);
}

/* A label for a security module the host does not run cannot be applied,
 * and runs the same without it: a warning. Where the host runs it, nook
 * cannot apply it (yet): refused, rather than run unconfined. */
gboolean
nook_container_check_lsm (const char *path, const char *field, const char *value, const char *lsm,
                          GPtrArray *warnings, GError **error)
{
  if (value == NULL || *value == '\0')
    return TRUE;
  if (host_has_lsm (lsm))
    {
      g_set_error (error, NOOK_ERROR, NOOK_ERROR_CONFIG,
                   "%s%s%s: \"%s\": nook cannot apply %s labels yet", path ? path : "",
                   path ? ": " : "", field, value, lsm);
      return FALSE;
    }
  if (warnings != NULL)
    g_ptr_array_add (warnings, g_strdup_printf ("%s: \"%s\" ignored: the host does not run %s",
                                                field, value, lsm));
  return TRUE;
}

static gboolean
prepare_process_extras (NookContainer *c, GPtrArray *warnings, GError **error)
{
  const NookConfig *config = c->config;

  prepare_home (c);
  if (!prepare_listen_fds (c, error) || !prepare_oom_score_adj (c, error))
    return FALSE;
  if (!nook_container_check_lsm (config->config_path, "process.apparmorProfile",
                                 config->process.apparmor_profile, "apparmor", warnings, error)
      || !nook_container_check_lsm (config->config_path, "process.selinuxLabel",
                                    config->process.selinux_label, "selinux", warnings, error)
      || !nook_container_check_lsm (config->config_path, "linux.mountLabel", config->mount_label,
                                    "selinux", warnings, error))
    return FALSE;
  if (config->process.has_exec_cpu_affinity && warnings != NULL)
    g_ptr_array_add (warnings, g_strdup ("process.execCPUAffinity: ignored (nook does not "
                                         "set CPU affinity)"));
  if (config->has_intel_rdt && warnings != NULL)
    g_ptr_array_add (warnings, g_strdup ("linux.intelRdt: ignored (nook does not manage "
                                         "resctrl or cgroups)"));
  return TRUE;
}

static const char *
find_path_env (char **envp)
{
  for (char **e = envp; e && *e; e++)
    if (g_str_has_prefix (*e, "PATH="))
      return *e + strlen ("PATH=");
  return DEFAULT_PATH;
}

NookContainer *
nook_container_alloc (const NookConfig *config, const NookContainerOptions *options, char **argv)
{
  NookContainer *c = g_new0 (NookContainer, 1);

  c->config = config;
  if (options != NULL)
    c->options = *options;
  c->exec_fifo_fd = -1;
  c->state_lock_fd = -1;
  c->init_fd = -1;
  for (int i = 0; i < NOOK_NS_COUNT; i++)
    c->ns_fds[i] = -1;
  c->argv = g_strdupv (argv);
  c->envp = config->process.env;
  c->path_env = find_path_env (c->envp);
  return c;
}

static gboolean
config_mounts_on (const NookConfig *config, const char *destination)
{
  for (guint i = 0; i < config->n_mounts; i++)
    if (strcmp (config->mounts[i].destination, destination) == 0)
      return TRUE;
  return FALSE;
}

/* The network side: lo up in a fresh namespace, pasta, and the host's
 * resolv.conf and hosts when the container can reach the network (its own
 * namespace is not fresh, or pasta connects it). A bundle that mounts its
 * own, or --dns=bundle, keeps the bundle's. */
static gboolean
prepare_network (NookContainer *c, GError **error)
{
  const NookConfig *config = c->config;
  gboolean fresh = (c->clone_flags & nook_ns_type_clone_flag (NOOK_NS_NETWORK)) != 0;
  gboolean joined = c->ns_fds[NOOK_NS_NETWORK] >= 0;
  gboolean online = (!fresh && !joined) || c->options.net == NOOK_NET_PASTA;

  c->lo_up = fresh;
  if (c->options.net == NOOK_NET_PASTA)
    {
      c->pasta = nook_pasta_new (error);
      if (c->pasta == NULL)
        return FALSE;
    }
  if (online && !c->options.dns_bundle)
    {
      c->bind_resolv_conf = !config_mounts_on (config, "/etc/resolv.conf")
                            && access ("/etc/resolv.conf", R_OK) == 0;
      c->bind_hosts = !config_mounts_on (config, "/etc/hosts") && access ("/etc/hosts", R_OK) == 0;
    }
  return TRUE;
}

/* The capability sets, limited to the running kernel's, and the seccomp
 * program: from the per-user store of compiled programs, or libseccomp. */
gboolean
nook_container_prepare_privileges (NookContainer *c, gboolean use_filter_cache, GPtrArray *warnings,
                                   GError **error)
{
  const NookConfig *config = c->config;
  guint64 cap_mask;

  c->last_cap = read_last_cap ();
  cap_mask = c->last_cap >= 63 ? G_MAXUINT64 : (G_GUINT64_CONSTANT (1) << (c->last_cap + 1)) - 1;
  c->bounding = config->process.caps.bounding & cap_mask;
  c->effective = config->process.caps.effective & cap_mask;
  c->permitted = config->process.caps.permitted & cap_mask;
  c->inheritable = config->process.caps.inheritable & cap_mask;
  c->ambient = config->process.caps.ambient & cap_mask;
  if (c->drop_caps)
    c->effective = c->permitted = c->inheritable = c->ambient = 0;

  if (config->seccomp != NULL)
    {
      /* Build filter: from the per-user store of compiled programs, or libseccomp. */
      c->seccomp = nook_seccomp_prepare (config->seccomp, use_filter_cache, warnings, error);
      if (c->seccomp == NULL)
        {
          g_prefix_error (error, "%s: linux.seccomp: ", config->config_path);
          return FALSE;
        }
      c->seccomp_flags = nook_seccomp_kernel_flags (config->seccomp, warnings);
    }
  return TRUE;
}

NookContainer *
nook_container_new (const NookConfig *config, const NookContainerOptions *options,
                    char **command_override, gboolean use_terminal, gboolean use_filter_cache,
                    GPtrArray *warnings, GError **error)
{
  g_autoptr (NookContainer) c = nook_container_alloc (
      config, options,
      command_override && command_override[0] ? command_override : config->process.args);

  c->use_terminal = use_terminal;
  /* Read now, so the pty has the caller's size before the process can ask
   * for it: the parent only sees the pty after the child moved on. */
  if (use_terminal && config->process.has_console_size)
    {
      c->winsize.ws_row = config->process.console_height;
      c->winsize.ws_col = config->process.console_width;
    }
  /* The caller's terminal, when there is one, has the size that matters. */
  if (use_terminal)
    ioctl (STDIN_FILENO, TIOCGWINSZ, &c->winsize);

  if (!prepare_namespaces (c, error))
    return NULL;

  if (c->new_userns)
    {
      if (c->options.userns == NOOK_USERNS_KEEP_ID
          && (config->n_uid_mappings > 0 || config->n_gid_mappings > 0))
        {
          g_set_error (error, NOOK_ERROR, NOOK_ERROR_CONFIG,
                       "%s: linux.%s: --userns=keep-id lays out the maps itself; remove the "
                       "config's mappings or drop the option",
                       config->config_path,
                       config->n_uid_mappings > 0 ? "uidMappings" : "gidMappings");
          return NULL;
        }
      c->idmap = nook_userns_plan_for_caller (config->uid_mappings, config->n_uid_mappings,
                                              config->gid_mappings, config->n_gid_mappings,
                                              c->options.userns, warnings, error);
      if (c->idmap == NULL)
        {
          g_prefix_error (error, "%s: ", config->config_path);
          return NULL;
        }
    }
  else
    {
      /* Root without a user namespace: credentials are set as they are. */
      c->idmap = g_new0 (NookIdMapPlan, 1);
    }
  if (!check_user (c, error))
    return NULL;
  prepare_keep_id_user (c);
  if (!prepare_process_extras (c, warnings, error) || !prepare_network (c, error))
    return NULL;
  c->path_env = find_path_env (c->envp);

  if (!nook_container_prepare_privileges (c, use_filter_cache, warnings, error))
    return NULL;

  return g_steal_pointer (&c);
}
