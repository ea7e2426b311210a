/* Unit tests for launcher/config/overrides.c: -e, -v, -w and --device. */
#include <glib/gstdio.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

#include "launcher/config/overrides.h"
#include "launcher/errors.h"

static void
assert_error_contains (const GError *error, const char *want)
{
  g_assert_error (error, NOOK_ERROR, NOOK_ERROR_USAGE);
  if (strstr (error->message, want) == NULL)
    g_error ("message '%s' lacks '%s'", error->message, want);
  g_assert_null (strchr (error->message, '\n'));
}

static void
test_env (void)
{
  g_autoptr (GError) error = NULL;
  char *entry = NULL;

  g_assert_true (nook_overrides_parse_env ("A=b=c", &entry, &error));
  g_assert_cmpstr (entry, ==, "A=b=c");
  g_clear_pointer (&entry, g_free);
  g_assert_true (nook_overrides_parse_env ("EMPTY=", &entry, &error));
  g_assert_cmpstr (entry, ==, "EMPTY=");
  g_clear_pointer (&entry, g_free);

  /* NAME alone: nook's own value, or nothing. */
  g_setenv ("NOOK_TEST_OVERRIDE", "from nook", TRUE);
  g_assert_true (nook_overrides_parse_env ("NOOK_TEST_OVERRIDE", &entry, &error));
  g_assert_cmpstr (entry, ==, "NOOK_TEST_OVERRIDE=from nook");
  g_clear_pointer (&entry, g_free);
  g_unsetenv ("NOOK_TEST_OVERRIDE");
  g_assert_true (nook_overrides_parse_env ("NOOK_TEST_OVERRIDE", &entry, &error));
  g_assert_null (entry);
  g_assert_no_error (error);

  g_assert_false (nook_overrides_parse_env ("=x", &entry, &error));
  assert_error_contains (error, "-e '=x': ");
  g_assert_null (entry);
  g_clear_error (&error);
  g_assert_false (nook_overrides_parse_env ("", &entry, &error));
  assert_error_contains (error, "-e '': ");
}

static void
test_setenv (void)
{
  char *start[] = { "PATH=/bin", "A=1", NULL };
  char *entries[] = { "A=2", "B=x", NULL };
  g_auto (GStrv) env = nook_overrides_setenv (g_strdupv (start), entries);

  g_assert_cmpuint (g_strv_length (env), ==, 3);
  g_assert_cmpstr (g_environ_getenv (env, "PATH"), ==, "/bin");
  g_assert_cmpstr (g_environ_getenv (env, "A"), ==, "2");
  g_assert_cmpstr (g_environ_getenv (env, "B"), ==, "x");
}

static void
test_volume (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *cwd = g_get_current_dir ();
  g_autofree char *dot = NULL;
  NookVolumeSpec v;

  g_assert_true (nook_overrides_parse_volume ("/tmp:/data", &v, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (v.source, ==, "/tmp");
  g_assert_cmpstr (v.destination, ==, "/data");
  g_assert_false (v.readonly);
  nook_volume_spec_clear (&v);

  g_assert_true (nook_overrides_parse_volume ("/tmp:/a/../data/:ro,z", &v, &error));
  g_assert_cmpstr (v.destination, ==, "/data");
  g_assert_true (v.readonly);
  nook_volume_spec_clear (&v);

  g_assert_true (nook_overrides_parse_volume ("/tmp:/data:rw,Z", &v, &error));
  g_assert_false (v.readonly);
  nook_volume_spec_clear (&v);

  /* A relative source is the current directory's. */
  g_assert_true (nook_overrides_parse_volume (".:/src", &v, &error));
  dot = g_canonicalize_filename (".", cwd);
  g_assert_cmpstr (v.source, ==, dot);
  nook_volume_spec_clear (&v);
}

static void
check_volume_error (const char *spec, const char *want)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *prefix = g_strdup_printf ("-v '%s': ", spec);
  NookVolumeSpec v;

  g_assert_false (nook_overrides_parse_volume (spec, &v, &error));
  assert_error_contains (error, prefix);
  assert_error_contains (error, want);
  g_assert_null (v.source);
  g_assert_null (v.destination);
}

static void
test_volume_errors (void)
{
  check_volume_error ("/tmp", "expected SRC:DST[:OPTIONS]");
  check_volume_error ("/tmp:", "expected SRC:DST[:OPTIONS]");
  check_volume_error (":/data", "expected SRC:DST[:OPTIONS]");
  check_volume_error ("/tmp:/a:ro:x", "expected SRC:DST[:OPTIONS]");
  check_volume_error ("/tmp:data", "the destination data must be an absolute path");
  check_volume_error ("/tmp:/data:rx", "unknown option 'rx'");
  check_volume_error ("/tmp:/data:ro,", "unknown option ''");
  check_volume_error ("/tmp:/data:ro,rw", "ro and rw exclude each other");
  check_volume_error ("/nonexistent-nook-test:/data", "/nonexistent-nook-test: No such file");
  check_volume_error ("/tmp:/", "cannot mount over the container's root");
  check_volume_error ("/tmp:/a/..", "cannot mount over the container's root");
}

/* A spec is shown on one line, whatever it holds. */
static void
test_volume_error_one_line (void)
{
  g_autoptr (GError) error = NULL;
  NookVolumeSpec v;

  g_assert_false (nook_overrides_parse_volume ("/tmp\n:/x:y", &v, &error));
  assert_error_contains (error, "-v '/tmp\\x0a:/x:y': unknown option 'y'");
}

static void
test_device (void)
{
  g_autoptr (GError) error = NULL;
  NookDeviceSpec d;

  g_assert_true (nook_overrides_parse_device ("/dev/null", &d, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (d.host_path, ==, "/dev/null");
  g_assert_cmpstr (d.path, ==, "/dev/null");
  g_assert_cmpint (d.type, ==, 'c');
  g_assert_cmpuint (d.major, ==, 1);
  g_assert_cmpuint (d.minor, ==, 3);
  g_assert_cmpstr (d.perms, ==, "rwm");
  nook_device_spec_clear (&d);

  /* Two parts: PERMS when made of r, w and m, CPATH otherwise. */
  g_assert_true (nook_overrides_parse_device ("/dev/null:rw", &d, &error));
  g_assert_cmpstr (d.path, ==, "/dev/null");
  g_assert_cmpstr (d.perms, ==, "rw");
  nook_device_spec_clear (&d);
  g_assert_true (nook_overrides_parse_device ("/dev/zero:/dev/mine", &d, &error));
  g_assert_cmpstr (d.host_path, ==, "/dev/zero");
  g_assert_cmpstr (d.path, ==, "/dev/mine");
  g_assert_cmpuint (d.minor, ==, 5);
  g_assert_cmpstr (d.perms, ==, "rwm");
  nook_device_spec_clear (&d);
  g_assert_true (nook_overrides_parse_device ("/dev/zero:/dev/mine:mr", &d, &error));
  g_assert_cmpstr (d.path, ==, "/dev/mine");
  g_assert_cmpstr (d.perms, ==, "mr");
  nook_device_spec_clear (&d);
}

static void
check_device_error (const char *spec, const char *want)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *prefix = g_strdup_printf ("--device '%s': ", spec);
  NookDeviceSpec d;

  g_assert_false (nook_overrides_parse_device (spec, &d, &error));
  assert_error_contains (error, prefix);
  assert_error_contains (error, want);
  g_assert_null (d.host_path);
  g_assert_null (d.path);
}

static void
test_device_errors (void)
{
  check_device_error ("", "expected PATH[:CPATH][:PERMS]");
  check_device_error ("/dev/null:/a:rw:x", "expected PATH[:CPATH][:PERMS]");
  check_device_error ("/dev/null:/a:rwx", "permissions 'rwx'");
  check_device_error ("/dev/null:/a:rr", "permissions 'rr'");
  check_device_error ("/dev/null:a", "the container path a must be absolute");
  check_device_error ("/nonexistent-nook-test", "/nonexistent-nook-test: No such file");
  check_device_error ("/tmp", "/tmp is not a character or block device");
}

static void
test_workdir (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = NULL;

  g_assert_true (nook_overrides_parse_workdir ("/src/./x/", &dir, &error));
  g_assert_cmpstr (dir, ==, "/src/x");
  g_clear_pointer (&dir, g_free);
  g_assert_false (nook_overrides_parse_workdir ("src", &dir, &error));
  assert_error_contains (error, "-w 'src': the working directory must be an absolute path");
  g_assert_null (dir);
}

static void
test_new (void)
{
  g_autoptr (GError) error = NULL;
  char *env[] = { "A=1", "NOOK_TEST_UNSET_VARIABLE", NULL };
  char *volumes[] = { "/tmp:/a", "/tmp:b", NULL };
  char *devices[] = { "/dev/null:/dev/n", NULL };
  g_autoptr (NookOverrides) none = nook_overrides_new ("run", NULL, NULL, NULL, NULL, &error);
  g_autoptr (NookOverrides) all = NULL;
  g_autoptr (NookOverrides) bad = NULL;

  g_assert_no_error (error);
  g_assert_nonnull (none);
  g_assert_cmpuint (g_strv_length (none->env), ==, 0);
  g_assert_cmpuint (none->n_volumes, ==, 0);
  g_assert_null (none->workdir);

  g_unsetenv ("NOOK_TEST_UNSET_VARIABLE");
  volumes[1] = NULL;
  all = nook_overrides_new ("run", env, volumes, devices, "/w", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_strv_length (all->env), ==, 1);
  g_assert_cmpuint (all->n_volumes, ==, 1);
  g_assert_cmpuint (all->n_devices, ==, 1);
  g_assert_cmpstr (all->workdir, ==, "/w");

  /* The first bad spec, named, after the verb. */
  volumes[1] = "/tmp:b";
  bad = nook_overrides_new ("create", env, volumes, devices, "/w", &error);
  g_assert_null (bad);
  g_assert_error (error, NOOK_ERROR, NOOK_ERROR_USAGE);
  g_assert_cmpstr (error->message, ==,
                   "create: -v '/tmp:b': the destination b must be an absolute path");
}

static void
test_apply (void)
{
  g_autoptr (NookConfig) config = g_new0 (NookConfig, 1);
  g_autoptr (GPtrArray) warnings = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GError) error = NULL;
  char *env[] = { "PATH=/opt", "NEW=1", NULL };
  char *volumes[] = { "/tmp:/rw", "/tmp:/ro:ro", NULL };
  char *devices[] = { "/dev/zero:/dev/z", "/dev/null:r", NULL };
  g_autoptr (NookOverrides) o = nook_overrides_new ("run", env, volumes, devices, "/w", &error);
  char *start_env[] = { "PATH=/bin", "TERM=xterm", NULL };

  g_assert_no_error (error);
  config->process.env = g_strdupv (start_env);
  config->process.cwd = g_strdup ("/");
  nook_overrides_apply (o, config, warnings);

  g_assert_cmpstr (g_environ_getenv (config->process.env, "PATH"), ==, "/opt");
  g_assert_cmpstr (g_environ_getenv (config->process.env, "TERM"), ==, "xterm");
  g_assert_cmpstr (g_environ_getenv (config->process.env, "NEW"), ==, "1");
  g_assert_cmpstr (config->process.cwd, ==, "/w");

  g_assert_cmpuint (config->n_mounts, ==, 2);
  g_assert_cmpstr (config->mounts[0].destination, ==, "/rw");
  g_assert_cmpstr (config->mounts[0].source, ==, "/tmp");
  g_assert_cmpstr (config->mounts[0].type, ==, "bind");
  g_assert_true (config->mounts[0].is_bind);
  g_assert_cmpuint (config->mounts[0].flags, ==, MS_BIND | MS_REC);
  g_assert_cmpstr (config->mounts[0].options[0], ==, "rbind");
  g_assert_null (config->mounts[0].options[1]);
  g_assert_cmpuint (config->mounts[1].flags, ==, MS_BIND | MS_REC | MS_RDONLY);
  g_assert_cmpstr (config->mounts[1].options[1], ==, "ro");

  g_assert_cmpuint (config->n_devices, ==, 2);
  g_assert_cmpstr (config->devices[0].path, ==, "/dev/z");
  g_assert_cmpstr (config->devices[0].host_path, ==, "/dev/zero");
  g_assert_cmpint (config->devices[0].type, ==, 'c');
  g_assert_cmpstr (config->devices[1].path, ==, "/dev/null");

  /* Permissions short of rwm cannot be enforced: said once. */
  g_assert_cmpuint (warnings->len, ==, 1);
  g_assert_nonnull (strstr (warnings->pdata[0], "--device /dev/null: permissions 'r'"));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/overrides/env", test_env);
  g_test_add_func ("/overrides/setenv", test_setenv);
  g_test_add_func ("/overrides/volume", test_volume);
  g_test_add_func ("/overrides/volume-errors", test_volume_errors);
  g_test_add_func ("/overrides/volume-error-one-line", test_volume_error_one_line);
  g_test_add_func ("/overrides/device", test_device);
  g_test_add_func ("/overrides/device-errors", test_device_errors);
  g_test_add_func ("/overrides/workdir", test_workdir);
  g_test_add_func ("/overrides/new", test_new);
  g_test_add_func ("/overrides/apply", test_apply);
  return g_test_run ();
}
