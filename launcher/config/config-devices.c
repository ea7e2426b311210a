/* nook: linux.devices.
 *
 * A rootless container cannot mknod a device: each listed device is bound
 * from the host's node at the same path, as crun and podman do rootless. So
 * the host must have that node, of the same type and numbers: checked here,
 * in the parent, where the error can name the JSON path. FIFOs need no
 * privilege and are made in the container. */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "launcher/config/config-private.h"

typedef struct
{
  char *path;
  char *type;
  guint64 major;
  guint64 minor;
} NookDeviceSection;

static const NookConfigField device_fields[] = {
  NOOK_FIELD ("path", nook_config_parse_abs_path, NookDeviceSection, path, NOOK_FIELD_REQUIRED),
  NOOK_FIELD ("type", nook_config_parse_string, NookDeviceSection, type, NOOK_FIELD_REQUIRED),
  NOOK_FIELD ("major", nook_config_parse_uint64, NookDeviceSection, major, 0),
  NOOK_FIELD ("minor", nook_config_parse_uint64, NookDeviceSection, minor, 0),
};

static gboolean
check_type (NookConfigCtx *ctx, const char *type, const char *path, char *out, GError **error)
{
  g_autofree char *quoted = nook_config_quote (type);

  if (strcmp (type, "c") == 0 || strcmp (type, "u") == 0)
    *out = 'c';
  else if (strcmp (type, "b") == 0)
    *out = 'b';
  else if (strcmp (type, "p") == 0)
    *out = 'p';
  else
    return nook_config_fail (ctx, error, path, "unknown device type %s (c, b, u or p)", quoted);
  return TRUE;
}

/* The host's node at the device's path must be the device the config asks for. */
static gboolean
check_host_node (NookConfigCtx *ctx, const NookDevice *device, const char *path, GError **error)
{
  g_autofree char *escaped = nook_config_escape (device->path);
  struct stat st;
  char host_type;

  if (stat (device->path, &st) < 0)
    return nook_config_fail (ctx, error, path,
                             "%s: rootless nook cannot create device nodes, and the host has no "
                             "node there to bind (%s)",
                             escaped, g_strerror (errno));
  host_type = S_ISCHR (st.st_mode) ? 'c' : S_ISBLK (st.st_mode) ? 'b' : '?';
  if (host_type == '?')
    return nook_config_fail (ctx, error, path,
                             "%s: rootless nook cannot create device nodes, and the host's %s is "
                             "no device to bind",
                             escaped, escaped);
  if (host_type != device->type || major (st.st_rdev) != device->major
      || minor (st.st_rdev) != device->minor)
    return nook_config_fail (ctx, error, path,
                             "%s: rootless nook cannot create device nodes, and the host's node "
                             "there is %c %u:%u, not %c %u:%u",
                             escaped, host_type, major (st.st_rdev), minor (st.st_rdev),
                             device->type, device->major, device->minor);
  return TRUE;
}

static gboolean
parse_device (NookConfigCtx *ctx, const NookJson *node, const char *path, gpointer out,
              GError **error)
{
  NookDevice *device = out;
  NookDeviceSection s = { NULL, NULL, 0, 0 };
  g_autofree char *type = NULL;
  g_autofree char *type_path = nook_config_path_member (path, "type");
  gboolean ok = nook_config_parse_table (ctx, node, path, device_fields, &s, error);

  device->path = s.path;
  type = s.type;
  if (!ok || !check_type (ctx, type, type_path, &device->type, error))
    return FALSE;
  if (s.major > G_MAXUINT32 || s.minor > G_MAXUINT32)
    return nook_config_fail (ctx, error, path, "device numbers out of range");
  device->major = s.major;
  device->minor = s.minor;
  if (device->type == 'p')
    return TRUE;
  return check_host_node (ctx, device, path, error);
}

gboolean
nook_config_parse_devices (NookConfigCtx *ctx, const NookJson *node, const char *path, gpointer out,
                           GError **error)
{
  NookConfig *config = out;

  return nook_config_parse_array (ctx, node, path, sizeof (NookDevice), parse_device,
                                  (gpointer *)&config->devices, &config->n_devices, error);
  return TRUE;
}
