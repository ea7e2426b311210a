/* Unit tests for storage/json.c and json-write.c: what the reader takes and
 * refuses, with the error's position; what the writer writes; and that a
 * read value written again reads back the same. */
#include <glib/gstdio.h>
#include <string.h>

#include "storage/json.h"

static NookJsonDoc *
parse (const char *text)
{
  g_autoptr (GError) error = NULL;
  NookJsonDoc *doc = nook_json_parse (text, strlen (text), &error);

  g_assert_no_error (error);
  g_assert_nonnull (doc);
  return doc;
}

static void
test_values (void)
{
  g_autoptr (NookJsonDoc) doc
      = parse (" {\"s\": \"a\\\"b\\u00e9\\ud83d\\ude00\", \"i\": -9223372036854775808,"
               " \"big\": 9223372036854775808, \"huge\": 18446744073709551616, \"d\": 1.5e2, "
               "\"t\": true, \"f\": false,"
               " \"n\": null, \"a\": [1, [], {}], \"o\": {\"x\": \"y\"}, \"e\": \"\"} ");
  const NookJson *root = nook_json_doc_root (doc);
  const NookJson *a;

  g_assert_cmpint (root->type, ==, NOOK_JSON_OBJECT);
  g_assert_cmpuint (root->n, ==, 11);
  g_assert_cmpstr (nook_json_get_string (root, "s", NULL), ==, "a\"b\xc3\xa9\xf0\x9f\x98\x80");
  g_assert_cmpuint (nook_json_get (root, "s")->n, ==, 9);
  g_assert_cmpint (nook_json_get_int (root, "i", 0), ==, G_MININT64);
  g_assert_cmpint (nook_json_get (root, "big")->type, ==, NOOK_JSON_UINT);
  g_assert_cmpuint (nook_json_get (root, "big")->v.u, ==, (guint64)G_MAXINT64 + 1);
  g_assert_cmpint (nook_json_get (root, "huge")->type, ==, NOOK_JSON_DOUBLE);
  g_assert_cmpint (nook_json_get (root, "d")->type, ==, NOOK_JSON_DOUBLE);
  g_assert_cmpfloat (nook_json_get (root, "d")->v.d, ==, 150.0);
  g_assert_true (nook_json_get_bool (root, "t", FALSE));
  g_assert_false (nook_json_get_bool (root, "f", TRUE));
  g_assert_cmpint (nook_json_get (root, "n")->type, ==, NOOK_JSON_NULL);
  g_assert_null (nook_json_get_value (root, "n"));
  g_assert_null (nook_json_get (root, "missing"));
  g_assert_cmpstr (nook_json_get_string (root, "i", "fallback"), ==, "fallback");
  a = nook_json_get_array (root, "a");
  g_assert_nonnull (a);
  g_assert_cmpuint (a->n, ==, 3);
  g_assert_cmpint (a->v.elements[0].v.i, ==, 1);
  g_assert_cmpint (a->v.elements[1].type, ==, NOOK_JSON_ARRAY);
  g_assert_cmpuint (a->v.elements[1].n, ==, 0);
  g_assert_cmpint (a->v.elements[2].type, ==, NOOK_JSON_OBJECT);
  g_assert_cmpstr (nook_json_get_string (nook_json_get_object (root, "o"), "x", NULL), ==, "y");
  g_assert_cmpstr (nook_json_get_string (root, "e", NULL), ==, "");
  g_assert_null (nook_json_get_object (root, "a"));
}

/* Each value's span covers its own text, so that a key can be taken over
 * one member (linux.seccomp) without the rest of the file. */
static void
test_spans (void)
{
  const char *text = "{\"a\": [1, 2],\n \"b\" :{ \"c\" : \"x\\n\" } }";
  g_autoptr (NookJsonDoc) doc = parse (text);
  const NookJson *root = nook_json_doc_root (doc);
  const NookJson *a = nook_json_get (root, "a");
  const NookJson *b = nook_json_get (root, "b");
  g_autofree char *a_text = g_strndup (text + a->start, a->end - a->start);
  g_autofree char *b_text = g_strndup (text + b->start, b->end - b->start);

  g_assert_cmpuint (root->start, ==, 0);
  g_assert_cmpuint (root->end, ==, strlen (text));
  g_assert_cmpstr (a_text, ==, "[1, 2]");
  g_assert_cmpstr (b_text, ==, "{ \"c\" : \"x\\n\" }");
}

static void
expect_error (const char *text, gsize length, const char *message)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (NookJsonDoc) doc = nook_json_parse (text, length, &error);

  g_assert_null (doc);
  g_assert_error (error, NOOK_JSON_ERROR, NOOK_JSON_ERROR_PARSE);
  if (strstr (error->message, message) == NULL)
    g_error ("%s: expected \"%s\" in \"%s\"", text, message, error->message);
}

static void
test_errors (void)
{
  static const struct
  {
    const char *text;
    const char *message;
  } cases[] = {
    { "", "line 1, column 1: unexpected end of text" },
    { "{\"a\": 1,\n \"b\" 2}", "line 2, column 6: expected ':'" },
    { "{\"a\": 1, \"a\": 2}", "member \"a\" given twice" },
    { "[1 2]", "expected ',' or ']'" },
    { "[1,]", "unexpected character" },
    { "{\"a\": 1,}", "expected a member name" },
    { "{a: 1}", "expected a member name" },
    { "[\"a\x01\"]", "control character" },
    { "[\"a\tb\"]", "control character" },
    { "\"\\u0000\"", "\\u0000" },
    { "\"\\ud800\"", "lone high surrogate" },
    { "\"\\udc00\"", "lone low surrogate" },
    { "\"\\x\"", "unknown escape" },
    { "\"\\u12g4\"", "bad \\u escape" },
    { "\"\xff\"", "invalid UTF-8" },
    { "\"\xc3\"", "invalid UTF-8" },
    { "\"abc", "unterminated string" },
    { "01", "leading zero" },
    { "-", "bad number" },
    { "1.", "bad number" },
    { "1e", "bad number" },
    { "tru", "unexpected character" },
    { "nul", "unexpected character" },
    { "[1] x", "text after the value" },
    { "{\"a\": [1}", "expected ',' or ']'" },
    { "[", "unexpected end of text" },
    { "{\"a\": 1", "unterminated object" },
    { "\xef\xbb\xbf{}", "byte order mark" },
  };
  g_autoptr (GString) deep = g_string_new (NULL);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    expect_error (cases[i].text, strlen (cases[i].text), cases[i].message);
  /* A NUL byte in the text is not whitespace. */
  expect_error ("{}\0", 3, "text after the value");
  for (guint i = 0; i <= NOOK_JSON_MAX_DEPTH + 1; i++)
    g_string_append_c (deep, '[');
  expect_error (deep->str, deep->len, "nested too deeply");
}

/* Not NUL-terminated: the reader never looks past length. */
static void
test_length (void)
{
  g_autoptr (GError) error = NULL;
  char text[] = { '[', '1', '2', ']', '9' };
  g_autoptr (NookJsonDoc) doc = nook_json_parse (text, 4, &error);

  g_assert_no_error (error);
  g_assert_cmpint (nook_json_doc_root (doc)->v.elements[0].v.i, ==, 12);
}

static void
test_writer (void)
{
  g_autoptr (NookJsonWriter) w = nook_json_writer_new (FALSE);
  const char *strv[] = { "a", "b\"\\\n\x01", NULL };
  g_autofree char *text = NULL;
  gsize length = 0;

  nook_json_writer_begin_object (w);
  nook_json_writer_member_string (w, "s", "x");
  nook_json_writer_member_int (w, "i", -5);
  nook_json_writer_member_bool (w, "b", TRUE);
  nook_json_writer_member_strv (w, "v", strv);
  nook_json_writer_member (w, "e");
  nook_json_writer_begin_object (w);
  nook_json_writer_end_object (w);
  nook_json_writer_member_string (w, "n", NULL);
  nook_json_writer_member_string (w, "bad", "a\xff");
  nook_json_writer_end_object (w);
  text = nook_json_writer_finish (g_steal_pointer (&w), &length);
  g_assert_cmpstr (text, ==,
                   "{\"s\":\"x\",\"i\":-5,\"b\":true,\"v\":[\"a\",\"b\\\"\\\\\\n\\u0001\"],"
                   "\"e\":{},\"n\":null,\"bad\":\"a\xef\xbf\xbd\"}");
  g_assert_cmpuint (length, ==, strlen (text));
}

static void
test_writer_pretty (void)
{
  g_autoptr (NookJsonWriter) w = nook_json_writer_new (TRUE);
  g_autofree char *text = NULL;

  nook_json_writer_begin_object (w);
  nook_json_writer_member (w, "a");
  nook_json_writer_begin_array (w);
  nook_json_writer_int (w, 1);
  nook_json_writer_begin_object (w);
  nook_json_writer_member_bool (w, "x", FALSE);
  nook_json_writer_end_object (w);
  nook_json_writer_end_array (w);
  nook_json_writer_member (w, "e");
  nook_json_writer_begin_array (w);
  nook_json_writer_end_array (w);
  nook_json_writer_end_object (w);
  text = nook_json_writer_finish (g_steal_pointer (&w), NULL);
  g_assert_cmpstr (text, ==,
                   "{\n  \"a\": [\n    1,\n    {\n      \"x\": false\n    }\n  ],\n"
                   "  \"e\": []\n}");
}

/* Read, write, read: the same tree, and the same text the second time. */
static void
test_round_trip (void)
{
  const char *text = "{\"a\":[1,-2,0.5,\"\\u00e9\\t\",true,null,{\"k\":{}}],\"b\":[],\"c\":\"/\"}";
  g_autoptr (NookJsonDoc) doc = parse (text);
  g_autoptr (NookJsonWriter) w = nook_json_writer_new (FALSE);
  g_autofree char *out = NULL;

  nook_json_writer_value (w, nook_json_doc_root (doc));
  out = nook_json_writer_finish (g_steal_pointer (&w), NULL);
  g_assert_cmpstr (out, ==,
                   "{\"a\":[1,-2,0.5,\"\xc3\xa9\\t\",true,null,{\"k\":{}}],\"b\":[],\"c\":\"/\"}");
}

static void
test_file (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("test-json-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "bad.json", NULL);
  g_autoptr (NookJsonDoc) doc = NULL;

  g_assert_true (g_file_set_contents (path, "{\"a\":\n  tru}", -1, NULL));
  doc = nook_json_parse_file (path, &error);
  g_assert_null (doc);
  g_assert_true (g_str_has_prefix (error->message, path));
  g_assert_nonnull (strstr (error->message, "line 2, column 3"));
  g_unlink (path);
  g_rmdir (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/json/values", test_values);
  g_test_add_func ("/json/spans", test_spans);
  g_test_add_func ("/json/errors", test_errors);
  g_test_add_func ("/json/length", test_length);
  g_test_add_func ("/json/writer", test_writer);
  g_test_add_func ("/json/writer-pretty", test_writer_pretty);
  g_test_add_func ("/json/round-trip", test_round_trip);
  g_test_add_func ("/json/file", test_file);
  return g_test_run ();
}
