/* nook: loading a container's config.json, through the filter store's
 * fast path for a linux.seccomp seen before (launcher/seccomp/seccomp-alias.h). */
#include "launcher/lifecycle/lifecycle.h"

#include <string.h>

#include "launcher/seccomp/seccomp-alias.h"
#include "launcher/seccomp/seccomp-key.h"
#include "storage/filter-store.h"

NookConfig *
nook_lifecycle_load_config (const char *bundle_dir, const char *config_path, gboolean use_store,
                            GPtrArray *warnings, GError **error)
{
  g_autofree char *path = NULL;
  g_autoptr (GString) text = nook_config_read (bundle_dir, config_path, &path, error);
  g_autoptr (NookJsonDoc) doc = NULL;
  g_autoptr (NookConfig) config = NULL;
  g_autoptr (GPtrArray) stored_warnings = g_ptr_array_new_with_free_func (g_free);
  guint8 key[NOOK_FILTER_STORE_KEY_SIZE];
  g_autofree struct sock_filter *insns = NULL;
  guint n_insns = 0;
  const NookJson *root, *seccomp;
  gboolean hit;

  if (text == NULL)
    return NULL;
  doc = nook_config_parse_text (text->str, text->len, path, error);
  if (doc == NULL)
    return NULL;
  root = nook_json_doc_root (doc);
  seccomp = nook_json_get_value (nook_json_get_object (root, "linux"), "seccomp");
  if (!use_store || !nook_json_is (seccomp, NOOK_JSON_OBJECT))
    return nook_config_parse_json (root, path, bundle_dir, FALSE, error);

  /* The key covers the text of linux.seccomp alone: engines write a new
   * config.json for every container (id, paths, annotations), around the
   * same profile. A hit is the program compiled from exactly this text,
   * so its rules (~440 syscall names in a default profile) are not read. */
  nook_seccomp_alias_key (text->str + seccomp->start, seccomp->end - seccomp->start, key);
  hit = nook_seccomp_alias_lookup (key, &insns, &n_insns, stored_warnings, warnings);
  config = nook_config_parse_json (root, path, bundle_dir, hit, error);
  if (config == NULL)
    return NULL;
  if (hit)
    {
      config->seccomp->alias_insns = g_steal_pointer (&insns);
      config->seccomp->alias_n_insns = n_insns;
      for (guint i = 0; i < stored_warnings->len; i++)
        if (warnings != NULL)
          g_ptr_array_add (warnings, g_steal_pointer (&stored_warnings->pdata[i]));
    }
  config->seccomp->has_alias_key = TRUE;
  memcpy (config->seccomp->alias_key, key, sizeof key);
  return g_steal_pointer (&config);
}
