/* nook: preparing a container in the parent, before clone(): everything the
 * child will need is computed and checked here, where errors are cheap. */
#include "launcher/container.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "launcher/errors.h"

#define DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

void
nook_container_free (NookContainer *c)
{
  if (c == NULL)
    return;
  g_strfreev (c->argv);
  g_clear_pointer (&c->idmap, nook_idmap_plan_free);
  g_clear_pointer (&c->seccomp, nook_bpf_program_free);
  for (int i = 0; i < NOOK_NS_COUNT; i++)
    if (c->ns_fds[i] >= 0)
      close (c->ns_fds[i]);
  if (c->exec_fifo_fd >= 0)
    close (c->exec_fifo_fd);
  g_free (c);
}

static int
read_last_cap (void)
{
  g_autofree char *text = NULL;

  if (!g_file_get_contents ("/proc/sys/kernel/cap_last_cap", &text, NULL, NULL))
    return 40; /* CAP_CHECKPOINT_RESTORE, the last one Linux 5.9+ knows */
  return (int) g_ascii_strtoll (text, NULL, 10);
}

static gboolean
prepare_namespaces (NookContainer *c, GError **error)
{
  const NookConfig *config = c->config;
  const NookNamespace *user = &config->namespaces[NOOK_NS_USER];

  if (user->path != NULL || config->namespaces[NOOK_NS_PID].path != NULL)
    {
      g_set_error (error, NOOK_ERROR, NOOK_ERROR_CONFIG,
                   "%s: linux.namespaces: joining an existing %s namespace by path is not "
                   "supported yet",
                   config->config_path, user->path ? "user" : "pid");
      return FALSE;
    }

  c->new_userns = user->requested;
  if (!c->new_userns && geteuid () != 0)
    {
      g_set_error (error, NOOK_ERROR, NOOK_ERROR_CONFIG,
                   "%s: linux.namespaces: a rootless container needs a user namespace "
                   "(add {\"type\": \"user\"})",
                   config->config_path);
      return FALSE;
    }

  for (int i = 0; i < NOOK_NS_COUNT; i++)
    {
      const NookNamespace *ns = &config->namespaces[i];

      if (!ns->requested)
        continue;
      if (ns->path == NULL)
        {
          c->clone_flags |= nook_ns_type_clone_flag (i);
          continue;
        }
      c->ns_fds[i] = open (ns->path, O_RDONLY | O_CLOEXEC);
      if (c->ns_fds[i] < 0)
        {
          int err = errno;
          g_set_error (error, NOOK_ERROR, NOOK_ERROR_CONFIG, "%s: %s namespace %s: %s",
                       config->config_path, nook_ns_type_name (i), ns->path, g_strerror (err));
          return FALSE;
        }
    }

  if ((config->hostname || config->domainname) && !config->namespaces[NOOK_NS_UTS].requested)
    {
      g_set_error (error, NOOK_ERROR, NOOK_ERROR_CONFIG,
                   "%s: hostname: setting a hostname needs a UTS namespace in linux.namespaces",
                   config->config_path);
      return FALSE;
    }
  return TRUE;
}

/* process.user must exist inside the user namespace, and supplementary
 * groups need setgroups(), which a single-id map has to deny. */
static gboolean
check_user (NookContainer *c, GError **error)
{
  const NookConfig *config = c->config;
  const NookProcess *p = &config->process;
  NookIdMapping own_uid = { 0, getuid (), 1 }, own_gid = { 0, getgid (), 1 };
  const NookIdMapping *uids = config->n_uid_mappings ? config->uid_mappings : &own_uid;
  const NookIdMapping *gids = config->n_gid_mappings ? config->gid_mappings : &own_gid;
  guint n_uids = config->n_uid_mappings ? config->n_uid_mappings : 1;
  guint n_gids = config->n_gid_mappings ? config->n_gid_mappings : 1;

  if (!c->new_userns)
    return TRUE;
  if (!nook_idmap_contains (uids, n_uids, p->uid))
    {
      g_set_error (error, NOOK_ERROR, NOOK_ERROR_CONFIG,
                   "%s: process.user.uid: %u is not mapped in the user namespace (uid map: %s)",
                   config->config_path, p->uid, g_strchomp (c->idmap->uid_map));
      return FALSE;
    }
  if (!nook_idmap_contains (gids, n_gids, p->gid))
    {
      g_set_error (error, NOOK_ERROR, NOOK_ERROR_CONFIG,
                   "%s: process.user.gid: %u is not mapped in the user namespace (gid map: %s)",
                   config->config_path, p->gid, g_strchomp (c->idmap->gid_map));
      return FALSE;
    }
  if (p->n_additional_gids > 0 && c->idmap->deny_setgroups)
    {
      g_set_error (error, NOOK_ERROR, NOOK_ERROR_CONFIG,
                   "%s: process.user.additionalGids: supplementary groups need a user namespace "
                   "with subordinate gid ranges (newgidmap), not available with a single-id "
                   "mapping yet",
                   config->config_path);
      return FALSE;
    }
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
nook_container_new (const NookConfig *config, char **command_override, gboolean use_terminal,
                    GPtrArray *warnings, GError **error)
{
  g_autoptr (NookContainer) c = g_new0 (NookContainer, 1);
  guint64 cap_mask;

  c->config = config;
  c->exec_fifo_fd = -1;
  for (int i = 0; i < NOOK_NS_COUNT; i++)
    c->ns_fds[i] = -1;
  c->argv = g_strdupv (command_override && command_override[0] ? command_override
                                                                : config->process.args);
  c->envp = config->process.env;
  c->path_env = find_path_env (c->envp);
  c->use_terminal = use_terminal;
  c->umask = config->process.has_umask ? config->process.umask : 022;

  if (!prepare_namespaces (c, error))
    return NULL;

  if (c->new_userns)
    {
      c->idmap = nook_idmap_plan_new (config->uid_mappings, config->n_uid_mappings,
                                      config->gid_mappings, config->n_gid_mappings, getuid (),
                                      getgid (), error);
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

  c->last_cap = read_last_cap ();
  cap_mask = c->last_cap >= 63 ? G_MAXUINT64 : (G_GUINT64_CONSTANT (1) << (c->last_cap + 1)) - 1;
  c->bounding = config->process.caps.bounding & cap_mask;
  c->effective = config->process.caps.effective & cap_mask;
  c->permitted = config->process.caps.permitted & cap_mask;
  c->inheritable = config->process.caps.inheritable & cap_mask;
  c->ambient = config->process.caps.ambient & cap_mask;

  if (config->seccomp != NULL)
    {
      /* Build filter. The per-user store of compiled programs slots in here. */
      c->seccomp = nook_seccomp_compile (config->seccomp, warnings, error);
      if (c->seccomp == NULL)
        {
          g_prefix_error (error, "%s: linux.seccomp: ", config->config_path);
          return NULL;
        }
      c->seccomp_flags = nook_seccomp_load_flags (config->seccomp);
    }

  return g_steal_pointer (&c);
}
