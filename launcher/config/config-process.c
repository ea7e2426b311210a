/* nook: the process section of config.json: args, env, cwd, user,
 * capabilities, rlimits. */
#include <string.h>
#include <sys/resource.h>

#include "launcher/config/config-private.h"

/* Indexed by capability number, in the kernel's order (linux/capability.h). */
static const char *const cap_names[] = {
  "CAP_CHOWN",
  "CAP_DAC_OVERRIDE",
  "CAP_DAC_READ_SEARCH",
  "CAP_FOWNER",
  "CAP_FSETID",
  "CAP_KILL",
  "CAP_SETGID",
  "CAP_SETUID",
  "CAP_SETPCAP",
  "CAP_LINUX_IMMUTABLE",
  "CAP_NET_BIND_SERVICE",
  "CAP_NET_BROADCAST",
  "CAP_NET_ADMIN",
  "CAP_NET_RAW",
  "CAP_IPC_LOCK",
  "CAP_IPC_OWNER",
  "CAP_SYS_MODULE",
  "CAP_SYS_RAWIO",
  "CAP_SYS_CHROOT",
  "CAP_SYS_PTRACE",
  "CAP_SYS_PACCT",
  "CAP_SYS_ADMIN",
  "CAP_SYS_BOOT",
  "CAP_SYS_NICE",
  "CAP_SYS_RESOURCE",
  "CAP_SYS_TIME",
  "CAP_SYS_TTY_CONFIG",
  "CAP_MKNOD",
  "CAP_LEASE",
  "CAP_AUDIT_WRITE",
  "CAP_AUDIT_CONTROL",
  "CAP_SETFCAP",
  "CAP_MAC_OVERRIDE",
  "CAP_MAC_ADMIN",
  "CAP_SYSLOG",
  "CAP_WAKE_ALARM",
  "CAP_BLOCK_SUSPEND",
  "CAP_AUDIT_READ",
  "CAP_PERFMON",
  "CAP_BPF",
  "CAP_CHECKPOINT_RESTORE",
};
G_STATIC_ASSERT (G_N_ELEMENTS (cap_names) == 41);

const char *const *
nook_config_capability_names (gsize *out_n)
{
  *out_n = G_N_ELEMENTS (cap_names);
  return cap_names;
}

static const struct
{
  const char *name;
  int resource;
} rlimit_names[] = {
  { "RLIMIT_CPU", RLIMIT_CPU },           { "RLIMIT_FSIZE", RLIMIT_FSIZE },
  { "RLIMIT_DATA", RLIMIT_DATA },         { "RLIMIT_STACK", RLIMIT_STACK },
  { "RLIMIT_CORE", RLIMIT_CORE },         { "RLIMIT_RSS", RLIMIT_RSS },
  { "RLIMIT_NPROC", RLIMIT_NPROC },       { "RLIMIT_NOFILE", RLIMIT_NOFILE },
  { "RLIMIT_MEMLOCK", RLIMIT_MEMLOCK },   { "RLIMIT_AS", RLIMIT_AS },
  { "RLIMIT_LOCKS", RLIMIT_LOCKS },       { "RLIMIT_SIGPENDING", RLIMIT_SIGPENDING },
  { "RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE }, { "RLIMIT_NICE", RLIMIT_NICE },
  { "RLIMIT_RTPRIO", RLIMIT_RTPRIO },     { "RLIMIT_RTTIME", RLIMIT_RTTIME },
};

int
nook_config_cap_from_name (const char *name)
{
  const char *bare = g_ascii_strncasecmp (name, "CAP_", 4) == 0 ? name + 4 : name;

  for (guint cap = 0; cap < G_N_ELEMENTS (cap_names); cap++)
    if (g_ascii_strcasecmp (bare, cap_names[cap] + 4) == 0)
      return (int)cap;
  return -1;
}

static gboolean
parse_args (NookConfigCtx *ctx, const NookJson *node, const char *path, gpointer out,
            GError **error)
{
  char ***args = out;

  if (!nook_config_get_strv (ctx, node, path, NULL, args, error))
    return FALSE;
  if (**args == NULL)
    return nook_config_fail (ctx, error, path, "must not be empty");
  return TRUE;
}

/* uid/gid: (uid_t) -1 means "unchanged" to setresuid, so it is not an id. */
static gboolean
parse_id (NookConfigCtx *ctx, const NookJson *node, const char *path, gpointer out, GError **error)
{
  guint32 *target = out;
  guint64 value;

  if (!nook_config_get_uint (ctx, node, path, G_MAXUINT32 - 1, &value, error))
    return FALSE;
  *target = (guint32)value;
  return TRUE;
}

static gboolean
parse_umask (NookConfigCtx *ctx, const NookJson *node, const char *path, gpointer out,
             GError **error)
{
  guint32 *target = out;
  guint64 value;

  if (!nook_config_get_uint (ctx, node, path, 0777, &value, error))
    return FALSE;
  *target = (guint32)value;
  return TRUE;
}

static gboolean
parse_additional_gids (NookConfigCtx *ctx, const NookJson *node, const char *path, gpointer out,
                       GError **error)
{
  NookProcess *process = out;

  return nook_config_parse_array (ctx, node, path, sizeof (guint32), parse_id,
                                  (gpointer *)&process->additional_gids,
                                  &process->n_additional_gids, error);
  return TRUE;
}

static const NookConfigField user_fields[] = {
  NOOK_FIELD ("uid", parse_id, NookProcess, uid, NOOK_FIELD_REQUIRED),
  NOOK_FIELD ("gid", parse_id, NookProcess, gid, NOOK_FIELD_REQUIRED),
  NOOK_SECTION ("additionalGids", parse_additional_gids, 0),
  NOOK_FIELD_HAS ("umask", parse_umask, NookProcess, umask, has_umask),
};

static gboolean
parse_user (NookConfigCtx *ctx, const NookJson *node, const char *path, gpointer out,
            GError **error)
{
  return nook_config_parse_table (ctx, node, path, user_fields, out, error);
}

static gboolean
parse_cap_set (NookConfigCtx *ctx, const NookJson *node, const char *path, gpointer out,
               GError **error)
{
  guint64 *set = out;
  g_auto (GStrv) names = NULL;

  if (!nook_config_get_strv (ctx, node, path, NULL, &names, error))
    return FALSE;
  *set = 0;
  for (guint i = 0; names[i] != NULL; i++)
    {
      guint cap;

      for (cap = 0; cap < G_N_ELEMENTS (cap_names); cap++)
        if (strcmp (names[i], cap_names[cap]) == 0)
          break;
      if (cap == G_N_ELEMENTS (cap_names))
        {
          g_autofree char *element_path = nook_config_path_index (path, i);
          g_autofree char *quoted = nook_config_quote (names[i]);

          return nook_config_fail (ctx, error, element_path, "unknown capability %s", quoted);
        }
      *set |= G_GUINT64_CONSTANT (1) << cap;
    }
  return TRUE;
}

static const NookConfigField caps_fields[] = {
  NOOK_FIELD ("bounding", parse_cap_set, NookCaps, bounding, 0),
  NOOK_FIELD ("effective", parse_cap_set, NookCaps, effective, 0),
  NOOK_FIELD ("permitted", parse_cap_set, NookCaps, permitted, 0),
  NOOK_FIELD ("inheritable", parse_cap_set, NookCaps, inheritable, 0),
  NOOK_FIELD ("ambient", parse_cap_set, NookCaps, ambient, 0),
};

static gboolean
parse_caps (NookConfigCtx *ctx, const NookJson *node, const char *path, gpointer out,
            GError **error)
{
  return nook_config_parse_table (ctx, node, path, caps_fields, out, error);
}

static gboolean
parse_rlimit_type (NookConfigCtx *ctx, const NookJson *node, const char *path, gpointer out,
                   GError **error)
{
  NookRlimit *rlimit = out;
  const char *name = nook_config_get_string (ctx, node, path, error);
  g_autofree char *quoted = NULL;

  if (name == NULL)
    return FALSE;
  for (guint i = 0; i < G_N_ELEMENTS (rlimit_names); i++)
    if (strcmp (name, rlimit_names[i].name) == 0)
      {
        g_free (rlimit->name);
        rlimit->name = g_strdup (name);
        rlimit->resource = rlimit_names[i].resource;
        return TRUE;
      }
  quoted = nook_config_quote (name);
  return nook_config_fail (ctx, error, path, "unknown rlimit %s", quoted);
}

static const NookConfigField rlimit_fields[] = {
  NOOK_SECTION ("type", parse_rlimit_type, NOOK_FIELD_REQUIRED),
  NOOK_FIELD ("soft", nook_config_parse_uint64, NookRlimit, soft, NOOK_FIELD_REQUIRED),
  NOOK_FIELD ("hard", nook_config_parse_uint64, NookRlimit, hard, NOOK_FIELD_REQUIRED),
};

/* Checks element i of the array at path against the elements before it,
 * which are already valid. */
static gboolean
check_rlimit (NookConfigCtx *ctx, const NookProcess *process, guint i, const char *path,
              GError **error)
{
  const NookRlimit *rlimit = &process->rlimits[i];
  g_autofree char *element_path = nook_config_path_index (path, i);

  if (rlimit->soft > rlimit->hard)
    return nook_config_fail (ctx, error, element_path,
                             "soft limit %" G_GUINT64_FORMAT
                             " is above hard limit %" G_GUINT64_FORMAT,
                             rlimit->soft, rlimit->hard);
  for (guint j = 0; j < i; j++)
    if (process->rlimits[j].resource == rlimit->resource)
      {
        g_autofree char *type_path = nook_config_path_member (element_path, "type");
        g_autofree char *first_path = nook_config_path_index (path, j);

        return nook_config_fail (ctx, error, type_path, "duplicate rlimit \"%s\" (also in %s)",
                                 rlimit->name, first_path);
      }
  return TRUE;
}

static gboolean
parse_rlimits (NookConfigCtx *ctx, const NookJson *node, const char *path, gpointer out,
               GError **error)
{
  NookProcess *process = out;
  const NookJson *array = nook_config_get_array (ctx, node, path, error);
  guint n;

  if (array == NULL)
    return FALSE;
  n = (array)->n;
  process->rlimits = g_new0 (NookRlimit, n);
  process->n_rlimits = n;
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *element_path = nook_config_path_index (path, i);

      if (!nook_config_parse_table (ctx, &(array)->v.elements[i], element_path, rlimit_fields,
                                    &process->rlimits[i], error))
        return FALSE;
      if (!check_rlimit (ctx, process, i, path, error))
        return FALSE;
    }
  return TRUE;
}

static const NookConfigField console_fields[] = {
  NOOK_FIELD ("height", nook_config_parse_uint32, NookProcess, console_height, NOOK_FIELD_REQUIRED),
  NOOK_FIELD ("width", nook_config_parse_uint32, NookProcess, console_width, NOOK_FIELD_REQUIRED),
};

static gboolean
parse_console_size (NookConfigCtx *ctx, const NookJson *node, const char *path, gpointer out,
                    GError **error)
{
  NookProcess *process = out;

  if (!nook_config_parse_table (ctx, node, path, console_fields, process, error))
    return FALSE;
  process->has_console_size = TRUE;
  return TRUE;
}

static gboolean
parse_exec_cpu_affinity (NookConfigCtx *ctx, const NookJson *node, const char *path, gpointer out,
                         GError **error)
{
  NookProcess *process = out;

  if (nook_config_get_object (ctx, node, path, error) == NULL)
    return FALSE;
  process->has_exec_cpu_affinity = !nook_config_is_empty (node);
  return TRUE;
}

static const NookConfigField process_fields[] = {
  NOOK_FIELD ("terminal", nook_config_parse_bool, NookProcess, terminal, 0),
  NOOK_FIELD ("args", parse_args, NookProcess, args, NOOK_FIELD_REQUIRED),
  NOOK_FIELD ("env", nook_config_parse_env, NookProcess, env, 0),
  NOOK_FIELD ("cwd", nook_config_parse_abs_path, NookProcess, cwd, 0),
  NOOK_SECTION ("user", parse_user, 0),
  NOOK_FIELD_HAS ("capabilities", parse_caps, NookProcess, caps, has_capabilities),
  NOOK_SECTION ("rlimits", parse_rlimits, 0),
  NOOK_FIELD ("noNewPrivileges", nook_config_parse_bool, NookProcess, no_new_privileges, 0),
  NOOK_FIELD_HAS ("oomScoreAdj", nook_config_parse_oom_score_adj, NookProcess, oom_score_adj,
                  has_oom_score_adj),
  NOOK_FIELD_HAS ("ioPriority", nook_config_parse_io_priority, NookProcess, io_priority,
                  has_io_priority),
  NOOK_FIELD_HAS ("scheduler", nook_config_parse_scheduler, NookProcess, sched, has_scheduler),
  NOOK_FIELD ("apparmorProfile", nook_config_parse_string, NookProcess, apparmor_profile, 0),
  NOOK_FIELD ("selinuxLabel", nook_config_parse_string, NookProcess, selinux_label, 0),
  NOOK_SECTION ("consoleSize", parse_console_size, 0),
  NOOK_SECTION ("execCPUAffinity", parse_exec_cpu_affinity, 0),
};

gboolean
nook_config_parse_process (NookConfigCtx *ctx, const NookJson *node, const char *path, gpointer out,
                           GError **error)
{
  NookProcess *process = out;

  if (!nook_config_parse_table (ctx, node, path, process_fields, process, error))
    return FALSE;
  if (process->cwd == NULL)
    process->cwd = g_strdup ("/");
  nook_config_ensure_strv (&process->env);
  return TRUE;
}
