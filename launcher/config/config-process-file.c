/* nook: a process object in a file of its own (nook exec --process FILE),
 * read with the same table as config.json's process section. */
#include <string.h>

#include "launcher/config/config-private.h"

gboolean
nook_config_load_process (const char *file, NookProcess *out, GError **error)
{
  g_autoptr (JsonParser) parser = json_parser_new_immutable ();
  g_autoptr (GError) json_error = NULL;
  /* The context's config is only a place holder: a process section looks
   * at no other section. */
  g_autoptr (NookConfig) scratch = g_new0 (NookConfig, 1);
  NookConfigCtx ctx = { file, "/", scratch };
  JsonNode *root;

  memset (out, 0, sizeof *out);
  if (!json_parser_load_from_file (parser, file, &json_error))
    {
      g_set_error (error, NOOK_ERROR, NOOK_ERROR_CONFIG, "%s: %s", file, json_error->message);
      return FALSE;
    }
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return nook_config_fail (&ctx, error, NULL, "expected a JSON object (a runtime-spec process)");
  if (!nook_config_parse_process (&ctx, root, "", out, error))
    {
      nook_config_process_clear (out);
      return FALSE;
    }
  return TRUE;
}
