/* nook: loading a container's config.json, through the filter store's
 * fast path for a file seen before (launcher/seccomp/seccomp-alias.h). */
#include "launcher/lifecycle/lifecycle.h"

#include <string.h>

#include "launcher/seccomp/seccomp-alias.h"
#include "launcher/seccomp/seccomp-key.h"
#include "storage/filter-store.h"

/* The text with the rules cut, parsed; NULL when it does not parse to a
 * seccomp section without rules (then the cut did not fit the text). */
static NookConfig *
parse_cut (const GString *text, gsize begin, gsize end, const char *path, const char *bundle_dir)
{
  g_autoptr (GString) cut = g_string_sized_new (text->len - (end - begin) + 2);
  g_autoptr (NookConfig) config = NULL;

  g_string_append_len (cut, text->str, begin);
  g_string_append (cut, "[]");
  g_string_append_len (cut, text->str + end, text->len - end);
  config = nook_config_parse (cut->str, cut->len, path, bundle_dir, NULL);
  if (config == NULL || config->seccomp == NULL || config->seccomp->n_rules != 0)
    return NULL;
  return g_steal_pointer (&config);
}

NookConfig *
nook_lifecycle_load_config (const char *bundle_dir, const char *config_path, gboolean use_store,
                            GPtrArray *warnings, GError **error)
{
  g_autofree char *path = NULL;
  g_autoptr (GString) text = nook_config_read (bundle_dir, config_path, &path, error);
  g_autoptr (NookConfig) config = NULL;
  g_autoptr (GPtrArray) stored_warnings = g_ptr_array_new_with_free_func (g_free);
  guint8 key[NOOK_FILTER_STORE_KEY_SIZE];
  struct sock_filter *insns = NULL;
  guint n_insns = 0;
  gsize begin, end;

  if (text == NULL)
    return NULL;
  if (!use_store || !nook_seccomp_alias_find_rules (text->str, text->len, &begin, &end))
    return nook_config_parse (text->str, text->len, path, bundle_dir, error);

  nook_seccomp_alias_key (text->str, text->len, key);
  if (nook_seccomp_alias_lookup (key, &insns, &n_insns, stored_warnings, warnings)
      && (config = parse_cut (text, begin, end, path, bundle_dir)) != NULL)
    {
      config->seccomp->alias_insns = g_steal_pointer (&insns);
      config->seccomp->alias_n_insns = n_insns;
      for (guint i = 0; i < stored_warnings->len; i++)
        if (warnings != NULL)
          g_ptr_array_add (warnings, g_steal_pointer (&stored_warnings->pdata[i]));
    }
  else
    {
      g_free (insns);
      config = nook_config_parse (text->str, text->len, path, bundle_dir, error);
      if (config == NULL)
        return NULL;
    }
  if (config->seccomp != NULL)
    {
      config->seccomp->has_alias_key = TRUE;
      memcpy (config->seccomp->alias_key, key, sizeof key);
    }
  return g_steal_pointer (&config);
}
