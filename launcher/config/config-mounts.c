/* nook: the mounts section of config.json. Options are turned into mount(2)
 * flags here, in the parent, so the child only has to call mount. */
#include <string.h>
#include <sys/mount.h>

#include "launcher/config/config-private.h"

typedef enum
{
  MOUNT_OPTION_SET,         /* add to flags */
  MOUNT_OPTION_CLEAR,       /* add to clear_flags */
  MOUNT_OPTION_PROPAGATION, /* replaces propagation */
  MOUNT_OPTION_IGNORE,      /* means nothing to mount(2) */
} NookMountOptionKind;

typedef struct
{
  const char *name;
  NookMountOptionKind kind;
  unsigned long flags;
} NookMountOption;

/* Shared with linux.rootfsPropagation. */
static const NookMountOption propagation_options[] = {
  { "private", MOUNT_OPTION_PROPAGATION, MS_PRIVATE },
  { "rprivate", MOUNT_OPTION_PROPAGATION, MS_PRIVATE | MS_REC },
  { "shared", MOUNT_OPTION_PROPAGATION, MS_SHARED },
  { "rshared", MOUNT_OPTION_PROPAGATION, MS_SHARED | MS_REC },
  { "slave", MOUNT_OPTION_PROPAGATION, MS_SLAVE },
  { "rslave", MOUNT_OPTION_PROPAGATION, MS_SLAVE | MS_REC },
  { "unbindable", MOUNT_OPTION_PROPAGATION, MS_UNBINDABLE },
  { "runbindable", MOUNT_OPTION_PROPAGATION, MS_UNBINDABLE | MS_REC },
};

/* The names mount(8) uses; anything else is filesystem data. */
static const NookMountOption flag_options[] = {
  { "defaults", MOUNT_OPTION_IGNORE, 0 },
  { "ro", MOUNT_OPTION_SET, MS_RDONLY },
  { "rw", MOUNT_OPTION_CLEAR, MS_RDONLY },
  { "nosuid", MOUNT_OPTION_SET, MS_NOSUID },
  { "suid", MOUNT_OPTION_CLEAR, MS_NOSUID },
  { "nodev", MOUNT_OPTION_SET, MS_NODEV },
  { "dev", MOUNT_OPTION_CLEAR, MS_NODEV },
  { "noexec", MOUNT_OPTION_SET, MS_NOEXEC },
  { "exec", MOUNT_OPTION_CLEAR, MS_NOEXEC },
  { "sync", MOUNT_OPTION_SET, MS_SYNCHRONOUS },
  { "async", MOUNT_OPTION_CLEAR, MS_SYNCHRONOUS },
  { "dirsync", MOUNT_OPTION_SET, MS_DIRSYNC },
  { "mand", MOUNT_OPTION_SET, MS_MANDLOCK },
  { "nomand", MOUNT_OPTION_CLEAR, MS_MANDLOCK },
  { "noatime", MOUNT_OPTION_SET, MS_NOATIME },
  { "atime", MOUNT_OPTION_CLEAR, MS_NOATIME },
  { "nodiratime", MOUNT_OPTION_SET, MS_NODIRATIME },
  { "diratime", MOUNT_OPTION_CLEAR, MS_NODIRATIME },
  { "relatime", MOUNT_OPTION_SET, MS_RELATIME },
  { "norelatime", MOUNT_OPTION_CLEAR, MS_RELATIME },
  { "strictatime", MOUNT_OPTION_SET, MS_STRICTATIME },
  { "nostrictatime", MOUNT_OPTION_CLEAR, MS_STRICTATIME },
  { "lazytime", MOUNT_OPTION_SET, MS_LAZYTIME },
  { "nolazytime", MOUNT_OPTION_CLEAR, MS_LAZYTIME },
  { "iversion", MOUNT_OPTION_SET, MS_I_VERSION },
  { "noiversion", MOUNT_OPTION_CLEAR, MS_I_VERSION },
  { "nosymfollow", MOUNT_OPTION_SET, MS_NOSYMFOLLOW },
  { "silent", MOUNT_OPTION_SET, MS_SILENT },
  { "loud", MOUNT_OPTION_CLEAR, MS_SILENT },
  { "bind", MOUNT_OPTION_SET, MS_BIND },
  { "rbind", MOUNT_OPTION_SET, MS_BIND | MS_REC },
  { "remount", MOUNT_OPTION_SET, MS_REMOUNT },
};

char **
nook_config_mount_option_names (void)
{
  g_autoptr (GStrvBuilder) names = g_strv_builder_new ();

  for (gsize i = 0; i < G_N_ELEMENTS (flag_options); i++)
    g_strv_builder_add (names, flag_options[i].name);
  for (gsize i = 0; i < G_N_ELEMENTS (propagation_options); i++)
    g_strv_builder_add (names, propagation_options[i].name);
  return g_strv_builder_end (names);
}

static const NookMountOption *
lookup_option (const NookMountOption *table, gsize n, const char *name)
{
  for (gsize i = 0; i < n; i++)
    if (strcmp (table[i].name, name) == 0)
      return &table[i];
  return NULL;
}

gboolean
nook_config_lookup_propagation (const char *name, unsigned long *out_flags)
{
  const NookMountOption *option
      = lookup_option (propagation_options, G_N_ELEMENTS (propagation_options), name);

  if (option == NULL)
    return FALSE;
  *out_flags = option->flags;
  return TRUE;
}

/* Later options win over earlier ones, as with mount(8): "ro,rw" is read-write. */
static void
apply_option (NookMount *mount, const NookMountOption *option)
{
  switch (option->kind)
    {
    case MOUNT_OPTION_SET:
      mount->flags |= option->flags;
      mount->clear_flags &= ~option->flags;
      break;
    case MOUNT_OPTION_CLEAR:
      mount->flags &= ~option->flags;
      mount->clear_flags |= option->flags;
      break;
    case MOUNT_OPTION_PROPAGATION:
      mount->propagation = option->flags;
      break;
    case MOUNT_OPTION_IGNORE:
      break;
    }
}

static void
derive_flags (NookMount *mount)
{
  g_autoptr (GString) data = g_string_new (NULL);

  for (guint i = 0; mount->options[i] != NULL; i++)
    {
      const char *name = mount->options[i];
      const NookMountOption *option
          = lookup_option (flag_options, G_N_ELEMENTS (flag_options), name);

      if (option == NULL)
        option = lookup_option (propagation_options, G_N_ELEMENTS (propagation_options), name);
      if (option != NULL)
        {
          apply_option (mount, option);
          continue;
        }
      if (data->len > 0)
        g_string_append_c (data, ',');
      g_string_append (data, name);
    }
  if (data->len > 0)
    mount->data = g_string_free (g_steal_pointer (&data), FALSE);
}

static gboolean
resolve_bind_source (NookConfigCtx *ctx, NookMount *mount, const char *path, GError **error)
{
  g_autofree char *source_path = nook_config_path_member (path, "source");
  struct stat st;
  char *resolved;

  if (mount->source == NULL)
    return nook_config_fail (ctx, error, source_path, "required for a bind mount");
  resolved = nook_config_resolve_existing (ctx, mount->source, source_path, &st, error);
  if (resolved == NULL)
    return FALSE;
  g_free (mount->source);
  mount->source = resolved;
  return TRUE;
}

/* Idmapped mounts need the host's privilege over the source's filesystem
 * (mount_setattr MOUNT_ATTR_IDMAP): refused rather than mounted unmapped. */
static gboolean
parse_mount_mappings (NookConfigCtx *ctx, const NookJson *node, const char *path, gpointer out,
                      GError **error)
{
  if (nook_config_is_empty (node))
    return TRUE;
  return nook_config_fail (ctx, error, path,
                           "idmapped mounts are not supported (rootless nook cannot idmap the "
                           "host's filesystems)");
}

static const NookConfigField mount_fields[] = {
  NOOK_FIELD ("destination", nook_config_parse_abs_path, NookMount, destination,
              NOOK_FIELD_REQUIRED),
  NOOK_FIELD ("type", nook_config_parse_string, NookMount, type, 0),
  NOOK_FIELD ("source", nook_config_parse_string, NookMount, source, 0),
  NOOK_FIELD ("options", nook_config_parse_strv, NookMount, options, 0),
  NOOK_SECTION ("uidMappings", parse_mount_mappings, 0),
  NOOK_SECTION ("gidMappings", parse_mount_mappings, 0),
};

static gboolean
parse_mount (NookConfigCtx *ctx, const NookJson *node, const char *path, gpointer out,
             GError **error)
{
  NookMount *mount = out;

  if (!nook_config_parse_table (ctx, node, path, mount_fields, mount, error))
    return FALSE;
  nook_config_ensure_strv (&mount->options);
  derive_flags (mount);
  mount->is_bind = g_strcmp0 (mount->type, "bind") == 0 || (mount->flags & MS_BIND) != 0;
  if (!mount->is_bind)
    return TRUE;
  /* type "bind" alone means a bind mount too: say so in flags, so the setup
   * code can pass flags to mount(2) as they are. */
  mount->flags |= MS_BIND;
  return resolve_bind_source (ctx, mount, path, error);
}

gboolean
nook_config_parse_mounts (NookConfigCtx *ctx, const NookJson *node, const char *path, gpointer out,
                          GError **error)
{
  NookConfig *config = out;

  return nook_config_parse_array (ctx, node, path, sizeof (NookMount), parse_mount,
                                  (gpointer *)&config->mounts, &config->n_mounts, error);
  return TRUE;
}
