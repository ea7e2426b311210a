/* nook: the config loader's JSON helpers: type checks that name the JSON path,
 * the field-table walker, and parse functions for plain values. */
#include <errno.h>
#include <stdarg.h>
#include <string.h>

#include "launcher/config/config-private.h"

gboolean
nook_config_fail (NookConfigCtx *ctx, GError **error, const char *path, const char *format, ...)
{
  g_autofree char *what = NULL;
  va_list args;

  va_start (args, format);
  what = g_strdup_vprintf (format, args);
  va_end (args);

  if (path == NULL || *path == '\0')
    g_set_error (error, NOOK_ERROR, NOOK_ERROR_CONFIG, "%s: %s", ctx->file, what);
  else
    g_set_error (error, NOOK_ERROR, NOOK_ERROR_CONFIG, "%s: %s: %s", ctx->file, path, what);
  return FALSE;
}

char *
nook_config_escape (const char *value)
{
  char keep[129];

  /* Keep UTF-8 readable; escape only what could break the one-line message
   * (control characters, quotes, backslashes). */
  for (guint i = 0; i < 128; i++)
    keep[i] = (char)(0x80 + i);
  keep[128] = '\0';
  return g_strescape (value, keep);
}

char *
nook_config_quote (const char *value)
{
  g_autofree char *escaped = nook_config_escape (value);

  return g_strdup_printf ("\"%s\"", escaped);
}

static gboolean
is_identifier (const char *key)
{
  if (*key == '\0')
    return FALSE;
  for (const char *p = key; *p != '\0'; p++)
    if (!g_ascii_isalnum (*p) && *p != '_')
      return FALSE;
  return TRUE;
}

char *
nook_config_path_member (const char *parent, const char *key)
{
  g_autofree char *quoted = NULL;

  /* Keys such as sysctl names contain dots: quote them so the path stays unambiguous. */
  if (!is_identifier (key))
    key = quoted = nook_config_quote (key);
  if (parent == NULL || *parent == '\0')
    return g_strdup (key);
  return g_strconcat (parent, ".", key, NULL);
}

/* Paths are made for every value read, in case it is wrong: concatenated,
 * not printf'd (g_strdup_printf was 10% of a warm start's instructions). */
char *
nook_config_path_index (const char *parent, guint index)
{
  char digits[16];
  char *p = digits + sizeof digits;

  *--p = '\0';
  *--p = ']';
  do
    *--p = (char)('0' + index % 10);
  while ((index /= 10) > 0);
  *--p = '[';
  return g_strconcat (parent, p, NULL);
}

const NookJson *
nook_config_get_object (NookConfigCtx *ctx, const NookJson *node, const char *path, GError **error)
{
  if (!nook_json_is (node, NOOK_JSON_OBJECT))
    {
      nook_config_fail (ctx, error, path, "expected an object");
      return NULL;
    }
  return node;
}

const NookJson *
nook_config_get_array (NookConfigCtx *ctx, const NookJson *node, const char *path, GError **error)
{
  if (!nook_json_is (node, NOOK_JSON_ARRAY))
    {
      nook_config_fail (ctx, error, path, "expected an array");
      return NULL;
    }
  return node;
}

const char *
nook_config_get_string (NookConfigCtx *ctx, const NookJson *node, const char *path, GError **error)
{
  if (!nook_json_is (node, NOOK_JSON_STRING))
    {
      nook_config_fail (ctx, error, path, "expected a string");
      return NULL;
    }
  return node->v.s;
}

static gboolean
get_int (NookConfigCtx *ctx, const NookJson *node, const char *path, gint64 *out, GError **error)
{
  /* 1.0 and 1e3 are read as doubles: an integer field takes neither. */
  if (!nook_json_is (node, NOOK_JSON_INT))
    return nook_config_fail (ctx, error, path, "expected an integer");
  *out = node->v.i;
  return TRUE;
}

gboolean
nook_config_get_uint (NookConfigCtx *ctx, const NookJson *node, const char *path, guint64 max,
                      guint64 *out, GError **error)
{
  gint64 value = 0;

  if (nook_json_is (node, NOOK_JSON_UINT))
    {
      if (node->v.u > max)
        return nook_config_fail (ctx, error, path,
                                 "%" G_GUINT64_FORMAT " is out of range (0..%" G_GUINT64_FORMAT ")",
                                 node->v.u, max);
      *out = node->v.u;
      return TRUE;
    }
  if (!get_int (ctx, node, path, &value, error))
    return FALSE;
  if (value < 0 || (guint64)value > max)
    return nook_config_fail (ctx, error, path,
                             "%" G_GINT64_FORMAT " is out of range (0..%" G_GUINT64_FORMAT ")",
                             value, max);
  *out = (guint64)value;
  return TRUE;
}

static gboolean
check_env (NookConfigCtx *ctx, const char *value, const char *path, GError **error)
{
  g_autofree char *quoted = NULL;

  /* execve would pass an entry without '=' on, but nothing can read it as a variable. */
  if (strchr (value, '=') != NULL)
    return TRUE;
  quoted = nook_config_quote (value);
  return nook_config_fail (ctx, error, path, "%s is not of the form NAME=VALUE", quoted);
}

gboolean
nook_config_parse_env (NookConfigCtx *ctx, const NookJson *node, const char *path, gpointer out,
                       GError **error)
{
  return nook_config_get_strv (ctx, node, path, check_env, out, error);
}

gboolean
nook_config_parse_array (NookConfigCtx *ctx, const NookJson *node, const char *path,
                         gsize element_size, NookConfigElementFunc parse, gpointer *out,
                         guint *out_n, GError **error)
{
  const NookJson *array = nook_config_get_array (ctx, node, path, error);
  guint n;

  if (array == NULL)
    return FALSE;
  n = (array)->n;
  g_free (*out);
  *out = g_malloc0_n (n, element_size);
  *out_n = n;
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *element_path = nook_config_path_index (path, i);

      if (!parse (ctx, &(array)->v.elements[i], element_path, (char *)*out + i * element_size,
                  error))
        return FALSE;
    }
  return TRUE;
}

gboolean
nook_config_get_strv (NookConfigCtx *ctx, const NookJson *node, const char *path,
                      NookConfigCheckFunc check, char ***out, GError **error)
{
  g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();
  const NookJson *array = nook_config_get_array (ctx, node, path, error);

  if (array == NULL)
    return FALSE;
  for (guint i = 0; i < (array)->n; i++)
    {
      g_autofree char *element_path = nook_config_path_index (path, i);
      const char *value
          = nook_config_get_string (ctx, &(array)->v.elements[i], element_path, error);

      if (value == NULL)
        return FALSE;
      if (check != NULL && !check (ctx, value, element_path, error))
        return FALSE;
      g_strv_builder_add (builder, value);
    }
  g_strfreev (*out);
  *out = g_strv_builder_end (builder);
  return TRUE;
}

gboolean
nook_config_parse_fields (NookConfigCtx *ctx, const NookJson *node, const char *path,
                          const NookConfigField *fields, gsize n_fields, gpointer base,
                          GError **error)
{
  const NookJson *object = nook_config_get_object (ctx, node, path, error);

  if (object == NULL)
    return FALSE;
  for (gsize i = 0; i < n_fields; i++)
    {
      const NookConfigField *field = &fields[i];
      const NookJson *member = nook_json_get (object, field->name);
      g_autofree char *member_path = nook_config_path_member (path, field->name);

      if (member == NULL || nook_json_is (member, NOOK_JSON_NULL))
        {
          if (field->flags & NOOK_FIELD_REQUIRED)
            return nook_config_fail (ctx, error, member_path, "missing required field");
          continue;
        }
      if (field->flags & NOOK_FIELD_PRESENCE)
        G_STRUCT_MEMBER (gboolean, base, field->present_offset) = TRUE;
      if (!field->parse (ctx, member, member_path, G_STRUCT_MEMBER_P (base, field->offset), error))
        return FALSE;
    }
  return TRUE;
}

gboolean
nook_config_parse_string (NookConfigCtx *ctx, const NookJson *node, const char *path, gpointer out,
                          GError **error)
{
  char **target = out;
  const char *value = nook_config_get_string (ctx, node, path, error);

  if (value == NULL)
    return FALSE;
  g_free (*target);
  *target = g_strdup (value);
  return TRUE;
}

gboolean
nook_config_parse_bool (NookConfigCtx *ctx, const NookJson *node, const char *path, gpointer out,
                        GError **error)
{
  gboolean *target = out;

  if (!nook_json_is (node, NOOK_JSON_BOOL))
    return nook_config_fail (ctx, error, path, "expected a boolean");
  *target = node->v.b;
  return TRUE;
}

gboolean
nook_config_parse_strv (NookConfigCtx *ctx, const NookJson *node, const char *path, gpointer out,
                        GError **error)
{
  return nook_config_get_strv (ctx, node, path, NULL, out, error);
}

gboolean
nook_config_check_abs_path (NookConfigCtx *ctx, const char *value, const char *path, GError **error)
{
  if (!g_path_is_absolute (value))
    return nook_config_fail (ctx, error, path, "must be an absolute path");
  return TRUE;
}

gboolean
nook_config_parse_abs_path (NookConfigCtx *ctx, const NookJson *node, const char *path,
                            gpointer out, GError **error)
{
  const char *value = nook_config_get_string (ctx, node, path, error);

  if (value == NULL || !nook_config_check_abs_path (ctx, value, path, error))
    return FALSE;
  return nook_config_parse_string (ctx, node, path, out, error);
}

gboolean
nook_config_parse_abs_path_strv (NookConfigCtx *ctx, const NookJson *node, const char *path,
                                 gpointer out, GError **error)
{
  return nook_config_get_strv (ctx, node, path, nook_config_check_abs_path, out, error);
}

gboolean
nook_config_parse_uint32 (NookConfigCtx *ctx, const NookJson *node, const char *path, gpointer out,
                          GError **error)
{
  guint32 *target = out;
  guint64 value = 0;

  if (!nook_config_get_uint (ctx, node, path, G_MAXUINT32, &value, error))
    return FALSE;
  *target = (guint32)value;
  return TRUE;
}

gboolean
nook_config_parse_uint64 (NookConfigCtx *ctx, const NookJson *node, const char *path, gpointer out,
                          GError **error)
{
  /* Up to 18446744073709551615, RLIM_INFINITY as podman writes it. */
  return nook_config_get_uint (ctx, node, path, G_MAXUINT64, out, error);
}

char *
nook_config_resolve_existing (NookConfigCtx *ctx, const char *value, const char *path,
                              struct stat *out_st, GError **error)
{
  g_autofree char *resolved = g_canonicalize_filename (value, ctx->bundle_dir);

  if (stat (resolved, out_st) != 0)
    {
      int saved_errno = errno;
      g_autofree char *escaped = nook_config_escape (resolved);

      nook_config_fail (ctx, error, path, "%s: %s", escaped, g_strerror (saved_errno));
      return NULL;
    }
  return g_steal_pointer (&resolved);
}

void
nook_config_ensure_strv (char ***strv)
{
  if (*strv == NULL)
    *strv = g_new0 (char *, 1);
}

gboolean
nook_config_is_empty (const NookJson *node)
{
  if (nook_json_is (node, NOOK_JSON_ARRAY))
    return (node)->n == 0;
  if (nook_json_is (node, NOOK_JSON_OBJECT))
    return node->n == 0;
  return nook_json_is (node, NOOK_JSON_NULL);
}
