/* nook: a process object in a file of its own (nook exec --process FILE),
 * read with the same table as config.json's process section. */
#include <string.h>

#include "launcher/config/config-private.h"

gboolean
nook_config_load_process (const char *file, NookProcess *out, GError **error)
{
  g_autoptr (NookJsonDoc) doc = NULL;
  g_autoptr (GError) json_error = NULL;
  /* The context's config is only a place holder: a process section looks
   * at no other section. */
  g_autoptr (NookConfig) scratch = g_new0 (NookConfig, 1);
  NookConfigCtx ctx = { file, "/", scratch };
  const NookJson *root;

  memset (out, 0, sizeof *out);
  doc = nook_json_parse_file (file, &json_error);
  if (doc == NULL)
    {
      g_set_error (error, NOOK_ERROR, NOOK_ERROR_CONFIG, "%s", json_error->message);
      return FALSE;
    }
  root = nook_json_doc_root (doc);
  if (!nook_json_is (root, NOOK_JSON_OBJECT))
    return nook_config_fail (&ctx, error, NULL, "expected a JSON object (a runtime-spec process)");
  if (!nook_config_parse_process (&ctx, root, "", out, error))
    {
      nook_config_process_clear (out);
      return FALSE;
    }
  return TRUE;
}
