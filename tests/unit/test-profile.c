/* Seccomp profiles for the unit tests (see test-profile.h). */
#include "tests/unit/test-profile.h"

#include <glib/gstdio.h>

void
test_profile_free (TestProfile *profile)
{
  nook_config_seccomp_free (profile);
}

TestProfile *
profile_new (NookSeccompAction default_action, gboolean has_errno_ret, guint32 errno_ret)
{
  TestProfile *profile = g_new0 (TestProfile, 1);

  profile->default_action = default_action;
  profile->has_default_errno_ret = has_errno_ret;
  profile->default_errno_ret = errno_ret;
  profile->architectures = g_new0 (char *, 1);
  return profile;
}

NookSeccompRule *
profile_add_rule (TestProfile *profile, NookSeccompAction action, gboolean has_errno_ret,
                  guint32 errno_ret, const char *const *names)
{
  NookSeccompRule *rule;

  profile->rules = g_renew (NookSeccompRule, profile->rules, profile->n_rules + 1);
  rule = &profile->rules[profile->n_rules++];
  *rule = (NookSeccompRule){
    .names = g_strdupv ((char **)names),
    .action = action,
    .has_errno_ret = has_errno_ret,
    .errno_ret = errno_ret,
  };
  return rule;
}

void
rule_add_arg (NookSeccompRule *rule, guint32 index, NookSeccompOp op, guint64 value,
              guint64 value_two)
{
  rule->args = g_renew (NookSeccompArg, rule->args, rule->n_args + 1);
  rule->args[rule->n_args++] = (NookSeccompArg){
    .index = index,
    .op = op,
    .value = value,
    .value_two = value_two,
  };
}

TestProfile *
profile_load_fixture (const char *file_name)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "fixtures", file_name, NULL);
  g_autofree char *profile = NULL;
  g_autofree char *bundle = NULL;
  g_autofree char *rootfs = NULL;
  g_autofree char *json = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (NookConfig) config = NULL;
  TestProfile *result;

  g_file_get_contents (path, &profile, NULL, &error);
  g_assert_no_error (error);
  bundle = g_dir_make_tmp ("nook-test-profile-XXXXXX", &error);
  g_assert_no_error (error);
  rootfs = g_build_filename (bundle, "rootfs", NULL);
  g_assert_cmpint (g_mkdir (rootfs, 0755), ==, 0);

  json = g_strdup_printf ("{\"process\": {\"args\": [\"true\"]}, \"root\": {\"path\": "
                          "\"rootfs\"}, \"linux\": {\"seccomp\": %s}}",
                          profile);
  config = nook_config_parse (json, -1, path, bundle, &error);
  g_assert_no_error (error);
  g_assert_nonnull (config->seccomp);
  result = g_steal_pointer (&config->seccomp);

  g_assert_cmpint (g_rmdir (rootfs), ==, 0);
  g_assert_cmpint (g_rmdir (bundle), ==, 0);
  return result;
}
