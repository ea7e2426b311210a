/* Unit tests for userns/subid.c: cleaning and describing subordinate ranges,
 * and reading them through libsubid. */
#include <glib.h>
#include <pwd.h>
#include <string.h>
#include <unistd.h>

#include "userns/subid.h"

static char *
normalized (const NookSubidRange *ranges, guint n, guint32 own_id)
{
  guint n_out = 0;
  g_autofree NookSubidRange *out = nook_subid_ranges_normalize (ranges, n, own_id, &n_out);

  return nook_subid_ranges_describe (out, n_out);
}

static void
test_normalize (void)
{
  const NookSubidRange dup_and_empty[] = {
    { 100000, 65536 },
    { 300000, 0 },
    { 100000, 65536 },
    { 200000, 10 },
  };
  const NookSubidRange holds_own[] = { { 900, 200 } };
  const NookSubidRange own_at_edges[] = { { 1000, 5 }, { 1996, 5 } };
  const NookSubidRange only_own[] = { { 1000, 1 } };
  const NookSubidRange past_end[] = { { 4294967290u, 100 } };
  g_autofree char *a = normalized (dup_and_empty, 4, 1000);
  g_autofree char *b = normalized (holds_own, 1, 1000);
  g_autofree char *c = normalized (own_at_edges, 2, 1000);
  g_autofree char *d = normalized (only_own, 1, 1000);
  g_autofree char *e = normalized (past_end, 1, 1000);
  g_autofree char *f = normalized (own_at_edges, 2, 2000);

  /* Order kept, duplicates and empty ranges dropped. */
  g_assert_cmpstr (a, ==, "100000-165535, 200000-200009");
  /* The caller's own id is cut out: it is mapped on its own. */
  g_assert_cmpstr (b, ==, "900-999, 1001-1099");
  g_assert_cmpstr (c, ==, "1001-1004, 1996-2000");
  g_assert_cmpstr (d, ==, "none");
  /* 4294967295 is no id. */
  g_assert_cmpstr (e, ==, "4294967290-4294967294");
  g_assert_cmpstr (f, ==, "1000-1004, 1996-1999");
}

/* Found by tests/fuzz/fuzz-subid: two overlapping lines for the caller
 * gave host ids 1001-1001 twice, a map the kernel refuses. */
static void
test_normalize_overlap (void)
{
  const NookSubidRange overlap_own[] = { { 1000, 11000 }, { 1000, 2 } };
  const NookSubidRange overlap[] = { { 100000, 100 }, { 100050, 100 }, { 99990, 200 } };
  const NookSubidRange inside[] = { { 100000, 100 }, { 100010, 5 } };
  g_autofree char *a = normalized (overlap_own, 2, 1000);
  g_autofree char *b = normalized (overlap, 3, 1000);
  g_autofree char *c = normalized (inside, 2, 1000);

  g_assert_cmpstr (a, ==, "1001-11999");
  g_assert_cmpstr (b, ==, "100000-100099, 100100-100149, 99990-99999, 100150-100189");
  g_assert_cmpstr (c, ==, "100000-100099");
}

static void
test_describe (void)
{
  const NookSubidRange ranges[] = { { 100000, 65536 }, { 5, 1 } };
  g_autofree char *two = nook_subid_ranges_describe (ranges, 2);
  g_autofree char *none = nook_subid_ranges_describe (NULL, 0);

  g_assert_cmpstr (two, ==, "100000-165535, 5-5");
  g_assert_cmpstr (none, ==, "none");
}

/* The ranges /etc/subuid lists for the caller, by name or by number, in
 * order: what libsubid must find too. */
static char *
expected_from_file (const char *file, const char *name, uid_t uid, guint32 own_id)
{
  g_autofree char *text = NULL;
  g_auto (GStrv) lines = NULL;
  g_autofree char *numeric = g_strdup_printf ("%u", (guint)uid);
  g_autoptr (GArray) ranges = g_array_new (FALSE, FALSE, sizeof (NookSubidRange));

  if (!g_file_get_contents (file, &text, NULL, NULL))
    return g_strdup ("none");
  lines = g_strsplit (text, "\n", -1);
  for (char **l = lines; *l; l++)
    {
      g_auto (GStrv) f = g_strsplit (*l, ":", 3);
      NookSubidRange r;

      if (g_strv_length (f) != 3 || (g_strcmp0 (f[0], name) != 0 && strcmp (f[0], numeric) != 0))
        continue;
      r.start = (guint32)g_ascii_strtoull (f[1], NULL, 10);
      r.count = (guint32)g_ascii_strtoull (f[2], NULL, 10);
      g_array_append_val (ranges, r);
    }
  return normalized ((NookSubidRange *)(gpointer)ranges->data, ranges->len, own_id);
}

static void
test_lookup_caller (void)
{
  struct passwd *pw = getpwuid (getuid ());
  const char *name = pw ? pw->pw_name : NULL;
  g_autoptr (NookSubids) subids = nook_subids_lookup (name, getuid (), getgid ());
  g_autofree char *uids = nook_subid_ranges_describe (subids->uids, subids->n_uids);
  g_autofree char *gids = nook_subid_ranges_describe (subids->gids, subids->n_gids);
  g_autofree char *want_uids = expected_from_file ("/etc/subuid", name, getuid (), getuid ());
  g_autofree char *want_gids = expected_from_file ("/etc/subgid", name, getuid (), getgid ());

  g_assert_cmpstr (uids, ==, want_uids);
  g_assert_cmpstr (gids, ==, want_gids);
}

static void
test_lookup_unknown (void)
{
  /* No such user and an id nobody lists: no ranges, no error, no output. */
  g_autoptr (NookSubids) subids
      = nook_subids_lookup ("nook-no-such-user", 4000000000u, 4000000000u);

  g_assert_cmpuint (subids->n_uids, ==, 0);
  g_assert_cmpuint (subids->n_gids, ==, 0);
}

/* shadow's reading: OWNER:START:COUNT, decimal, nothing else on the line. */
static void
test_parse_file (void)
{
  const char *text = "nt:100000:65536\n"
                     "other:200000:10\n"
                     "1000:300000:5\n"
                     "nt:400000:7\n"
                     "# nt:1:1\n"
                     "nt:+5:1\n"
                     "nt: 5:1\n"
                     "nt:5:1:extra\n"
                     "nt:0x10:1\n"
                     "nt:5\n"
                     "nt:18446744073709551616:1\n"
                     "nt:4294967295:1\n"
                     "nt:500000:99999999999\n"
                     "1000:600000:1";
  guint n = 0;
  g_autofree NookSubidRange *ranges = nook_subid_parse_file (text, "nt", 1000, &n);
  g_autofree char *described = nook_subid_ranges_describe (ranges, n);
  g_autofree NookSubidRange *by_number = NULL;
  g_autofree char *described_number = NULL;

  g_assert_cmpstr (described, ==,
                   "100000-165535, 400000-400006, 500000-4294967294, 300000-300004, "
                   "600000-600000");
  by_number = nook_subid_parse_file (text, NULL, 1000, &n);
  described_number = nook_subid_ranges_describe (by_number, n);
  g_assert_cmpstr (described_number, ==, "300000-300004, 600000-600000");
}

/* Where nsswitch.conf names no subid module (these machines), nook reads
 * the files itself: it must find what libsubid finds. */
static void
test_files_match_libsubid (void)
{
  struct passwd *pw = getpwuid (getuid ());
  const char *name = pw ? pw->pw_name : NULL;
  g_autoptr (NookSubids) files
      = nook_subids_lookup_from (NOOK_SUBID_SOURCE_FILES, name, getuid (), getgid ());
  g_autoptr (NookSubids) lib
      = nook_subids_lookup_from (NOOK_SUBID_SOURCE_LIBSUBID, name, getuid (), getgid ());
  g_autofree char *uids_files = nook_subid_ranges_describe (files->uids, files->n_uids);
  g_autofree char *uids_lib = nook_subid_ranges_describe (lib->uids, lib->n_uids);
  g_autofree char *gids_files = nook_subid_ranges_describe (files->gids, files->n_gids);
  g_autofree char *gids_lib = nook_subid_ranges_describe (lib->gids, lib->n_gids);

  g_assert_null (lib->unavailable);
  g_assert_cmpstr (uids_files, ==, uids_lib);
  g_assert_cmpstr (gids_files, ==, gids_lib);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/subid/normalize", test_normalize);
  g_test_add_func ("/subid/normalize/overlap", test_normalize_overlap);
  g_test_add_func ("/subid/describe", test_describe);
  g_test_add_func ("/subid/lookup/caller", test_lookup_caller);
  g_test_add_func ("/subid/lookup/unknown", test_lookup_unknown);
  g_test_add_func ("/subid/parse-file", test_parse_file);
  g_test_add_func ("/subid/lookup/files-match-libsubid", test_files_match_libsubid);

  return g_test_run ();
}
