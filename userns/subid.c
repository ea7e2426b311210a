/* nook: the caller's subordinate id ranges: /etc/subuid and /etc/subgid,
 * or libsubid when /etc/nsswitch.conf names another source.
 *
 * libsubid (shadow) reads those two files itself unless nsswitch.conf has a
 * "subid:" line naming a service other than files, which it then loads as
 * a module. Opening libsubid pulls in PAM, audit, SELinux and libsemanage:
 * 2.2 M instructions of dynamic loading (callgrind), a fifth of a warm
 * start, to read two short text files. So nook reads them itself, parsed
 * as shadow parses them, and opens libsubid (with dlopen, not linked) only
 * when nsswitch.conf asks for a module. The ranges only choose what nook
 * asks newuidmap/newgidmap for; those setuid helpers check them again. */
#include "userns/subid.h"

#include <dlfcn.h>
#include <errno.h>
#include <shadow/subid.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef int (*GetRangesFunc) (const char *owner, struct subid_range **ranges);

typedef struct
{
  GetRangesFunc get_uid_ranges;
  GetRangesFunc get_gid_ranges;
} NookLibsubid;

/* Opens libsubid once; NULL (with the reason in *out_error) when it is
 * missing. */
static const NookLibsubid *
libsubid_open (const char **out_error)
{
  static NookLibsubid lib;
  static const char *failure;
  static gsize done = 0;

  if (g_once_init_enter (&done))
    {
      void *handle = dlopen (NOOK_LIBSUBID_SONAME, RTLD_NOW | RTLD_LOCAL);
      bool (*init) (const char *, FILE *) = NULL;

      if (handle != NULL)
        {
          init = (bool (*) (const char *, FILE *))dlsym (handle, "subid_init");
          lib.get_uid_ranges = (GetRangesFunc)dlsym (handle, "subid_get_uid_ranges");
          lib.get_gid_ranges = (GetRangesFunc)dlsym (handle, "subid_get_gid_ranges");
        }
      if (handle == NULL || init == NULL || lib.get_uid_ranges == NULL
          || lib.get_gid_ranges == NULL)
        failure = g_strdup (dlerror ());
      else
        {
          /* libsubid reports problems on a FILE, stderr by default: library
           * code does not print. */
          FILE *devnull = fopen ("/dev/null", "we");

          if (devnull != NULL)
            init ("nook", devnull);
        }
      g_once_init_leave (&done, 1);
    }
  *out_error = failure;
  return failure ? NULL : &lib;
}

void
nook_subids_free (NookSubids *subids)
{
  if (subids == NULL)
    return;
  g_free (subids->uids);
  g_free (subids->gids);
  g_free (subids);
}

/* Appends the ids of [start, end) that none of the first n_old ranges of
 * out holds (looking from index from on), as one or more ranges: a host id
 * listed twice (two overlapping lines of /etc/subuid) would be mapped
 * twice, and the kernel refuses such a map. */
static void
add_uncovered (GArray *out, guint from, guint n_old, guint64 start, guint64 end)
{
  NookSubidRange range;

  for (guint i = from; i < n_old && start < end; i++)
    {
      const NookSubidRange r = g_array_index (out, NookSubidRange, i);
      guint64 r_end = (guint64)r.start + r.count;

      if (r_end <= start || r.start >= end)
        continue;
      if (start < r.start)
        add_uncovered (out, i + 1, n_old, start, r.start);
      start = r_end;
    }
  if (start >= end)
    return;
  range.start = (guint32)start;
  range.count = (guint32)(end - start);
  g_array_append_val (out, range);
}

/* Adds a range as libsubid gives it (unsigned longs): cut at the largest
 * id, 4294967294 ((u32) -1 is "no id" to the kernel), and without the ids
 * out already holds. */
static void
add_range (GArray *out, guint64 start, guint64 count)
{
  /* A start near 2^64 wraps end below it: the range is dropped. */
  guint64 end = MIN (start + MIN (count, G_MAXUINT32), G_MAXUINT32);

  add_uncovered (out, 0, out->len, start, end);
}

NookSubidRange *
nook_subid_ranges_normalize (const NookSubidRange *ranges, guint n, guint32 own_id, guint *out_n)
{
  GArray *out = g_array_new (FALSE, FALSE, sizeof (NookSubidRange));

  for (guint i = 0; i < n; i++)
    {
      guint64 start = ranges[i].start;
      guint64 end = MIN (start + ranges[i].count, G_MAXUINT32); /* exclusive */

      if (own_id >= start && own_id < end)
        {
          add_range (out, start, own_id - start);
          add_range (out, (guint64)own_id + 1, end - own_id - 1);
        }
      else
        add_range (out, start, end - start);
    }
  *out_n = out->len;
  return (NookSubidRange *)g_array_free (out, FALSE);
}

/* A failed lookup (no /etc/subuid at all, an unknown user) counts as no
 * ranges. */
static void
append_owner_ranges (GArray *out, GetRangesFunc get, const char *owner)
{
  struct subid_range *found = NULL;
  int n = get (owner, &found);

  for (int i = 0; i < n; i++)
    add_range (out, found[i].start, found[i].count);
  free (found);
}

static NookSubidRange *
lookup_kind (GetRangesFunc get, const char *user, uid_t uid, guint32 own_id, guint *out_n)
{
  g_autoptr (GArray) raw = g_array_new (FALSE, FALSE, sizeof (NookSubidRange));
  g_autofree char *numeric = g_strdup_printf ("%u", (guint)uid);

  /* shadow accepts the owner as a name or as a number; libsubid matches
   * the string it is given, so ask both ways. */
  if (user != NULL)
    append_owner_ranges (raw, get, user);
  append_owner_ranges (raw, get, numeric);
  return nook_subid_ranges_normalize ((const NookSubidRange *)(gpointer)raw->data, raw->len, own_id,
                                      out_n);
}

/* shadow's getulong: decimal digits only, no sign, no blanks, no overflow. */
static gboolean
parse_ulong (const char *s, guint64 *out)
{
  char *end = NULL;

  if (*s == '\0' || !g_ascii_isdigit (*s))
    return FALSE;
  errno = 0;
  *out = g_ascii_strtoull (s, &end, 10);
  return errno == 0 && *end == '\0' && *out <= G_MAXULONG;
}

NookSubidRange *
nook_subid_parse_file (const char *text, const char *user, uid_t uid, guint *out_n)
{
  GArray *ranges = g_array_new (FALSE, FALSE, sizeof (NookSubidRange));
  g_autoptr (GArray) by_number = g_array_new (FALSE, FALSE, sizeof (NookSubidRange));
  g_autofree char *numeric = g_strdup_printf ("%u", (guint)uid);
  g_auto (GStrv) lines = g_strsplit (text, "\n", -1);

  /* One pass; the name's ranges first, then the number's, each in file
   * order: the order libsubid gives when asked once for each. */
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_auto (GStrv) f = g_strsplit (lines[i], ":", -1);
      gboolean is_user, is_number;
      guint64 start, count;
      NookSubidRange r;

      if (g_strv_length (f) != 3)
        continue;
      is_user = user != NULL && strcmp (f[0], user) == 0;
      is_number = strcmp (f[0], numeric) == 0;
      /* Cut at the largest id, 4294967294, as add_range cuts libsubid's
       * answer: a range that starts past it maps nothing. */
      if ((!is_user && !is_number) || !parse_ulong (f[1], &start) || !parse_ulong (f[2], &count)
          || start >= G_MAXUINT32)
        continue;
      r = (NookSubidRange){ (guint32)start, (guint32)MIN (count, G_MAXUINT32 - start) };
      if (is_user)
        g_array_append_val (ranges, r);
      if (is_number)
        g_array_append_val (by_number, r);
    }
  g_array_append_vals (ranges, by_number->data, by_number->len);
  *out_n = ranges->len;
  return (NookSubidRange *)(gpointer)g_array_free (ranges, FALSE);
}

/* Does nsswitch.conf send subid lookups to a module? shadow's rule: the
 * first line that starts with "subid:" and names something; "files", or
 * no such line, is the two files. */
static gboolean
nss_names_subid_module (void)
{
  g_autofree char *text = NULL;
  g_auto (GStrv) lines = NULL;

  if (!g_file_get_contents ("/etc/nsswitch.conf", &text, NULL, NULL))
    return FALSE;
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      const char *p = lines[i];

      if (!g_str_has_prefix (p, "subid:"))
        continue;
      p += strlen ("subid:");
      while (g_ascii_isspace (*p))
        p++;
      if (*p == '\0')
        continue;
      return !g_str_has_prefix (p, "files");
    }
  return FALSE;
}

static NookSubidRange *
read_kind (const char *file, const char *user, uid_t uid, guint32 own_id, guint *out_n)
{
  g_autofree char *text = NULL;
  g_autofree NookSubidRange *raw = NULL;
  guint n = 0;

  /* No file, or one nook cannot read, is no ranges, as with libsubid. */
  if (!g_file_get_contents (file, &text, NULL, NULL))
    text = g_strdup ("");
  raw = nook_subid_parse_file (text, user, uid, &n);
  return nook_subid_ranges_normalize (raw, n, own_id, out_n);
}

NookSubids *
nook_subids_lookup_from (NookSubidSource source, const char *user, uid_t uid, gid_t gid)
{
  NookSubids *subids = g_new0 (NookSubids, 1);
  const NookLibsubid *lib;

  if (source == NOOK_SUBID_SOURCE_AUTO)
    source = nss_names_subid_module () ? NOOK_SUBID_SOURCE_LIBSUBID : NOOK_SUBID_SOURCE_FILES;
  if (source == NOOK_SUBID_SOURCE_FILES)
    {
      subids->uids = read_kind ("/etc/subuid", user, uid, uid, &subids->n_uids);
      subids->gids = read_kind ("/etc/subgid", user, uid, gid, &subids->n_gids);
      return subids;
    }
  lib = libsubid_open (&subids->unavailable);
  if (lib == NULL)
    return subids;
  subids->uids = lookup_kind (lib->get_uid_ranges, user, uid, uid, &subids->n_uids);
  subids->gids = lookup_kind (lib->get_gid_ranges, user, uid, gid, &subids->n_gids);
  return subids;
}

NookSubids *
nook_subids_lookup (const char *user, uid_t uid, gid_t gid)
{
  return nook_subids_lookup_from (NOOK_SUBID_SOURCE_AUTO, user, uid, gid);
}

char *
nook_subid_ranges_describe (const NookSubidRange *ranges, guint n)
{
  GString *s = g_string_new (NULL);

  if (n == 0)
    g_string_append (s, "none");
  for (guint i = 0; i < n; i++)
    g_string_append_printf (s, "%s%u-%u", i ? ", " : "", ranges[i].start,
                            (guint32)(ranges[i].start + ranges[i].count - 1));
  return g_string_free (s, FALSE);
}
