/* nook: the command line's changes to a config (overrides.h). */
#include "launcher/config/overrides.h"

#include <errno.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "launcher/errors.h"

/* A spec in a message: one line, whatever bytes it has. */
static char *
shown (const char *spec)
{
  GString *s = g_string_new (NULL);

  for (const char *p = spec; *p; p++)
    if ((guchar)*p < 0x20 || *p == 0x7f)
      g_string_append_printf (s, "\\x%02x", (guchar)*p);
    else
      g_string_append_c (s, *p);
  return g_string_free (s, FALSE);
}

static gboolean G_GNUC_PRINTF (4, 5)
    fail (GError **error, const char *option, const char *spec, const char *format, ...)
{
  g_autofree char *what = NULL;
  g_autofree char *quoted = shown (spec);
  va_list args;

  va_start (args, format);
  what = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error (error, NOOK_ERROR, NOOK_ERROR_USAGE, "%s '%s': %s", option, quoted, what);
  return FALSE;
}

gboolean
nook_overrides_parse_env (const char *spec, char **out_entry, GError **error)
{
  const char *eq = strchr (spec, '=');
  const char *value;

  *out_entry = NULL;
  if (eq == spec || *spec == '\0')
    return fail (error, "-e", spec, "expected NAME=VALUE or NAME (an empty name)");
  if (eq != NULL)
    {
      *out_entry = g_strdup (spec);
      return TRUE;
    }
  /* NAME alone: its value here, or nothing when it is unset (podman). */
  value = g_getenv (spec);
  if (value != NULL)
    *out_entry = g_strconcat (spec, "=", value, NULL);
  return TRUE;
}

void
nook_volume_spec_clear (NookVolumeSpec *v)
{
  g_clear_pointer (&v->source, g_free);
  g_clear_pointer (&v->destination, g_free);
}

void
nook_device_spec_clear (NookDeviceSpec *d)
{
  g_clear_pointer (&d->host_path, g_free);
  g_clear_pointer (&d->path, g_free);
  g_clear_pointer (&d->perms, g_free);
}

static gboolean
parse_volume_options (const char *spec, const char *options, gboolean *out_readonly, GError **error)
{
  g_auto (GStrv) names = g_strsplit (options, ",", -1);
  gboolean ro = FALSE, rw = FALSE;

  for (guint i = 0; names[i] != NULL; i++)
    {
      if (strcmp (names[i], "ro") == 0)
        ro = TRUE;
      else if (strcmp (names[i], "rw") == 0)
        rw = TRUE;
      /* podman's SELinux relabelling: nook applies no labels. */
      else if (strcmp (names[i], "z") != 0 && strcmp (names[i], "Z") != 0)
        {
          g_autofree char *name = shown (names[i]);
          return fail (error, "-v", spec, "unknown option '%s' (ro, rw, z or Z)", name);
        }
    }
  if (ro && rw)
    return fail (error, "-v", spec, "ro and rw exclude each other");
  *out_readonly = ro;
  return TRUE;
}

gboolean
nook_overrides_parse_volume (const char *spec, NookVolumeSpec *out, GError **error)
{
  g_auto (GStrv) parts = g_strsplit (spec, ":", -1);
  guint n = g_strv_length (parts);
  g_autofree char *source = NULL;
  struct stat st;

  memset (out, 0, sizeof *out);
  if (n < 2 || n > 3 || parts[0][0] == '\0' || parts[1][0] == '\0')
    return fail (error, "-v", spec,
                 "expected SRC:DST[:OPTIONS] (paths with ':' cannot be given here)");
  if (!g_path_is_absolute (parts[1]))
    return fail (error, "-v", spec, "the destination %s must be an absolute path", parts[1]);
  if (n == 3 && !parse_volume_options (spec, parts[2], &out->readonly, error))
    return FALSE;
  source = g_canonicalize_filename (parts[0], NULL);
  if (stat (source, &st) < 0)
    {
      int err = errno;
      return fail (error, "-v", spec, "%s: %s", source, g_strerror (err));
    }
  out->destination = g_canonicalize_filename (parts[1], "/");
  if (strcmp (out->destination, "/") == 0)
    {
      nook_volume_spec_clear (out);
      return fail (error, "-v", spec, "cannot mount over the container's root");
    }
  out->source = g_steal_pointer (&source);
  return TRUE;
}

static gboolean
is_perms (const char *s)
{
  if (*s == '\0' || strlen (s) > 3)
    return FALSE;
  for (const char *p = s; *p; p++)
    if (strchr ("rwm", *p) == NULL || strchr (p + 1, *p) != NULL)
      return FALSE;
  return TRUE;
}

gboolean
nook_overrides_parse_device (const char *spec, NookDeviceSpec *out, GError **error)
{
  g_auto (GStrv) parts = g_strsplit (spec, ":", -1);
  guint n = g_strv_length (parts);
  const char *cpath = NULL, *perms = "rwm";
  g_autofree char *host = NULL;
  struct stat st;

  memset (out, 0, sizeof *out);
  if (n < 1 || n > 3 || parts[0][0] == '\0')
    return fail (error, "--device", spec, "expected PATH[:CPATH][:PERMS]");
  if (n == 3 || (n == 2 && !is_perms (parts[1])))
    cpath = parts[1];
  if (n == 3 || (n == 2 && cpath == NULL))
    perms = parts[n - 1];
  if (!is_perms (perms))
    return fail (error, "--device", spec, "permissions '%s': expected r, w and m", perms);
  if (cpath != NULL && !g_path_is_absolute (cpath))
    return fail (error, "--device", spec, "the container path %s must be absolute", cpath);
  host = g_canonicalize_filename (parts[0], NULL);
  if (stat (host, &st) < 0)
    {
      int err = errno;
      return fail (error, "--device", spec, "%s: %s", host, g_strerror (err));
    }
  if (!S_ISCHR (st.st_mode) && !S_ISBLK (st.st_mode))
    return fail (error, "--device", spec, "%s is not a character or block device", host);
  out->type = S_ISCHR (st.st_mode) ? 'c' : 'b';
  out->major = major (st.st_rdev);
  out->minor = minor (st.st_rdev);
  out->path = cpath ? g_canonicalize_filename (cpath, "/") : g_strdup (host);
  out->host_path = g_steal_pointer (&host);
  out->perms = g_strdup (perms);
  return TRUE;
}

gboolean
nook_overrides_parse_workdir (const char *spec, char **out_dir, GError **error)
{
  *out_dir = NULL;
  if (!g_path_is_absolute (spec))
    return fail (error, "-w", spec, "the working directory must be an absolute path");
  *out_dir = g_canonicalize_filename (spec, "/");
  return TRUE;
}

void
nook_overrides_free (NookOverrides *o)
{
  if (o == NULL)
    return;
  g_strfreev (o->env);
  for (guint i = 0; i < o->n_volumes; i++)
    nook_volume_spec_clear (&o->volumes[i]);
  g_free (o->volumes);
  for (guint i = 0; i < o->n_devices; i++)
    nook_device_spec_clear (&o->devices[i]);
  g_free (o->devices);
  g_free (o->workdir);
  g_free (o);
}

static gboolean
parse_env_list (NookOverrides *o, char **specs, GError **error)
{
  g_autoptr (GStrvBuilder) env = g_strv_builder_new ();

  for (guint i = 0; specs != NULL && specs[i] != NULL; i++)
    {
      g_autofree char *entry = NULL;

      if (!nook_overrides_parse_env (specs[i], &entry, error))
        return FALSE;
      if (entry != NULL)
        g_strv_builder_add (env, entry);
    }
  o->env = g_strv_builder_end (env);
  return TRUE;
}

static gboolean
parse_all (NookOverrides *o, char **env, char **volumes, char **devices, const char *workdir,
           GError **error)
{
  guint n_volumes = volumes ? g_strv_length (volumes) : 0;
  guint n_devices = devices ? g_strv_length (devices) : 0;

  if (!parse_env_list (o, env, error))
    return FALSE;
  o->volumes = g_new0 (NookVolumeSpec, n_volumes);
  for (; o->n_volumes < n_volumes; o->n_volumes++)
    if (!nook_overrides_parse_volume (volumes[o->n_volumes], &o->volumes[o->n_volumes], error))
      return FALSE;
  o->devices = g_new0 (NookDeviceSpec, n_devices);
  for (; o->n_devices < n_devices; o->n_devices++)
    if (!nook_overrides_parse_device (devices[o->n_devices], &o->devices[o->n_devices], error))
      return FALSE;
  return workdir == NULL || nook_overrides_parse_workdir (workdir, &o->workdir, error);
}

NookOverrides *
nook_overrides_new (const char *verb, char **env, char **volumes, char **devices,
                    const char *workdir, GError **error)
{
  g_autoptr (NookOverrides) o = g_new0 (NookOverrides, 1);

  if (!parse_all (o, env, volumes, devices, workdir, error))
    {
      g_prefix_error (error, "%s: ", verb);
      return NULL;
    }
  return g_steal_pointer (&o);
}

char **
nook_overrides_setenv (char **env, char *const *entries)
{
  for (guint i = 0; entries != NULL && entries[i] != NULL; i++)
    {
      const char *eq = strchr (entries[i], '=');
      g_autofree char *name = g_strndup (entries[i], eq - entries[i]);

      env = g_environ_setenv (env, name, eq + 1, TRUE);
    }
  return env;
}

static void
append_volume (NookConfig *config, const NookVolumeSpec *v)
{
  NookMount *m;

  config->mounts = g_renew (NookMount, config->mounts, config->n_mounts + 1);
  m = &config->mounts[config->n_mounts++];
  memset (m, 0, sizeof *m);
  m->destination = g_strdup (v->destination);
  m->type = g_strdup ("bind");
  m->source = g_strdup (v->source);
  m->options = g_new0 (char *, 3);
  m->options[0] = g_strdup ("rbind");
  m->options[1] = v->readonly ? g_strdup ("ro") : NULL;
  /* What the loader derives from these options (config-mounts.c). */
  m->flags = MS_BIND | MS_REC | (v->readonly ? MS_RDONLY : 0);
  m->is_bind = TRUE;
}

static void
append_device (NookConfig *config, const NookDeviceSpec *d, GPtrArray *warnings)
{
  NookDevice *device;

  config->devices = g_renew (NookDevice, config->devices, config->n_devices + 1);
  device = &config->devices[config->n_devices++];
  memset (device, 0, sizeof *device);
  device->path = g_strdup (d->path);
  device->host_path = g_strdup (d->host_path);
  device->type = d->type;
  device->major = d->major;
  device->minor = d->minor;
  /* Three distinct letters of rwm: all of them. */
  if (warnings != NULL && strlen (d->perms) < 3)
    g_ptr_array_add (warnings,
                     g_strdup_printf ("--device %s: permissions '%s' are not enforced: nook binds "
                                      "the host's node and manages no device cgroup (the node's "
                                      "own mode applies)",
                                      d->host_path, d->perms));
}

void
nook_overrides_apply (const NookOverrides *o, NookConfig *config, GPtrArray *warnings)
{
  if (o == NULL)
    return;
  config->process.env = nook_overrides_setenv (config->process.env, o->env);
  if (o->workdir != NULL)
    {
      g_free (config->process.cwd);
      config->process.cwd = g_strdup (o->workdir);
    }
  for (guint i = 0; i < o->n_volumes; i++)
    append_volume (config, &o->volumes[i]);
  for (guint i = 0; i < o->n_devices; i++)
    append_device (config, &o->devices[i], warnings);
}
