/* Unit tests for storage/filter-store.c, launcher/seccomp-key.c and
 * launcher/seccomp-prepare.c: the per-user store of compiled seccomp filters.
 *
 * Each test gets its own XDG_CACHE_HOME, so the store is
 * TMP/nook/seccomp. Whether a program returned from the store is the right one
 * is checked against a fresh compile (byte for byte) and, where the host can
 * load filters, by loading it in a forked child that tries mkdir. */
#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <linux/audit.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "launcher/seccomp/seccomp-key.h"
#include "launcher/seccomp/seccomp-prepare.h"
#include "launcher/seccomp/seccomp.h"
#include "storage/build-id.h"
#include "storage/filter-alias.h"
#include "storage/filter-secret.h"
#include "storage/filter-store.h"
#include "tests/unit/test-profile.h"

/* The entry header as storage/filter-store.c writes it. */
typedef struct
{
  char magic[8];
  guint32 version;
  guint32 arch;
  guint8 key[32];
  guint32 n_insns;
  guint32 warnings_size;
  guint8 mac[32];
} TestHeader;
G_STATIC_ASSERT (sizeof (TestHeader) == 88);

#define HEADER_SIZE sizeof (TestHeader)
#define UNKNOWN_WARNING "seccomp: unknown syscall \"nook_no_such_syscall\" skipped"

/* --- Profiles --- */

/* tests/fixtures/seccomp-deny-mkdir.json, with errno as errnoRet. */
static TestProfile *
deny_mkdir_profile (guint32 errno_ret)
{
  TestProfile *profile = profile_new (NOOK_SECCOMP_ACT_ALLOW, FALSE, 0);

  profile_add_rule (profile, NOOK_SECCOMP_ACT_ERRNO, TRUE, errno_ret, NAMES ("mkdir", "mkdirat"));
  return profile;
}

/* --- Helpers --- */

typedef struct
{
  char *tmp;       /* XDG_CACHE_HOME */
  char *store_dir; /* TMP/nook/seccomp */
} Fixture;

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  f->tmp = g_dir_make_tmp ("nook-filter-store-XXXXXX", &error);
  g_assert_no_error (error);
  f->store_dir = g_build_filename (f->tmp, "nook", "seccomp", NULL);
  g_setenv ("XDG_CACHE_HOME", f->tmp, TRUE);
  g_unsetenv (NOOK_FILTER_STORE_MAX_ENTRIES_ENV);
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  const char *chmod_argv[] = { "chmod", "-R", "u+rwX", f->tmp, NULL };
  const char *rm_argv[] = { "rm", "-rf", f->tmp, NULL };

  g_spawn_sync (NULL, (char **)chmod_argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDERR_TO_DEV_NULL,
                NULL, NULL, NULL, NULL, NULL, NULL);
  g_spawn_sync (NULL, (char **)rm_argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, NULL,
                NULL);
  g_free (f->tmp);
  g_free (f->store_dir);
}

static gboolean
programs_equal (const NookBpfProgram *a, const NookBpfProgram *b)
{
  return a->n_insns == b->n_insns
         && memcmp (a->insns, b->insns, a->n_insns * sizeof (struct sock_filter)) == 0;
}

static NookBpfProgram *
compile (const TestProfile *profile)
{
  g_autoptr (GError) error = NULL;
  NookBpfProgram *program = nook_seccomp_compile (profile, NULL, &error);

  g_assert_no_error (error);
  return program;
}

/* prepare with the store; warnings_out (may be NULL) receives the warnings. */
static NookBpfProgram *
prepare (const TestProfile *profile, GPtrArray **warnings_out)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) warnings = g_ptr_array_new_with_free_func (g_free);
  NookBpfProgram *program = nook_seccomp_prepare (profile, TRUE, warnings, &error);

  g_assert_no_error (error);
  g_assert_nonnull (program);
  for (guint i = 0; i < warnings->len; i++)
    g_test_message ("warning: %s", (const char *)warnings->pdata[i]);
  if (warnings_out != NULL)
    *warnings_out = g_steal_pointer (&warnings);
  return program;
}

static char *
entry_path (Fixture *f, const TestProfile *profile)
{
  guint8 key[NOOK_FILTER_STORE_KEY_SIZE];

  nook_seccomp_key (profile, key);
  g_autofree char *hex = nook_filter_store_key_to_hex (key);
  return g_build_filename (f->store_dir, hex, NULL);
}

static int
compare_names (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char *const *)a, *(const char *const *)b);
}

/* The names in the store directory, sorted, as one string "a b c". */
static char *
store_listing (Fixture *f)
{
  g_autoptr (GDir) dir = g_dir_open (f->store_dir, 0, NULL);
  g_autoptr (GPtrArray) names = g_ptr_array_new ();
  const char *name;

  if (dir == NULL)
    return g_strdup ("(none)");
  while ((name = g_dir_read_name (dir)) != NULL)
    g_ptr_array_add (names, (char *)name);
  g_ptr_array_sort (names, compare_names);
  g_ptr_array_add (names, NULL);
  return g_strjoinv (" ", (char **)names->pdata);
}

static guint
store_count (Fixture *f)
{
  g_autofree char *listing = store_listing (f);
  g_auto (GStrv) names = g_strsplit (listing, " ", -1);

  return *listing == '\0' || g_str_equal (listing, "(none)") ? 0 : g_strv_length (names);
}

static GBytes *
read_file (const char *path)
{
  g_autoptr (GError) error = NULL;
  char *data;
  gsize len;

  g_file_get_contents (path, &data, &len, &error);
  g_assert_no_error (error);
  return g_bytes_new_take (data, len);
}

static void
write_file (const char *path, const void *data, gsize len)
{
  g_autoptr (GError) error = NULL;

  /* g_file_set_contents renames a new file into place: a fresh inode with
   * mode 0666 & ~umask, which the tests then adjust. */
  g_file_set_contents (path, data, len, &error);
  g_assert_no_error (error);
  g_assert_no_errno (chmod (path, 0600));
}

static void
set_mtime (const char *path, time_t when)
{
  struct timespec times[2] = { { when, 0 }, { when, 0 } };

  g_assert_no_errno (utimensat (AT_FDCWD, path, times, AT_SYMLINK_NOFOLLOW));
}

static time_t
get_mtime (const char *path)
{
  struct stat st;

  g_assert_no_errno (lstat (path, &st));
  return st.st_mtime;
}

static gboolean
can_load_filters (void)
{
  guint32 action = SECCOMP_RET_ERRNO;

  return syscall (SYS_seccomp, SECCOMP_GET_ACTION_AVAIL, 0, &action) == 0;
}

/* Loads the program in a child and checks that mkdir fails with want_errno.
 * Skipped (silently) where filters cannot be loaded (valgrind). */
static void
assert_denies_mkdir (const NookBpfProgram *program, const char *dir, int want_errno)
{
  g_autofree char *path = g_build_filename (dir, "denied", NULL);
  int status;

  if (!can_load_filters ())
    return;
  pid_t pid = fork ();
  g_assert_cmpint (pid, >=, 0);
  if (pid == 0)
    {
      if (prctl (PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
        _exit (2);
      if (nook_seccomp_load (program->insns, program->n_insns, 0) != 0)
        _exit (3);
      if (mkdir (path, 0700) == 0)
        _exit (4);
      _exit (errno == want_errno ? 0 : 5);
    }
  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
  g_assert_true (WIFEXITED (status));
  g_assert_cmpint (WEXITSTATUS (status), ==, 0);
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
}

/* The entry at path is a valid one for the profile, holding exactly
 * program's bytes: checked through the store's own lookup. */
static void
assert_valid_entry (Fixture *f, const TestProfile *profile, const NookBpfProgram *program)
{
  guint8 key[NOOK_FILTER_STORE_KEY_SIZE];
  g_autoptr (GError) error = NULL;
  struct sock_filter *insns = NULL;
  guint n_insns = 0;
  g_autofree char *path = entry_path (f, profile);
  struct stat st;

  g_assert_no_errno (lstat (path, &st));
  g_assert_true (S_ISREG (st.st_mode));
  g_assert_cmpuint (st.st_mode & 07777, ==, 0600);
  g_assert_cmpuint (st.st_uid, ==, geteuid ());

  nook_seccomp_key (profile, key);
  g_autoptr (NookFilterStore) store = nook_seccomp_store_open (&error);
  g_assert_no_error (error);
  g_assert_cmpint (
      nook_filter_store_lookup (store, key, seccomp_arch_native (), &insns, &n_insns, NULL, &error),
      ==, NOOK_FILTER_STORE_HIT);
  g_assert_no_error (error);
  g_assert_cmpuint (n_insns, ==, program->n_insns);
  g_assert_cmpmem (insns, n_insns * 8, program->insns, program->n_insns * 8);
  g_free (insns);
}

/* --- The key --- */

static void
assert_keys_differ (const TestProfile *a, const TestProfile *b)
{
  guint8 ka[NOOK_FILTER_STORE_KEY_SIZE], kb[NOOK_FILTER_STORE_KEY_SIZE];

  nook_seccomp_key (a, ka);
  nook_seccomp_key (b, kb);
  g_assert_true (memcmp (ka, kb, sizeof ka) != 0);
}

static void
assert_keys_equal (const TestProfile *a, const TestProfile *b)
{
  guint8 ka[NOOK_FILTER_STORE_KEY_SIZE], kb[NOOK_FILTER_STORE_KEY_SIZE];

  nook_seccomp_key (a, ka);
  nook_seccomp_key (b, kb);
  g_assert_cmpmem (ka, sizeof ka, kb, sizeof kb);
}

static void
test_key_stable (void)
{
  g_autoptr (TestProfile) a = profile_load_fixture ("seccomp-default.json");
  g_autoptr (TestProfile) b = profile_load_fixture ("seccomp-default.json");

  assert_keys_equal (a, b);

  /* Load-time flags do not change the program. */
  b->has_flags = TRUE;
  b->flags = SECCOMP_FILTER_FLAG_LOG;
  assert_keys_equal (a, b);

  /* Any other change does. */
  b->rules[b->n_rules - 1].action = NOOK_SECCOMP_ACT_KILL_PROCESS;
  assert_keys_differ (a, b);
}

static void
test_key_rule_errno_ret (void)
{
  g_autoptr (TestProfile) a = deny_mkdir_profile (EPERM);
  g_autoptr (TestProfile) b = deny_mkdir_profile (EACCES);
  g_autoptr (TestProfile) absent = deny_mkdir_profile (0);
  g_autoptr (TestProfile) zero = deny_mkdir_profile (0);

  absent->rules[0].has_errno_ret = FALSE;
  assert_keys_differ (a, b);
  /* Absent and 0 are told apart by the presence marker. */
  assert_keys_differ (absent, zero);
  /* Only the errno of the rule differs: as the same action, it is not lost. */
  b->rules[0].errno_ret = EPERM;
  assert_keys_equal (a, b);
}

static void
test_key_arg_condition (void)
{
  g_autoptr (TestProfile) base = profile_new (NOOK_SECCOMP_ACT_ERRNO, FALSE, 0);
  NookSeccompRule *rule
      = profile_add_rule (base, NOOK_SECCOMP_ACT_ALLOW, FALSE, 0, NAMES ("personality"));
  rule_add_arg (rule, 0, NOOK_SECCOMP_OP_EQ, 8, 0);

  struct
  {
    guint32 index;
    NookSeccompOp op;
    guint64 value, value_two;
  } changes[] = {
    { 1, NOOK_SECCOMP_OP_EQ, 8, 0 },
    { 0, NOOK_SECCOMP_OP_NE, 8, 0 },
    { 0, NOOK_SECCOMP_OP_EQ, 9, 0 },
    { 0, NOOK_SECCOMP_OP_EQ, 8, 1 },
    { 0, NOOK_SECCOMP_OP_EQ, 8 + (G_GUINT64_CONSTANT (1) << 32), 0 },
  };
  for (gsize i = 0; i < G_N_ELEMENTS (changes); i++)
    {
      g_autoptr (TestProfile) other = profile_new (NOOK_SECCOMP_ACT_ERRNO, FALSE, 0);
      rule = profile_add_rule (other, NOOK_SECCOMP_ACT_ALLOW, FALSE, 0, NAMES ("personality"));
      rule_add_arg (rule, changes[i].index, changes[i].op, changes[i].value, changes[i].value_two);
      assert_keys_differ (base, other);
    }

  /* A second condition, and none at all. */
  g_autoptr (TestProfile) two = profile_new (NOOK_SECCOMP_ACT_ERRNO, FALSE, 0);
  rule = profile_add_rule (two, NOOK_SECCOMP_ACT_ALLOW, FALSE, 0, NAMES ("personality"));
  rule_add_arg (rule, 0, NOOK_SECCOMP_OP_EQ, 8, 0);
  rule_add_arg (rule, 0, NOOK_SECCOMP_OP_EQ, 8, 0);
  assert_keys_differ (base, two);
  g_autoptr (TestProfile) none = profile_new (NOOK_SECCOMP_ACT_ERRNO, FALSE, 0);
  profile_add_rule (none, NOOK_SECCOMP_ACT_ALLOW, FALSE, 0, NAMES ("personality"));
  assert_keys_differ (base, none);
}

static void
test_key_default_action (void)
{
  g_autoptr (TestProfile) errno_default = profile_new (NOOK_SECCOMP_ACT_ERRNO, FALSE, 0);
  g_autoptr (TestProfile) kill = profile_new (NOOK_SECCOMP_ACT_KILL_PROCESS, FALSE, 0);
  g_autoptr (TestProfile) eperm = profile_new (NOOK_SECCOMP_ACT_ERRNO, TRUE, EPERM);
  g_autoptr (TestProfile) enosys = profile_new (NOOK_SECCOMP_ACT_ERRNO, TRUE, ENOSYS);

  assert_keys_differ (errno_default, kill);
  assert_keys_differ (errno_default, eperm);
  assert_keys_differ (eperm, enosys);
}

static void
test_key_names_split (void)
{
  g_autoptr (TestProfile) a = profile_new (NOOK_SECCOMP_ACT_ALLOW, FALSE, 0);
  g_autoptr (TestProfile) b = profile_new (NOOK_SECCOMP_ACT_ALLOW, FALSE, 0);

  profile_add_rule (a, NOOK_SECCOMP_ACT_ERRNO, FALSE, 0, NAMES ("ab", "c"));
  profile_add_rule (b, NOOK_SECCOMP_ACT_ERRNO, FALSE, 0, NAMES ("a", "bc"));
  assert_keys_differ (a, b);

  /* The same names split over two rules, or in another order. */
  g_autoptr (TestProfile) c = profile_new (NOOK_SECCOMP_ACT_ALLOW, FALSE, 0);
  profile_add_rule (c, NOOK_SECCOMP_ACT_ERRNO, FALSE, 0, NAMES ("ab"));
  profile_add_rule (c, NOOK_SECCOMP_ACT_ERRNO, FALSE, 0, NAMES ("c"));
  assert_keys_differ (a, c);
  g_autoptr (TestProfile) d = profile_new (NOOK_SECCOMP_ACT_ALLOW, FALSE, 0);
  profile_add_rule (d, NOOK_SECCOMP_ACT_ERRNO, FALSE, 0, NAMES ("c", "ab"));
  assert_keys_differ (a, d);

  /* Architectures too. */
  g_autoptr (TestProfile) x = profile_new (NOOK_SECCOMP_ACT_ALLOW, FALSE, 0);
  g_autoptr (TestProfile) y = profile_new (NOOK_SECCOMP_ACT_ALLOW, FALSE, 0);
  g_strfreev (x->architectures);
  g_strfreev (y->architectures);
  x->architectures = g_strdupv ((char **)NAMES ("SCMP_ARCH_X86_64", "SCMP_ARCH_X86"));
  y->architectures = g_strdupv ((char **)NAMES ("SCMP_ARCH_X86_64SCMP_ARCH_X86"));
  assert_keys_differ (x, y);
}

/* Both keys cover the build id: a new build never finds the entries or the
 * links an older one wrote, even when the version string is the same. */
static void
test_key_build_id (void)
{
  g_autoptr (TestProfile) a = profile_load_fixture ("seccomp-default.json");
  static const guint8 id1[] = { 1, 2, 3, 4 }, id2[] = { 1, 2, 3, 5 }, id3[] = { 1, 2, 3 };
  const char *config = "{\"ociVersion\": \"1.0.2\"}";
  guint8 k1[NOOK_FILTER_STORE_KEY_SIZE], k2[NOOK_FILTER_STORE_KEY_SIZE];
  guint8 k3[NOOK_FILTER_STORE_KEY_SIZE], own[NOOK_FILTER_STORE_KEY_SIZE];
  gsize own_len;
  const guint8 *own_id = nook_build_id (&own_len);

  nook_seccomp_key_for_build (a, id1, sizeof id1, k1);
  nook_seccomp_key_for_build (a, id2, sizeof id2, k2);
  nook_seccomp_key_for_build (a, id3, sizeof id3, k3);
  g_assert_true (memcmp (k1, k2, sizeof k1) != 0);
  g_assert_true (memcmp (k1, k3, sizeof k1) != 0);
  nook_seccomp_key_for_build (a, id1, sizeof id1, k2);
  g_assert_cmpmem (k1, sizeof k1, k2, sizeof k2);
  /* nook_seccomp_key is the running build's. */
  nook_seccomp_key (a, own);
  nook_seccomp_key_for_build (a, own_id, own_len, k3);
  g_assert_cmpmem (own, sizeof own, k3, sizeof k3);

  nook_seccomp_alias_key_for_build (config, strlen (config), id1, sizeof id1, k1);
  nook_seccomp_alias_key_for_build (config, strlen (config), id2, sizeof id2, k2);
  g_assert_true (memcmp (k1, k2, sizeof k1) != 0);
  nook_seccomp_alias_key (config, strlen (config), own);
  nook_seccomp_alias_key_for_build (config, strlen (config), own_id, own_len, k3);
  g_assert_cmpmem (own, sizeof own, k3, sizeof k3);
}

/* The build id read from the loaded note is the one readelf finds in the
 * file (meson.build has the linker write one into every program). */
static void
test_build_id_note (void)
{
  g_autofree char *exe = g_file_read_link ("/proc/self/exe", NULL);
  g_autofree char *readelf = g_find_program_in_path ("readelf");
  g_autofree char *out = NULL;
  g_autofree char *hex = nook_build_id_to_hex ();
  const char *argv[] = { "readelf", "-n", exe, NULL };
  const char *line;
  int status;

  if (readelf == NULL)
    {
      g_test_skip ("no readelf");
      return;
    }
  g_assert_true (g_spawn_sync (NULL, (char **)argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out,
                               NULL, &status, NULL));
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  line = strstr (out, "Build ID: ");
  g_assert_nonnull (line);
  line += strlen ("Build ID: ");
  g_assert_cmpuint (strlen (hex), >=, 16); /* sha1 with GNU ld, 8+ bytes with any */
  g_assert_cmpint (strncmp (line, hex, strlen (hex)), ==, 0);
  g_assert_true (line[strlen (hex)] == '\n');
}

/* --- Hit and miss --- */

/* The program libseccomp itself exports for seccomp-deny-mkdir.json. */
static NookBpfProgram *
libseccomp_export_deny_mkdir (void)
{
  scmp_filter_ctx ctx = seccomp_init (SCMP_ACT_ALLOW);
  struct stat st;

  g_assert_nonnull (ctx);
  g_assert_cmpint (seccomp_attr_set (ctx, SCMP_FLTATR_CTL_NNP, 0), ==, 0);
  g_assert_cmpint (seccomp_attr_set (ctx, SCMP_FLTATR_CTL_OPTIMIZE, NOOK_SECCOMP_OPTIMIZE), ==, 0);
  g_assert_cmpint (seccomp_rule_add (ctx, SCMP_ACT_ERRNO (EPERM), SCMP_SYS (mkdir), 0), ==, 0);
  g_assert_cmpint (seccomp_rule_add (ctx, SCMP_ACT_ERRNO (EPERM), SCMP_SYS (mkdirat), 0), ==, 0);
  int fd = memfd_create ("test", MFD_CLOEXEC);
  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (seccomp_export_bpf (ctx, fd), ==, 0);
  seccomp_release (ctx);
  g_assert_no_errno (fstat (fd, &st));

  NookBpfProgram *program = g_new0 (NookBpfProgram, 1);
  program->n_insns = st.st_size / sizeof (struct sock_filter);
  program->insns = g_malloc (st.st_size);
  g_assert_cmpint (pread (fd, program->insns, st.st_size, 0), ==, st.st_size);
  close (fd);
  return program;
}

static void
test_miss_then_hit (Fixture *f, gconstpointer data)
{
  g_autoptr (TestProfile) profile = deny_mkdir_profile (EPERM);
  g_autoptr (NookBpfProgram) exported = libseccomp_export_deny_mkdir ();
  g_autoptr (GPtrArray) warnings = NULL;
  g_autofree char *path = entry_path (f, profile);
  struct stat st;

  g_assert_false (g_file_test (f->store_dir, G_FILE_TEST_EXISTS));
  g_autoptr (NookBpfProgram) first = prepare (profile, &warnings);
  g_assert_cmpuint (warnings->len, ==, 0);
  g_assert_true (programs_equal (first, exported));

  /* The directory is created private; the entry holds exactly the bytes
   * libseccomp exports. */
  g_assert_no_errno (stat (f->store_dir, &st));
  g_assert_cmpuint (st.st_mode & 07777, ==, 0700);
  g_assert_cmpuint (store_count (f), ==, 1);
  g_autoptr (GBytes) bytes = read_file (path);
  g_assert_cmpuint (g_bytes_get_size (bytes), ==, HEADER_SIZE + exported->n_insns * 8);
  g_assert_cmpmem ((const char *)g_bytes_get_data (bytes, NULL) + HEADER_SIZE,
                   exported->n_insns * 8, exported->insns, exported->n_insns * 8);
  assert_valid_entry (f, profile, exported);

  /* Second run: a hit, which touches the entry (LRU) and changes nothing else. */
  set_mtime (path, 1000);
  g_clear_pointer (&warnings, g_ptr_array_unref);
  g_autoptr (NookBpfProgram) second = prepare (profile, &warnings);
  g_assert_cmpuint (warnings->len, ==, 0);
  g_assert_true (programs_equal (second, exported));
  g_assert_cmpint (get_mtime (path), >, 1000);
  g_assert_cmpuint (store_count (f), ==, 1);
  g_autoptr (GBytes) again = read_file (path);
  g_assert_true (g_bytes_equal (bytes, again));

  assert_denies_mkdir (second, f->tmp, EPERM);
}

/* An entry planted under the key of profile A holding the program of profile
 * B (valid in every other way) is what prepare(A) returns: proof that a hit
 * is served from the store and not compiled. */
static void
test_hit_is_served_from_store (Fixture *f, gconstpointer data)
{
  g_autoptr (TestProfile) a = deny_mkdir_profile (EPERM);
  g_autoptr (TestProfile) b = deny_mkdir_profile (EACCES);
  g_autoptr (NookBpfProgram) program_a = compile (a);
  g_autoptr (NookBpfProgram) program_b = compile (b);
  g_autoptr (GPtrArray) stored_warnings = g_ptr_array_new ();
  g_autoptr (GPtrArray) warnings = NULL;
  g_autoptr (GError) error = NULL;
  guint8 key[NOOK_FILTER_STORE_KEY_SIZE];

  g_assert_false (programs_equal (program_a, program_b));
  nook_seccomp_key (a, key);
  g_autoptr (NookFilterStore) store = nook_seccomp_store_open (&error);
  g_assert_no_error (error);
  g_ptr_array_add (stored_warnings, "planted one");
  g_ptr_array_add (stored_warnings, "planted two");
  g_assert_true (nook_filter_store_publish (store, key, seccomp_arch_native (), program_b->insns,
                                            program_b->n_insns, stored_warnings, 10, &error));
  g_assert_no_error (error);

  g_autoptr (NookBpfProgram) got = prepare (a, &warnings);
  g_assert_true (programs_equal (got, program_b));
  g_assert_cmpuint (warnings->len, ==, 2);
  g_assert_cmpstr (warnings->pdata[0], ==, "planted one");
  g_assert_cmpstr (warnings->pdata[1], ==, "planted two");

  /* Bypassing the store compiles. */
  g_autoptr (NookBpfProgram) bypass = nook_seccomp_prepare (a, FALSE, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (programs_equal (bypass, program_a));
}

static void
test_warnings_on_hit_and_miss (Fixture *f, gconstpointer data)
{
  g_autoptr (TestProfile) profile = deny_mkdir_profile (EPERM);
  profile_add_rule (profile, NOOK_SECCOMP_ACT_ERRNO, TRUE, EACCES,
                    NAMES ("nook_no_such_syscall", "rmdir"));
  g_autoptr (GPtrArray) miss = NULL;
  g_autoptr (GPtrArray) hit = NULL;

  g_autoptr (NookBpfProgram) first = prepare (profile, &miss);
  g_autofree char *path = entry_path (f, profile);
  set_mtime (path, 1000);
  g_autoptr (NookBpfProgram) second = prepare (profile, &hit);

  g_assert_cmpint (get_mtime (path), >, 1000); /* it was a hit */
  g_assert_true (programs_equal (first, second));
  g_assert_cmpuint (miss->len, ==, 1);
  g_assert_cmpstr (miss->pdata[0], ==, UNKNOWN_WARNING);
  g_assert_cmpuint (hit->len, ==, 1);
  g_assert_cmpstr (hit->pdata[0], ==, UNKNOWN_WARNING);

  /* NULL warnings are fine on both paths. */
  g_autoptr (GError) error = NULL;
  g_autoptr (NookBpfProgram) third = nook_seccomp_prepare (profile, TRUE, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (programs_equal (first, third));
}

static void
test_bypass (Fixture *f, gconstpointer data)
{
  g_autoptr (TestProfile) profile = deny_mkdir_profile (EPERM);
  g_autoptr (GPtrArray) warnings = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GError) error = NULL;

  g_autoptr (NookBpfProgram) program = nook_seccomp_prepare (profile, FALSE, warnings, &error);
  g_assert_no_error (error);
  g_assert_nonnull (program);
  g_assert_cmpuint (warnings->len, ==, 0);
  /* Not even created. */
  g_assert_false (g_file_test (f->store_dir, G_FILE_TEST_EXISTS));
}

static void
test_compile_error_stores_nothing (Fixture *f, gconstpointer data)
{
  g_autoptr (TestProfile) profile = profile_new (NOOK_SECCOMP_ACT_ALLOW, FALSE, 0);
  profile_add_rule (profile, NOOK_SECCOMP_ACT_NOTIFY, FALSE, 0, NAMES ("openat"));
  g_autoptr (GError) error = NULL;

  g_autoptr (NookBpfProgram) program = nook_seccomp_prepare (profile, TRUE, NULL, &error);
  g_assert_null (program);
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error->message, "not supported yet"));
  g_assert_cmpuint (store_count (f), ==, 0);
}

/* --- Damaged entries --- */

typedef void (*CorruptFunc) (Fixture *f, const char *path);

static void
edit_entry (const char *path, gsize offset, guint8 xor_mask)
{
  g_autoptr (GBytes) bytes = read_file (path);
  gsize len;
  g_autofree guint8 *data = g_bytes_unref_to_data (g_steal_pointer (&bytes), &len);

  g_assert_cmpuint (offset, <, len);
  data[offset] ^= xor_mask;
  write_file (path, data, len);
}

static void
corrupt_flip_payload (Fixture *f, const char *path)
{
  /* The errno of the last instruction (a return): still a loadable filter,
   * only a different one. */
  struct stat st;
  g_assert_no_errno (stat (path, &st));
  edit_entry (path, st.st_size - 4, 0x02);
}

static void
corrupt_flip_first_insn (Fixture *f, const char *path)
{
  edit_entry (path, HEADER_SIZE, 0x01);
}

static void
corrupt_truncate (Fixture *f, const char *path)
{
  struct stat st;
  g_assert_no_errno (stat (path, &st));
  g_assert_no_errno (truncate (path, st.st_size - 8));
}

static void
corrupt_truncate_header (Fixture *f, const char *path)
{
  g_assert_no_errno (truncate (path, 40));
}

static void
corrupt_empty (Fixture *f, const char *path)
{
  g_assert_no_errno (truncate (path, 0));
}

static void
corrupt_extend (Fixture *f, const char *path)
{
  g_autoptr (GBytes) bytes = read_file (path);
  g_autoptr (GByteArray) data = g_byte_array_new ();
  g_byte_array_append (data, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
  g_byte_array_append (data, (const guint8 *)"\0\0\0\0\0\0\0\0", 8);
  write_file (path, data->data, data->len);
}

static void
corrupt_magic (Fixture *f, const char *path)
{
  edit_entry (path, G_STRUCT_OFFSET (TestHeader, magic), 0x20);
}

static void
corrupt_version (Fixture *f, const char *path)
{
  edit_entry (path, G_STRUCT_OFFSET (TestHeader, version), 0x03);
}

/* Rewrites the header's arch, n_insns or key. The MAC covers the header
 * too; the header checks come first and say what is wrong. */
static void
rewrite_header (const char *path, void (*change) (TestHeader *h, GByteArray *data))
{
  g_autoptr (GBytes) bytes = read_file (path);
  g_autoptr (GByteArray) data = g_byte_array_new ();

  g_byte_array_append (data, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
  change ((TestHeader *)data->data, data);
  write_file (path, data->data, data->len);
}

static void
set_arch_i386 (TestHeader *h, GByteArray *data)
{
  h->arch = AUDIT_ARCH_I386;
}

static void
corrupt_arch (Fixture *f, const char *path)
{
  rewrite_header (path, set_arch_i386);
}

static void
set_key_other (TestHeader *h, GByteArray *data)
{
  h->key[31] ^= 1;
}

static void
corrupt_key (Fixture *f, const char *path)
{
  rewrite_header (path, set_key_other);
}

/* A well-formed entry (size, and the plain SHA-256 of the payload that
 * format 1 checked, in the MAC's place) but with 5000 instructions. */
static void
set_too_many (TestHeader *h, GByteArray *data)
{
  guint old = h->n_insns;
  g_autoptr (GChecksum) sum = g_checksum_new (G_CHECKSUM_SHA256);
  gsize len = 32;

  g_byte_array_set_size (data, HEADER_SIZE + 5000 * 8);
  h = (TestHeader *)data->data;
  memset (data->data + HEADER_SIZE + old * 8, 0, (5000 - old) * 8);
  h->n_insns = 5000;
  h->warnings_size = 0;
  g_checksum_update (sum, data->data + HEADER_SIZE, 5000 * 8);
  g_checksum_get_digest (sum, h->mac, &len);
}

static void
corrupt_too_many_insns (Fixture *f, const char *path)
{
  rewrite_header (path, set_too_many);
}

/* The entry of another profile renamed to this key. */
static void
corrupt_other_entry (Fixture *f, const char *path)
{
  g_autoptr (TestProfile) other = deny_mkdir_profile (EACCES);
  g_autoptr (NookBpfProgram) program = prepare (other, NULL);
  g_autofree char *other_path = entry_path (f, other);

  g_assert_nonnull (program);
  g_assert_no_errno (rename (other_path, path));
}

/* A symlink to a copy of the valid entry: valid content, refused all the same. */
static void
corrupt_symlink (Fixture *f, const char *path)
{
  g_autofree char *target = g_build_filename (f->tmp, "elsewhere", NULL);
  g_assert_no_errno (rename (path, target));
  g_assert_no_errno (symlink (target, path));
}

static void
corrupt_fifo (Fixture *f, const char *path)
{
  g_assert_no_errno (unlink (path));
  g_assert_no_errno (mkfifo (path, 0600));
}

static void
corrupt_directory (Fixture *f, const char *path)
{
  g_assert_no_errno (unlink (path));
  g_assert_no_errno (mkdir (path, 0700));
}

static void
corrupt_group_writable (Fixture *f, const char *path)
{
  g_assert_no_errno (chmod (path, 0620));
}

static void
corrupt_other_writable (Fixture *f, const char *path)
{
  g_assert_no_errno (chmod (path, 0602));
}

static void
corrupt_foreign_owner (Fixture *f, const char *path)
{
  g_assert_no_errno (lchown (path, 54321, 54321));
}

typedef struct
{
  const char *name;
  CorruptFunc corrupt;
  const char *reason; /* part of the warning */
  gboolean needs_root;
} CorruptCase;

static const CorruptCase corrupt_cases[] = {
  { "flipped-payload-byte", corrupt_flip_payload, "bad MAC", FALSE },
  { "flipped-first-insn", corrupt_flip_first_insn, "bad MAC", FALSE },
  { "truncated", corrupt_truncate, "wrong size", FALSE },
  { "truncated-header", corrupt_truncate_header, "wrong size", FALSE },
  { "empty", corrupt_empty, "wrong size", FALSE },
  { "extended", corrupt_extend, "wrong size", FALSE },
  { "wrong-magic", corrupt_magic, "bad magic", FALSE },
  { "wrong-version", corrupt_version, "format version", FALSE },
  { "wrong-arch", corrupt_arch, "architecture", FALSE },
  { "wrong-key", corrupt_key, "another key", FALSE },
  { "other-profile", corrupt_other_entry, "another key", FALSE },
  { "too-many-insns", corrupt_too_many_insns, "5000 instructions", FALSE },
  { "symlink", corrupt_symlink, "symbolic link", FALSE },
  { "fifo", corrupt_fifo, "not a regular file", FALSE },
  { "directory", corrupt_directory, "not a regular file", FALSE },
  { "group-writable", corrupt_group_writable, "writable by group or others", FALSE },
  { "other-writable", corrupt_other_writable, "writable by group or others", FALSE },
  { "foreign-owner", corrupt_foreign_owner, "owned by uid 54321", TRUE },
};

static void
test_corrupt (Fixture *f, gconstpointer data)
{
  const CorruptCase *c = data;
  g_autoptr (TestProfile) profile = deny_mkdir_profile (EPERM);
  g_autoptr (NookBpfProgram) expected = compile (profile);
  g_autofree char *path = entry_path (f, profile);
  g_autoptr (GPtrArray) warnings = NULL;

  if (c->needs_root && geteuid () != 0)
    {
      g_test_skip ("needs root to give the entry to another user");
      return;
    }

  g_autoptr (NookBpfProgram) first = prepare (profile, NULL);
  g_assert_true (programs_equal (first, expected));
  c->corrupt (f, path);

  /* Detected, never loaded: the program is the compiled one... */
  g_autoptr (NookBpfProgram) got = prepare (profile, &warnings);
  g_assert_true (programs_equal (got, expected));
  /* ...with one warning that says what was wrong... */
  g_assert_cmpuint (warnings->len, ==, 1);
  g_assert_nonnull (strstr (warnings->pdata[0], "discarded"));
  g_assert_nonnull (strstr (warnings->pdata[0], c->reason));
  /* ...and a valid entry took the damaged one's place. */
  assert_valid_entry (f, profile, expected);
  assert_denies_mkdir (got, f->tmp, EPERM);

  /* The next run is a clean hit. */
  g_clear_pointer (&warnings, g_ptr_array_unref);
  g_autoptr (NookBpfProgram) next = prepare (profile, &warnings);
  g_assert_true (programs_equal (next, expected));
  g_assert_cmpuint (warnings->len, ==, 0);
}

/* --- An unusable store directory --- */

/* prepare must compile (right program, the profile's own warnings) and warn
 * exactly once about the store, whose content it must leave alone. */
static void
assert_runs_without_store (Fixture *f, const char *warning_part)
{
  g_autoptr (TestProfile) profile = deny_mkdir_profile (EPERM);
  profile_add_rule (profile, NOOK_SECCOMP_ACT_ERRNO, FALSE, 0, NAMES ("nook_no_such_syscall"));
  g_autoptr (NookBpfProgram) expected = compile (profile);
  g_autoptr (GPtrArray) warnings = NULL;
  g_autofree char *before = store_listing (f);

  g_autoptr (NookBpfProgram) got = prepare (profile, &warnings);
  g_assert_true (programs_equal (got, expected));
  g_assert_cmpuint (warnings->len, ==, 2);
  g_assert_cmpstr (warnings->pdata[0], ==, UNKNOWN_WARNING);
  g_assert_nonnull (strstr (warnings->pdata[1], warning_part));
  g_autofree char *after = store_listing (f);
  g_assert_cmpstr (before, ==, after);
  assert_denies_mkdir (got, f->tmp, EPERM);
}

/* A planted entry for the deny-mkdir profile that allows everything. */
static void
plant_allow_all (Fixture *f)
{
  g_autoptr (TestProfile) profile = deny_mkdir_profile (EPERM);
  g_autoptr (TestProfile) allow = profile_new (NOOK_SECCOMP_ACT_ALLOW, FALSE, 0);
  g_autoptr (NookBpfProgram) program = compile (allow);
  g_autoptr (GError) error = NULL;
  guint8 key[NOOK_FILTER_STORE_KEY_SIZE];

  profile_add_rule (profile, NOOK_SECCOMP_ACT_ERRNO, FALSE, 0, NAMES ("nook_no_such_syscall"));
  nook_seccomp_key (profile, key);
  g_autoptr (NookFilterStore) store = nook_seccomp_store_open (&error);
  g_assert_no_error (error);
  g_assert_true (nook_filter_store_publish (store, key, seccomp_arch_native (), program->insns,
                                            program->n_insns, NULL, 10, &error));
  g_assert_no_error (error);
}

static void
test_dir_group_writable (Fixture *f, gconstpointer data)
{
  plant_allow_all (f);
  g_assert_no_errno (chmod (f->store_dir, 0770));
  assert_runs_without_store (f, "writable by group or others");
  g_assert_no_errno (chmod (f->store_dir, 0702));
  assert_runs_without_store (f, "writable by group or others");
}

static void
test_dir_symlink (Fixture *f, gconstpointer data)
{
  g_autofree char *real = g_build_filename (f->tmp, "real", NULL);

  plant_allow_all (f);
  g_assert_no_errno (rename (f->store_dir, real));
  g_assert_no_errno (symlink (real, f->store_dir));
  assert_runs_without_store (f, "symbolic link");
}

static void
test_dir_not_a_directory (Fixture *f, gconstpointer data)
{
  g_autofree char *parent = g_path_get_dirname (f->store_dir);

  g_assert_no_errno (g_mkdir_with_parents (parent, 0700));
  write_file (f->store_dir, "x", 1);
  assert_runs_without_store (f, "not a directory");
}

static void
test_dir_foreign_owner (Fixture *f, gconstpointer data)
{
  if (geteuid () != 0)
    {
      g_test_skip ("needs root to give the directory to another user");
      return;
    }
  plant_allow_all (f);
  g_assert_no_errno (chown (f->store_dir, 54321, 54321));
  assert_runs_without_store (f, "owned by uid 54321");
}

static void
test_dir_read_only (Fixture *f, gconstpointer data)
{
  g_autoptr (TestProfile) cached = deny_mkdir_profile (EACCES);

  if (geteuid () == 0)
    {
      g_test_skip ("root writes to read-only directories");
      return;
    }
  /* An entry stored before the directory became read-only is still served,
   * without a warning. */
  g_autoptr (NookBpfProgram) stored = prepare (cached, NULL);
  g_assert_no_errno (chmod (f->store_dir, 0500));
  g_autoptr (GPtrArray) warnings = NULL;
  g_autoptr (NookBpfProgram) hit = prepare (cached, &warnings);
  g_assert_true (programs_equal (stored, hit));
  g_assert_cmpuint (warnings->len, ==, 0);

  assert_runs_without_store (f, "cannot write to");
}

static void
test_dir_cannot_be_created (Fixture *f, gconstpointer data)
{
  /* XDG_CACHE_HOME is a file: refused as a level above the store (mkdir
   * would fail too, even for root). */
  g_autofree char *file = g_build_filename (f->tmp, "file", NULL);

  write_file (file, "x", 1);
  g_setenv ("XDG_CACHE_HOME", file, TRUE);
  assert_runs_without_store (f, "it is not a directory");
}

/* --- Directories above the store --- */

/* Each level from XDG_CACHE_HOME down to the store is checked like the
 * store itself: a group-writable nook/ or cache root is refused, with the
 * store's content left alone (and its planted entry unused). */
static void
test_dir_parent_group_writable (Fixture *f, gconstpointer data)
{
  g_autofree char *nook_dir = g_path_get_dirname (f->store_dir);
  g_autofree char *want = g_strdup_printf ("refusing to use %s: it has mode 0770", nook_dir);

  plant_allow_all (f);
  g_assert_no_errno (chmod (nook_dir, 0770));
  assert_runs_without_store (f, want);
  g_assert_no_errno (chmod (nook_dir, 0700));

  g_autofree char *want_root = g_strdup_printf ("refusing to use %s: it has mode 0777", f->tmp);
  g_assert_no_errno (chmod (f->tmp, 0777));
  assert_runs_without_store (f, want_root);
}

/* The store directory does not exist yet: a writable nook/ above it is
 * refused before anything is created in it. */
static void
test_dir_parent_writable_before_create (Fixture *f, gconstpointer data)
{
  g_autofree char *nook_dir = g_path_get_dirname (f->store_dir);

  g_assert_no_errno (g_mkdir_with_parents (nook_dir, 0700));
  g_assert_no_errno (chmod (nook_dir, 0702));
  assert_runs_without_store (f, "writable by group or others");
  g_assert_false (g_file_test (f->store_dir, G_FILE_TEST_EXISTS));
}

/* --- The MAC --- */

static void
fixed_secret (NookFilterSecret *secret, guint8 seed)
{
  for (gsize i = 0; i < sizeof secret->bytes; i++)
    secret->bytes[i] = (guint8)(seed + 7 * i);
}

static NookFilterStore *
open_with_secret (Fixture *f, guint8 seed)
{
  NookFilterSecret secret;
  g_autoptr (GError) error = NULL;

  fixed_secret (&secret, seed);
  NookFilterStore *store = nook_filter_store_open (f->store_dir, &secret, &error);
  g_assert_no_error (error);
  return store;
}

/* Publishes the deny-mkdir program (with a compile warning, so that every
 * part of the format is there) under the key of its profile. */
static void
publish_deny_mkdir (NookFilterStore *store, guint8 *out_key)
{
  g_autoptr (TestProfile) profile = deny_mkdir_profile (EPERM);
  g_autoptr (GPtrArray) warnings = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GError) error = NULL;

  profile_add_rule (profile, NOOK_SECCOMP_ACT_ERRNO, FALSE, 0, NAMES ("nook_no_such_syscall"));
  g_autoptr (NookBpfProgram) program = nook_seccomp_compile (profile, warnings, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (warnings->len, ==, 1);
  nook_seccomp_key (profile, out_key);
  g_assert_true (nook_filter_store_publish (store, out_key, seccomp_arch_native (), program->insns,
                                            program->n_insns, warnings, 10, &error));
  g_assert_no_error (error);
}

static NookFilterStoreResult
lookup_key (NookFilterStore *store, const guint8 *key, GError **error)
{
  struct sock_filter *insns = NULL;
  guint n_insns = 0;
  NookFilterStoreResult r = nook_filter_store_lookup (store, key, seccomp_arch_native (), &insns,
                                                      &n_insns, NULL, error);

  g_free (insns);
  return r;
}

/* Every single bit of an entry flipped, one at a time: each is refused. */
static void
test_mac_bit_flips (Fixture *f, gconstpointer data)
{
  g_autoptr (NookFilterStore) store = open_with_secret (f, 1);
  guint8 key[NOOK_FILTER_STORE_KEY_SIZE];
  gsize len;

  publish_deny_mkdir (store, key);
  g_autofree char *hex = nook_filter_store_key_to_hex (key);
  g_autofree char *path = g_build_filename (f->store_dir, hex, NULL);
  g_autoptr (GBytes) bytes = read_file (path);
  g_autofree guint8 *entry = g_bytes_unref_to_data (g_steal_pointer (&bytes), &len);

  for (gsize i = 0; i < len; i++)
    for (int bit = 0; bit < 8; bit++)
      {
        g_autoptr (GError) error = NULL;

        entry[i] ^= 1 << bit;
        write_file (path, entry, len);
        if (lookup_key (store, key, &error) != NOOK_FILTER_STORE_DISCARDED)
          g_error ("byte %" G_GSIZE_FORMAT " bit %d flipped: not discarded", i, bit);
        entry[i] ^= 1 << bit;
      }
  write_file (path, entry, len);
  g_assert_cmpint (lookup_key (store, key, NULL), ==, NOOK_FILTER_STORE_HIT);
}

/* An entry (and a link) written under another secret: refused, as "bad
 * MAC"; under its own: accepted. */
static void
test_mac_other_secret (Fixture *f, gconstpointer data)
{
  g_autoptr (NookFilterStore) other = open_with_secret (f, 2);
  guint8 key[NOOK_FILTER_STORE_KEY_SIZE], got[NOOK_FILTER_STORE_KEY_SIZE];
  guint8 config_key[NOOK_FILTER_STORE_KEY_SIZE] = { 0x42, 1, 2, 3 };
  g_autoptr (GError) error = NULL;

  publish_deny_mkdir (other, key);
  /* Opened once the directory exists. */
  g_autoptr (NookFilterStore) mine = open_with_secret (f, 1);
  g_autoptr (GPtrArray) list = nook_filter_store_list (mine, seccomp_arch_native (), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (list->len, ==, 1);
  g_assert_nonnull (strstr (((NookFilterStoreEntryInfo *)list->pdata[0])->invalid, "bad MAC"));
  g_assert_cmpint (lookup_key (mine, key, &error), ==, NOOK_FILTER_STORE_DISCARDED);
  g_assert_nonnull (strstr (error->message, "bad MAC"));
  g_clear_error (&error);
  g_assert_cmpint (lookup_key (mine, key, NULL), ==, NOOK_FILTER_STORE_MISS);

  publish_deny_mkdir (mine, key);
  g_assert_cmpint (lookup_key (mine, key, NULL), ==, NOOK_FILTER_STORE_HIT);

  nook_filter_alias_publish (NULL, nook_filter_store_get_secret (other), config_key, key);
  g_assert_false (
      nook_filter_alias_lookup (NULL, nook_filter_store_get_secret (mine), config_key, got));
  nook_filter_alias_publish (NULL, nook_filter_store_get_secret (mine), config_key, key);
  g_assert_true (
      nook_filter_alias_lookup (NULL, nook_filter_store_get_secret (mine), config_key, got));
  g_assert_cmpmem (got, sizeof got, key, sizeof key);
  g_assert_false (
      nook_filter_alias_lookup (NULL, nook_filter_store_get_secret (other), config_key, got));
}

/* The attack a container with the cache bound in could make before
 * entries had a MAC: an allow-all program, header fixed up, and the plain
 * SHA-256 of the payload recomputed. Refused; mkdir stays denied. */
static void
test_mac_forged_plain_checksum (Fixture *f, gconstpointer data)
{
  g_autoptr (TestProfile) profile = deny_mkdir_profile (EPERM);
  g_autoptr (NookBpfProgram) expected = compile (profile);
  g_autoptr (NookBpfProgram) first = prepare (profile, NULL);
  g_autofree char *path = entry_path (f, profile);
  g_autoptr (GBytes) bytes = read_file (path);
  g_autoptr (GByteArray) forged = g_byte_array_new ();
  struct sock_filter allow = BPF_STMT (BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
  g_autoptr (GChecksum) sum = g_checksum_new (G_CHECKSUM_SHA256);
  g_autoptr (GPtrArray) warnings = NULL;
  gsize len = 32;

  g_assert_nonnull (first);
  g_byte_array_append (forged, g_bytes_get_data (bytes, NULL), HEADER_SIZE);
  g_byte_array_append (forged, (const guint8 *)&allow, sizeof allow);
  TestHeader *h = (TestHeader *)forged->data;
  h->n_insns = 1;
  h->warnings_size = 0;
  g_checksum_update (sum, forged->data + HEADER_SIZE, sizeof allow);
  g_checksum_get_digest (sum, h->mac, &len);
  write_file (path, forged->data, forged->len);

  g_autoptr (NookBpfProgram) got = prepare (profile, &warnings);
  g_assert_true (programs_equal (got, expected));
  g_assert_cmpuint (warnings->len, ==, 1);
  g_assert_nonnull (strstr (warnings->pdata[0], "discarded"));
  g_assert_nonnull (strstr (warnings->pdata[0], "bad MAC"));
  assert_denies_mkdir (got, f->tmp, EPERM);
  assert_valid_entry (f, profile, expected);
}

/* The secret comes from the kernel keyring: the same on every load. */
static void
test_secret_load (void)
{
  NookFilterSecret a, b, zero = { { 0 } };
  gboolean created = TRUE;
  g_autoptr (GError) error = NULL;

  g_assert_true (nook_filter_secret_load (&a, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (nook_filter_secret_load (&b, &created, &error));
  g_assert_no_error (error);
  g_assert_false (created);
  g_assert_cmpmem (a.bytes, sizeof a.bytes, b.bytes, sizeof b.bytes);
  g_assert_true (memcmp (a.bytes, zero.bytes, sizeof a.bytes) != 0);
}

/* --- Bounded size --- */

static void
test_evict_lru (Fixture *f, gconstpointer data)
{
  g_autoptr (TestProfile) p1 = deny_mkdir_profile (1);
  g_autoptr (TestProfile) p2 = deny_mkdir_profile (2);
  g_autoptr (TestProfile) p3 = deny_mkdir_profile (3);
  g_autoptr (TestProfile) p4 = deny_mkdir_profile (4);
  g_autoptr (TestProfile) p5 = deny_mkdir_profile (5);
  g_autofree char *e1 = entry_path (f, p1);
  g_autofree char *e2 = entry_path (f, p2);
  g_autofree char *e3 = entry_path (f, p3);
  g_autofree char *e4 = entry_path (f, p4);
  g_autofree char *e5 = entry_path (f, p5);
  g_autoptr (GPtrArray) warnings = NULL;

  g_setenv (NOOK_FILTER_STORE_MAX_ENTRIES_ENV, "3", TRUE);
  g_clear_pointer (&warnings, g_ptr_array_unref);
  nook_bpf_program_free (prepare (p1, NULL));
  nook_bpf_program_free (prepare (p2, NULL));
  nook_bpf_program_free (prepare (p3, NULL));
  g_assert_cmpuint (store_count (f), ==, 3);
  set_mtime (e1, 1000);
  set_mtime (e2, 2000);
  set_mtime (e3, 3000);

  /* A hit makes p1 the most recently used: p2 is the one to go. */
  nook_bpf_program_free (prepare (p1, NULL));
  nook_bpf_program_free (prepare (p4, &warnings));
  g_assert_cmpuint (warnings->len, ==, 0);
  g_assert_cmpuint (store_count (f), ==, 3);
  g_assert_true (g_file_test (e1, G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (e2, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_test (e3, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_test (e4, G_FILE_TEST_EXISTS));

  /* Lowering the bound evicts down to it on the next insert. */
  g_setenv (NOOK_FILTER_STORE_MAX_ENTRIES_ENV, "1", TRUE);
  nook_bpf_program_free (prepare (p5, NULL));
  g_assert_cmpuint (store_count (f), ==, 1);
  g_assert_true (g_file_test (e5, G_FILE_TEST_EXISTS));

  /* An invalid bound: a warning, and the default (256) applies. */
  g_setenv (NOOK_FILTER_STORE_MAX_ENTRIES_ENV, "lots", TRUE);
  g_clear_pointer (&warnings, g_ptr_array_unref);
  nook_bpf_program_free (prepare (p1, &warnings));
  g_assert_cmpuint (warnings->len, ==, 1);
  g_assert_nonnull (strstr (warnings->pdata[0], NOOK_FILTER_STORE_MAX_ENTRIES_ENV "=lots"));
  g_assert_cmpuint (store_count (f), ==, 2);
}

static void
test_max_entries_env (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  guint max = 0;

  g_assert_true (nook_filter_store_max_entries_from_env (&max, &error));
  g_assert_cmpuint (max, ==, 256);
  g_setenv (NOOK_FILTER_STORE_MAX_ENTRIES_ENV, "17", TRUE);
  g_assert_true (nook_filter_store_max_entries_from_env (&max, &error));
  g_assert_cmpuint (max, ==, 17);
  const char *bad[] = { "0", "-1", "1x", " 5", "99999999999" };
  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_setenv (NOOK_FILTER_STORE_MAX_ENTRIES_ENV, bad[i], TRUE);
      g_assert_false (nook_filter_store_max_entries_from_env (&max, &error));
      g_assert_nonnull (error);
      g_clear_error (&error);
      g_assert_cmpuint (max, ==, 256);
    }
}

/* --- ls, prune, clear --- */

static void
test_list_prune_clear (Fixture *f, gconstpointer data)
{
  g_autoptr (TestProfile) p1 = deny_mkdir_profile (1);
  g_autoptr (TestProfile) p2 = deny_mkdir_profile (2);
  g_autoptr (TestProfile) p3 = deny_mkdir_profile (3);
  g_autoptr (TestProfile) p4 = deny_mkdir_profile (4);
  g_autofree char *e1 = entry_path (f, p1);
  g_autofree char *e2 = entry_path (f, p2);
  g_autofree char *e3 = entry_path (f, p3);
  g_autofree char *e4 = entry_path (f, p4);
  g_autofree char *stale = g_build_filename (f->store_dir, ".tmp-stale", NULL);
  g_autofree char *fresh = g_build_filename (f->store_dir, ".tmp-fresh", NULL);
  g_autofree char *other = g_build_filename (f->store_dir, "README", NULL);
  g_autoptr (GError) error = NULL;
  guint removed = 0;

  g_autoptr (NookBpfProgram) program = prepare (p1, NULL);
  nook_bpf_program_free (prepare (p2, NULL));
  nook_bpf_program_free (prepare (p3, NULL));
  nook_bpf_program_free (prepare (p4, NULL));
  set_mtime (e1, 4000);
  set_mtime (e2, 3000);
  set_mtime (e3, 2000);
  set_mtime (e4, 1000);
  corrupt_flip_payload (f, e3);
  set_mtime (e3, 2000);
  write_file (stale, "x", 1);
  set_mtime (stale, 1000);
  write_file (fresh, "x", 1);
  write_file (other, "not ours", 8);

  g_autoptr (NookFilterStore) store = nook_seccomp_store_open (&error);
  g_assert_no_error (error);
  g_autoptr (GPtrArray) list = nook_filter_store_list (store, seccomp_arch_native (), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (list->len, ==, 4);
  const NookFilterStoreEntryInfo *first = list->pdata[0], *third = list->pdata[2];
  g_assert_cmpstr (first->name, ==, strrchr (e1, '/') + 1);
  g_assert_cmpint (first->mtime, ==, 4000);
  g_assert_cmpuint (first->n_insns, ==, program->n_insns);
  g_assert_cmpuint (first->size, ==, HEADER_SIZE + program->n_insns * 8);
  g_assert_null (first->invalid);
  g_assert_cmpstr (third->name, ==, strrchr (e3, '/') + 1);
  g_assert_true (g_str_has_prefix (third->invalid, "bad MAC"));
  /* Listing is not using: no mtime changed, nothing removed. */
  g_assert_cmpint (get_mtime (e4), ==, 1000);
  g_assert_true (g_file_test (e3, G_FILE_TEST_EXISTS));

  /* prune: the damaged entry, the stale temporary file, then the LRU (e4). */
  g_assert_true (nook_filter_store_prune (store, seccomp_arch_native (), 2, &removed, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (removed, ==, 3);
  g_assert_true (g_file_test (e1, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_test (e2, G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (e3, G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (e4, G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (stale, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_test (fresh, G_FILE_TEST_EXISTS));

  g_assert_true (nook_filter_store_clear (store, &removed, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (removed, ==, 3);
  g_autofree char *left = store_listing (f);
  g_assert_cmpstr (left, ==, "README");

  /* A store that does not exist yet is empty. */
  g_setenv ("XDG_CACHE_HOME", f->store_dir, TRUE); /* .../seccomp/nook/seccomp */
  g_autoptr (NookFilterStore) absent = nook_seccomp_store_open (&error);
  g_assert_no_error (error);
  g_autoptr (GPtrArray) none = nook_filter_store_list (absent, seccomp_arch_native (), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (none->len, ==, 0);
  g_assert_true (nook_filter_store_clear (absent, &removed, &error));
  g_assert_cmpuint (removed, ==, 0);
}

/* --- Concurrency --- */

#define N_CONCURRENT 20

static void
test_concurrent_cold_store (Fixture *f, gconstpointer data)
{
  g_autoptr (TestProfile) profile = profile_load_fixture ("seccomp-default.json");
  g_autoptr (NookBpfProgram) expected = compile (profile);
  pid_t pids[N_CONCURRENT];
  int go[2];

  g_assert_no_errno (pipe (go));
  for (int i = 0; i < N_CONCURRENT; i++)
    {
      pids[i] = fork ();
      g_assert_cmpint (pids[i], >=, 0);
      if (pids[i] == 0)
        {
          char c;
          g_autoptr (GError) error = NULL;
          g_autoptr (GPtrArray) warnings = g_ptr_array_new_with_free_func (g_free);

          close (go[1]);
          /* All start together, when the parent closes the pipe. */
          if (read (go[0], &c, 1) != 0)
            _exit (10);
          g_autoptr (NookBpfProgram) program
              = nook_seccomp_prepare (profile, TRUE, warnings, &error);
          if (program == NULL)
            _exit (11);
          if (warnings->len != 0)
            _exit (12);
          _exit (programs_equal (program, expected) ? 0 : 13);
        }
    }
  close (go[0]);
  close (go[1]);
  for (int i = 0; i < N_CONCURRENT; i++)
    {
      int status;
      g_assert_cmpint (waitpid (pids[i], &status, 0), ==, pids[i]);
      g_assert_true (WIFEXITED (status));
      g_assert_cmpint (WEXITSTATUS (status), ==, 0);
    }

  /* One entry, valid, and no temporary file left. */
  g_autofree char *listing = store_listing (f);
  g_autofree char *path = entry_path (f, profile);
  g_autofree char *name = g_path_get_basename (path);
  g_assert_cmpstr (listing, ==, name);
  assert_valid_entry (f, profile, expected);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/filter-store/key/stable", test_key_stable);
  g_test_add_func ("/filter-store/key/rule-errno-ret", test_key_rule_errno_ret);
  g_test_add_func ("/filter-store/key/arg-condition", test_key_arg_condition);
  g_test_add_func ("/filter-store/key/default-action", test_key_default_action);
  g_test_add_func ("/filter-store/key/names-split", test_key_names_split);
  g_test_add_func ("/filter-store/key/build-id", test_key_build_id);
  g_test_add_func ("/filter-store/build-id/note", test_build_id_note);

#define ADD(path, func, data)                                                                      \
  g_test_add ("/filter-store/" path, Fixture, data, fixture_setup, func, fixture_teardown)

  ADD ("prepare/miss-then-hit", test_miss_then_hit, NULL);
  ADD ("prepare/hit-is-served-from-store", test_hit_is_served_from_store, NULL);
  ADD ("prepare/warnings-on-hit-and-miss", test_warnings_on_hit_and_miss, NULL);
  ADD ("prepare/bypass", test_bypass, NULL);
  ADD ("prepare/compile-error-stores-nothing", test_compile_error_stores_nothing, NULL);
  for (gsize i = 0; i < G_N_ELEMENTS (corrupt_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/filter-store/corrupt/%s", corrupt_cases[i].name);
      g_test_add (path, Fixture, &corrupt_cases[i], fixture_setup, test_corrupt, fixture_teardown);
    }
  ADD ("dir/group-writable", test_dir_group_writable, NULL);
  ADD ("dir/symlink", test_dir_symlink, NULL);
  ADD ("dir/not-a-directory", test_dir_not_a_directory, NULL);
  ADD ("dir/foreign-owner", test_dir_foreign_owner, NULL);
  ADD ("dir/read-only", test_dir_read_only, NULL);
  ADD ("dir/cannot-be-created", test_dir_cannot_be_created, NULL);
  ADD ("dir/parent-group-writable", test_dir_parent_group_writable, NULL);
  ADD ("dir/parent-writable-before-create", test_dir_parent_writable_before_create, NULL);
  ADD ("mac/bit-flips", test_mac_bit_flips, NULL);
  ADD ("mac/other-secret", test_mac_other_secret, NULL);
  ADD ("mac/forged-plain-checksum", test_mac_forged_plain_checksum, NULL);
  g_test_add_func ("/filter-store/secret/load", test_secret_load);
  ADD ("evict/lru", test_evict_lru, NULL);
  ADD ("evict/max-entries-env", test_max_entries_env, NULL);
  ADD ("list-prune-clear", test_list_prune_clear, NULL);
  ADD ("concurrent/cold-store", test_concurrent_cold_store, NULL);

  return g_test_run ();
}
