/* nook: the OCI features document (runtime-spec features.md). */
#include "launcher/lifecycle/features.h"

#include <errno.h>
#include <json-glib/json-glib.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "launcher/config/config.h"
#include "launcher/seccomp/seccomp.h"

/* The runtime-spec versions the config loader is written against: 1.0.0
 * configs load unchanged; the newest is what `nook spec` writes. */
#define FEATURES_OCI_VERSION_MIN "1.0.0"

#ifndef SECCOMP_FILTER_FLAG_NEW_LISTENER
#define SECCOMP_FILTER_FLAG_NEW_LISTENER 8
#endif
#ifndef SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV
#define SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV 32
#endif

static void
add_member_strv (JsonBuilder *b, const char *member, const char *const *names)
{
  json_builder_set_member_name (b, member);
  json_builder_begin_array (b);
  for (gsize i = 0; names != NULL && names[i] != NULL; i++)
    json_builder_add_string_value (b, names[i]);
  json_builder_end_array (b);
}

static void
add_member_bool (JsonBuilder *b, const char *member, gboolean value)
{
  json_builder_set_member_name (b, member);
  json_builder_add_boolean_value (b, value);
}

static void
add_enabled (JsonBuilder *b, const char *member, gboolean enabled)
{
  json_builder_set_member_name (b, member);
  json_builder_begin_object (b);
  add_member_bool (b, "enabled", enabled);
  json_builder_end_object (b);
}

/* The kernel checks a filter's flags before it reads the program: with no
 * program, EFAULT means it knows the flag (libseccomp probes the same way).
 * WAIT_KILLABLE_RECV is only accepted together with NEW_LISTENER. */
static gboolean
kernel_knows_flag (guint flag)
{
  guint flags = flag;
  int saved_errno = errno;
  gboolean known;

  if (flag == SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV)
    flags |= SECCOMP_FILTER_FLAG_NEW_LISTENER;
  known = syscall (SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, NULL) < 0 && errno == EFAULT;
  errno = saved_errno;
  return known;
}

static void
add_seccomp_names (JsonBuilder *b, const char *member, const NookConfigName *names, gsize n,
                   gboolean (*keep) (guint value))
{
  json_builder_set_member_name (b, member);
  json_builder_begin_array (b);
  for (gsize i = 0; i < n; i++)
    if (keep == NULL || keep (names[i].value))
      json_builder_add_string_value (b, names[i].name);
  json_builder_end_array (b);
}

static gboolean
action_supported (guint value)
{
  return nook_seccomp_action_supported (value);
}

static void
add_seccomp_archs (JsonBuilder *b)
{
  const char *const *archs = nook_config_seccomp_archs ();

  json_builder_set_member_name (b, "archs");
  json_builder_begin_array (b);
  for (gsize i = 0; archs[i] != NULL; i++)
    if (nook_seccomp_arch_supported (archs[i]))
      json_builder_add_string_value (b, archs[i]);
  json_builder_end_array (b);
}

static void
add_seccomp (JsonBuilder *b)
{
  const NookConfigName *names;
  gsize n;

  json_builder_set_member_name (b, "seccomp");
  json_builder_begin_object (b);
  add_member_bool (b, "enabled", TRUE);
  names = nook_config_seccomp_actions (&n);
  add_seccomp_names (b, "actions", names, n, action_supported);
  names = nook_config_seccomp_operators (&n);
  add_seccomp_names (b, "operators", names, n, NULL);
  add_seccomp_archs (b);
  names = nook_config_seccomp_flags (&n);
  add_seccomp_names (b, "knownFlags", names, n, NULL);
  add_seccomp_names (b, "supportedFlags", names, n, kernel_knows_flag);
  json_builder_end_object (b);
}

/* Every hook kind the config loader reads; nook runs each at its point. */
static void
add_hooks (JsonBuilder *b)
{
  json_builder_set_member_name (b, "hooks");
  json_builder_begin_array (b);
  for (guint i = 0; i < NOOK_HOOK_KIND_COUNT; i++)
    json_builder_add_string_value (b, nook_hook_kind_name (i));
  json_builder_end_array (b);
}

static void
add_namespaces (JsonBuilder *b)
{
  json_builder_set_member_name (b, "namespaces");
  json_builder_begin_array (b);
  for (guint i = 0; i < NOOK_NS_COUNT; i++)
    json_builder_add_string_value (b, nook_ns_type_name (i));
  json_builder_end_array (b);
}

/* nook never creates cgroups (the container stays in the caller's): no
 * cgroup version or manager is supported in the spec's sense. */
static void
add_cgroup (JsonBuilder *b)
{
  json_builder_set_member_name (b, "cgroup");
  json_builder_begin_object (b);
  add_member_bool (b, "v1", FALSE);
  add_member_bool (b, "v2", FALSE);
  add_member_bool (b, "systemd", FALSE);
  add_member_bool (b, "systemdUser", FALSE);
  add_member_bool (b, "rdma", FALSE);
  json_builder_end_object (b);
}

static void
add_linux (JsonBuilder *b)
{
  gsize n_caps;
  const char *const *caps = nook_config_capability_names (&n_caps);
  g_autofree const char **caps_strv = g_new0 (const char *, n_caps + 1);

  memcpy (caps_strv, caps, n_caps * sizeof (char *));
  json_builder_set_member_name (b, "linux");
  json_builder_begin_object (b);
  add_namespaces (b);
  add_member_strv (b, "capabilities", caps_strv);
  add_cgroup (b);
  add_seccomp (b);
  add_enabled (b, "apparmor", FALSE);
  add_enabled (b, "selinux", FALSE);
  add_enabled (b, "intelRdt", FALSE);
  json_builder_end_object (b);
}

static void
add_annotations (JsonBuilder *b)
{
  const struct scmp_version *v = seccomp_version ();
  g_autofree char *libseccomp = g_strdup_printf ("%u.%u.%u", v->major, v->minor, v->micro);

  json_builder_set_member_name (b, "annotations");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "io.github.seccomp.libseccomp.version");
  json_builder_add_string_value (b, libseccomp);
  json_builder_set_member_name (b, "org.nook.version");
  json_builder_add_string_value (b, NOOK_VERSION);
  json_builder_end_object (b);
}

char *
nook_features_to_json (void)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autoptr (JsonGenerator) gen = json_generator_new ();
  g_autoptr (JsonNode) root = NULL;
  g_auto (GStrv) mount_options = nook_config_mount_option_names ();

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "ociVersionMin");
  json_builder_add_string_value (b, FEATURES_OCI_VERSION_MIN);
  json_builder_set_member_name (b, "ociVersionMax");
  json_builder_add_string_value (b, NOOK_OCI_VERSION);
  add_hooks (b);
  add_member_strv (b, "mountOptions", (const char *const *)mount_options);
  add_linux (b);
  add_annotations (b);
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  json_generator_set_root (gen, root);
  json_generator_set_pretty (gen, TRUE);
  return json_generator_to_data (gen, NULL);
}
