/* nook: libFuzzer target for the seccomp fast path's scanner
 * (nook_seccomp_alias_find_rules) and the key over a whole config
 * (nook_seccomp_alias_key).
 *
 * The scanner promises to accept only one well-formed JSON object whose
 * linux.seccomp.syscalls is an array, and to return that array's span.
 * Checked against json-glib: whatever the scanner accepts (in valid UTF-8,
 * which the scanner leaves to json-glib) json-glib must parse, with an
 * array at linux.seccomp.syscalls, and the text with the span cut to []
 * must parse to an empty array there. */
#include "tests/fuzz/fuzz-common.h"

#include <json-glib/json-glib.h>
#include <string.h>

#include "launcher/seccomp/seccomp-alias.h"
#include "launcher/seccomp/seccomp-key.h"

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  fuzz_fatal_criticals ();
  return 0;
}

/* linux.seccomp.syscalls of text as json-glib reads it: its length, or -1
 * when the text does not parse or the member is not there as an array. */
static gssize
syscalls_length (const char *text, gsize len)
{
  g_autoptr (JsonParser) parser = json_parser_new_immutable ();
  JsonNode *node;
  JsonObject *o;

  if (!json_parser_load_from_data (parser, text, (gssize)len, NULL))
    return -1;
  node = json_parser_get_root (parser);
  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return -1;
  const char *const path[] = { "linux", "seccomp" };
  o = json_node_get_object (node);
  for (gsize i = 0; i < G_N_ELEMENTS (path); i++)
    {
      node = json_object_get_member (o, path[i]);
      if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
        return -1;
      o = json_node_get_object (node);
    }
  node = json_object_get_member (o, "syscalls");
  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    return -1;
  return (gssize)json_array_get_length (json_node_get_array (node));
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  const char *text = (const char *)data;
  guint8 key[NOOK_FILTER_STORE_KEY_SIZE], again[NOOK_FILTER_STORE_KEY_SIZE];
  g_autoptr (GString) cut = NULL;
  gsize begin = 0, end = 0;

  nook_seccomp_alias_key (text, size, key);
  nook_seccomp_alias_key (text, size, again);
  if (memcmp (key, again, sizeof key) != 0)
    fuzz_fail ("fuzz-seccomp-alias: two keys for one text");

  if (!nook_seccomp_alias_find_rules (text, size, &begin, &end))
    return 0;
  if (!(begin < end && end <= size && text[begin] == '[' && text[end - 1] == ']'))
    fuzz_fail ("fuzz-seccomp-alias: span [%zu, %zu) of %zu bytes is not an array", begin, end,
               size);
  if (memchr (text, '\0', size) != NULL || !g_utf8_validate (text, (gssize)size, NULL))
    return 0;
  if (syscalls_length (text, size) < 0)
    fuzz_fail ("fuzz-seccomp-alias: the scanner accepted what json-glib does not read as a config "
               "with linux.seccomp.syscalls");
  cut = g_string_new_len (text, (gssize)begin);
  g_string_append (cut, "[]");
  g_string_append_len (cut, text + end, (gssize)(size - end));
  if (syscalls_length (cut->str, cut->len) != 0)
    fuzz_fail ("fuzz-seccomp-alias: the text with the span cut to [] has another syscalls array");
  return 0;
}
