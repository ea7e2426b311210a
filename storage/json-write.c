/* nook: the JSON writer (storage/json.h), appending to one GString. */
#include <math.h>
#include <string.h>

#include "storage/json.h"

struct NookJsonWriter
{
  GString *out;
  gboolean pretty;
  guint depth;
  gboolean first;      /* nothing written yet in the open array or object */
  gboolean after_name; /* a member's name was written, its value is next */
};

NookJsonWriter *
nook_json_writer_new (gboolean pretty)
{
  NookJsonWriter *w = g_new0 (NookJsonWriter, 1);

  w->out = g_string_sized_new (256);
  w->pretty = pretty;
  w->first = TRUE;
  return w;
}

void
nook_json_writer_free (NookJsonWriter *w)
{
  if (w == NULL)
    return;
  g_string_free (w->out, TRUE);
  g_free (w);
}

char *
nook_json_writer_finish (NookJsonWriter *w, gsize *out_length)
{
  char *text;

  g_return_val_if_fail (w->depth == 0, NULL);
  if (out_length != NULL)
    *out_length = w->out->len;
  text = g_string_free (w->out, FALSE);
  g_free (w);
  return text;
}

static void
newline (NookJsonWriter *w)
{
  if (!w->pretty)
    return;
  g_string_append_c (w->out, '\n');
  for (guint i = 0; i < w->depth; i++)
    g_string_append (w->out, "  ");
}

/* What goes before any value: nothing after a member's name, else a comma
 * between siblings and the indentation. */
static void
before_value (NookJsonWriter *w)
{
  if (w->after_name)
    {
      w->after_name = FALSE;
      return;
    }
  if (w->depth == 0)
    return;
  if (!w->first)
    g_string_append_c (w->out, ',');
  newline (w);
}

static void
after_value (NookJsonWriter *w)
{
  w->first = FALSE;
}

static void
append_string (GString *out, const char *value)
{
  g_autofree char *valid = NULL;

  /* JSON text is UTF-8: a path with other bytes is written with U+FFFD in
   * their place rather than as text no reader accepts. */
  if (!g_utf8_validate (value, -1, NULL))
    value = valid = g_utf8_make_valid (value, -1);
  g_string_append_c (out, '"');
  for (const char *p = value; *p != '\0'; p++)
    {
      unsigned char c = (unsigned char)*p;

      switch (c)
        {
        case '"':
          g_string_append (out, "\\\"");
          break;
        case '\\':
          g_string_append (out, "\\\\");
          break;
        case '\n':
          g_string_append (out, "\\n");
          break;
        case '\t':
          g_string_append (out, "\\t");
          break;
        case '\r':
          g_string_append (out, "\\r");
          break;
        default:
          if (c < 0x20)
            g_string_append_printf (out, "\\u%04x", c);
          else
            g_string_append_c (out, (char)c);
        }
    }
  g_string_append_c (out, '"');
}

static void
begin (NookJsonWriter *w, char bracket)
{
  before_value (w);
  g_string_append_c (w->out, bracket);
  w->depth++;
  w->first = TRUE;
}

static void
end (NookJsonWriter *w, char bracket)
{
  g_return_if_fail (w->depth > 0 && !w->after_name);
  w->depth--;
  if (!w->first)
    newline (w);
  g_string_append_c (w->out, bracket);
  after_value (w);
}

void
nook_json_writer_begin_object (NookJsonWriter *w)
{
  begin (w, '{');
}

void
nook_json_writer_end_object (NookJsonWriter *w)
{
  end (w, '}');
}

void
nook_json_writer_begin_array (NookJsonWriter *w)
{
  begin (w, '[');
}

void
nook_json_writer_end_array (NookJsonWriter *w)
{
  end (w, ']');
}

void
nook_json_writer_member (NookJsonWriter *w, const char *name)
{
  g_return_if_fail (w->depth > 0 && !w->after_name);
  before_value (w);
  append_string (w->out, name);
  g_string_append (w->out, w->pretty ? ": " : ":");
  w->after_name = TRUE;
}

void
nook_json_writer_string (NookJsonWriter *w, const char *value)
{
  if (value == NULL)
    {
      nook_json_writer_null (w);
      return;
    }
  before_value (w);
  append_string (w->out, value);
  after_value (w);
}

void
nook_json_writer_int (NookJsonWriter *w, gint64 value)
{
  before_value (w);
  g_string_append_printf (w->out, "%" G_GINT64_FORMAT, value);
  after_value (w);
}

void
nook_json_writer_bool (NookJsonWriter *w, gboolean value)
{
  before_value (w);
  g_string_append (w->out, value ? "true" : "false");
  after_value (w);
}

void
nook_json_writer_null (NookJsonWriter *w)
{
  before_value (w);
  g_string_append (w->out, "null");
  after_value (w);
}

static void
write_double (NookJsonWriter *w, double value)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  before_value (w);
  /* JSON has no NaN or infinity; the reader never makes them from text,
   * but a huge exponent reads as infinity. */
  if (!isfinite (value))
    g_string_append (w->out, "null");
  else
    g_string_append (w->out, g_ascii_dtostr (buf, sizeof (buf), value));
  after_value (w);
}

void
nook_json_writer_strv (NookJsonWriter *w, const char *const *values)
{
  nook_json_writer_begin_array (w);
  for (guint i = 0; values != NULL && values[i] != NULL; i++)
    nook_json_writer_string (w, values[i]);
  nook_json_writer_end_array (w);
}

void
nook_json_writer_value (NookJsonWriter *w, const NookJson *value)
{
  switch (value->type)
    {
    case NOOK_JSON_NULL:
      nook_json_writer_null (w);
      break;
    case NOOK_JSON_BOOL:
      nook_json_writer_bool (w, value->v.b);
      break;
    case NOOK_JSON_INT:
      nook_json_writer_int (w, value->v.i);
      break;
    case NOOK_JSON_UINT:
      before_value (w);
      g_string_append_printf (w->out, "%" G_GUINT64_FORMAT, value->v.u);
      after_value (w);
      break;
    case NOOK_JSON_DOUBLE:
      write_double (w, value->v.d);
      break;
    case NOOK_JSON_STRING:
      nook_json_writer_string (w, value->v.s);
      break;
    case NOOK_JSON_ARRAY:
      nook_json_writer_begin_array (w);
      for (guint i = 0; i < value->n; i++)
        nook_json_writer_value (w, &value->v.elements[i]);
      nook_json_writer_end_array (w);
      break;
    case NOOK_JSON_OBJECT:
      nook_json_writer_begin_object (w);
      for (guint i = 0; i < value->n; i++)
        {
          nook_json_writer_member (w, value->v.members[i].name);
          nook_json_writer_value (w, &value->v.members[i].value);
        }
      nook_json_writer_end_object (w);
      break;
    }
}

void
nook_json_writer_member_string (NookJsonWriter *w, const char *name, const char *value)
{
  nook_json_writer_member (w, name);
  nook_json_writer_string (w, value);
}

void
nook_json_writer_member_int (NookJsonWriter *w, const char *name, gint64 value)
{
  nook_json_writer_member (w, name);
  nook_json_writer_int (w, value);
}

void
nook_json_writer_member_bool (NookJsonWriter *w, const char *name, gboolean value)
{
  nook_json_writer_member (w, name);
  nook_json_writer_bool (w, value);
}

void
nook_json_writer_member_strv (NookJsonWriter *w, const char *name, const char *const *values)
{
  nook_json_writer_member (w, name);
  nook_json_writer_strv (w, values);
}
