/* Unit tests for storage/state.c and storage/xdg.c: container state
 * directories, their locking, and the XDG base directories. */
#include <errno.h>
#include <fcntl.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "storage/remove.h"
#include "storage/state.h"
#include "storage/xdg.h"

/* Exit codes of racing child processes. */
enum
{
  RACE_WON = 0,
  RACE_BUSY = 1,
  RACE_ERROR = 2,
  RACE_TWO_OWNERS = 3,
};

/* Like bubblewrap's BWRAP_MUST_WORK: on a host without user namespaces the
 * namespace tests skip, unless the test run says they must work. */
static void
skip_or_fail (const char *why)
{
  if (g_getenv ("NOOK_TESTS_MUST_WORK") != NULL)
    g_error ("%s (NOOK_TESTS_MUST_WORK is set)", why);
  g_test_skip (why);
}

/* A temporary root that is removed (with whatever is in it) at the end. */
typedef struct
{
  char *root;
} Fixture;

static void
fixture_set_up (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  fixture->root = g_dir_make_tmp ("test-state-XXXXXX", &error);
  g_assert_no_error (error);
}

static void
fixture_tear_down (Fixture *fixture, gconstpointer data)
{
  g_assert_true (nook_remove_tree (fixture->root, NULL));
  g_free (fixture->root);
}

static guint
file_mode (const char *path)
{
  struct stat st;

  g_assert_no_errno (lstat (path, &st));
  return st.st_mode & 07777;
}

static void
assert_mode (const char *dir, const char *name, guint mode)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);

  g_assert_cmpuint (file_mode (path), ==, mode);
}

static void
write_file (const char *dir, const char *name, const char *contents)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autoptr (GError) error = NULL;

  g_file_set_contents (path, contents, -1, &error);
  g_assert_no_error (error);
}

static char *
read_file (const char *dir, const char *name)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autoptr (GError) error = NULL;
  char *contents = NULL;

  g_file_get_contents (path, &contents, NULL, &error);
  g_assert_no_error (error);
  return contents;
}

static int
compare_names (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char *const *)a, *(const char *const *)b);
}

/* The sorted names in a directory, joined with spaces. */
static char *
list_dir (const char *path)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GDir) dir = g_dir_open (path, 0, &error);
  g_autoptr (GPtrArray) names = g_ptr_array_new ();
  const char *name;

  g_assert_no_error (error);
  while ((name = g_dir_read_name (dir)) != NULL)
    g_ptr_array_add (names, (char *)name);
  g_ptr_array_sort (names, compare_names);
  g_ptr_array_add (names, NULL);
  return g_strjoinv (" ", (char **)names->pdata);
}

static void
test_create (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = g_build_filename (fixture->root, "c1", NULL);
  g_autofree char *names = NULL;
  NookState *state = nook_state_create (fixture->root, "c1", &error);

  g_assert_no_error (error);
  g_assert_nonnull (state);
  g_assert_cmpstr (nook_state_get_id (state), ==, "c1");
  g_assert_cmpstr (nook_state_get_dir (state), ==, dir);
  g_assert_cmpuint (file_mode (dir), ==, 0700);
  g_assert_true (g_file_test (dir, G_FILE_TEST_IS_DIR));
  assert_mode (dir, "lock", 0600);
  names = list_dir (dir);
  g_assert_cmpstr (names, ==, "lock");

  nook_state_free (state);
  g_assert_false (g_file_test (dir, G_FILE_TEST_EXISTS));
  /* The root is shared by all containers and stays. */
  g_assert_true (g_file_test (fixture->root, G_FILE_TEST_IS_DIR));
}

static void
test_create_missing_root (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *root = g_build_filename (fixture->root, "not", "yet", NULL);
  g_autoptr (NookState) state = nook_state_create (root, "c1", &error);

  g_assert_no_error (error);
  g_assert_nonnull (state);
  g_assert_cmpuint (file_mode (root), ==, 0700);
  assert_mode (root, "c1", 0700);
}

static void
test_create_busy (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (NookState) first = nook_state_create (fixture->root, "c1", &error);
  g_autoptr (NookState) second = NULL;
  g_autoptr (NookState) third = NULL;
  g_autofree char *names = NULL;

  g_assert_no_error (error);
  g_assert_true (nook_state_set_running (first, 4242, "/bundle", &error));
  g_assert_no_error (error);

  /* flock conflicts between two opens even in one process, so this stands
   * in for a second nook. */
  second = nook_state_create (fixture->root, "c1", &error);
  g_assert_null (second);
  g_assert_error (error, NOOK_STORAGE_ERROR, NOOK_STORAGE_ERROR_BUSY);
  g_assert_cmpstr (error->message, ==, "container c1 is already running");
  g_clear_error (&error);

  /* The failed attempt left the live container's state alone. */
  names = list_dir (nook_state_get_dir (first));
  g_assert_cmpstr (names, ==, "lock pid state.json");

  g_clear_pointer (&first, nook_state_free);
  third = nook_state_create (fixture->root, "c1", &error);
  g_assert_no_error (error);
  g_assert_nonnull (third);
}

/* The leftovers of a nook killed with -9: files, a nested directory, and a
 * symlink pointing out of the state dir, whose target must survive. */
static void
make_stale_dir (const char *root, const char *id, gboolean with_lock)
{
  g_autofree char *dir = g_build_filename (root, id, NULL);
  g_autofree char *nested = g_build_filename (dir, "upper", "usr", NULL);
  g_autofree char *outside = g_build_filename (root, "outside", NULL);
  g_autofree char *link = g_build_filename (dir, "link", NULL);

  g_assert_no_errno (g_mkdir (dir, 0700));
  if (with_lock)
    write_file (dir, "lock", "");
  write_file (dir, "pid", "999999");
  write_file (dir, "state.json", "{}");
  g_assert_no_errno (g_mkdir_with_parents (nested, 0700));
  write_file (nested, "file", "x");
  write_file (root, "outside", "keep me");
  g_assert_no_errno (symlink (outside, link));
}

static void
test_create_stale (Fixture *fixture, gconstpointer data)
{
  gboolean with_lock = GPOINTER_TO_INT (data);
  g_autoptr (GError) error = NULL;
  g_autoptr (NookState) state = NULL;
  g_autofree char *names = NULL;
  g_autofree char *outside = NULL;

  make_stale_dir (fixture->root, "c1", with_lock);

  state = nook_state_create (fixture->root, "c1", &error);
  g_assert_no_error (error);
  g_assert_nonnull (state);
  names = list_dir (nook_state_get_dir (state));
  g_assert_cmpstr (names, ==, "lock");
  outside = read_file (fixture->root, "outside");
  g_assert_cmpstr (outside, ==, "keep me");
}

/* A dead --rm container's layer nests as deep as its files did: the
 * leftovers go whatever their depth (the removal once stopped at 16
 * levels and kept the id from being reused). */
static void
test_create_stale_deep (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (NookState) state = NULL;
  g_autoptr (GString) deep = g_string_new (fixture->root);
  g_autofree char *names = NULL;

  g_string_append (deep, "/c1/layer/upper");
  for (int i = 0; i < 40; i++)
    g_string_append (deep, "/d");
  g_assert_no_errno (g_mkdir_with_parents (deep->str, 0700));
  write_file (deep->str, "file", "x");

  state = nook_state_create (fixture->root, "c1", &error);
  g_assert_no_error (error);
  g_assert_nonnull (state);
  names = list_dir (nook_state_get_dir (state));
  g_assert_cmpstr (names, ==, "lock");
}

static void
write_state_json (const char *root, const char *id, const char *text)
{
  g_autofree char *dir = g_build_filename (root, id, NULL);
  g_autofree char *path = g_build_filename (dir, "state.json", NULL);

  g_assert_no_errno (g_mkdir_with_parents (dir, 0700));
  g_assert_true (g_file_set_contents (path, text, -1, NULL));
}

/* Collecting takes the lock first and decides under it: a state a nook
 * holds is busy and untouched; one nobody holds is the caller's, to
 * remove; a detached one is kept. */
static void
test_claim_dead (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (NookState) live = nook_state_create (fixture->root, "live", &error);
  g_autoptr (NookState) dead = NULL;
  g_autofree char *live_dir = g_build_filename (fixture->root, "live", NULL);
  g_autofree char *dead_dir = g_build_filename (fixture->root, "dead", NULL);
  g_autofree char *names = NULL;

  g_assert_no_error (error);
  g_assert_nonnull (live);
  write_file (live_dir, "state.json", "{}");
  g_assert_null (nook_state_claim_dead (fixture->root, "live", &error));
  g_assert_error (error, NOOK_STORAGE_ERROR, NOOK_STORAGE_ERROR_BUSY);
  g_clear_error (&error);
  names = list_dir (live_dir);
  g_assert_cmpstr (names, ==, "lock state.json");

  make_stale_dir (fixture->root, "dead", TRUE);
  dead = nook_state_claim_dead (fixture->root, "dead", &error);
  g_assert_no_error (error);
  g_assert_nonnull (dead);
  /* Held now: a second collector (or a create) finds it busy. */
  g_assert_null (nook_state_claim_dead (fixture->root, "dead", &error));
  g_assert_error (error, NOOK_STORAGE_ERROR, NOOK_STORAGE_ERROR_BUSY);
  g_clear_error (&error);
  g_clear_pointer (&dead, nook_state_free);
  g_assert_false (g_file_test (dead_dir, G_FILE_TEST_EXISTS));

  write_state_json (fixture->root, "det", "{\"detached\": true, \"pid\": 1}");
  g_assert_null (nook_state_claim_dead (fixture->root, "det", &error));
  g_assert_error (error, NOOK_STORAGE_ERROR, NOOK_STORAGE_ERROR_EXISTS);
  g_clear_error (&error);
  g_assert_null (nook_state_claim_dead (fixture->root, "gone", &error));
  g_assert_error (error, NOOK_STORAGE_ERROR, NOOK_STORAGE_ERROR_NOT_FOUND);
}

/* A directory without a lock file, however new, is one whose nook died
 * making it: a live create never shows one (it makes the directory under
 * a temporary name with its lock, then renames it). It reads as stopped
 * and is collected. */
static void
test_claim_dead_no_lock (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (NookState) state = NULL;
  g_autoptr (NookStateInfo) info = NULL;
  g_autofree char *dir = g_build_filename (fixture->root, "c1", NULL);
  g_autofree char *layer = g_build_filename (dir, "layer", "upper", NULL);

  g_assert_no_errno (g_mkdir_with_parents (layer, 0700));
  info = nook_state_load (fixture->root, "c1", &error);
  g_assert_no_error (error);
  g_assert_cmpint (info->status, ==, NOOK_STATUS_STOPPED);
  state = nook_state_claim_dead (fixture->root, "c1", &error);
  g_assert_no_error (error);
  g_clear_pointer (&state, nook_state_free);
  g_assert_false (g_file_test (dir, G_FILE_TEST_EXISTS));
}

/* create leaves no temporary directory, and collect_new removes those of
 * makers that died, not those of live ones. */
static void
test_collect_new (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (NookState) state = nook_state_create (fixture->root, "c1", &error);
  g_autofree char *names = NULL;
  g_autofree char *mine = g_strdup_printf (".new-%d-%" G_GUINT64_FORMAT "-0000abcd", (int)getpid (),
                                           nook_proc_start_time (getpid ()));
  g_autofree char *mine_dir = g_build_filename (fixture->root, mine, NULL);
  g_autofree char *dead_dir = NULL;
  pid_t child;

  g_assert_no_error (error);
  g_assert_nonnull (state);
  names = list_dir (fixture->root);
  g_assert_cmpstr (names, ==, "c1");
  child = fork ();
  if (child == 0)
    _exit (0);
  g_assert_cmpint (waitpid (child, NULL, 0), ==, child);
  dead_dir = g_strdup_printf ("%s/.new-%d-12345-0000abcd", fixture->root, (int)child);
  g_assert_no_errno (g_mkdir (dead_dir, 0700));
  write_file (dead_dir, "lock", "");
  g_assert_no_errno (g_mkdir (mine_dir, 0700));
  nook_state_collect_new (fixture->root);
  g_assert_false (g_file_test (dead_dir, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_test (mine_dir, G_FILE_TEST_IS_DIR));
  g_assert_no_errno (g_rmdir (mine_dir));
}

/* Found by tests/fuzz/fuzz-state: an empty state.json (no JSON root) and
 * members of another type failed json-glib assertions; a pid past pid_t
 * was cut to another process's. Now: damaged, or the member is absent. */
static void
test_load_damaged (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (NookStateInfo) info = NULL;

  write_state_json (fixture->root, "empty", "");
  info = nook_state_load (fixture->root, "empty", &error);
  g_assert_error (error, NOOK_STORAGE_ERROR, NOOK_STORAGE_ERROR_FAILED);
  g_assert_null (info);
  g_clear_error (&error);

  write_state_json (fixture->root, "types",
                    "{\"bundle\": 5, \"created\": {}, \"rootfs\": [], \"config\": true, "
                    "\"pid\": {}, \"starttime\": \"1\", \"detached\": [], "
                    "\"annotations\": 3, \"options\": [\"a\"]}");
  info = nook_state_load (fixture->root, "types", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (info->bundle, ==, "");
  g_assert_cmpstr (info->created, ==, "");
  g_assert_null (info->rootfs);
  g_assert_null (info->config_path);
  g_assert_cmpint (info->pid, ==, 0);
  g_assert_cmpuint (info->start_time, ==, 0);
  g_assert_false (info->detached);
  g_assert_null (info->annotations[0]);
  g_assert_null (info->options[0]);
  g_clear_pointer (&info, nook_state_info_free);

  write_state_json (fixture->root, "bigpid", "{\"pid\": 4294967297, \"detached\": true}");
  info = nook_state_load (fixture->root, "bigpid", &error);
  g_assert_no_error (error);
  g_assert_cmpint (info->pid, ==, 0);
  g_assert_cmpint (info->status, ==, NOOK_STATUS_STOPPED);
}

/* The same empty state.json left by a dead nook: create takes the
 * directory over (it is not a detached container's). */
static void
test_create_over_empty_state (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (NookState) state = NULL;

  write_state_json (fixture->root, "c1", "");
  state = nook_state_create (fixture->root, "c1", &error);
  g_assert_no_error (error);
  g_assert_nonnull (state);
}

/* A holder in another process, killed with SIGKILL: the kernel drops its
 * lock and the next create takes over. */
static void
test_create_after_kill (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (NookState) state = NULL;
  g_autofree char *names = NULL;
  int ready[2];
  char byte = 0;
  int status;
  pid_t pid;

  g_assert_no_errno (pipe2 (ready, O_CLOEXEC));
  pid = fork ();
  g_assert_cmpint (pid, >=, 0);
  if (pid == 0)
    {
      NookState *holder = nook_state_create (fixture->root, "c1", NULL);

      byte = holder != NULL && nook_state_set_running (holder, getpid (), "/b", NULL) ? 'R' : 'E';
      (void)!write (ready[1], &byte, 1);
      for (;;)
        pause ();
    }
  close (ready[1]);
  g_assert_cmpint (read (ready[0], &byte, 1), ==, 1);
  close (ready[0]);
  g_assert_cmpint (byte, ==, 'R');

  state = nook_state_create (fixture->root, "c1", &error);
  g_assert_error (error, NOOK_STORAGE_ERROR, NOOK_STORAGE_ERROR_BUSY);
  g_assert_null (state);
  g_clear_error (&error);

  g_assert_no_errno (kill (pid, SIGKILL));
  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);

  state = nook_state_create (fixture->root, "c1", &error);
  g_assert_no_error (error);
  g_assert_nonnull (state);
  names = list_dir (nook_state_get_dir (state));
  g_assert_cmpstr (names, ==, "lock");
}

static void
test_invalid_ids (Fixture *fixture, gconstpointer data)
{
  g_autofree char *too_long = g_strnfill (129, 'a');
  const char *invalid[] = { "",    "-a",  ".",   "..",          ".hidden", "_a",
                            "a/b", "a b", "a\n", "caf\xc3\xa9", "a:b",     too_long };
  g_autofree char *names = NULL;

  for (size_t i = 0; i < G_N_ELEMENTS (invalid); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (NookState) state = nook_state_create (fixture->root, invalid[i], &error);
      g_autofree char *escaped = g_strescape (invalid[i], NULL);
      g_autofree char *expected = g_strdup_printf (
          "invalid container id \"%s\": it must be 1 to 128 letters, digits, '_', '.' or '-', "
          "starting with a letter or digit",
          escaped);

      g_assert_null (state);
      g_assert_error (error, NOOK_STORAGE_ERROR, NOOK_STORAGE_ERROR_FAILED);
      g_assert_cmpstr (error->message, ==, expected);
    }
  names = list_dir (fixture->root);
  g_assert_cmpstr (names, ==, "");
}

static void
test_valid_ids (Fixture *fixture, gconstpointer data)
{
  g_autofree char *longest = g_strnfill (128, 'b');
  const char *valid[] = { "a", "0", "A.b-c_d", "9..", "x-", longest };

  for (size_t i = 0; i < G_N_ELEMENTS (valid); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (NookState) state = nook_state_create (fixture->root, valid[i], &error);

      g_assert_no_error (error);
      g_assert_nonnull (state);
      g_assert_true (g_file_test (nook_state_get_dir (state), G_FILE_TEST_IS_DIR));
    }
}

static void
test_set_running (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (NookState) state = nook_state_create (fixture->root, "c1", &error);
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GDateTime) created = NULL;
  g_autofree char *pid = NULL;
  g_autofree char *json = NULL;
  g_autofree char *names = NULL;
  g_autofree char *dir = NULL;
  JsonObject *object;

  g_assert_no_error (error);
  g_assert_true (nook_state_set_running (state, 4242, "/home/u/bundle", &error));
  g_assert_no_error (error);

  dir = g_strdup (nook_state_get_dir (state));
  /* No temporary files left behind by the atomic writes. */
  names = list_dir (dir);
  g_assert_cmpstr (names, ==, "lock pid state.json");
  assert_mode (dir, "pid", 0600);
  assert_mode (dir, "state.json", 0600);

  pid = read_file (dir, "pid");
  g_assert_cmpstr (pid, ==, "4242");

  json = read_file (dir, "state.json");
  json_parser_load_from_data (parser, json, -1, &error);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)));
  object = json_node_get_object (json_parser_get_root (parser));
  g_assert_cmpstr (json_object_get_string_member (object, "ociVersion"), ==, "1.0.2");
  g_assert_cmpstr (json_object_get_string_member (object, "id"), ==, "c1");
  g_assert_cmpstr (json_object_get_string_member (object, "status"), ==, "running");
  g_assert_cmpint (json_object_get_int_member (object, "pid"), ==, 4242);
  g_assert_cmpstr (json_object_get_string_member (object, "bundle"), ==, "/home/u/bundle");
  created = g_date_time_new_from_iso8601 (json_object_get_string_member (object, "created"), NULL);
  g_assert_nonnull (created);

  /* A second call replaces both files. */
  g_assert_true (nook_state_set_running (state, 77, "/other", &error));
  g_assert_no_error (error);
  g_clear_pointer (&pid, g_free);
  pid = read_file (dir, "pid");
  g_assert_cmpstr (pid, ==, "77");

  g_clear_pointer (&state, nook_state_free);
  g_assert_false (g_file_test (dir, G_FILE_TEST_EXISTS));
}

static void
test_free_null (void)
{
  nook_state_free (NULL);
}

static void
test_generate_id (Fixture *fixture, gconstpointer data)
{
  g_autofree char *a = nook_state_generate_id ();
  g_autofree char *b = nook_state_generate_id ();
  g_autoptr (GError) error = NULL;
  g_autoptr (NookState) state = NULL;

  g_assert_cmpuint (strlen (a), ==, 64);
  for (const char *p = a; *p != '\0'; p++)
    g_assert_true (g_ascii_isxdigit (*p) && !g_ascii_isupper (*p));
  g_assert_cmpstr (a, !=, b);

  state = nook_state_create (fixture->root, a, &error);
  g_assert_no_error (error);
}

/* Forks n processes that all call nook_state_create for id at the same
 * moment and hold what they got until all have tried. */
static void
race (const char *root, const char *id, int n, int *out_won, int *out_busy)
{
  int start[2], done[2], release[2];
  g_autofree pid_t *pids = g_new0 (pid_t, n);
  char byte;

  g_assert_no_errno (pipe2 (start, O_CLOEXEC));
  g_assert_no_errno (pipe2 (done, O_CLOEXEC));
  g_assert_no_errno (pipe2 (release, O_CLOEXEC));

  for (int i = 0; i < n; i++)
    {
      pids[i] = fork ();
      g_assert_cmpint (pids[i], >=, 0);
      if (pids[i] == 0)
        {
          g_autoptr (GError) error = NULL;
          NookState *state;
          int code;

          close (start[1]);
          close (release[1]);
          /* Everyone blocks here until the parent closes the start pipe. */
          (void)!read (start[0], &byte, 1);
          state = nook_state_create (root, id, &error);
          if (state != NULL)
            code = RACE_WON;
          else if (g_error_matches (error, NOOK_STORAGE_ERROR, NOOK_STORAGE_ERROR_BUSY))
            code = RACE_BUSY;
          else
            {
              g_printerr ("race: %s\n", error->message);
              code = RACE_ERROR;
            }
          (void)!write (done[1], "x", 1);
          (void)!read (release[0], &byte, 1);
          nook_state_free (state);
          _exit (code);
        }
    }

  close (start[0]);
  close (start[1]);
  close (done[1]);
  close (release[0]);
  for (int i = 0; i < n; i++)
    g_assert_cmpint (read (done[0], &byte, 1), ==, 1);
  close (done[0]);
  close (release[1]);

  *out_won = *out_busy = 0;
  for (int i = 0; i < n; i++)
    {
      int status;

      g_assert_cmpint (waitpid (pids[i], &status, 0), ==, pids[i]);
      g_assert_true (WIFEXITED (status));
      g_assert_cmpint (WEXITSTATUS (status), !=, RACE_ERROR);
      if (WEXITSTATUS (status) == RACE_WON)
        (*out_won)++;
      else if (WEXITSTATUS (status) == RACE_BUSY)
        (*out_busy)++;
    }
}

static void
test_concurrent_create (Fixture *fixture, gconstpointer data)
{
  gboolean stale = GPOINTER_TO_INT (data);

  for (int round = 0; round < 20; round++)
    {
      g_autofree char *dir = g_build_filename (fixture->root, "same", NULL);
      int won, busy;

      if (stale)
        make_stale_dir (fixture->root, "same", round % 2 == 0);
      race (fixture->root, "same", 10, &won, &busy);
      g_assert_cmpint (won, ==, 1);
      g_assert_cmpint (busy, ==, 9);
      /* The winner's free removed the directory on exit. */
      g_assert_false (g_file_test (dir, G_FILE_TEST_EXISTS));
    }
}

/* Processes that create and free the same id in a loop: whoever holds it
 * must be alone, including while a previous owner is removing the directory.
 * Each owner proves it by creating a marker with O_EXCL. */
static int
churn_child (const char *root, int iterations)
{
  g_autofree char *marker = g_build_filename (root, "owner-marker", NULL);
  int wins = 0;

  for (int i = 0; i < iterations; i++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (NookState) state = nook_state_create (root, "churn", &error);
      int fd;

      if (state == NULL)
        {
          if (g_error_matches (error, NOOK_STORAGE_ERROR, NOOK_STORAGE_ERROR_BUSY))
            continue;
          g_printerr ("churn: %s\n", error->message);
          return RACE_ERROR;
        }
      fd = open (marker, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
      if (fd < 0)
        return RACE_TWO_OWNERS;
      close (fd);
      sched_yield ();
      unlink (marker);
      wins++;
    }
  return wins > 0 ? RACE_WON : RACE_BUSY;
}

static void
test_concurrent_churn (Fixture *fixture, gconstpointer data)
{
  const int n = 8;
  pid_t pids[8];
  int winners = 0;

  for (int i = 0; i < n; i++)
    {
      pids[i] = fork ();
      g_assert_cmpint (pids[i], >=, 0);
      if (pids[i] == 0)
        _exit (churn_child (fixture->root, 300));
    }
  for (int i = 0; i < n; i++)
    {
      int status;

      g_assert_cmpint (waitpid (pids[i], &status, 0), ==, pids[i]);
      g_assert_true (WIFEXITED (status));
      g_assert_cmpint (WEXITSTATUS (status), !=, RACE_TWO_OWNERS);
      g_assert_cmpint (WEXITSTATUS (status), !=, RACE_ERROR);
      if (WEXITSTATUS (status) == RACE_WON)
        winners++;
    }
  g_assert_cmpint (winners, >, 0);
}

/* XDG directories. The variables are read on every call, so setting them
 * here takes effect (GLib's own getters would cache the first value). */

static void
test_xdg_cache_data (void)
{
  g_autofree char *cache = NULL;
  g_autofree char *data = NULL;

  g_setenv ("HOME", "/home/someone", TRUE);
  g_setenv ("XDG_CACHE_HOME", "/x/cache", TRUE);
  g_setenv ("XDG_DATA_HOME", "/x/data", TRUE);
  cache = nook_xdg_cache_dir ();
  data = nook_xdg_data_dir ();
  g_assert_cmpstr (cache, ==, "/x/cache/nook");
  g_assert_cmpstr (data, ==, "/x/data/nook");
  g_clear_pointer (&cache, g_free);
  g_clear_pointer (&data, g_free);

  g_unsetenv ("XDG_CACHE_HOME");
  g_unsetenv ("XDG_DATA_HOME");
  cache = nook_xdg_cache_dir ();
  data = nook_xdg_data_dir ();
  g_assert_cmpstr (cache, ==, "/home/someone/.cache/nook");
  g_assert_cmpstr (data, ==, "/home/someone/.local/share/nook");
  g_clear_pointer (&cache, g_free);
  g_clear_pointer (&data, g_free);

  /* Relative values are invalid per the base directory spec. */
  g_setenv ("XDG_CACHE_HOME", "relative/cache", TRUE);
  g_setenv ("XDG_DATA_HOME", "", TRUE);
  cache = nook_xdg_cache_dir ();
  data = nook_xdg_data_dir ();
  g_assert_cmpstr (cache, ==, "/home/someone/.cache/nook");
  g_assert_cmpstr (data, ==, "/home/someone/.local/share/nook");
}

static void
test_mkdir_p (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *deep = g_build_filename (fixture->root, "a", "b", "c", NULL);
  g_autofree char *a = g_build_filename (fixture->root, "a", NULL);
  g_autofree char *under_file = g_build_filename (fixture->root, "file", "sub", NULL);
  g_autofree char *expected = NULL;

  g_assert_true (nook_mkdir_p (deep, 0700, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (file_mode (deep), ==, 0700);
  g_assert_cmpuint (file_mode (a), ==, 0700);
  /* Existing directories are fine. */
  g_assert_true (nook_mkdir_p (deep, 0700, &error));
  g_assert_no_error (error);

  write_file (fixture->root, "file", "");
  g_assert_false (nook_mkdir_p (under_file, 0700, &error));
  expected = g_strdup_printf ("cannot create directory %s: %s", under_file, g_strerror (ENOTDIR));
  g_assert_error (error, NOOK_STORAGE_ERROR, NOOK_STORAGE_ERROR_FAILED);
  g_assert_cmpstr (error->message, ==, expected);
}

static void
test_runtime_root_xdg (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *expected = g_build_filename (fixture->root, "run", "nook", NULL);
  g_autofree char *run = g_build_filename (fixture->root, "run", NULL);
  g_autofree char *root = NULL;
  g_autoptr (NookState) state = NULL;
  g_autofree char *state_dir = NULL;

  g_setenv ("XDG_RUNTIME_DIR", run, TRUE);
  root = nook_xdg_runtime_root (&error);
  g_assert_no_error (error);
  g_assert_cmpstr (root, ==, expected);
  g_assert_cmpuint (file_mode (root), ==, 0700);

  /* A NULL root means this one. */
  state = nook_state_create (NULL, "c1", &error);
  g_assert_no_error (error);
  state_dir = g_build_filename (expected, "c1", NULL);
  g_assert_cmpstr (nook_state_get_dir (state), ==, state_dir);
  g_clear_pointer (&state, nook_state_free);

  g_assert_no_errno (chmod (root, 0755));
  g_clear_pointer (&root, g_free);
  root = nook_xdg_runtime_root (&error);
  g_assert_null (root);
  g_assert_error (error, NOOK_STORAGE_ERROR, NOOK_STORAGE_ERROR_INSECURE);
  g_assert_nonnull (strstr (error->message, expected));
}

/* The fallback lives in the real /tmp, which the tests must not touch: each
 * fallback check runs in a forked child that has its own mount namespace
 * with a fresh tmpfs on /tmp. As root a mount namespace is enough (and
 * chown to another user works); otherwise the child first enters a user
 * namespace that maps only its own uid and gid, so ownership checks see the
 * same ids as outside. A plain fork rather than g_test_trap_subprocess: the
 * latter starts a GLib worker thread in the test process, after which the
 * forking tests above could deadlock in their children. */
static gboolean
write_proc_self (const char *name, const char *text)
{
  g_autofree char *path = g_strdup_printf ("/proc/self/%s", name);
  int fd = open (path, O_WRONLY | O_CLOEXEC);
  gboolean ok;

  if (fd < 0)
    return FALSE;
  ok = write (fd, text, strlen (text)) == (ssize_t)strlen (text);
  close (fd);
  return ok;
}

static gboolean
enter_private_tmp (void)
{
  uid_t uid = geteuid ();
  gid_t gid = getegid ();

  if (uid == 0)
    {
      if (unshare (CLONE_NEWNS) < 0)
        return FALSE;
    }
  else
    {
      g_autofree char *uid_map = g_strdup_printf ("%u %u 1\n", (guint)uid, (guint)uid);
      g_autofree char *gid_map = g_strdup_printf ("%u %u 1\n", (guint)gid, (guint)gid);

      if (unshare (CLONE_NEWUSER | CLONE_NEWNS) < 0)
        return FALSE;
      if (!write_proc_self ("setgroups", "deny") || !write_proc_self ("gid_map", gid_map)
          || !write_proc_self ("uid_map", uid_map))
        return FALSE;
    }
  if (mount ("none", "/", "none", MS_REC | MS_PRIVATE, NULL) < 0)
    return FALSE;
  return mount ("tmpfs", "/tmp", "tmpfs", 0, "mode=1777") == 0;
}

/* Runs check in a child with a private /tmp; a failed assertion there
 * aborts the child and fails the test here. */
static void
run_in_private_tmp (void (*check) (void))
{
  int status;
  pid_t pid = fork ();

  g_assert_cmpint (pid, >=, 0);
  if (pid == 0)
    {
      if (!enter_private_tmp ())
        _exit (77);
      check ();
      _exit (0);
    }
  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
  if (WIFEXITED (status) && WEXITSTATUS (status) == 77)
    {
      skip_or_fail ("cannot make a private /tmp (no user or mount namespaces)");
      return;
    }
  g_assert_true (WIFEXITED (status));
  g_assert_cmpint (WEXITSTATUS (status), ==, 0);
}

static char *
fallback_path (void)
{
  return g_strdup_printf ("/tmp/nook-%u", (guint)geteuid ());
}

static void
check_runtime_root_fallback (void)
{
  g_autofree char *expected = NULL;
  const char *unset_values[] = { NULL, "", "relative/run" };

  expected = fallback_path ();
  for (size_t i = 0; i < G_N_ELEMENTS (unset_values); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autofree char *root = NULL;
      struct stat st;

      if (unset_values[i] == NULL)
        g_unsetenv ("XDG_RUNTIME_DIR");
      else
        g_setenv ("XDG_RUNTIME_DIR", unset_values[i], TRUE);

      root = nook_xdg_runtime_root (&error);
      g_assert_no_error (error);
      g_assert_cmpstr (root, ==, expected);
      g_assert_no_errno (lstat (root, &st));
      g_assert_true (S_ISDIR (st.st_mode));
      g_assert_cmpuint (st.st_mode & 07777, ==, 0700);
      g_assert_cmpuint (st.st_uid, ==, geteuid ());
    }
}

static void
assert_fallback_refused (const char *reason)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *path = fallback_path ();
  g_autofree char *root = NULL;
  g_autofree char *expected = NULL;
  g_autoptr (NookState) state = NULL;

  g_unsetenv ("XDG_RUNTIME_DIR");
  root = nook_xdg_runtime_root (&error);
  expected = g_strdup_printf ("refusing to use %s: %s", path, reason);
  g_assert_null (root);
  g_assert_error (error, NOOK_STORAGE_ERROR, NOOK_STORAGE_ERROR_INSECURE);
  g_assert_cmpstr (error->message, ==, expected);
  g_clear_error (&error);

  /* nook_state_create with the default root refuses it too. */
  state = nook_state_create (NULL, "c1", &error);
  g_assert_null (state);
  g_assert_error (error, NOOK_STORAGE_ERROR, NOOK_STORAGE_ERROR_INSECURE);
}

static void
check_runtime_root_fallback_mode (void)
{
  g_autofree char *path = fallback_path ();

  g_assert_no_errno (mkdir (path, 0700));
  g_assert_no_errno (chmod (path, 0777));
  assert_fallback_refused ("it has mode 0777, group and others must have no access");
  g_assert_no_errno (chmod (path, 0750));
  assert_fallback_refused ("it has mode 0750, group and others must have no access");
}

static void
check_runtime_root_fallback_symlink (void)
{
  g_autofree char *path = fallback_path ();

  /* Even a symlink to a directory that looks right. */
  g_assert_no_errno (mkdir ("/tmp/elsewhere", 0700));
  g_assert_no_errno (symlink ("/tmp/elsewhere", path));
  assert_fallback_refused ("it is a symbolic link (another user may have created it)");
}

static void
check_runtime_root_fallback_file (void)
{
  g_autofree char *path = fallback_path ();

  write_file ("/tmp", strrchr (path, '/') + 1, "");
  assert_fallback_refused ("it is not a directory (another user may have created it)");
}

static void
check_runtime_root_fallback_owner (void)
{
  g_autofree char *path = fallback_path ();

  g_assert_no_errno (mkdir (path, 0700));
  g_assert_no_errno (chown (path, 65534, 65534));
  assert_fallback_refused ("it is owned by uid 65534, not by uid 0 (another user may have "
                           "created it)");
}

static void
test_runtime_root_fallback (void)
{
  run_in_private_tmp (check_runtime_root_fallback);
}

static void
test_runtime_root_fallback_mode (void)
{
  run_in_private_tmp (check_runtime_root_fallback_mode);
}

static void
test_runtime_root_fallback_symlink (void)
{
  run_in_private_tmp (check_runtime_root_fallback_symlink);
}

static void
test_runtime_root_fallback_file (void)
{
  run_in_private_tmp (check_runtime_root_fallback_file);
}

static void
test_runtime_root_fallback_owner (void)
{
  if (geteuid () != 0)
    {
      g_test_skip ("needs root to make a directory owned by someone else");
      return;
    }
  run_in_private_tmp (check_runtime_root_fallback_owner);
}

#define add_fixture_test(path, func, data)                                                         \
  g_test_add (path, Fixture, data, fixture_set_up, func, fixture_tear_down)

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  add_fixture_test ("/state/create/basic", test_create, NULL);
  add_fixture_test ("/state/create/missing-root", test_create_missing_root, NULL);
  add_fixture_test ("/state/create/busy", test_create_busy, NULL);
  add_fixture_test ("/state/create/stale", test_create_stale, GINT_TO_POINTER (TRUE));
  add_fixture_test ("/state/create/stale-no-lock", test_create_stale, GINT_TO_POINTER (FALSE));
  add_fixture_test ("/state/create/stale-deep", test_create_stale_deep, NULL);
  add_fixture_test ("/state/claim-dead/basic", test_claim_dead, NULL);
  add_fixture_test ("/state/claim-dead/no-lock", test_claim_dead_no_lock, NULL);
  add_fixture_test ("/state/collect-new", test_collect_new, NULL);
  add_fixture_test ("/state/create/after-kill", test_create_after_kill, NULL);
  add_fixture_test ("/state/create/empty-state-json", test_create_over_empty_state, NULL);
  add_fixture_test ("/state/load/damaged", test_load_damaged, NULL);
  add_fixture_test ("/state/create/invalid-ids", test_invalid_ids, NULL);
  add_fixture_test ("/state/create/valid-ids", test_valid_ids, NULL);
  add_fixture_test ("/state/set-running", test_set_running, NULL);
  g_test_add_func ("/state/free/null", test_free_null);
  add_fixture_test ("/state/generate-id", test_generate_id, NULL);
  add_fixture_test ("/state/concurrent/fresh", test_concurrent_create, GINT_TO_POINTER (FALSE));
  add_fixture_test ("/state/concurrent/stale", test_concurrent_create, GINT_TO_POINTER (TRUE));
  add_fixture_test ("/state/concurrent/churn", test_concurrent_churn, NULL);

  g_test_add_func ("/xdg/cache-data", test_xdg_cache_data);
  add_fixture_test ("/xdg/mkdir-p", test_mkdir_p, NULL);
  add_fixture_test ("/xdg/runtime-root/xdg", test_runtime_root_xdg, NULL);
  g_test_add_func ("/xdg/runtime-root/fallback", test_runtime_root_fallback);
  g_test_add_func ("/xdg/runtime-root/fallback-mode", test_runtime_root_fallback_mode);
  g_test_add_func ("/xdg/runtime-root/fallback-symlink", test_runtime_root_fallback_symlink);
  g_test_add_func ("/xdg/runtime-root/fallback-file", test_runtime_root_fallback_file);
  g_test_add_func ("/xdg/runtime-root/fallback-owner", test_runtime_root_fallback_owner);

  return g_test_run ();
}
