/* nook: the linux section of config.json: namespaces, id mappings, masked
 * and read-only paths, sysctls, rootfs propagation, resources. Seccomp has its
 * own file. */
#include <sched.h>
#include <string.h>

#include "launcher/config/config-private.h"

static const struct
{
  const char *name; /* as in the OCI spec */
  int clone_flag;
} ns_types[NOOK_NS_COUNT] = {
  [NOOK_NS_USER] = { "user", CLONE_NEWUSER },       [NOOK_NS_MOUNT] = { "mount", CLONE_NEWNS },
  [NOOK_NS_PID] = { "pid", CLONE_NEWPID },          [NOOK_NS_UTS] = { "uts", CLONE_NEWUTS },
  [NOOK_NS_IPC] = { "ipc", CLONE_NEWIPC },          [NOOK_NS_NETWORK] = { "network", CLONE_NEWNET },
  [NOOK_NS_CGROUP] = { "cgroup", CLONE_NEWCGROUP },
};

const char *
nook_ns_type_name (NookNsType type)
{
  g_return_val_if_fail ((guint)type < NOOK_NS_COUNT, NULL);
  return ns_types[type].name;
}

int
nook_ns_type_clone_flag (NookNsType type)
{
  g_return_val_if_fail ((guint)type < NOOK_NS_COUNT, 0);
  return ns_types[type].clone_flag;
}

typedef struct
{
  char *type;
  char *path;
} NookNsEntry;

static const NookConfigField ns_fields[] = {
  NOOK_FIELD ("type", nook_config_parse_string, NookNsEntry, type, NOOK_FIELD_REQUIRED),
  NOOK_FIELD ("path", nook_config_parse_abs_path, NookNsEntry, path, 0),
};

static gboolean
lookup_ns_type (NookConfigCtx *ctx, const char *name, const char *path, NookNsType *out_type,
                GError **error)
{
  g_autofree char *quoted = nook_config_quote (name);

  for (guint i = 0; i < NOOK_NS_COUNT; i++)
    if (strcmp (name, ns_types[i].name) == 0)
      {
        *out_type = i;
        return TRUE;
      }
  /* Valid OCI, but clone3 with CLONE_NEWTIME and its offsets are not done. */
  if (strcmp (name, "time") == 0)
    return nook_config_fail (ctx, error, path, "namespace type %s is not supported", quoted);
  return nook_config_fail (ctx, error, path, "unknown namespace type %s", quoted);
}

/* first_index[type] is where the type was first listed, or -1. */
static gboolean
parse_namespace (NookConfigCtx *ctx, const NookJson *node, const char *array_path, guint index,
                 int *first_index, GError **error)
{
  NookNamespace *namespaces = ctx->config->namespaces;
  g_autofree char *path = nook_config_path_index (array_path, index);
  g_autofree char *type_path = nook_config_path_member (path, "type");
  NookNsEntry entry = { NULL, NULL };
  g_autofree char *type = NULL;
  g_autofree char *ns_path = NULL;
  NookNsType ns_type = NOOK_NS_USER;
  gboolean ok;

  ok = nook_config_parse_table (ctx, node, path, ns_fields, &entry, error);
  type = entry.type;
  ns_path = entry.path;
  if (!ok || !lookup_ns_type (ctx, type, type_path, &ns_type, error))
    return FALSE;
  if (first_index[ns_type] >= 0)
    {
      g_autofree char *first_path = nook_config_path_index (array_path, first_index[ns_type]);

      return nook_config_fail (ctx, error, type_path, "duplicate namespace \"%s\" (also in %s)",
                               type, first_path);
    }
  first_index[ns_type] = index;
  namespaces[ns_type].requested = TRUE;
  namespaces[ns_type].path = g_steal_pointer (&ns_path);
  return TRUE;
}

static gboolean
parse_namespaces (NookConfigCtx *ctx, const NookJson *node, const char *path, gpointer out,
                  GError **error)
{
  const NookJson *array = nook_config_get_array (ctx, node, path, error);
  int first_index[NOOK_NS_COUNT];

  if (array == NULL)
    return FALSE;
  for (guint i = 0; i < NOOK_NS_COUNT; i++)
    first_index[i] = -1;
  for (guint i = 0; i < (array)->n; i++)
    if (!parse_namespace (ctx, &(array)->v.elements[i], path, i, first_index, error))
      return FALSE;
  return TRUE;
}

static const NookConfigField mapping_fields[] = {
  NOOK_FIELD ("containerID", nook_config_parse_uint32, NookIdMapping, container_id,
              NOOK_FIELD_REQUIRED),
  NOOK_FIELD ("hostID", nook_config_parse_uint32, NookIdMapping, host_id, NOOK_FIELD_REQUIRED),
  NOOK_FIELD ("size", nook_config_parse_uint32, NookIdMapping, size, NOOK_FIELD_REQUIRED),
};

static gboolean
check_mapping (NookConfigCtx *ctx, const NookIdMapping *mapping, const char *path, GError **error)
{
  const guint64 id_limit = G_GUINT64_CONSTANT (1) << 32;

  if (mapping->size == 0)
    {
      g_autofree char *size_path = nook_config_path_member (path, "size");

      return nook_config_fail (ctx, error, size_path, "must be greater than 0");
    }
  /* The kernel refuses such a line in uid_map; say which entry it was. */
  if ((guint64)mapping->container_id + mapping->size > id_limit
      || (guint64)mapping->host_id + mapping->size > id_limit)
    return nook_config_fail (ctx, error, path, "range goes beyond id 4294967295");
  return TRUE;
}

static gboolean
parse_mapping (NookConfigCtx *ctx, const NookJson *node, const char *path, gpointer out,
               GError **error)
{
  return nook_config_parse_table (ctx, node, path, mapping_fields, out, error)
         && check_mapping (ctx, out, path, error);
}

static gboolean
parse_mappings (NookConfigCtx *ctx, const NookJson *node, const char *path, NookIdMapping **out,
                guint *out_n, GError **error)
{
  return nook_config_parse_array (ctx, node, path, sizeof (NookIdMapping), parse_mapping,
                                  (gpointer *)out, out_n, error);
}

static gboolean
parse_uid_mappings (NookConfigCtx *ctx, const NookJson *node, const char *path, gpointer out,
                    GError **error)
{
  NookConfig *config = out;

  return parse_mappings (ctx, node, path, &config->uid_mappings, &config->n_uid_mappings, error);
}

static gboolean
parse_gid_mappings (NookConfigCtx *ctx, const NookJson *node, const char *path, gpointer out,
                    GError **error)
{
  NookConfig *config = out;

  return parse_mappings (ctx, node, path, &config->gid_mappings, &config->n_gid_mappings, error);
}

static const char *const ipc_sysctls[] = {
  "kernel.msgmax", "kernel.msgmnb", "kernel.msgmni",          "kernel.sem", "kernel.shmall",
  "kernel.shmmax", "kernel.shmmni", "kernel.shm_rmid_forced", NULL,
};

/* Which namespace a sysctl belongs to: only those can be set without
 * changing the host. FALSE for a sysctl that is not namespaced. */
static gboolean
sysctl_namespace (const char *key, NookNsType *out_type)
{
  if (strcmp (key, "kernel.hostname") == 0 || strcmp (key, "kernel.domainname") == 0)
    *out_type = NOOK_NS_UTS;
  else if (g_str_has_prefix (key, "fs.mqueue.")
           || g_strv_contains ((const char *const *)ipc_sysctls, key))
    *out_type = NOOK_NS_IPC;
  else if (g_str_has_prefix (key, "net."))
    *out_type = NOOK_NS_NETWORK;
  else
    return FALSE;
  return TRUE;
}

static gboolean
check_sysctl (NookConfigCtx *ctx, const char *key, const char *path, GError **error)
{
  NookNsType type;

  if (!sysctl_namespace (key, &type))
    return nook_config_fail (ctx, error, path, "not a namespaced sysctl");
  if (!ctx->config->namespaces[type].requested)
    return nook_config_fail (ctx, error, path, "needs namespace \"%s\" in linux.namespaces",
                             nook_ns_type_name (type));
  return TRUE;
}

static gboolean
parse_sysctl (NookConfigCtx *ctx, const NookJson *node, const char *path, gpointer out,
              GError **error)
{
  NookConfig *config = out;
  const NookJson *object = nook_config_get_object (ctx, node, path, error);

  if (object == NULL)
    return FALSE;
  /* In the order of the file, so that errors and the order sysctls are
   * written in are predictable. */
  config->sysctl = g_new0 (NookSysctl, object->n);
  for (guint i = 0; i < object->n; i++)
    {
      const char *key = object->v.members[i].name;
      const NookJson *member = &object->v.members[i].value;
      g_autofree char *member_path = nook_config_path_member (path, key);
      const char *value;

      if (nook_json_is (member, NOOK_JSON_NULL))
        continue;
      value = nook_config_get_string (ctx, member, member_path, error);
      if (value == NULL || !check_sysctl (ctx, key, member_path, error))
        return FALSE;
      config->sysctl[config->n_sysctl].key = g_strdup (key);
      config->sysctl[config->n_sysctl].value = g_strdup (value);
      config->n_sysctl++;
    }
  return TRUE;
}

static gboolean
parse_rootfs_propagation (NookConfigCtx *ctx, const NookJson *node, const char *path, gpointer out,
                          GError **error)
{
  const char *name = nook_config_get_string (ctx, node, path, error);
  g_autofree char *quoted = NULL;

  if (name == NULL)
    return FALSE;
  if (nook_config_lookup_propagation (name, out))
    return TRUE;
  quoted = nook_config_quote (name);
  return nook_config_fail (ctx, error, path, "unknown propagation %s", quoted);
}

static gboolean asks_for_limit (const NookJson *node);

/* A device rule that denies is what a rootless container gets anyway (it can
 * neither create device nodes nor get ones the user cannot open), and
 * `runc spec` writes a deny-all rule by default: it is not a limit. */
static gboolean
device_rules_ask_for_limit (const NookJson *node)
{
  const NookJson *rules;

  if (!nook_json_is (node, NOOK_JSON_ARRAY))
    return asks_for_limit (node);
  rules = node;
  for (guint i = 0; i < rules->n; i++)
    {
      const NookJson *rule = &rules->v.elements[i];
      const NookJson *allow;

      if (!nook_json_is (rule, NOOK_JSON_OBJECT))
        return asks_for_limit (rule);
      allow = nook_json_get (rule, "allow");
      if (nook_json_is (allow, NOOK_JSON_BOOL) && allow->v.b)
        return TRUE;
    }
  return FALSE;
}

/* Does this part of linux.resources set anything? Empty objects, empty
 * arrays, null, "" and false do not. */
static gboolean
asks_for_limit (const NookJson *node)
{
  switch (node->type)
    {
    case NOOK_JSON_NULL:
      return FALSE;
    case NOOK_JSON_STRING:
      return node->n != 0;
    case NOOK_JSON_BOOL:
      return node->v.b;
    case NOOK_JSON_INT:
    case NOOK_JSON_UINT:
    case NOOK_JSON_DOUBLE:
      return TRUE;
    case NOOK_JSON_ARRAY:
      {
        for (guint i = 0; i < node->n; i++)
          if (asks_for_limit (&node->v.elements[i]))
            return TRUE;
        return FALSE;
      }
    case NOOK_JSON_OBJECT:
      {
        for (guint i = 0; i < node->n; i++)
          {
            const NookJsonMember *member = &node->v.members[i];
            gboolean asks = strcmp (member->name, "devices") == 0
                                ? device_rules_ask_for_limit (&member->value)
                                : asks_for_limit (&member->value);

            if (asks)
              return TRUE;
          }
        return FALSE;
      }
    }
  return TRUE;
}

static gboolean
parse_resources (NookConfigCtx *ctx, const NookJson *node, const char *path, gpointer out,
                 GError **error)
{
  gboolean *has_resources = out;

  if (nook_config_get_object (ctx, node, path, error) == NULL)
    return FALSE;
  *has_resources = asks_for_limit (node);
  return TRUE;
}

/* A section nook does not apply but warns about (container.c). */
static gboolean
parse_present_object (NookConfigCtx *ctx, const NookJson *node, const char *path, gpointer out,
                      GError **error)
{
  if (nook_config_get_object (ctx, node, path, error) == NULL)
    return FALSE;
  *(gboolean *)out = TRUE;
  return TRUE;
}

/* Valid OCI that nook cannot do: refused, never dropped. */
static gboolean
parse_time_offsets (NookConfigCtx *ctx, const NookJson *node, const char *path, gpointer out,
                    GError **error)
{
  if (nook_config_is_empty (node))
    return TRUE;
  return nook_config_fail (ctx, error, path, "not supported (nook creates no time namespace)");
}

static gboolean
parse_net_devices (NookConfigCtx *ctx, const NookJson *node, const char *path, gpointer out,
                   GError **error)
{
  if (nook_config_is_empty (node))
    return TRUE;
  return nook_config_fail (ctx, error, path,
                           "not supported (moving a host network device needs CAP_NET_ADMIN on "
                           "the host)");
}

/* namespaces first: sysctl checks them. */
static const NookConfigField linux_fields[] = {
  NOOK_SECTION ("namespaces", parse_namespaces, 0),
  NOOK_SECTION ("uidMappings", parse_uid_mappings, 0),
  NOOK_SECTION ("gidMappings", parse_gid_mappings, 0),
  NOOK_FIELD ("maskedPaths", nook_config_parse_abs_path_strv, NookConfig, masked_paths, 0),
  NOOK_FIELD ("readonlyPaths", nook_config_parse_abs_path_strv, NookConfig, readonly_paths, 0),
  NOOK_SECTION ("sysctl", parse_sysctl, 0),
  NOOK_FIELD ("rootfsPropagation", parse_rootfs_propagation, NookConfig, rootfs_propagation, 0),
  NOOK_FIELD ("resources", parse_resources, NookConfig, has_resources, 0),
  NOOK_FIELD ("seccomp", nook_config_parse_seccomp, NookConfig, seccomp, 0),
  NOOK_SECTION ("devices", nook_config_parse_devices, 0),
  NOOK_FIELD_HAS ("personality", nook_config_parse_personality, NookConfig, personality,
                  has_personality),
  NOOK_SECTION ("memoryPolicy", nook_config_parse_memory_policy, 0),
  NOOK_FIELD ("intelRdt", parse_present_object, NookConfig, has_intel_rdt, 0),
  NOOK_SECTION ("timeOffsets", parse_time_offsets, 0),
  NOOK_SECTION ("netDevices", parse_net_devices, 0),
  NOOK_FIELD ("mountLabel", nook_config_parse_string, NookConfig, mount_label, 0),
};

gboolean
nook_config_parse_linux (NookConfigCtx *ctx, const NookJson *node, const char *path, gpointer out,
                         GError **error)
{
  return nook_config_parse_table (ctx, node, path, linux_fields, out, error);
}
