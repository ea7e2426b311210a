/* Unit tests for the filter store's fast path: the index of links from the
 * text of a config's linux.seccomp to store entries (storage/filter-alias.c,
 * launcher/seccomp/seccomp-alias.c), and the loader that puts them
 * together (launcher/lifecycle/load.c). */
#include <fcntl.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "launcher/errors.h"
#include "launcher/lifecycle/lifecycle.h"
#include "launcher/seccomp/seccomp-alias.h"
#include "launcher/seccomp/seccomp-key.h"
#include "launcher/seccomp/seccomp-prepare.h"
#include "launcher/seccomp/seccomp.h"
#include "storage/filter-alias.h"

typedef struct
{
  char *tmp;
  char *bundle;
  char *config;
  char *links;
} Fixture;

/* The links of these tests are made and checked with a fixed secret. */
static const NookFilterSecret test_secret = { { 0x5e, 0xc7, 0xe7 } };

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  g_autofree char *profile_path = g_test_build_filename (G_TEST_DIST, "fixtures", data, NULL);
  g_autofree char *profile = NULL;
  g_autofree char *rootfs = NULL;
  g_autofree char *json = NULL;
  g_autoptr (GError) error = NULL;

  f->tmp = g_dir_make_tmp ("nook-test-alias-XXXXXX", &error);
  g_assert_no_error (error);
  g_setenv ("XDG_CACHE_HOME", f->tmp, TRUE);
  f->links = nook_filter_alias_default_dir ();
  f->bundle = g_build_filename (f->tmp, "bundle", NULL);
  rootfs = g_build_filename (f->bundle, "rootfs", NULL);
  g_assert_cmpint (g_mkdir_with_parents (rootfs, 0755), ==, 0);
  g_file_get_contents (profile_path, &profile, NULL, &error);
  g_assert_no_error (error);
  json = g_strdup_printf ("{\"ociVersion\": \"1.0.2\", \"process\": {\"args\": [\"true\"]}, "
                          "\"root\": {\"path\": \"rootfs\"}, \"hostname\": \"h\", "
                          "\"linux\": {\"maskedPaths\": [\"/proc/kcore\"], \"seccomp\": %s}}",
                          profile);
  f->config = g_build_filename (f->bundle, "config.json", NULL);
  g_file_set_contents (f->config, json, -1, &error);
  g_assert_no_error (error);
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", f->tmp);

  g_assert_cmpint (system (cmd), ==, 0);
  g_free (f->tmp);
  g_free (f->bundle);
  g_free (f->config);
  g_free (f->links);
}

static guint
count_links (Fixture *f)
{
  g_autoptr (GDir) dir = g_dir_open (f->links, 0, NULL);
  guint n = 0;

  while (dir != NULL && g_dir_read_name (dir) != NULL)
    n++;
  return n;
}

/* The only link's path. */
static char *
the_link (Fixture *f)
{
  g_autoptr (GDir) dir = g_dir_open (f->links, 0, NULL);
  const char *name;

  g_assert_nonnull (dir);
  name = g_dir_read_name (dir);
  g_assert_nonnull (name);
  g_assert_null (g_dir_read_name (dir));
  return g_build_filename (f->links, name, NULL);
}

/* A run's parent side: the config, then its program. */
static NookBpfProgram *
load_and_prepare (Fixture *f, NookConfig **out_config)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) warnings = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (NookConfig) config
      = nook_lifecycle_load_config (f->bundle, NULL, TRUE, warnings, &error);
  NookBpfProgram *program;

  g_assert_no_error (error);
  g_assert_nonnull (config);
  program = nook_seccomp_prepare (config->seccomp, TRUE, warnings, &error);
  g_assert_no_error (error);
  g_assert_nonnull (program);
  g_assert_cmpuint (warnings->len, ==, 0);
  if (out_config != NULL)
    *out_config = g_steal_pointer (&config);
  return program;
}

static void
assert_same_program (const NookBpfProgram *a, const NookBpfProgram *b)
{
  g_assert_cmpuint (a->n_insns, ==, b->n_insns);
  g_assert_cmpmem (a->insns, a->n_insns * sizeof (struct sock_filter), b->insns,
                   b->n_insns * sizeof (struct sock_filter));
}

static void
test_fast_path (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (NookConfig) full = nook_config_load (f->bundle, NULL, &error);
  g_autoptr (NookBpfProgram) compiled = NULL;
  g_autoptr (NookConfig) first = NULL, second = NULL;
  g_autoptr (NookBpfProgram) p1 = NULL, p2 = NULL;

  g_assert_no_error (error);
  compiled = nook_seccomp_prepare (full->seccomp, FALSE, NULL, &error);
  g_assert_no_error (error);

  /* First start: parsed in full, compiled, and linked. */
  p1 = load_and_prepare (f, &first);
  g_assert_null (first->seccomp->alias_insns);
  g_assert_cmpuint (first->seccomp->n_rules, ==, full->seccomp->n_rules);
  g_assert_cmpuint (count_links (f), ==, 1);
  assert_same_program (p1, compiled);

  /* Second: the rules are not parsed, the program is the same, and so is
   * everything else in the config. */
  p2 = load_and_prepare (f, &second);
  g_assert_nonnull (second->seccomp->alias_insns);
  g_assert_cmpuint (second->seccomp->n_rules, ==, 0);
  assert_same_program (p2, compiled);
  g_assert_cmpint (second->seccomp->default_action, ==, full->seccomp->default_action);
  g_assert_cmpuint (second->seccomp->flags, ==, full->seccomp->flags);
  g_assert_cmpuint (second->seccomp->has_flags, ==, full->seccomp->has_flags);
  g_assert_cmpstrv (second->seccomp->architectures, full->seccomp->architectures);
  g_assert_cmpstr (second->hostname, ==, full->hostname);
  g_assert_cmpstrv (second->masked_paths, full->masked_paths);
  g_assert_cmpstrv (second->process.args, full->process.args);

  /* Compiling what the fast path left is refused, not a weaker filter. */
  g_assert_null (nook_seccomp_compile (second->seccomp, NULL, &error));
  g_assert_error (error, NOOK_ERROR, NOOK_ERROR_FAILED);
}

static void
edit_config (Fixture *f, const char *from, const char *to)
{
  g_autofree char *text = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GString) changed = NULL;

  g_file_get_contents (f->config, &text, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (strstr (text, from));
  changed = g_string_new (text);
  g_string_replace (changed, from, to, 1);
  g_file_set_contents (f->config, changed->str, -1, &error);
  g_assert_no_error (error);
}

/* What engines do: a new file around the same linux.seccomp (another
 * hostname, more text). The same key: a hit, no new link. */
static void
test_changed_file (Fixture *f, gconstpointer data)
{
  g_autoptr (NookBpfProgram) p1 = load_and_prepare (f, NULL);
  g_autoptr (NookConfig) config = NULL;
  g_autoptr (NookBpfProgram) p2 = NULL;

  edit_config (f, "\"hostname\": \"h\"", "\"hostname\": \"engine-1234\", \"x\": [1, 2]");
  p2 = load_and_prepare (f, &config);
  g_assert_nonnull (config->seccomp->alias_insns);
  g_assert_cmpstr (config->hostname, ==, "engine-1234");
  g_assert_cmpuint (count_links (f), ==, 1);
  assert_same_program (p1, p2);
}

/* Any byte of linux.seccomp changed is another key: a full parse, a new
 * link, even when the profile means the same. */
static void
test_changed_profile (Fixture *f, gconstpointer data)
{
  g_autoptr (NookBpfProgram) p1 = load_and_prepare (f, NULL);
  g_autoptr (NookConfig) config = NULL;
  g_autoptr (NookBpfProgram) p2 = NULL;

  edit_config (f, "\"defaultAction\"", " \"defaultAction\"");
  p2 = load_and_prepare (f, &config);
  g_assert_null (config->seccomp->alias_insns);
  g_assert_cmpuint (config->seccomp->n_rules, >, 0);
  assert_same_program (p1, p2);
  /* Two links now, unless the two keys share a slot (1 in 256). */
  g_assert_cmpuint (count_links (f), >=, 1);
  g_clear_pointer (&config, nook_config_free);
  g_clear_pointer (&p2, nook_bpf_program_free);
  p2 = load_and_prepare (f, &config);
  g_assert_nonnull (config->seccomp->alias_insns);
  assert_same_program (p1, p2);
}

/* A damaged link is a miss, removed, then made again. */
static void
test_damaged_link (Fixture *f, gconstpointer data)
{
  g_autoptr (NookBpfProgram) p1 = load_and_prepare (f, NULL);
  g_autofree char *link = the_link (f);
  g_autofree char *bytes = NULL;
  gsize len = 0;
  g_autoptr (GError) error = NULL;
  g_autoptr (NookConfig) config = NULL;
  g_autoptr (NookBpfProgram) p2 = NULL;

  g_file_get_contents (link, &bytes, &len, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (len, ==, 96);
  bytes[32 + 3] ^= 1; /* the profile key: it would name another entry */
  g_file_set_contents (link, bytes, len, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_chmod (link, 0600), ==, 0);

  p2 = load_and_prepare (f, &config);
  g_assert_null (config->seccomp->alias_insns);
  assert_same_program (p1, p2);
  /* Replaced by a good one: the next start is fast again. */
  g_clear_pointer (&config, nook_config_free);
  g_clear_pointer (&p2, nook_bpf_program_free);
  p2 = load_and_prepare (f, &config);
  g_assert_nonnull (config->seccomp->alias_insns);
}

/* A link with the wrong size, or one others may write, is not used. */
static void
test_bad_links (Fixture *f, gconstpointer data)
{
  guint8 config_key[32], profile_key[32], got[32];

  memset (config_key, 0xab, sizeof config_key);
  memset (profile_key, 0x11, sizeof profile_key);
  nook_filter_alias_publish (NULL, &test_secret, config_key, profile_key);
  g_assert_true (nook_filter_alias_lookup (NULL, &test_secret, config_key, got));
  g_assert_cmpmem (got, 32, profile_key, 32);

  g_autofree char *link = the_link (f);
  g_assert_cmpint (g_chmod (link, 0622), ==, 0);
  g_assert_false (nook_filter_alias_lookup (NULL, &test_secret, config_key, got));
  g_assert_false (g_file_test (link, G_FILE_TEST_EXISTS));

  nook_filter_alias_publish (NULL, &test_secret, config_key, profile_key);
  g_assert_cmpint (truncate (link, 95), ==, 0);
  g_assert_false (nook_filter_alias_lookup (NULL, &test_secret, config_key, got));
  g_assert_false (g_file_test (link, G_FILE_TEST_EXISTS));

  /* A symlink is not followed. */
  g_autofree char *elsewhere = g_build_filename (f->tmp, "elsewhere", NULL);
  nook_filter_alias_publish (NULL, &test_secret, config_key, profile_key);
  g_assert_cmpint (rename (link, elsewhere), ==, 0);
  g_assert_cmpint (symlink (elsewhere, link), ==, 0);
  g_assert_false (nook_filter_alias_lookup (NULL, &test_secret, config_key, got));
  g_assert_true (g_file_test (elsewhere, G_FILE_TEST_EXISTS));

  /* A directory others may write is not used at all. */
  nook_filter_alias_publish (NULL, &test_secret, config_key, profile_key);
  g_assert_true (nook_filter_alias_lookup (NULL, &test_secret, config_key, got));
  g_assert_cmpint (g_chmod (f->links, 0777), ==, 0);
  g_assert_false (nook_filter_alias_lookup (NULL, &test_secret, config_key, got));
  g_assert_cmpint (g_chmod (f->links, 0700), ==, 0);
  g_assert_cmpuint (nook_filter_alias_clear (NULL), ==, 1);
  g_assert_false (nook_filter_alias_lookup (NULL, &test_secret, config_key, got));
}

/* At most 256 links: configs whose keys share the first byte take turns. */
static void
test_link_slots (Fixture *f, gconstpointer data)
{
  guint8 a[32], b[32], c[32], pa[32], pb[32], pc[32], got[32];

  memset (a, 0x41, 32);
  memset (b, 0x41, 32);
  b[31] = 0x42; /* a's slot */
  memset (c, 0x43, 32);
  memset (pa, 1, 32);
  memset (pb, 2, 32);
  memset (pc, 3, 32);
  nook_filter_alias_publish (NULL, &test_secret, a, pa);
  nook_filter_alias_publish (NULL, &test_secret, c, pc);
  g_assert_cmpuint (count_links (f), ==, 2);
  g_assert_true (nook_filter_alias_lookup (NULL, &test_secret, a, got));
  g_assert_cmpmem (got, 32, pa, 32);
  /* b takes a's slot: a misses (and b's link stays), c is untouched. */
  g_assert_false (nook_filter_alias_lookup (NULL, &test_secret, b, got));
  nook_filter_alias_publish (NULL, &test_secret, b, pb);
  g_assert_cmpuint (count_links (f), ==, 2);
  g_assert_false (nook_filter_alias_lookup (NULL, &test_secret, a, got));
  g_assert_true (nook_filter_alias_lookup (NULL, &test_secret, b, got));
  g_assert_cmpmem (got, 32, pb, 32);
  g_assert_true (nook_filter_alias_lookup (NULL, &test_secret, c, got));
  g_assert_cmpmem (got, 32, pc, 32);
  /* A publish killed before its rename leaves a temporary file: clear
   * takes it too, and does not count it as a link. */
  g_autofree char *tmp = g_build_filename (f->links, ".41.tmp.12345", NULL);
  g_assert_true (g_file_set_contents (tmp, "x", 1, NULL));
  g_assert_cmpuint (nook_filter_alias_clear (NULL), ==, 2);
  g_assert_cmpuint (count_links (f), ==, 0);
}

/* Without the store (--no-filter-cache), nothing is linked or looked up. */
static void
test_no_store (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (NookConfig) config = NULL;
  g_autoptr (NookBpfProgram) p1 = load_and_prepare (f, NULL);

  g_assert_nonnull (p1);

  config = nook_lifecycle_load_config (f->bundle, NULL, FALSE, NULL, &error);
  g_assert_no_error (error);
  g_assert_null (config->seccomp->alias_insns);
  g_assert_false (config->seccomp->has_alias_key);
  g_assert_cmpuint (count_links (f), ==, 1);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, fn, profile)                                                                     \
  g_test_add ("/seccomp-alias/" path, Fixture, profile, fixture_setup, fn, fixture_teardown)
  ADD ("fast-path", test_fast_path, "seccomp-default.json");
  ADD ("changed-file", test_changed_file, "seccomp-deny-mkdir.json");
  ADD ("changed-profile", test_changed_profile, "seccomp-deny-mkdir.json");
  ADD ("damaged-link", test_damaged_link, "seccomp-default.json");
  ADD ("bad-links", test_bad_links, "seccomp-deny-mkdir.json");
  ADD ("link-slots", test_link_slots, "seccomp-deny-mkdir.json");
  ADD ("no-store", test_no_store, "seccomp-deny-mkdir.json");
#undef ADD
  return g_test_run ();
}
