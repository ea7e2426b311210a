/* nook: loading config.json: reading the file, the top-level fields and
 * root, and freeing. The sections live in config-{process,mounts,linux,seccomp}.c,
 * the JSON helpers in config-json.c. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "launcher/config/config-private.h"

typedef struct
{
  char *path;
  gboolean readonly;
} NookRootSection;

static const NookConfigField root_fields[] = {
  NOOK_FIELD ("path", nook_config_parse_string, NookRootSection, path, NOOK_FIELD_REQUIRED),
  NOOK_FIELD ("readonly", nook_config_parse_bool, NookRootSection, readonly, 0),
};

static gboolean
parse_root (NookConfigCtx *ctx, const NookJson *node, const char *path, gpointer out,
            GError **error)
{
  NookConfig *config = out;
  NookRootSection root = { NULL, FALSE };
  g_autofree char *root_path = NULL;
  g_autofree char *path_path = nook_config_path_member (path, "path");
  struct stat st;
  gboolean ok;

  ok = nook_config_parse_table (ctx, node, path, root_fields, &root, error);
  root_path = root.path;
  if (!ok)
    return FALSE;

  g_free (config->root_path);
  config->root_path = nook_config_resolve_existing (ctx, root_path, path_path, &st, error);
  if (config->root_path == NULL)
    return FALSE;
  if (!S_ISDIR (st.st_mode))
    {
      g_autofree char *escaped = nook_config_escape (config->root_path);

      return nook_config_fail (ctx, error, path_path, "%s: is not a directory", escaped);
    }
  config->root_readonly = root.readonly;
  return TRUE;
}

/* Table order is the order of checks: linux comes after process and mounts,
 * and inside it namespaces come before the sysctls that depend on them. */
static const NookConfigField config_fields[] = {
  NOOK_FIELD ("ociVersion", nook_config_parse_string, NookConfig, oci_version, 0),
  NOOK_SECTION ("root", parse_root, NOOK_FIELD_REQUIRED),
  NOOK_FIELD ("process", nook_config_parse_process, NookConfig, process, NOOK_FIELD_REQUIRED),
  NOOK_FIELD ("hostname", nook_config_parse_string, NookConfig, hostname, 0),
  NOOK_FIELD ("domainname", nook_config_parse_string, NookConfig, domainname, 0),
  NOOK_SECTION ("mounts", nook_config_parse_mounts, 0),
  NOOK_SECTION ("linux", nook_config_parse_linux, 0),
  NOOK_SECTION ("hooks", nook_config_parse_hooks, 0),
  NOOK_SECTION ("annotations", nook_config_parse_annotations, 0),
};

NookConfig *
nook_config_parse_json (const NookJson *root, const char *file_label, const char *bundle_dir,
                        gboolean skip_seccomp_rules, GError **error)
{
  g_autoptr (NookConfig) config = NULL;
  NookConfigCtx ctx;

  g_return_val_if_fail (root != NULL, NULL);
  g_return_val_if_fail (file_label != NULL, NULL);
  g_return_val_if_fail (bundle_dir != NULL, NULL);

  config = g_new0 (NookConfig, 1);
  config->config_path = g_strdup (file_label);
  config->bundle_dir = g_canonicalize_filename (bundle_dir, NULL);
  ctx = (NookConfigCtx){ file_label, config->bundle_dir, config, skip_seccomp_rules };

  if (!nook_json_is (root, NOOK_JSON_OBJECT))
    {
      nook_config_fail (&ctx, error, NULL, "expected a JSON object at the top level");
      return NULL;
    }
  if (!nook_config_parse_table (&ctx, root, NULL, config_fields, config, error))
    return NULL;
  nook_config_ensure_strv (&config->masked_paths);
  nook_config_ensure_strv (&config->readonly_paths);
  return g_steal_pointer (&config);
}

NookJsonDoc *
nook_config_parse_text (const char *data, gsize length, const char *file_label, GError **error)
{
  g_autoptr (GError) json_error = NULL;
  NookJsonDoc *doc;
  gsize i = 0;

  while (i < length && g_ascii_isspace (data[i]))
    i++;
  if (i == length)
    {
      g_set_error (error, NOOK_ERROR, NOOK_ERROR_CONFIG, "%s: empty file, expected a JSON object",
                   file_label);
      return NULL;
    }
  doc = nook_json_parse (data, length, &json_error);
  if (doc == NULL)
    g_set_error (error, NOOK_ERROR, NOOK_ERROR_CONFIG, "%s: %s", file_label, json_error->message);
  return doc;
}

NookConfig *
nook_config_parse (const char *data, gssize length, const char *file_label, const char *bundle_dir,
                   GError **error)
{
  g_autoptr (NookJsonDoc) doc = NULL;

  g_return_val_if_fail (data != NULL, NULL);
  if (length < 0)
    length = (gssize)strlen (data);
  doc = nook_config_parse_text (data, (gsize)length, file_label, error);
  if (doc == NULL)
    return NULL;
  return nook_config_parse_json (nook_json_doc_root (doc), file_label, bundle_dir, FALSE, error);
}

static gboolean
set_file_error (const char *file, int errnum, GError **error)
{
  g_set_error (error, NOOK_ERROR, NOOK_ERROR_CONFIG, "%s: %s", file, g_strerror (errnum));
  return FALSE;
}

/* Reads the whole file; errors name it the way the user gave it. */
static gboolean
read_file (const char *file, GString *contents, GError **error)
{
  char buffer[16384];
  int fd = open (file, O_RDONLY | O_CLOEXEC | O_NOCTTY);

  if (fd < 0)
    return set_file_error (file, errno, error);
  for (;;)
    {
      ssize_t n = read (fd, buffer, sizeof buffer);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          int saved_errno = errno;

          close (fd);
          return set_file_error (file, saved_errno, error);
        }
      if (n == 0)
        break;
      g_string_append_len (contents, buffer, n);
    }
  close (fd);
  return TRUE;
}

GString *
nook_config_read (const char *bundle_dir, const char *config_path, char **out_path, GError **error)
{
  g_autoptr (GString) contents = g_string_new (NULL);
  g_autofree char *path = NULL;
  struct stat st;

  g_return_val_if_fail (bundle_dir != NULL, NULL);

  if (stat (bundle_dir, &st) != 0)
    {
      set_file_error (bundle_dir, errno, error);
      return NULL;
    }
  if (!S_ISDIR (st.st_mode))
    {
      g_set_error (error, NOOK_ERROR, NOOK_ERROR_CONFIG, "%s: is not a directory", bundle_dir);
      return NULL;
    }
  path = config_path ? g_strdup (config_path) : g_build_filename (bundle_dir, "config.json", NULL);
  if (!read_file (path, contents, error))
    return NULL;
  *out_path = g_steal_pointer (&path);
  return g_steal_pointer (&contents);
}

NookConfig *
nook_config_load (const char *bundle_dir, const char *config_path, GError **error)
{
  g_autofree char *path = NULL;
  g_autoptr (GString) contents = nook_config_read (bundle_dir, config_path, &path, error);

  if (contents == NULL)
    return NULL;
  return nook_config_parse (contents->str, contents->len, path, bundle_dir, error);
}

void
nook_config_process_clear (NookProcess *process)
{
  g_strfreev (process->args);
  g_strfreev (process->env);
  g_free (process->cwd);
  g_free (process->additional_gids);
  for (guint i = 0; i < process->n_rlimits; i++)
    g_free (process->rlimits[i].name);
  g_free (process->rlimits);
  g_free (process->apparmor_profile);
  g_free (process->selinux_label);
  memset (process, 0, sizeof *process);
}

static void
mount_clear (NookMount *mount)
{
  g_free (mount->destination);
  g_free (mount->type);
  g_free (mount->source);
  g_strfreev (mount->options);
  g_free (mount->data);
}

void
nook_config_seccomp_free (NookSeccomp *seccomp)
{
  if (seccomp == NULL)
    return;
  g_strfreev (seccomp->architectures);
  for (guint i = 0; i < seccomp->n_rules; i++)
    {
      g_strfreev (seccomp->rules[i].names);
      g_free (seccomp->rules[i].args);
    }
  g_free (seccomp->rules);
  g_free (seccomp->alias_insns);
  g_free (seccomp);
}

/* Also frees a config that a failed parse left half filled: arrays are
 * allocated zeroed with their length set before their elements are parsed. */
void
nook_config_free (NookConfig *config)
{
  if (config == NULL)
    return;
  g_free (config->config_path);
  g_free (config->bundle_dir);
  g_free (config->oci_version);
  g_free (config->root_path);
  nook_config_process_clear (&config->process);
  g_free (config->hostname);
  g_free (config->domainname);
  for (guint i = 0; i < config->n_mounts; i++)
    mount_clear (&config->mounts[i]);
  g_free (config->mounts);
  for (guint i = 0; i < NOOK_NS_COUNT; i++)
    g_free (config->namespaces[i].path);
  g_free (config->uid_mappings);
  g_free (config->gid_mappings);
  g_strfreev (config->masked_paths);
  g_strfreev (config->readonly_paths);
  for (guint i = 0; i < config->n_sysctl; i++)
    {
      g_free (config->sysctl[i].key);
      g_free (config->sysctl[i].value);
    }
  g_free (config->sysctl);
  nook_config_seccomp_free (config->seccomp);
  nook_config_hooks_clear (config);
  for (guint i = 0; i < config->n_devices; i++)
    {
      g_free (config->devices[i].path);
      g_free (config->devices[i].host_path);
    }
  g_free (config->devices);
  g_free (config->mount_label);
  g_free (config);
}
