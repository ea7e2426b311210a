/* nook: the default config.json of `nook spec`. */
#include "launcher/config/spec.h"

#include <errno.h>
#include <sys/stat.h>

#include "launcher/config/config.h"
#include "launcher/errors.h"
#include "storage/json.h"

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
add_string_array (NookJsonWriter *builder, const char *member, const char *const *values)
{
  nook_json_writer_member (builder, member);
  nook_json_writer_begin_array (builder);
  for (gsize i = 0; values[i] != NULL; i++)
    nook_json_writer_string (builder, values[i]);
  nook_json_writer_end_array (builder);
}

static void
add_process (NookJsonWriter *builder)
{
  static const char *const args[] = { "sh", NULL };
  static const char *const env[] = {
    "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
    "TERM=xterm",
    NULL,
  };

  nook_json_writer_member (builder, "process");
  nook_json_writer_begin_object (builder);

  nook_json_writer_member (builder, "terminal");
  nook_json_writer_bool (builder, TRUE);

  nook_json_writer_member (builder, "user");
  nook_json_writer_begin_object (builder);
  nook_json_writer_member (builder, "uid");
  nook_json_writer_int (builder, 0);
  nook_json_writer_member (builder, "gid");
  nook_json_writer_int (builder, 0);
  nook_json_writer_end_object (builder);

  add_string_array (builder, "args", args);
  add_string_array (builder, "env", env);

  nook_json_writer_member (builder, "cwd");
  nook_json_writer_string (builder, "/");

  /* Neither inheritable nor ambient, as podman does. An empty inheritable set
   * keeps file capabilities from lifting a process above these (runc's fix for
   * CVE-2022-29162), and the kernel refuses ambient capabilities that are not
   * inheritable. Root in the container keeps the permitted set across execve
   * anyway; only a non-root process.user would need ambient ones. */
  nook_json_writer_member (builder, "capabilities");
  nook_json_writer_begin_object (builder);
  add_string_array (builder, "bounding", default_caps);
  add_string_array (builder, "effective", default_caps);
  add_string_array (builder, "permitted", default_caps);
  nook_json_writer_end_object (builder);

  nook_json_writer_member (builder, "rlimits");
  nook_json_writer_begin_array (builder);
  nook_json_writer_begin_object (builder);
  nook_json_writer_member (builder, "type");
  nook_json_writer_string (builder, "RLIMIT_NOFILE");
  nook_json_writer_member (builder, "hard");
  nook_json_writer_int (builder, 1024);
  nook_json_writer_member (builder, "soft");
  nook_json_writer_int (builder, 1024);
  nook_json_writer_end_object (builder);
  nook_json_writer_end_array (builder);

  nook_json_writer_member (builder, "noNewPrivileges");
  nook_json_writer_bool (builder, TRUE);

  nook_json_writer_end_object (builder);
}

static void
add_root (NookJsonWriter *builder, gboolean rootless)
{
  /* Read-only for engines, as runc and crun write it: the rootfs of a
   * bundle is often shared. The rootless config is the desktop's, run on
   * a writable layer that keeps the bundle untouched (nook run's default):
   * read-only, a named container could never keep a change. */
  nook_json_writer_member (builder, "root");
  nook_json_writer_begin_object (builder);
  nook_json_writer_member (builder, "path");
  nook_json_writer_string (builder, "rootfs");
  nook_json_writer_member (builder, "readonly");
  nook_json_writer_bool (builder, !rootless);
  nook_json_writer_end_object (builder);
}

static void
add_mounts (NookJsonWriter *builder, gboolean rootless)
{
  nook_json_writer_member (builder, "mounts");
  nook_json_writer_begin_array (builder);
  for (gsize i = 0; i < G_N_ELEMENTS (default_mounts); i++)
    {
      const SpecMount *mount = &default_mounts[i];
      const char *extra = rootless ? NULL : mount->rootful_option;

      nook_json_writer_begin_object (builder);
      nook_json_writer_member (builder, "destination");
      nook_json_writer_string (builder, mount->destination);
      nook_json_writer_member (builder, "type");
      nook_json_writer_string (builder, mount->type);
      nook_json_writer_member (builder, "source");
      nook_json_writer_string (builder, mount->source);
      if (mount->options[0] != NULL || extra != NULL)
        {
          nook_json_writer_member (builder, "options");
          nook_json_writer_begin_array (builder);
          for (gsize j = 0; mount->options[j] != NULL; j++)
            nook_json_writer_string (builder, mount->options[j]);
          if (extra != NULL)
            nook_json_writer_string (builder, extra);
          nook_json_writer_end_array (builder);
        }
      nook_json_writer_end_object (builder);
    }
  nook_json_writer_end_array (builder);
}

static void
add_linux (NookJsonWriter *builder, gboolean rootless)
{
  static const char *const namespaces[] = { "pid", "network", "ipc", "uts", "mount", NULL };
  /* Only the namespace types: nook writes the id maps itself (the caller's
   * ids, or its subordinate ranges), so a uidMappings with the uid of whoever
   * ran `nook spec` would only be wrong on another account. */
  static const char *const rootless_namespaces[] = { "user", "cgroup", NULL };

  nook_json_writer_member (builder, "linux");
  nook_json_writer_begin_object (builder);

  /* No "resources": nook runs without cgroups, and crun's default device
   * rule would only ask for a limit that cannot be applied. */
  nook_json_writer_member (builder, "namespaces");
  nook_json_writer_begin_array (builder);
  for (gsize i = 0; namespaces[i] != NULL; i++)
    {
      nook_json_writer_begin_object (builder);
      nook_json_writer_member (builder, "type");
      nook_json_writer_string (builder, namespaces[i]);
      nook_json_writer_end_object (builder);
    }
  for (gsize i = 0; rootless && rootless_namespaces[i] != NULL; i++)
    {
      nook_json_writer_begin_object (builder);
      nook_json_writer_member (builder, "type");
      nook_json_writer_string (builder, rootless_namespaces[i]);
      nook_json_writer_end_object (builder);
    }
  nook_json_writer_end_array (builder);

  add_string_array (builder, "maskedPaths", default_masked_paths);
  add_string_array (builder, "readonlyPaths", default_readonly_paths);

  nook_json_writer_end_object (builder);
}

char *
nook_spec_generate (gboolean rootless)
{
  g_autoptr (NookJsonWriter) builder = nook_json_writer_new (TRUE);
  g_autofree char *json = NULL;

  nook_json_writer_begin_object (builder);
  nook_json_writer_member (builder, "ociVersion");
  nook_json_writer_string (builder, NOOK_OCI_VERSION);
  add_process (builder);
  add_root (builder, rootless);
  nook_json_writer_member (builder, "hostname");
  nook_json_writer_string (builder, "nook");
  add_mounts (builder, rootless);
  add_linux (builder, rootless);
  nook_json_writer_end_object (builder);

  json = nook_json_writer_finish (g_steal_pointer (&builder), NULL);
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
