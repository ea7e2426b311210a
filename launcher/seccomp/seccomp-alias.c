/* nook: the filter store's fast path for a config.json seen before
 * (seccomp-alias.h). */
#include "launcher/seccomp/seccomp-alias.h"

#include <seccomp.h>
#include <string.h>

#include "launcher/seccomp/seccomp-key.h"
#include "launcher/seccomp/seccomp-prepare.h"
#include "storage/filter-alias.h"
#include "storage/filter-store.h"

/* Deeper than any config; a text nested deeper is parsed the slow way. */
#define MAX_DEPTH 128

typedef struct
{
  const char *p;
  const char *end;
} Scan;

static void
skip_ws (Scan *s)
{
  while (s->p < s->end && (*s->p == ' ' || *s->p == '\t' || *s->p == '\n' || *s->p == '\r'))
    s->p++;
}

/* A string at s->p: its contents in [*out_begin, +*out_len), and whether
 * they hold no escape (so that the bytes are the name). */
/* One escape of a string, at the backslash: only those JSON has (\" \\ \/
 * \b \f \n \r \t and \u with four hex digits). Any other would make the
 * scanner accept a text json-glib refuses. */
static gboolean
scan_escape (Scan *s)
{
  char e;

  if (s->end - s->p < 2)
    return FALSE;
  e = s->p[1];
  if (e == 'u')
    {
      if (s->end - s->p < 6)
        return FALSE;
      for (int i = 2; i < 6; i++)
        if (!g_ascii_isxdigit (s->p[i]))
          return FALSE;
      s->p += 6;
      return TRUE;
    }
  if (e == '\0' || strchr ("\"\\/bfnrt", e) == NULL)
    return FALSE;
  s->p += 2;
  return TRUE;
}

static gboolean
scan_string (Scan *s, const char **out_begin, gsize *out_len, gboolean *out_plain)
{
  const char *begin;
  gboolean plain = TRUE;

  if (s->p >= s->end || *s->p != '"')
    return FALSE;
  begin = ++s->p;
  while (s->p < s->end)
    {
      unsigned char c = (unsigned char)*s->p;

      if (c == '"')
        {
          *out_begin = begin;
          *out_len = (gsize)(s->p - begin);
          *out_plain = plain;
          s->p++;
          return TRUE;
        }
      if (c < 0x20)
        return FALSE;
      if (c == '\\')
        {
          plain = FALSE;
          if (!scan_escape (s))
            return FALSE;
          continue;
        }
      s->p++;
    }
  return FALSE;
}

static gboolean scan_value (Scan *s, int depth);

static gboolean
scan_word (Scan *s, const char *word)
{
  gsize n = strlen (word);

  if ((gsize)(s->end - s->p) < n || memcmp (s->p, word, n) != 0)
    return FALSE;
  s->p += n;
  return TRUE;
}

static gboolean
scan_digits (Scan *s)
{
  const char *begin = s->p;

  while (s->p < s->end && g_ascii_isdigit (*s->p))
    s->p++;
  return s->p > begin;
}

/* true, false, null or a number as RFC 8259 spells it: the scanner must
 * not take a text json-glib refuses (fuzz-seccomp-alias checks it). */
static gboolean
scan_literal (Scan *s)
{
  if (scan_word (s, "true") || scan_word (s, "false") || scan_word (s, "null"))
    return TRUE;
  if (s->p < s->end && *s->p == '-')
    s->p++;
  if (s->p < s->end && *s->p == '0')
    s->p++;
  else if (!scan_digits (s))
    return FALSE;
  if (s->p < s->end && *s->p == '.')
    {
      s->p++;
      if (!scan_digits (s))
        return FALSE;
    }
  if (s->p < s->end && (*s->p == 'e' || *s->p == 'E'))
    {
      s->p++;
      if (s->p < s->end && (*s->p == '+' || *s->p == '-'))
        s->p++;
      if (!scan_digits (s))
        return FALSE;
    }
  return TRUE;
}

/* Calls member() for each member of the object at s->p, with the value's
 * span; stops (FALSE) on malformed text or when member() says so. */
typedef gboolean (*MemberFunc) (const char *name, gsize name_len, gboolean plain, const char *value,
                                const char *value_end, gpointer data);

static gboolean
scan_object (Scan *s, int depth, MemberFunc member, gpointer data)
{
  if (s->p >= s->end || *s->p != '{' || depth > MAX_DEPTH)
    return FALSE;
  s->p++;
  skip_ws (s);
  if (s->p < s->end && *s->p == '}')
    {
      s->p++;
      return TRUE;
    }
  for (;;)
    {
      const char *name, *value;
      gsize name_len;
      gboolean plain;

      skip_ws (s);
      if (!scan_string (s, &name, &name_len, &plain))
        return FALSE;
      skip_ws (s);
      if (s->p >= s->end || *s->p != ':')
        return FALSE;
      s->p++;
      skip_ws (s);
      value = s->p;
      if (!scan_value (s, depth + 1))
        return FALSE;
      if (member != NULL && !member (name, name_len, plain, value, s->p, data))
        return FALSE;
      skip_ws (s);
      if (s->p < s->end && *s->p == ',')
        {
          s->p++;
          continue;
        }
      if (s->p < s->end && *s->p == '}')
        {
          s->p++;
          return TRUE;
        }
      return FALSE;
    }
}

static gboolean
scan_array (Scan *s, int depth)
{
  if (s->p >= s->end || *s->p != '[' || depth > MAX_DEPTH)
    return FALSE;
  s->p++;
  skip_ws (s);
  if (s->p < s->end && *s->p == ']')
    {
      s->p++;
      return TRUE;
    }
  for (;;)
    {
      skip_ws (s);
      if (!scan_value (s, depth + 1))
        return FALSE;
      skip_ws (s);
      if (s->p < s->end && *s->p == ',')
        {
          s->p++;
          continue;
        }
      if (s->p < s->end && *s->p == ']')
        {
          s->p++;
          return TRUE;
        }
      return FALSE;
    }
}

static gboolean
scan_value (Scan *s, int depth)
{
  const char *b;
  gsize n;
  gboolean plain;

  if (s->p >= s->end)
    return FALSE;
  switch (*s->p)
    {
    case '{':
      return scan_object (s, depth, NULL, NULL);
    case '[':
      return scan_array (s, depth);
    case '"':
      return scan_string (s, &b, &n, &plain);
    default:
      return scan_literal (s);
    }
}

/* Looking for one member by name in one object. */
typedef struct
{
  const char *name;
  const char *value;
  const char *value_end;
  guint found;
} Find;

static gboolean
find_member (const char *name, gsize name_len, gboolean plain, const char *value,
             const char *value_end, gpointer data)
{
  Find *f = data;

  /* An escaped name might spell the one looked for: give up. */
  if (!plain)
    return FALSE;
  if (name_len == strlen (f->name) && memcmp (name, f->name, name_len) == 0)
    {
      f->found++;
      f->value = value;
      f->value_end = value_end;
    }
  return TRUE;
}

/* The value of member name, once and only once, of the object spanning
 * [begin, end). */
static gboolean
member_of (const char *begin, const char *end, int depth, const char *name, char type,
           const char **out_value, const char **out_end)
{
  Find f = { .name = name };
  Scan s = { begin, end };

  if (!scan_object (&s, depth, find_member, &f) || f.found != 1 || *f.value != type)
    return FALSE;
  *out_value = f.value;
  *out_end = f.value_end;
  return TRUE;
}

gboolean
nook_seccomp_alias_find_rules (const char *text, gsize length, gsize *out_begin, gsize *out_end)
{
  Scan s = { text, text + length };
  const char *root, *root_end, *linux_v, *linux_end, *seccomp, *seccomp_end, *rules, *rules_end;

  skip_ws (&s);
  root = s.p;
  if (!scan_object (&s, 0, NULL, NULL))
    return FALSE;
  root_end = s.p;
  skip_ws (&s);
  if (s.p != s.end)
    return FALSE;
  if (!member_of (root, root_end, 0, "linux", '{', &linux_v, &linux_end)
      || !member_of (linux_v, linux_end, 1, "seccomp", '{', &seccomp, &seccomp_end)
      || !member_of (seccomp, seccomp_end, 2, "syscalls", '[', &rules, &rules_end))
    return FALSE;
  *out_begin = (gsize)(rules - text);
  *out_end = (gsize)(rules_end - text);
  return TRUE;
}

gboolean
nook_seccomp_alias_lookup (const guint8 *config_key, struct sock_filter **out_insns, guint *out_n,
                           GPtrArray *stored_warnings, GPtrArray *warnings)
{
  guint8 profile_key[NOOK_FILTER_STORE_KEY_SIZE];
  g_autoptr (NookFilterStore) store = NULL;
  g_autoptr (GError) error = NULL;

  if ((store = nook_seccomp_store_open (NULL)) == NULL
      || !nook_filter_alias_lookup (NULL, nook_filter_store_get_secret (store), config_key,
                                    profile_key))
    return FALSE;
  switch (nook_filter_store_lookup (store, profile_key, seccomp_arch_native (), out_insns, out_n,
                                    stored_warnings, &error))
    {
    case NOOK_FILTER_STORE_HIT:
      return TRUE;
    case NOOK_FILTER_STORE_DISCARDED:
      if (warnings != NULL)
        g_ptr_array_add (warnings, nook_seccomp_discarded_warning (error));
      return FALSE;
    case NOOK_FILTER_STORE_MISS:
    default:
      return FALSE;
    }
}
