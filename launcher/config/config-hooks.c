/* nook: the hooks and annotations of config.json: what the runtime runs at
 * each point of the lifecycle, and the annotations it passes them in the
 * state (lifecycle/hooks.c runs them). */
#include <string.h>

#include "launcher/config/config-private.h"

/* Indexed by NookHookKind; the member names of the "hooks" object. */
static const char *const hook_kind_names[NOOK_HOOK_KIND_COUNT] = {
  [NOOK_HOOK_PRESTART] = "prestart",
  [NOOK_HOOK_CREATE_RUNTIME] = "createRuntime",
  [NOOK_HOOK_CREATE_CONTAINER] = "createContainer",
  [NOOK_HOOK_START_CONTAINER] = "startContainer",
  [NOOK_HOOK_POSTSTART] = "poststart",
  [NOOK_HOOK_POSTSTOP] = "poststop",
};

/* poll() takes milliseconds in an int. */
#define MAX_TIMEOUT (G_MAXINT / 1000)

const char *
nook_hook_kind_name (NookHookKind kind)
{
  g_return_val_if_fail ((guint)kind < NOOK_HOOK_KIND_COUNT, NULL);
  return hook_kind_names[kind];
}

static gboolean
parse_timeout (NookConfigCtx *ctx, const NookJson *node, const char *path, gpointer out,
               GError **error)
{
  guint *target = out;
  guint64 value;

  /* A negative value gets the range message, which says the same. */
  if (!nook_config_get_uint (ctx, node, path, MAX_TIMEOUT, &value, error))
    return FALSE;
  if (value == 0)
    return nook_config_fail (ctx, error, path, "must be greater than zero");
  *target = (guint)value;
  return TRUE;
}

static const NookConfigField hook_fields[] = {
  NOOK_FIELD ("path", nook_config_parse_abs_path, NookHook, path, NOOK_FIELD_REQUIRED),
  NOOK_FIELD ("args", nook_config_parse_strv, NookHook, args, 0),
  NOOK_FIELD ("env", nook_config_parse_env, NookHook, env, 0),
  NOOK_FIELD ("timeout", parse_timeout, NookHook, timeout, 0),
};

static gboolean
parse_hook (NookConfigCtx *ctx, const NookJson *node, const char *path, gpointer out,
            GError **error)
{
  NookHook *hook = out;

  if (!nook_config_parse_table (ctx, node, path, hook_fields, hook, error))
    return FALSE;
  /* Every hook gets an argv the child can pass to execve as it is. */
  if (hook->args == NULL || hook->args[0] == NULL)
    {
      g_strfreev (hook->args);
      hook->args = g_new0 (char *, 2);
      hook->args[0] = g_strdup (hook->path);
    }
  nook_config_ensure_strv (&hook->env);
  return TRUE;
}

static gboolean
parse_kind (NookConfigCtx *ctx, const NookJson *node, const char *path, NookHookKind kind,
            GError **error)
{
  NookConfig *config = ctx->config;

  return nook_config_parse_array (ctx, node, path, sizeof (NookHook), parse_hook,
                                  (gpointer *)&config->hooks[kind], &config->n_hooks[kind], error);
  return TRUE;
}

gboolean
nook_config_parse_hooks (NookConfigCtx *ctx, const NookJson *node, const char *path, gpointer out,
                         GError **error)
{
  const NookJson *object = nook_config_get_object (ctx, node, path, error);

  if (object == NULL)
    return FALSE;
  /* Unknown members are ignored, as everywhere in the config. */
  for (guint kind = 0; kind < NOOK_HOOK_KIND_COUNT; kind++)
    {
      const NookJson *member = nook_json_get (object, hook_kind_names[kind]);
      g_autofree char *member_path = nook_config_path_member (path, hook_kind_names[kind]);

      if (member == NULL || nook_json_is (member, NOOK_JSON_NULL))
        continue;
      if (!parse_kind (ctx, member, member_path, kind, error))
        return FALSE;
    }
  return TRUE;
}

gboolean
nook_config_parse_annotations (NookConfigCtx *ctx, const NookJson *node, const char *path,
                               gpointer out, GError **error)
{
  NookConfig *config = out;
  const NookJson *object = nook_config_get_object (ctx, node, path, error);

  if (object == NULL)
    return FALSE;
  /* In the order of the file, so the state a hook reads is predictable. */
  config->annotations = g_new0 (NookAnnotation, object->n);
  for (guint i = 0; i < object->n; i++)
    {
      const char *key = object->v.members[i].name;
      g_autofree char *member_path = nook_config_path_member (path, key);
      const char *value
          = nook_config_get_string (ctx, &object->v.members[i].value, member_path, error);

      if (value == NULL)
        return FALSE;
      if (*key == '\0')
        return nook_config_fail (ctx, error, path, "a key must not be empty");
      config->annotations[config->n_annotations].key = g_strdup (key);
      config->annotations[config->n_annotations].value = g_strdup (value);
      config->n_annotations++;
    }
  return TRUE;
}

void
nook_config_hooks_clear (NookConfig *config)
{
  for (guint kind = 0; kind < NOOK_HOOK_KIND_COUNT; kind++)
    {
      for (guint i = 0; i < config->n_hooks[kind]; i++)
        {
          g_free (config->hooks[kind][i].path);
          g_strfreev (config->hooks[kind][i].args);
          g_strfreev (config->hooks[kind][i].env);
        }
      g_clear_pointer (&config->hooks[kind], g_free);
      config->n_hooks[kind] = 0;
    }
  for (guint i = 0; i < config->n_annotations; i++)
    {
      g_free (config->annotations[i].key);
      g_free (config->annotations[i].value);
    }
  g_clear_pointer (&config->annotations, g_free);
  config->n_annotations = 0;
}
