/* nook: the default config.json of `nook spec`. */
#include "launcher/config/spec.h"

#include <errno.h>
#include <json-glib/json-glib.h>
#include <sys/stat.h>

#include "launcher/config/config.h"
#include "launcher/errors.h"

typedef struct
{
  const char *destination;
  const char *type;
  const char *source;
  const char *const *options; /* NULL-terminated */
  const char *rootful_option; /* appended only without a user namespace, or NULL */
} SpecMount;

/* runc's default set: enough for a shell and common daemons, nothing that lets
 * the container administer its namespaces. It is the smallest set the other
 * runtimes agree on; users who need more add them to their config. */
static const char *const default_caps[] = {
  "CAP_AUDIT_WRITE",
  "CAP_KILL",
  "CAP_NET_BIND_SERVICE",
  NULL,
};

/* devpts gid=5: without a user namespace the container's gid 5 is the host's
 * tty group. In rootless mode nook maps only the caller's gid to container
 * root, so gid 5 is unmapped and mounting devpts with it fails with EINVAL. */
static const SpecMount default_mounts[] = {
  { "/proc", "proc", "proc", (const char *const[]){ NULL }, NULL },
  { "/dev", "tmpfs", "tmpfs",
    (const char *const[]){ "nosuid", "strictatime", "mode=755", "size=65536k", NULL }, NULL },
  { "/dev/pts", "devpts", "devpts",
    (const char *const[]){ "nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", NULL },
    "gid=5" },
  { "/dev/shm", "tmpfs", "shm",
    (const char *const[]){ "nosuid", "noexec", "nodev", "mode=1777", "size=65536k", NULL }, NULL },
  { "/dev/mqueue", "mqueue", "mqueue", (const char *const[]){ "nosuid", "noexec", "nodev", NULL },
    NULL },
  { "/sys", "sysfs", "sysfs", (const char *const[]){ "nosuid", "noexec", "nodev", "ro", NULL },
    NULL },
  /* nook mounts cgroup2 here, or binds the host's hierarchy on hybrid hosts. */
  { "/sys/fs/cgroup", "cgroup", "cgroup",
    (const char *const[]){ "nosuid", "noexec", "nodev", "relatime", "ro", NULL }, NULL },
};

static const char *const default_masked_paths[] = {
  "/proc/acpi",
  "/proc/asound",
  "/proc/kcore",
  "/proc/keys",
  "/proc/latency_stats",
  "/proc/timer_list",
  "/proc/timer_stats",
  "/proc/sched_debug",
  "/sys/firmware",
  "/proc/scsi",
  NULL,
};

static const char *const default_readonly_paths[] = {
  "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger", NULL,
};

static void
add_string_array (JsonBuilder *builder, const char *member, const char *const *values)
{
  json_builder_set_member_name (builder, member);
  json_builder_begin_array (builder);
  for (gsize i = 0; values[i] != NULL; i++)
    json_builder_add_string_value (builder, values[i]);
  json_builder_end_array (builder);
}

static void
add_process (JsonBuilder *builder)
{
  static const char *const args[] = { "sh", NULL };
  static const char *const env[] = {
    "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
    "TERM=xterm",
    NULL,
  };

  json_builder_set_member_name (builder, "process");
  json_builder_begin_object (builder);

  json_builder_set_member_name (builder, "terminal");
  json_builder_add_boolean_value (builder, TRUE);

  json_builder_set_member_name (builder, "user");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "uid");
  json_builder_add_int_value (builder, 0);
  json_builder_set_member_name (builder, "gid");
  json_builder_add_int_value (builder, 0);
  json_builder_end_object (builder);

  add_string_array (builder, "args", args);
  add_string_array (builder, "env", env);

  json_builder_set_member_name (builder, "cwd");
  json_builder_add_string_value (builder, "/");

  /* Neither inheritable nor ambient, as podman does. An empty inheritable set
   * keeps file capabilities from lifting a process above these (runc's fix for
   * CVE-2022-29162), and the kernel refuses ambient capabilities that are not
   * inheritable. Root in the container keeps the permitted set across execve
   * anyway; only a non-root process.user would need ambient ones. */
  json_builder_set_member_name (builder, "capabilities");
  json_builder_begin_object (builder);
  add_string_array (builder, "bounding", default_caps);
  add_string_array (builder, "effective", default_caps);
  add_string_array (builder, "permitted", default_caps);
  json_builder_end_object (builder);

  json_builder_set_member_name (builder, "rlimits");
  json_builder_begin_array (builder);
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "type");
  json_builder_add_string_value (builder, "RLIMIT_NOFILE");
  json_builder_set_member_name (builder, "hard");
  json_builder_add_int_value (builder, 1024);
  json_builder_set_member_name (builder, "soft");
  json_builder_add_int_value (builder, 1024);
  json_builder_end_object (builder);
  json_builder_end_array (builder);

  json_builder_set_member_name (builder, "noNewPrivileges");
  json_builder_add_boolean_value (builder, TRUE);

  json_builder_end_object (builder);
}

static void
add_root (JsonBuilder *builder, gboolean rootless)
{
  /* Read-only for engines, as runc and crun write it: the rootfs of a
   * bundle is often shared. The rootless config is the desktop's, run on
   * a writable layer that keeps the bundle untouched (nook run's default):
   * read-only, a named container could never keep a change. */
  json_builder_set_member_name (builder, "root");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "path");
  json_builder_add_string_value (builder, "rootfs");
  json_builder_set_member_name (builder, "readonly");
  json_builder_add_boolean_value (builder, !rootless);
  json_builder_end_object (builder);
}

static void
add_mounts (JsonBuilder *builder, gboolean rootless)
{
  json_builder_set_member_name (builder, "mounts");
  json_builder_begin_array (builder);
  for (gsize i = 0; i < G_N_ELEMENTS (default_mounts); i++)
    {
      const SpecMount *mount = &default_mounts[i];
      const char *extra = rootless ? NULL : mount->rootful_option;

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "destination");
      json_builder_add_string_value (builder, mount->destination);
      json_builder_set_member_name (builder, "type");
      json_builder_add_string_value (builder, mount->type);
      json_builder_set_member_name (builder, "source");
      json_builder_add_string_value (builder, mount->source);
      if (mount->options[0] != NULL || extra != NULL)
        {
          json_builder_set_member_name (builder, "options");
          json_builder_begin_array (builder);
          for (gsize j = 0; mount->options[j] != NULL; j++)
            json_builder_add_string_value (builder, mount->options[j]);
          if (extra != NULL)
            json_builder_add_string_value (builder, extra);
          json_builder_end_array (builder);
        }
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
}

static void
add_linux (JsonBuilder *builder, gboolean rootless)
{
  static const char *const namespaces[] = { "pid", "network", "ipc", "uts", "mount", NULL };
  /* Only the namespace types: nook writes the id maps itself (the caller's
   * ids, or its subordinate ranges), so a uidMappings with the uid of whoever
   * ran `nook spec` would only be wrong on another account. */
  static const char *const rootless_namespaces[] = { "user", "cgroup", NULL };

  json_builder_set_member_name (builder, "linux");
  json_builder_begin_object (builder);

  /* No "resources": nook runs without cgroups, and crun's default device
   * rule would only ask for a limit that cannot be applied. */
  json_builder_set_member_name (builder, "namespaces");
  json_builder_begin_array (builder);
  for (gsize i = 0; namespaces[i] != NULL; i++)
    {
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "type");
      json_builder_add_string_value (builder, namespaces[i]);
      json_builder_end_object (builder);
    }
  for (gsize i = 0; rootless && rootless_namespaces[i] != NULL; i++)
    {
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "type");
      json_builder_add_string_value (builder, rootless_namespaces[i]);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);

  add_string_array (builder, "maskedPaths", default_masked_paths);
  add_string_array (builder, "readonlyPaths", default_readonly_paths);

  json_builder_end_object (builder);
}

char *
nook_spec_generate (gboolean rootless)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autoptr (JsonGenerator) generator = json_generator_new ();
  g_autoptr (JsonNode) root = NULL;
  g_autofree char *json = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "ociVersion");
  json_builder_add_string_value (builder, NOOK_OCI_VERSION);
  add_process (builder);
  add_root (builder, rootless);
  json_builder_set_member_name (builder, "hostname");
  json_builder_add_string_value (builder, "nook");
  add_mounts (builder, rootless);
  add_linux (builder, rootless);
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  json_generator_set_pretty (generator, TRUE);
  json_generator_set_indent (generator, 2);
  json = json_generator_to_data (generator, NULL);
  return g_strconcat (json, "\n", NULL);
}

gboolean
nook_spec_write (const char *bundle_dir, gboolean rootless, gboolean force, GError **error)
{
  g_autofree char *path = g_build_filename (bundle_dir, "config.json", NULL);
  g_autofree char *json = NULL;
  struct stat st;

  if (stat (bundle_dir, &st) < 0)
    {
      int saved_errno = errno;
      g_set_error (error, NOOK_ERROR, NOOK_ERROR_FAILED, "%s: %s", bundle_dir,
                   g_strerror (saved_errno));
      return FALSE;
    }
  if (!S_ISDIR (st.st_mode))
    {
      g_set_error (error, NOOK_ERROR, NOOK_ERROR_FAILED, "%s: %s", bundle_dir,
                   g_strerror (ENOTDIR));
      return FALSE;
    }

  /* lstat, so that a dangling symlink counts as existing too. The check races
   * with another writer, but the rename below still leaves one whole file. */
  if (!force && lstat (path, &st) == 0)
    {
      g_set_error (error, NOOK_ERROR, NOOK_ERROR_FAILED,
                   "%s: File exists (use --force to overwrite)", path);
      return FALSE;
    }

  json = nook_spec_generate (rootless);
  return g_file_set_contents_full (path, json, -1, G_FILE_SET_CONTENTS_CONSISTENT, 0644, error);
}
