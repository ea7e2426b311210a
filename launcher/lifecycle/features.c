/* nook: the OCI features document (runtime-spec features.md). */
#include "launcher/lifecycle/features.h"

#include <errno.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "launcher/config/config.h"
#include "launcher/seccomp/seccomp.h"
#include "storage/json.h"

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
add_member_strv (NookJsonWriter *b, const char *member, const char *const *names)
{
  nook_json_writer_member (b, member);
  nook_json_writer_begin_array (b);
  for (gsize i = 0; names != NULL && names[i] != NULL; i++)
    nook_json_writer_string (b, names[i]);
  nook_json_writer_end_array (b);
}

static void
add_member_bool (NookJsonWriter *b, const char *member, gboolean value)
{
  nook_json_writer_member (b, member);
  nook_json_writer_bool (b, value);
}

static void
add_enabled (NookJsonWriter *b, const char *member, gboolean enabled)
{
  nook_json_writer_member (b, member);
  nook_json_writer_begin_object (b);
  add_member_bool (b, "enabled", enabled);
  nook_json_writer_end_object (b);
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
add_seccomp_names (NookJsonWriter *b, const char *member, const NookConfigName *names, gsize n,
                   gboolean (*keep) (guint value))
{
  nook_json_writer_member (b, member);
  nook_json_writer_begin_array (b);
  for (gsize i = 0; i < n; i++)
    if (keep == NULL || keep (names[i].value))
      nook_json_writer_string (b, names[i].name);
  nook_json_writer_end_array (b);
}

static gboolean
action_supported (guint value)
{
  return nook_seccomp_action_supported (value);
}

static void
add_seccomp_archs (NookJsonWriter *b)
{
  const char *const *archs = nook_config_seccomp_archs ();

  nook_json_writer_member (b, "archs");
  nook_json_writer_begin_array (b);
  for (gsize i = 0; archs[i] != NULL; i++)
    if (nook_seccomp_arch_supported (archs[i]))
      nook_json_writer_string (b, archs[i]);
  nook_json_writer_end_array (b);
}

static void
add_seccomp (NookJsonWriter *b)
{
  const NookConfigName *names;
  gsize n;

  nook_json_writer_member (b, "seccomp");
  nook_json_writer_begin_object (b);
  add_member_bool (b, "enabled", TRUE);
  names = nook_config_seccomp_actions (&n);
  add_seccomp_names (b, "actions", names, n, action_supported);
  names = nook_config_seccomp_operators (&n);
  add_seccomp_names (b, "operators", names, n, NULL);
  add_seccomp_archs (b);
  names = nook_config_seccomp_flags (&n);
  add_seccomp_names (b, "knownFlags", names, n, NULL);
  add_seccomp_names (b, "supportedFlags", names, n, kernel_knows_flag);
  nook_json_writer_end_object (b);
}

/* Every hook kind the config loader reads; nook runs each at its point. */
static void
add_hooks (NookJsonWriter *b)
{
  nook_json_writer_member (b, "hooks");
  nook_json_writer_begin_array (b);
  for (guint i = 0; i < NOOK_HOOK_KIND_COUNT; i++)
    nook_json_writer_string (b, nook_hook_kind_name (i));
  nook_json_writer_end_array (b);
}

static void
add_namespaces (NookJsonWriter *b)
{
  nook_json_writer_member (b, "namespaces");
  nook_json_writer_begin_array (b);
  for (guint i = 0; i < NOOK_NS_COUNT; i++)
    nook_json_writer_string (b, nook_ns_type_name (i));
  nook_json_writer_end_array (b);
}

/* nook never creates cgroups (the container stays in the caller's): no
 * cgroup version or manager is supported in the spec's sense. */
static void
add_cgroup (NookJsonWriter *b)
{
  nook_json_writer_member (b, "cgroup");
  nook_json_writer_begin_object (b);
  add_member_bool (b, "v1", FALSE);
  add_member_bool (b, "v2", FALSE);
  add_member_bool (b, "systemd", FALSE);
  add_member_bool (b, "systemdUser", FALSE);
  add_member_bool (b, "rdma", FALSE);
  nook_json_writer_end_object (b);
}

static void
add_linux (NookJsonWriter *b)
{
  gsize n_caps;
  const char *const *caps = nook_config_capability_names (&n_caps);
  g_autofree const char **caps_strv = g_new0 (const char *, n_caps + 1);

  memcpy (caps_strv, caps, n_caps * sizeof (char *));
  nook_json_writer_member (b, "linux");
  nook_json_writer_begin_object (b);
  add_namespaces (b);
  add_member_strv (b, "capabilities", caps_strv);
  add_cgroup (b);
  add_seccomp (b);
  add_enabled (b, "apparmor", FALSE);
  add_enabled (b, "selinux", FALSE);
  add_enabled (b, "intelRdt", FALSE);
  nook_json_writer_end_object (b);
}

static void
add_annotations (NookJsonWriter *b)
{
  const struct scmp_version *v = seccomp_version ();
  g_autofree char *libseccomp = g_strdup_printf ("%u.%u.%u", v->major, v->minor, v->micro);

  nook_json_writer_member (b, "annotations");
  nook_json_writer_begin_object (b);
  nook_json_writer_member (b, "io.github.seccomp.libseccomp.version");
  nook_json_writer_string (b, libseccomp);
  nook_json_writer_member (b, "org.nook.version");
  nook_json_writer_string (b, NOOK_VERSION);
  nook_json_writer_end_object (b);
}

char *
nook_features_to_json (void)
{
  g_autoptr (NookJsonWriter) b = nook_json_writer_new (TRUE);
  g_auto (GStrv) mount_options = nook_config_mount_option_names ();

  nook_json_writer_begin_object (b);
  nook_json_writer_member (b, "ociVersionMin");
  nook_json_writer_string (b, FEATURES_OCI_VERSION_MIN);
  nook_json_writer_member (b, "ociVersionMax");
  nook_json_writer_string (b, NOOK_OCI_VERSION);
  add_hooks (b);
  add_member_strv (b, "mountOptions", (const char *const *)mount_options);
  add_linux (b);
  add_annotations (b);
  nook_json_writer_end_object (b);
  return nook_json_writer_finish (g_steal_pointer (&b), NULL);
}
