/* nook: libFuzzer target for the JSON reader and writer (storage/json.c,
 * json-write.c), checked against json-glib, the parser nook used before:
 *  - what nook reads, json-glib reads too, to the same tree (nook refuses
 *    more: duplicate names, \u0000, lone surrogates, deep nesting);
 *  - what nook writes from a tree reads back to the same tree. */
#include <json-glib/json-glib.h>
#include <math.h>
#include <string.h>

#include "tests/fuzz/fuzz-common.h"

#include "storage/json.h"

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  fuzz_fatal_criticals ();
  return 0;
}

static void
same (const NookJson *a, JsonNode *b, const char *where)
{
  switch (a->type)
    {
    case NOOK_JSON_NULL:
      if (!JSON_NODE_HOLDS_NULL (b))
        fuzz_fail ("%s: null differs", where);
      return;
    case NOOK_JSON_BOOL:
      if (!JSON_NODE_HOLDS_VALUE (b) || json_node_get_value_type (b) != G_TYPE_BOOLEAN
          || json_node_get_boolean (b) != a->v.b)
        fuzz_fail ("%s: boolean differs", where);
      return;
    case NOOK_JSON_INT:
      if (!JSON_NODE_HOLDS_VALUE (b) || json_node_get_value_type (b) != G_TYPE_INT64
          || json_node_get_int (b) != a->v.i)
        fuzz_fail ("%s: integer %" G_GINT64_FORMAT " differs", where, a->v.i);
      return;
    case NOOK_JSON_UINT:
      /* json-glib keeps these wrapped into a gint64. */
      if (!JSON_NODE_HOLDS_VALUE (b) || json_node_get_value_type (b) != G_TYPE_INT64
          || (guint64)json_node_get_int (b) != a->v.u)
        fuzz_fail ("%s: integer %" G_GUINT64_FORMAT " differs", where, a->v.u);
      return;
    case NOOK_JSON_DOUBLE:
      /* json-glib reads an integer too large for gint64 its own way; only
       * values both read as fractions are compared. */
      if (JSON_NODE_HOLDS_VALUE (b) && json_node_get_value_type (b) == G_TYPE_DOUBLE
          && isfinite (a->v.d) && a->v.d != json_node_get_double (b))
        fuzz_fail ("%s: number %g differs", where, a->v.d);
      return;
    case NOOK_JSON_STRING:
      if (!JSON_NODE_HOLDS_VALUE (b) || json_node_get_value_type (b) != G_TYPE_STRING
          || strcmp (json_node_get_string (b), a->v.s) != 0 || strlen (a->v.s) != a->n)
        fuzz_fail ("%s: string differs", where);
      return;
    case NOOK_JSON_ARRAY:
      if (!JSON_NODE_HOLDS_ARRAY (b) || json_array_get_length (json_node_get_array (b)) != a->n)
        fuzz_fail ("%s: array differs", where);
      for (guint i = 0; i < a->n; i++)
        same (&a->v.elements[i], json_array_get_element (json_node_get_array (b), i), where);
      return;
    case NOOK_JSON_OBJECT:
      if (!JSON_NODE_HOLDS_OBJECT (b) || json_object_get_size (json_node_get_object (b)) != a->n)
        fuzz_fail ("%s: object differs", where);
      for (guint i = 0; i < a->n; i++)
        {
          JsonNode *m = json_object_get_member (json_node_get_object (b), a->v.members[i].name);

          if (m == NULL)
            fuzz_fail ("%s: member missing", where);
          same (&a->v.members[i].value, m, where);
        }
      return;
    }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autoptr (NookJsonDoc) doc = nook_json_parse ((const char *)data, size, NULL);
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (NookJsonWriter) w = NULL;
  g_autofree char *text = NULL;
  g_autofree char *copy = NULL;
  gsize length = 0;

  if (doc == NULL)
    return 0;
  /* json-glib reads NUL-terminated text only. */
  copy = g_strndup ((const char *)data, size);
  if (strlen (copy) == size)
    {
      if (!json_parser_load_from_data (parser, copy, (gssize)size, NULL))
        fuzz_fail ("fuzz-json: nook read what json-glib refuses");
      same (nook_json_doc_root (doc), json_parser_get_root (parser), "json-glib");
    }
  w = nook_json_writer_new (size % 2 == 0);
  nook_json_writer_value (w, nook_json_doc_root (doc));
  text = nook_json_writer_finish (g_steal_pointer (&w), &length);
  {
    g_autoptr (NookJsonDoc) again = nook_json_parse (text, length, NULL);
    g_autoptr (JsonParser) parser2 = json_parser_new ();

    if (again == NULL)
      fuzz_fail ("fuzz-json: nook cannot read what it wrote: %s", text);
    if (!json_parser_load_from_data (parser2, text, (gssize)length, NULL))
      fuzz_fail ("fuzz-json: json-glib cannot read what nook wrote: %s", text);
    same (nook_json_doc_root (doc), json_parser_get_root (parser2), "written");
  }
  return 0;
}
