/* nook: the JSON reader (storage/json.h): one recursive-descent pass into a
 * tree whose nodes, member names and strings all live in one arena, freed
 * at once. Containers collect their children on a shared stack and are
 * copied to the arena, exactly sized, when they close. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "storage/json.h"

G_DEFINE_QUARK (nook - json - error - quark, nook_json_error)

typedef struct Block Block;
struct Block
{
  Block *next;
  gsize used;
  gsize size;
  char data[];
};

struct NookJsonDoc
{
  NookJson root;
  Block *blocks;
};

typedef struct
{
  const char *text;
  gsize length;
  gsize pos;
  NookJsonDoc *doc;
  GArray *values;  /* NookJson: elements of the arrays being read */
  GArray *members; /* NookJsonMember: members of the objects being read */
  GError **error;
} Parser;

#define ARENA_BLOCK 16384

static gpointer
arena_alloc (NookJsonDoc *doc, gsize size)
{
  Block *b = doc->blocks;
  gpointer p;

  size = (size + 7) & ~(gsize)7;
  if (b == NULL || b->size - b->used < size)
    {
      gsize block_size = MAX (ARENA_BLOCK, size);

      b = g_malloc (sizeof (Block) + block_size);
      b->size = block_size;
      b->used = 0;
      b->next = doc->blocks;
      doc->blocks = b;
    }
  p = b->data + b->used;
  b->used += size;
  return p;
}

void
nook_json_doc_free (NookJsonDoc *doc)
{
  if (doc == NULL)
    return;
  while (doc->blocks != NULL)
    {
      Block *next = doc->blocks->next;

      g_free (doc->blocks);
      doc->blocks = next;
    }
  g_free (doc);
}

const NookJson *
nook_json_doc_root (const NookJsonDoc *doc)
{
  return &doc->root;
}

static gboolean
fail_at (Parser *p, gsize pos, const char *what)
{
  guint line = 1, column = 1;

  /* Counted only on failure: keeping them on every byte would cost the
   * good path. Columns count bytes. */
  for (gsize i = 0; i < pos && i < p->length; i++)
    {
      if (p->text[i] == '\n')
        {
          line++;
          column = 1;
        }
      else
        column++;
    }
  g_set_error (p->error, NOOK_JSON_ERROR, NOOK_JSON_ERROR_PARSE, "line %u, column %u: %s", line,
               column, what);
  return FALSE;
}

static gboolean
fail (Parser *p, const char *what)
{
  return fail_at (p, p->pos, what);
}

static void
skip_space (Parser *p)
{
  while (p->pos < p->length)
    {
      char c = p->text[p->pos];

      if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
        return;
      p->pos++;
    }
}

static int
hex_digit (char c)
{
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

static gboolean
read_hex4 (Parser *p, gsize at, gunichar *out)
{
  gunichar value = 0;

  if (at + 4 > p->length)
    return fail_at (p, at, "truncated \\u escape");
  for (gsize i = at; i < at + 4; i++)
    {
      int d = hex_digit (p->text[i]);

      if (d < 0)
        return fail_at (p, i, "bad \\u escape");
      value = value * 16 + (gunichar)d;
    }
  *out = value;
  return TRUE;
}

/* One escape after the backslash at p->pos, appended to out. */
static gboolean
read_escape (Parser *p, GString *out)
{
  gsize at = p->pos;
  gunichar c;

  if (at + 1 >= p->length)
    return fail_at (p, at, "unterminated string");
  switch (p->text[at + 1])
    {
    case '"':
    case '\\':
    case '/':
      g_string_append_c (out, p->text[at + 1]);
      p->pos = at + 2;
      return TRUE;
    case 'b':
      g_string_append_c (out, '\b');
      p->pos = at + 2;
      return TRUE;
    case 'f':
      g_string_append_c (out, '\f');
      p->pos = at + 2;
      return TRUE;
    case 'n':
      g_string_append_c (out, '\n');
      p->pos = at + 2;
      return TRUE;
    case 'r':
      g_string_append_c (out, '\r');
      p->pos = at + 2;
      return TRUE;
    case 't':
      g_string_append_c (out, '\t');
      p->pos = at + 2;
      return TRUE;
    case 'u':
      break;
    default:
      return fail_at (p, at, "unknown escape in string");
    }
  if (!read_hex4 (p, at + 2, &c))
    return FALSE;
  p->pos = at + 6;
  if (c == 0)
    /* A C string would end there, and another parser would not. */
    return fail_at (p, at, "\\u0000 in a string");
  if (c >= 0xdc00 && c <= 0xdfff)
    return fail_at (p, at, "lone low surrogate in a string");
  if (c >= 0xd800 && c <= 0xdbff)
    {
      gunichar low;

      if (p->pos + 2 > p->length || p->text[p->pos] != '\\' || p->text[p->pos + 1] != 'u')
        return fail_at (p, at, "lone high surrogate in a string");
      if (!read_hex4 (p, p->pos + 2, &low))
        return FALSE;
      if (low < 0xdc00 || low > 0xdfff)
        return fail_at (p, at, "lone high surrogate in a string");
      c = 0x10000 + ((c - 0xd800) << 10) + (low - 0xdc00);
      p->pos += 6;
    }
  g_string_append_unichar (out, c);
  return TRUE;
}

/* The string whose opening quote is at p->pos, copied into the arena. */
static gboolean
read_string (Parser *p, const char **out, guint *out_length)
{
  gsize start = ++p->pos;
  g_autoptr (GString) escaped = NULL;
  const char *end;
  char *copy;

  /* Plain runs are checked as UTF-8 in one go and copied; only escapes go
   * through the GString, which most strings of a config never need. */
  for (;;)
    {
      gsize run = p->pos;

      while (p->pos < p->length)
        {
          unsigned char c = (unsigned char)p->text[p->pos];

          if (c == '"' || c == '\\' || c < 0x20)
            break;
          p->pos++;
        }
      if (!g_utf8_validate_len (p->text + run, p->pos - run, &end))
        return fail_at (p, (gsize)(end - p->text), "invalid UTF-8 in a string");
      if (p->pos >= p->length)
        return fail_at (p, start - 1, "unterminated string");
      if ((unsigned char)p->text[p->pos] < 0x20)
        return fail (p, "control character in a string (escape it)");
      if (p->text[p->pos] == '"')
        {
          if (escaped != NULL)
            g_string_append_len (escaped, p->text + run, (gssize)(p->pos - run));
          break;
        }
      if (escaped == NULL)
        escaped = g_string_new_len (p->text + start, (gssize)(p->pos - start));
      else
        g_string_append_len (escaped, p->text + run, (gssize)(p->pos - run));
      if (!read_escape (p, escaped))
        return FALSE;
    }
  if (escaped != NULL)
    {
      if (escaped->len > G_MAXUINT)
        return fail_at (p, start, "string too long");
      copy = arena_alloc (p->doc, escaped->len + 1);
      memcpy (copy, escaped->str, escaped->len + 1);
      *out_length = (guint)escaped->len;
    }
  else
    {
      gsize n = p->pos - start;

      if (n > G_MAXUINT)
        return fail_at (p, start, "string too long");
      copy = arena_alloc (p->doc, n + 1);
      memcpy (copy, p->text + start, n);
      copy[n] = '\0';
      *out_length = (guint)n;
    }
  p->pos++; /* the closing quote */
  *out = copy;
  return TRUE;
}

static gboolean
is_digit (Parser *p, gsize at)
{
  return at < p->length && p->text[at] >= '0' && p->text[at] <= '9';
}

static gboolean
read_number (Parser *p, NookJson *out)
{
  gsize start = p->pos;
  gboolean negative = FALSE, integer = TRUE;
  guint64 magnitude = 0;
  gboolean overflow = FALSE;

  if (p->text[p->pos] == '-')
    {
      negative = TRUE;
      p->pos++;
    }
  if (!is_digit (p, p->pos))
    return fail_at (p, start, "bad number");
  if (p->text[p->pos] == '0' && is_digit (p, p->pos + 1))
    return fail_at (p, start, "bad number (leading zero)");
  while (is_digit (p, p->pos))
    {
      guint d = (guint)(p->text[p->pos] - '0');

      if (magnitude > (G_MAXUINT64 - d) / 10)
        overflow = TRUE;
      else
        magnitude = magnitude * 10 + d;
      p->pos++;
    }
  if (p->pos < p->length && p->text[p->pos] == '.')
    {
      integer = FALSE;
      p->pos++;
      if (!is_digit (p, p->pos))
        return fail_at (p, start, "bad number");
      while (is_digit (p, p->pos))
        p->pos++;
    }
  if (p->pos < p->length && (p->text[p->pos] == 'e' || p->text[p->pos] == 'E'))
    {
      integer = FALSE;
      p->pos++;
      if (p->pos < p->length && (p->text[p->pos] == '+' || p->text[p->pos] == '-'))
        p->pos++;
      if (!is_digit (p, p->pos))
        return fail_at (p, start, "bad number");
      while (is_digit (p, p->pos))
        p->pos++;
    }
  if (integer && !overflow
      && (negative ? magnitude <= (guint64)G_MAXINT64 + 1 : magnitude <= (guint64)G_MAXINT64))
    {
      out->type = NOOK_JSON_INT;
      out->v.i = negative ? (gint64)(0 - magnitude) : (gint64)magnitude;
      return TRUE;
    }
  if (integer && !overflow && !negative)
    {
      /* RLIM_INFINITY, as engines write it: 18446744073709551615. */
      out->type = NOOK_JSON_UINT;
      out->v.u = magnitude;
      return TRUE;
    }
  {
    g_autofree char *copy = g_strndup (p->text + start, p->pos - start);

    out->type = NOOK_JSON_DOUBLE;
    out->v.d = g_ascii_strtod (copy, NULL);
  }
  return TRUE;
}

static gboolean
read_literal (Parser *p, const char *word, gsize n)
{
  if (p->length - p->pos < n || memcmp (p->text + p->pos, word, n) != 0)
    return fail (p, "unexpected character");
  p->pos += n;
  return TRUE;
}

static int
compare_names (const void *a, const void *b)
{
  return strcmp (*(const char *const *)a, *(const char *const *)b);
}

/* Two members of one object with one name: json-glib keeps the last,
 * others the first; nook takes neither. */
static const char *
find_duplicate (const NookJsonMember *members, guint n)
{
  g_autofree const char **names = NULL;

  if (n <= 8)
    {
      for (guint i = 1; i < n; i++)
        for (guint j = 0; j < i; j++)
          if (strcmp (members[i].name, members[j].name) == 0)
            return members[i].name;
      return NULL;
    }
  names = g_new (const char *, n);
  for (guint i = 0; i < n; i++)
    names[i] = members[i].name;
  qsort (names, n, sizeof (*names), compare_names);
  for (guint i = 1; i < n; i++)
    if (strcmp (names[i], names[i - 1]) == 0)
      return names[i];
  return NULL;
}

static gboolean read_value (Parser *p, NookJson *out, guint depth);

static gboolean
read_array (Parser *p, NookJson *out, guint depth)
{
  guint base = p->values->len;
  NookJson *elements;

  p->pos++;
  skip_space (p);
  if (p->pos < p->length && p->text[p->pos] == ']')
    p->pos++;
  else
    for (;;)
      {
        NookJson element = { 0 };

        if (!read_value (p, &element, depth + 1))
          return FALSE;
        g_array_append_val (p->values, element);
        skip_space (p);
        if (p->pos >= p->length)
          return fail (p, "unterminated array");
        if (p->text[p->pos] == ']')
          {
            p->pos++;
            break;
          }
        if (p->text[p->pos] != ',')
          return fail (p, "expected ',' or ']'");
        p->pos++;
      }
  out->type = NOOK_JSON_ARRAY;
  out->n = p->values->len - base;
  elements = arena_alloc (p->doc, sizeof (NookJson) * MAX (out->n, 1));
  memcpy (elements, &g_array_index (p->values, NookJson, base), sizeof (NookJson) * out->n);
  out->v.elements = elements;
  g_array_set_size (p->values, base);
  return TRUE;
}

static gboolean
read_object (Parser *p, NookJson *out, guint depth)
{
  guint base = p->members->len;
  NookJsonMember *members;
  const char *duplicate;

  p->pos++;
  skip_space (p);
  if (p->pos < p->length && p->text[p->pos] == '}')
    p->pos++;
  else
    for (;;)
      {
        NookJsonMember member = { 0 };
        guint name_length;

        skip_space (p);
        if (p->pos >= p->length || p->text[p->pos] != '"')
          return fail (p, "expected a member name in double quotes");
        if (!read_string (p, &member.name, &name_length))
          return FALSE;
        skip_space (p);
        if (p->pos >= p->length || p->text[p->pos] != ':')
          return fail (p, "expected ':'");
        p->pos++;
        if (!read_value (p, &member.value, depth + 1))
          return FALSE;
        g_array_append_val (p->members, member);
        skip_space (p);
        if (p->pos >= p->length)
          return fail (p, "unterminated object");
        if (p->text[p->pos] == '}')
          {
            p->pos++;
            break;
          }
        if (p->text[p->pos] != ',')
          return fail (p, "expected ',' or '}'");
        p->pos++;
      }
  out->type = NOOK_JSON_OBJECT;
  out->n = p->members->len - base;
  members = arena_alloc (p->doc, sizeof (NookJsonMember) * MAX (out->n, 1));
  memcpy (members, &g_array_index (p->members, NookJsonMember, base),
          sizeof (NookJsonMember) * out->n);
  out->v.members = members;
  g_array_set_size (p->members, base);
  duplicate = find_duplicate (members, out->n);
  if (duplicate != NULL)
    {
      g_autofree char *what
          = g_strdup_printf ("member \"%s\" given twice in one object", duplicate);

      return fail_at (p, out->start, what);
    }
  return TRUE;
}

static gboolean
read_value (Parser *p, NookJson *out, guint depth)
{
  gboolean ok;

  if (depth > NOOK_JSON_MAX_DEPTH)
    return fail (p, "nested too deeply");
  skip_space (p);
  if (p->pos >= p->length)
    return fail (p, "unexpected end of text");
  out->start = p->pos;
  switch (p->text[p->pos])
    {
    case '{':
      ok = read_object (p, out, depth);
      break;
    case '[':
      ok = read_array (p, out, depth);
      break;
    case '"':
      out->type = NOOK_JSON_STRING;
      ok = read_string (p, &out->v.s, &out->n);
      break;
    case 't':
      out->type = NOOK_JSON_BOOL;
      out->v.b = TRUE;
      ok = read_literal (p, "true", 4);
      break;
    case 'f':
      out->type = NOOK_JSON_BOOL;
      out->v.b = FALSE;
      ok = read_literal (p, "false", 5);
      break;
    case 'n':
      out->type = NOOK_JSON_NULL;
      ok = read_literal (p, "null", 4);
      break;
    default:
      if (p->text[p->pos] == '-' || is_digit (p, p->pos))
        ok = read_number (p, out);
      else
        ok = fail (p, "unexpected character");
      break;
    }
  out->end = p->pos;
  return ok;
}

NookJsonDoc *
nook_json_parse (const char *text, gsize length, GError **error)
{
  g_autoptr (NookJsonDoc) doc = g_new0 (NookJsonDoc, 1);
  g_autoptr (GArray) values = g_array_sized_new (FALSE, FALSE, sizeof (NookJson), 64);
  g_autoptr (GArray) members = g_array_sized_new (FALSE, FALSE, sizeof (NookJsonMember), 64);
  Parser p = { text, length, 0, doc, values, members, error };

  if (length >= 3 && memcmp (text, "\xef\xbb\xbf", 3) == 0)
    {
      fail (&p, "byte order mark at the start");
      return NULL;
    }
  if (!read_value (&p, &doc->root, 0))
    return NULL;
  skip_space (&p);
  if (p.pos != length)
    {
      fail (&p, "text after the value");
      return NULL;
    }
  return g_steal_pointer (&doc);
}

NookJsonDoc *
nook_json_parse_file (const char *path, GError **error)
{
  g_autofree char *text = NULL;
  gsize length = 0;
  NookJsonDoc *doc;

  if (!g_file_get_contents (path, &text, &length, error))
    return NULL;
  doc = nook_json_parse (text, length, error);
  if (doc == NULL)
    g_prefix_error (error, "%s: ", path);
  return doc;
}

const NookJson *
nook_json_get (const NookJson *object, const char *name)
{
  if (object == NULL || object->type != NOOK_JSON_OBJECT)
    return NULL;
  for (guint i = 0; i < object->n; i++)
    if (strcmp (object->v.members[i].name, name) == 0)
      return &object->v.members[i].value;
  return NULL;
}

const NookJson *
nook_json_get_value (const NookJson *object, const char *name)
{
  const NookJson *node = nook_json_get (object, name);

  return node == NULL || node->type == NOOK_JSON_NULL ? NULL : node;
}

const char *
nook_json_get_string (const NookJson *object, const char *name, const char *fallback)
{
  const NookJson *node = nook_json_get (object, name);

  return nook_json_is (node, NOOK_JSON_STRING) ? node->v.s : fallback;
}

gint64
nook_json_get_int (const NookJson *object, const char *name, gint64 fallback)
{
  const NookJson *node = nook_json_get (object, name);

  return nook_json_is (node, NOOK_JSON_INT) ? node->v.i : fallback;
}

gboolean
nook_json_get_bool (const NookJson *object, const char *name, gboolean fallback)
{
  const NookJson *node = nook_json_get (object, name);

  return nook_json_is (node, NOOK_JSON_BOOL) ? node->v.b : fallback;
}

const NookJson *
nook_json_get_object (const NookJson *object, const char *name)
{
  const NookJson *node = nook_json_get (object, name);

  return nook_json_is (node, NOOK_JSON_OBJECT) ? node : NULL;
}

const NookJson *
nook_json_get_array (const NookJson *object, const char *name)
{
  const NookJson *node = nook_json_get (object, name);

  return nook_json_is (node, NOOK_JSON_ARRAY) ? node : NULL;
}
