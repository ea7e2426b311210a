/* Unit tests for launcher/spec.c and launcher/cmd-spec.c (`nook spec`). */
#include <errno.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <string.h>
#include <sys/stat.h>

#include "launcher/cli/commands.h"
#include "launcher/config/config.h"
#include "launcher/config/spec.h"
#include "launcher/errors.h"
#include "storage/remove.h"

/* ---- helpers ---- */

static JsonNode *
parse_spec (gboolean rootless)
{
  g_autofree char *json = nook_spec_generate (rootless);
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) error = NULL;

  g_assert_true (g_str_has_suffix (json, "}\n"));
  json_parser_load_from_data (parser, json, -1, &error);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)));
  return json_node_copy (json_parser_get_root (parser));
}

/* The single node at a JSONPath expression, or NULL when nothing matches. */
static JsonNode *
query (JsonNode *root, const char *expression)
{
  g_autoptr (JsonNode) matches = json_path_query (expression, root, NULL);
  JsonArray *array;

  g_assert_nonnull (matches);
  array = json_node_get_array (matches);
  g_assert_cmpuint (json_array_get_length (array), <=, 1);
  if (json_array_get_length (array) == 0)
    return NULL;
  return json_node_copy (json_array_get_element (array, 0));
}

static char *
query_string (JsonNode *root, const char *expression)
{
  g_autoptr (JsonNode) node = query (root, expression);

  g_assert_nonnull (node);
  g_assert_cmpint (json_node_get_value_type (node), ==, G_TYPE_STRING);
  return g_strdup (json_node_get_string (node));
}

static gint64
query_int (JsonNode *root, const char *expression)
{
  g_autoptr (JsonNode) node = query (root, expression);

  g_assert_nonnull (node);
  g_assert_cmpint (json_node_get_value_type (node), ==, G_TYPE_INT64);
  return json_node_get_int (node);
}

static gboolean
query_bool (JsonNode *root, const char *expression)
{
  g_autoptr (JsonNode) node = query (root, expression);

  g_assert_nonnull (node);
  g_assert_cmpint (json_node_get_value_type (node), ==, G_TYPE_BOOLEAN);
  return json_node_get_boolean (node);
}

/* A string array as a NULL-terminated vector. */
static GStrv
query_strv (JsonNode *root, const char *expression)
{
  g_autoptr (JsonNode) node = query (root, expression);
  g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();
  JsonArray *array;

  g_assert_nonnull (node);
  g_assert_true (JSON_NODE_HOLDS_ARRAY (node));
  array = json_node_get_array (node);
  for (guint i = 0; i < json_array_get_length (array); i++)
    g_strv_builder_add (builder, json_array_get_string_element (array, i));
  return g_strv_builder_end (builder);
}

static GStrv
namespace_types (JsonNode *root)
{
  g_autoptr (JsonNode) node = query (root, "$.linux.namespaces");
  g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();
  JsonArray *array;

  g_assert_nonnull (node);
  array = json_node_get_array (node);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonObject *ns = json_array_get_object_element (array, i);
      g_assert_false (json_object_has_member (ns, "path"));
      g_strv_builder_add (builder, json_object_get_string_member (ns, "type"));
    }
  return g_strv_builder_end (builder);
}

static JsonObject *
find_mount (JsonNode *root, const char *destination)
{
  JsonArray *mounts = json_object_get_array_member (json_node_get_object (root), "mounts");

  for (guint i = 0; i < json_array_get_length (mounts); i++)
    {
      JsonObject *mount = json_array_get_object_element (mounts, i);
      if (g_strcmp0 (json_object_get_string_member (mount, "destination"), destination) == 0)
        return mount;
    }
  return NULL;
}

static gboolean
mount_has_option (JsonObject *mount, const char *option)
{
  JsonArray *options;

  if (!json_object_has_member (mount, "options"))
    return FALSE;
  options = json_object_get_array_member (mount, "options");
  for (guint i = 0; i < json_array_get_length (options); i++)
    if (g_strcmp0 (json_array_get_string_element (options, i), option) == 0)
      return TRUE;
  return FALSE;
}

typedef struct
{
  char *dir;
  char *config;
} Bundle;

static void
bundle_setup (Bundle *bundle, gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  bundle->dir = g_dir_make_tmp ("nook-test-spec-XXXXXX", &error);
  g_assert_no_error (error);
  bundle->config = g_build_filename (bundle->dir, "config.json", NULL);
}

static void
bundle_teardown (Bundle *bundle, gconstpointer data)
{
  g_assert_true (nook_remove_tree (bundle->dir, NULL));
  g_free (bundle->dir);
  g_free (bundle->config);
}

static char *
read_file (const char *path)
{
  g_autoptr (GError) error = NULL;
  char *contents = NULL;

  g_file_get_contents (path, &contents, NULL, &error);
  g_assert_no_error (error);
  return contents;
}

/* ---- generate ---- */

static void
test_generate_parses (void)
{
  g_autoptr (JsonNode) rootful = parse_spec (FALSE);
  g_autoptr (JsonNode) rootless = parse_spec (TRUE);
  g_autofree char *json = nook_spec_generate (FALSE);
  g_autofree char *again = nook_spec_generate (FALSE);

  g_assert_nonnull (rootful);
  g_assert_nonnull (rootless);
  /* The output depends on nothing but the flag. */
  g_assert_cmpstr (json, ==, again);
}

static void
test_generate_process (void)
{
  g_autoptr (JsonNode) root = parse_spec (FALSE);
  g_autofree char *version = query_string (root, "$.ociVersion");
  g_auto (GStrv) args = query_strv (root, "$.process.args");
  g_auto (GStrv) env = query_strv (root, "$.process.env");
  g_autofree char *cwd = query_string (root, "$.process.cwd");
  const char *const expected_caps[]
      = { "CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE", NULL };
  const char *const sets[] = { "bounding", "effective", "permitted", NULL };
  g_autofree char *rlimit_type = query_string (root, "$.process.rlimits[0].type");
  g_autoptr (JsonNode) inheritable = query (root, "$.process.capabilities.inheritable");
  g_autoptr (JsonNode) ambient = query (root, "$.process.capabilities.ambient");

  g_assert_cmpstr (version, ==, "1.0.2");
  g_assert_true (query_bool (root, "$.process.terminal"));
  g_assert_cmpstrv (args, ((const char *const[]){ "sh", NULL }));
  g_assert_cmpuint (g_strv_length (env), ==, 2);
  g_assert_true (g_str_has_prefix (env[0], "PATH=/"));
  g_assert_nonnull (strstr (env[0], ":/usr/bin:"));
  g_assert_cmpstr (env[1], ==, "TERM=xterm");
  g_assert_cmpstr (cwd, ==, "/");
  g_assert_cmpint (query_int (root, "$.process.user.uid"), ==, 0);
  g_assert_cmpint (query_int (root, "$.process.user.gid"), ==, 0);

  for (gsize i = 0; sets[i] != NULL; i++)
    {
      g_autofree char *expression = g_strdup_printf ("$.process.capabilities.%s", sets[i]);
      g_auto (GStrv) caps = query_strv (root, expression);
      g_assert_cmpstrv (caps, expected_caps);
    }
  /* Ambient capabilities must be inheritable too, or raising them fails. */
  g_assert_null (inheritable);
  g_assert_null (ambient);

  g_assert_cmpstr (rlimit_type, ==, "RLIMIT_NOFILE");
  g_assert_cmpint (query_int (root, "$.process.rlimits[0].soft"), ==, 1024);
  g_assert_cmpint (query_int (root, "$.process.rlimits[0].hard"), ==, 1024);
  g_assert_true (query_bool (root, "$.process.noNewPrivileges"));
}

static void
test_generate_root_and_mounts (void)
{
  g_autoptr (JsonNode) root = parse_spec (FALSE);
  g_autofree char *path = query_string (root, "$.root.path");
  g_autofree char *hostname = query_string (root, "$.hostname");
  const char *const destinations[]
      = { "/proc", "/dev", "/dev/pts", "/dev/shm", "/dev/mqueue", "/sys", "/sys/fs/cgroup", NULL };
  JsonArray *mounts = json_object_get_array_member (json_node_get_object (root), "mounts");
  JsonObject *devpts = find_mount (root, "/dev/pts");
  JsonObject *sys = find_mount (root, "/sys");

  g_assert_cmpstr (path, ==, "rootfs");
  g_assert_true (query_bool (root, "$.root.readonly"));
  g_assert_cmpstr (hostname, ==, "nook");

  g_assert_cmpuint (json_array_get_length (mounts), ==, g_strv_length ((GStrv)destinations));
  for (guint i = 0; destinations[i] != NULL; i++)
    {
      JsonObject *mount = json_array_get_object_element (mounts, i);
      g_assert_cmpstr (json_object_get_string_member (mount, "destination"), ==, destinations[i]);
      g_assert_nonnull (json_object_get_string_member (mount, "type"));
      g_assert_nonnull (json_object_get_string_member (mount, "source"));
    }

  g_assert_cmpstr (json_object_get_string_member (devpts, "type"), ==, "devpts");
  g_assert_true (mount_has_option (devpts, "newinstance"));
  g_assert_true (mount_has_option (devpts, "gid=5"));
  g_assert_cmpstr (json_object_get_string_member (sys, "type"), ==, "sysfs");
  g_assert_true (mount_has_option (sys, "ro"));
}

static void
test_generate_linux (void)
{
  g_autoptr (JsonNode) root = parse_spec (FALSE);
  g_auto (GStrv) namespaces = namespace_types (root);
  g_auto (GStrv) masked = query_strv (root, "$.linux.maskedPaths");
  g_auto (GStrv) readonly = query_strv (root, "$.linux.readonlyPaths");
  g_autoptr (JsonNode) uid_mappings = query (root, "$.linux.uidMappings");
  g_autoptr (JsonNode) resources = query (root, "$.linux.resources");

  g_assert_cmpstrv (namespaces,
                    ((const char *const[]){ "pid", "network", "ipc", "uts", "mount", NULL }));
  g_assert_true (g_strv_contains ((const char *const *)masked, "/proc/kcore"));
  g_assert_true (g_strv_contains ((const char *const *)masked, "/sys/firmware"));
  g_assert_true (g_strv_contains ((const char *const *)readonly, "/proc/sys"));
  g_assert_true (g_strv_contains ((const char *const *)readonly, "/proc/sysrq-trigger"));
  g_assert_null (uid_mappings);
  /* nook does not use cgroups: asking for device rules would ask for nothing. */
  g_assert_null (resources);
}

static void
test_generate_rootless (void)
{
  g_autoptr (JsonNode) root = parse_spec (TRUE);
  g_auto (GStrv) namespaces = namespace_types (root);
  g_autoptr (JsonNode) uid_mappings = query (root, "$.linux.uidMappings");
  g_autoptr (JsonNode) gid_mappings = query (root, "$.linux.gidMappings");
  JsonArray *mounts = json_object_get_array_member (json_node_get_object (root), "mounts");
  JsonObject *devpts = find_mount (root, "/dev/pts");

  g_assert_true (g_strv_contains ((const char *const *)namespaces, "user"));
  /* The desktop's config: a writable root, which a named container keeps. */
  g_assert_false (query_bool (root, "$.root.readonly"));
  g_assert_true (g_strv_contains ((const char *const *)namespaces, "cgroup"));
  g_assert_true (g_strv_contains ((const char *const *)namespaces, "mount"));
  g_assert_true (g_strv_contains ((const char *const *)namespaces, "network"));
  /* nook computes the id maps itself. */
  g_assert_null (uid_mappings);
  g_assert_null (gid_mappings);

  /* Only the caller's ids are mapped: no mount may name another uid or gid. */
  g_assert_true (mount_has_option (devpts, "newinstance"));
  for (guint i = 0; i < json_array_get_length (mounts); i++)
    {
      JsonObject *mount = json_array_get_object_element (mounts, i);
      JsonArray *options;

      if (!json_object_has_member (mount, "options"))
        continue;
      options = json_object_get_array_member (mount, "options");
      for (guint j = 0; j < json_array_get_length (options); j++)
        {
          const char *option = json_array_get_string_element (options, j);
          g_assert_false (g_str_has_prefix (option, "gid="));
          g_assert_false (g_str_has_prefix (option, "uid="));
        }
    }
}

static void
test_generate_rootful_no_userns (void)
{
  g_autoptr (JsonNode) root = parse_spec (FALSE);
  g_auto (GStrv) namespaces = namespace_types (root);

  g_assert_false (g_strv_contains ((const char *const *)namespaces, "user"));
  g_assert_false (g_strv_contains ((const char *const *)namespaces, "cgroup"));
}

/* ---- write ---- */

static void
test_write_creates (Bundle *bundle, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *contents = NULL;
  g_autofree char *expected = nook_spec_generate (FALSE);
  GStatBuf st;

  g_assert_true (nook_spec_write (bundle->dir, FALSE, FALSE, &error));
  g_assert_no_error (error);
  contents = read_file (bundle->config);
  g_assert_cmpstr (contents, ==, expected);
  g_assert_no_errno (g_stat (bundle->config, &st));
  g_assert_cmpint (st.st_mode & 07777, ==, 0644);
}

static void
test_write_refuses_overwrite (Bundle *bundle, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *contents = NULL;
  g_autofree char *expected
      = g_strdup_printf ("%s: File exists (use --force to overwrite)", bundle->config);

  g_assert_true (g_file_set_contents (bundle->config, "{ \"mine\": true }", -1, NULL));
  g_assert_false (nook_spec_write (bundle->dir, TRUE, FALSE, &error));
  g_assert_error (error, NOOK_ERROR, NOOK_ERROR_FAILED);
  g_assert_cmpstr (error->message, ==, expected);
  contents = read_file (bundle->config);
  g_assert_cmpstr (contents, ==, "{ \"mine\": true }");
}

/* A dangling symlink is a file someone put there too: do not write through it. */
static void
test_write_refuses_dangling_symlink (Bundle *bundle, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *target = g_build_filename (bundle->dir, "elsewhere.json", NULL);

  g_assert_no_errno (symlink (target, bundle->config));
  g_assert_false (nook_spec_write (bundle->dir, FALSE, FALSE, &error));
  g_assert_error (error, NOOK_ERROR, NOOK_ERROR_FAILED);
  g_assert_false (g_file_test (target, G_FILE_TEST_EXISTS));
}

static void
test_write_force (Bundle *bundle, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *contents = NULL;
  g_autofree char *expected = nook_spec_generate (TRUE);

  g_assert_true (g_file_set_contents (bundle->config, "{ \"mine\": true }", -1, NULL));
  g_assert_true (nook_spec_write (bundle->dir, TRUE, TRUE, &error));
  g_assert_no_error (error);
  contents = read_file (bundle->config);
  g_assert_cmpstr (contents, ==, expected);
}

static void
test_write_missing_dir (Bundle *bundle, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *missing = g_build_filename (bundle->dir, "no-such-bundle", NULL);
  g_autofree char *config = g_build_filename (missing, "config.json", NULL);

  g_assert_false (nook_spec_write (missing, FALSE, FALSE, &error));
  g_assert_error (error, NOOK_ERROR, NOOK_ERROR_FAILED);
  g_assert_true (g_str_has_prefix (error->message, missing));
  g_assert_nonnull (strstr (error->message, g_strerror (ENOENT)));
  g_assert_false (g_file_test (missing, G_FILE_TEST_EXISTS));
  g_clear_error (&error);

  /* --force does not create the directory either. */
  g_assert_false (nook_spec_write (missing, FALSE, TRUE, &error));
  g_assert_error (error, NOOK_ERROR, NOOK_ERROR_FAILED);
  g_assert_false (g_file_test (config, G_FILE_TEST_EXISTS));
}

static void
test_write_not_a_dir (Bundle *bundle, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *file = g_build_filename (bundle->dir, "plain-file", NULL);

  g_assert_true (g_file_set_contents (file, "", 0, NULL));
  g_assert_false (nook_spec_write (file, FALSE, FALSE, &error));
  g_assert_error (error, NOOK_ERROR, NOOK_ERROR_FAILED);
  g_assert_true (g_str_has_prefix (error->message, file));
  g_assert_nonnull (strstr (error->message, g_strerror (ENOTDIR)));
}

/* ---- the config loader accepts what spec writes ---- */

static void
assert_config_accepts (Bundle *bundle, gboolean rootless)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (NookConfig) config = NULL;
  g_autofree char *rootfs = g_build_filename (bundle->dir, "rootfs", NULL);
  g_autofree char *json = nook_spec_generate (rootless);

  g_assert_no_errno (g_mkdir (rootfs, 0755));
  config = nook_config_parse (json, -1, "config.json", bundle->dir, &error);
  g_assert_no_error (error);
  g_assert_nonnull (config);

  g_assert_cmpstr (config->root_path, ==, rootfs);
  g_assert_true (config->root_readonly == !rootless);
  g_assert_true (config->process.terminal);
  g_assert_cmpstr (config->process.args[0], ==, "sh");
  g_assert_true (config->process.has_capabilities);
  g_assert_true (config->process.no_new_privileges);
  g_assert_cmpuint (config->process.n_rlimits, ==, 1);
  g_assert_cmpuint (config->process.rlimits[0].soft, ==, 1024);
  g_assert_cmpuint (config->n_mounts, ==, 7);
  g_assert_cmpstr (config->hostname, ==, "nook");
  g_assert_true (config->namespaces[NOOK_NS_MOUNT].requested);
  g_assert_true (config->namespaces[NOOK_NS_PID].requested);
  g_assert_cmpint (config->namespaces[NOOK_NS_USER].requested, ==, rootless);
  g_assert_cmpuint (config->n_uid_mappings, ==, 0);
  g_assert_cmpuint (config->n_gid_mappings, ==, 0);
  g_assert_null (config->seccomp);
  g_assert_false (config->has_resources);
}

static void
test_config_accepts_rootful (Bundle *bundle, gconstpointer data)
{
  assert_config_accepts (bundle, FALSE);
}

static void
test_config_accepts_rootless (Bundle *bundle, gconstpointer data)
{
  assert_config_accepts (bundle, TRUE);
}

/* ---- the command ---- */

static gboolean
run_spec_command (const char *const *argv, int *out_status, GError **error)
{
  NookGlobalOptions globals = { 0 };
  g_auto (GStrv) copy = g_strdupv ((GStrv)argv);

  return nook_cmd_spec (g_strv_length (copy), copy, &globals, out_status, error);
}

static void
test_cmd_bundle_option (Bundle *bundle, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *contents = NULL;
  g_autofree char *expected = nook_spec_generate (TRUE);
  int status = -1;

  g_assert_true (run_spec_command (
      (const char *const[]){ "spec", "--rootless", "--bundle", bundle->dir, NULL }, &status,
      &error));
  g_assert_no_error (error);
  g_assert_cmpint (status, ==, 0);
  contents = read_file (bundle->config);
  g_assert_cmpstr (contents, ==, expected);

  /* A second run without --force fails and names the file. */
  status = -1;
  g_assert_false (run_spec_command ((const char *const[]){ "spec", "--bundle", bundle->dir, NULL },
                                    &status, &error));
  g_assert_error (error, NOOK_ERROR, NOOK_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, bundle->config));
  g_clear_error (&error);

  g_assert_true (run_spec_command (
      (const char *const[]){ "spec", "--force", "--bundle", bundle->dir, NULL }, &status, &error));
  g_assert_no_error (error);
  g_clear_pointer (&contents, g_free);
  g_clear_pointer (&expected, g_free);
  contents = read_file (bundle->config);
  expected = nook_spec_generate (FALSE);
  g_assert_cmpstr (contents, ==, expected);
}

static void
test_cmd_extra_argument (Bundle *bundle, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  int status = -1;

  g_assert_false (run_spec_command (
      (const char *const[]){ "spec", "--bundle", bundle->dir, "extra", NULL }, &status, &error));
  g_assert_error (error, NOOK_ERROR, NOOK_ERROR_USAGE);
  g_assert_nonnull (strstr (error->message, "extra"));
  g_assert_false (g_file_test (bundle->config, G_FILE_TEST_EXISTS));
}

static void
test_cmd_unknown_option (Bundle *bundle, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  int status = -1;

  g_assert_false (run_spec_command (
      (const char *const[]){ "spec", "--bundle", bundle->dir, "--frobnicate", NULL }, &status,
      &error));
  g_assert_error (error, NOOK_ERROR, NOOK_ERROR_USAGE);
  g_assert_nonnull (strstr (error->message, "--frobnicate"));
  g_assert_false (g_file_test (bundle->config, G_FILE_TEST_EXISTS));
}

static void
test_cmd_help (void)
{
  if (g_test_subprocess ())
    {
      g_autoptr (GError) error = NULL;
      int status = -1;

      /* --help wins over the other options and writes nothing. */
      g_assert_true (run_spec_command (
          (const char *const[]){ "spec", "--bundle", "/nonexistent", "--help", NULL }, &status,
          &error));
      g_assert_no_error (error);
      g_assert_cmpint (status, ==, 0);
      return;
    }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
  g_test_trap_assert_stdout ("*Usage:*nook spec*--rootless*--bundle*--force*");
  g_test_trap_assert_stderr ("");
}

int
main (int argc, char **argv)
{
  /* The mode check of the written file assumes the usual umask. */
  umask (022);
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/spec/generate/parses", test_generate_parses);
  g_test_add_func ("/spec/generate/process", test_generate_process);
  g_test_add_func ("/spec/generate/root-and-mounts", test_generate_root_and_mounts);
  g_test_add_func ("/spec/generate/linux", test_generate_linux);
  g_test_add_func ("/spec/generate/rootless", test_generate_rootless);
  g_test_add_func ("/spec/generate/rootful-no-userns", test_generate_rootful_no_userns);

  g_test_add ("/spec/write/creates", Bundle, NULL, bundle_setup, test_write_creates,
              bundle_teardown);
  g_test_add ("/spec/write/refuses-overwrite", Bundle, NULL, bundle_setup,
              test_write_refuses_overwrite, bundle_teardown);
  g_test_add ("/spec/write/refuses-dangling-symlink", Bundle, NULL, bundle_setup,
              test_write_refuses_dangling_symlink, bundle_teardown);
  g_test_add ("/spec/write/force", Bundle, NULL, bundle_setup, test_write_force, bundle_teardown);
  g_test_add ("/spec/write/missing-dir", Bundle, NULL, bundle_setup, test_write_missing_dir,
              bundle_teardown);
  g_test_add ("/spec/write/not-a-dir", Bundle, NULL, bundle_setup, test_write_not_a_dir,
              bundle_teardown);

  g_test_add ("/spec/config/accepts-rootful", Bundle, NULL, bundle_setup,
              test_config_accepts_rootful, bundle_teardown);
  g_test_add ("/spec/config/accepts-rootless", Bundle, NULL, bundle_setup,
              test_config_accepts_rootless, bundle_teardown);

  g_test_add ("/spec/cmd/bundle-option", Bundle, NULL, bundle_setup, test_cmd_bundle_option,
              bundle_teardown);
  g_test_add ("/spec/cmd/extra-argument", Bundle, NULL, bundle_setup, test_cmd_extra_argument,
              bundle_teardown);
  g_test_add ("/spec/cmd/unknown-option", Bundle, NULL, bundle_setup, test_cmd_unknown_option,
              bundle_teardown);
  g_test_add_func ("/spec/cmd/help", test_cmd_help);

  return g_test_run ();
}
