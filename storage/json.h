/* nook: the JSON nook reads and writes (config.json, state, layer.json, OCI
 * image indexes, hook and log output).
 *
 * Why not json-glib: linking it makes the dynamic loader bring in gobject,
 * gio, libmount, libselinux and libblkid on every start, about 2.5 ms of a
 * 10 ms `nook run`, and its parser builds a GObject tree of the whole file
 * (the default seccomp profile's 440 names alone were 4 M instructions). This
 * reader makes one pass into a compact tree in one arena; the writer appends
 * to a GString. tests/fuzz/fuzz-json.c checks the reader against json-glib. */
#pragma once

#include <glib.h>

typedef enum
{
  NOOK_JSON_NULL,
  NOOK_JSON_BOOL,
  NOOK_JSON_INT,    /* an integer that fits in gint64 */
  NOOK_JSON_UINT,   /* an integer above G_MAXINT64 that fits in guint64 */
  NOOK_JSON_DOUBLE, /* any other number: a fraction, an exponent, or too large */
  NOOK_JSON_STRING,
  NOOK_JSON_ARRAY,
  NOOK_JSON_OBJECT,
} NookJsonType;

typedef struct NookJson NookJson;
typedef struct NookJsonMember NookJsonMember;

/* A value. Read-only: it lives in its document's arena. */
struct NookJson
{
  NookJsonType type;
  guint n; /* elements of an array, members of an object, bytes of a string */
  union
  {
    gboolean b;
    gint64 i;
    guint64 u;
    double d;
    const char *s; /* NUL-terminated, valid UTF-8, never holds a NUL */
    const NookJson *elements;
    const NookJsonMember *members; /* in the order of the text */
  } v;
  /* Where the value is in the text it was read from: [start, end). */
  gsize start;
  gsize end;
};

struct NookJsonMember
{
  const char *name;
  NookJson value;
};

typedef struct NookJsonDoc NookJsonDoc;

/* Reads RFC 8259 JSON: one value, whitespace around it. Refused with
 * NOOK_JSON_ERROR_PARSE, "line L, column C: what": invalid
 * UTF-8, control characters in strings, \u0000, lone surrogates, a member
 * name given twice in one object (other parsers disagree on which one
 * counts), nesting deeper than NOOK_JSON_MAX_DEPTH. text need not be
 * NUL-terminated; it is not kept. */
#define NOOK_JSON_MAX_DEPTH 128
NookJsonDoc *nook_json_parse (const char *text, gsize length, GError **error);
/* The same for a file; messages start with the path. */
NookJsonDoc *nook_json_parse_file (const char *path, GError **error);
void nook_json_doc_free (NookJsonDoc *doc);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (NookJsonDoc, nook_json_doc_free)
const NookJson *nook_json_doc_root (const NookJsonDoc *doc);

#define NOOK_JSON_ERROR (nook_json_error_quark ())
GQuark nook_json_error_quark (void);
typedef enum
{
  NOOK_JSON_ERROR_PARSE,
} NookJsonError;

/* The member called name of an object, or NULL (also when node is not an
 * object, or NULL). JSON null is returned as a node of type NOOK_JSON_NULL. */
const NookJson *nook_json_get (const NookJson *object, const char *name);
/* The same, NULL for JSON null too: "absent" as the OCI spec reads it. */
const NookJson *nook_json_get_value (const NookJson *object, const char *name);

/* Typed shortcuts: the member's value when it has that type, else fallback. */
const char *nook_json_get_string (const NookJson *object, const char *name, const char *fallback);
gint64 nook_json_get_int (const NookJson *object, const char *name, gint64 fallback);
gboolean nook_json_get_bool (const NookJson *object, const char *name, gboolean fallback);
/* The member when it is an object (or array), else NULL. */
const NookJson *nook_json_get_object (const NookJson *object, const char *name);
const NookJson *nook_json_get_array (const NookJson *object, const char *name);

static inline gboolean
nook_json_is (const NookJson *node, NookJsonType type)
{
  return node != NULL && node->type == type;
}

/* The writer: compact, or pretty with two spaces per level. Values are
 * written in call order; a member's name comes before its value. */
typedef struct NookJsonWriter NookJsonWriter;

NookJsonWriter *nook_json_writer_new (gboolean pretty);
void nook_json_writer_free (NookJsonWriter *w);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (NookJsonWriter, nook_json_writer_free)
/* The text (no final newline), and frees the writer. */
char *nook_json_writer_finish (NookJsonWriter *w, gsize *out_length);

void nook_json_writer_begin_object (NookJsonWriter *w);
void nook_json_writer_end_object (NookJsonWriter *w);
void nook_json_writer_begin_array (NookJsonWriter *w);
void nook_json_writer_end_array (NookJsonWriter *w);
void nook_json_writer_member (NookJsonWriter *w, const char *name);
void nook_json_writer_string (NookJsonWriter *w, const char *value); /* NULL writes null */
void nook_json_writer_int (NookJsonWriter *w, gint64 value);
void nook_json_writer_bool (NookJsonWriter *w, gboolean value);
void nook_json_writer_null (NookJsonWriter *w);
/* A string array (NULL-terminated; NULL writes []). */
void nook_json_writer_strv (NookJsonWriter *w, const char *const *values);
/* A value read earlier, written again as it was parsed. */
void nook_json_writer_value (NookJsonWriter *w, const NookJson *value);

/* member + value in one call. */
void nook_json_writer_member_string (NookJsonWriter *w, const char *name, const char *value);
void nook_json_writer_member_int (NookJsonWriter *w, const char *name, gint64 value);
void nook_json_writer_member_bool (NookJsonWriter *w, const char *name, gboolean value);
void nook_json_writer_member_strv (NookJsonWriter *w, const char *name, const char *const *values);
