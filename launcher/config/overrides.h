/* nook: the command line's changes to a config: -e/--env, -v/--volume,
 * -w/--workdir and --device (run, create; exec takes -e and -w).
 *
 * Each spec is parsed and checked on its own (the source of a volume
 * exists, a device is a device) before anything is made, so that a bad
 * one fails with nothing left behind; the parsed set is applied to the
 * loaded config before the container is built from it, and from then on
 * is checked and set up like the config's own fields.
 *
 * The parsers' messages name the option and the spec ("-v 'a:b': b: the
 * destination must be an absolute path"); the caller prefixes its verb. */
#pragma once

#include <glib.h>

#include "launcher/config/config.h"

/* -v SRC:DST[:OPTIONS] */
typedef struct
{
  char *source;      /* absolute (made so against the current directory); exists */
  char *destination; /* absolute, in the container */
  gboolean readonly; /* OPTIONS has ro */
} NookVolumeSpec;

/* --device PATH[:CPATH][:PERMS] */
typedef struct
{
  char *host_path; /* absolute: the host's node, bound into the container */
  char *path;      /* absolute, in the container (PATH when CPATH is not given) */
  char type;       /* 'c' or 'b', the host node's */
  guint32 major;
  guint32 minor;
  char *perms; /* r, w and m, as given; "rwm" when absent */
} NookDeviceSpec;

typedef struct
{
  char **env; /* NAME=VALUE, in the order given; NULL-terminated */
  NookVolumeSpec *volumes;
  guint n_volumes;
  NookDeviceSpec *devices;
  guint n_devices;
  char *workdir; /* NULL: process.cwd stays */
} NookOverrides;

/* -e NAME=VALUE, or -e NAME: NAME's value in nook's own environment, as
 * podman does. *out_entry is "NAME=VALUE", or NULL when NAME alone names
 * a variable nook's environment does not have (then nothing is set). */
gboolean nook_overrides_parse_env (const char *spec, char **out_entry, GError **error);

/* -v SRC:DST[:OPTIONS]: OPTIONS a comma list of ro, rw, and podman's
 * SELinux relabelling z and Z, accepted and ignored (nook applies no
 * labels). SRC must exist; DST must be absolute and not /. */
gboolean nook_overrides_parse_volume (const char *spec, NookVolumeSpec *out, GError **error);

/* --device PATH[:CPATH][:PERMS], as podman reads it: with two parts, the
 * second is PERMS when it is made of r, w and m, CPATH otherwise. PATH
 * must be a character or block device. */
gboolean nook_overrides_parse_device (const char *spec, NookDeviceSpec *out, GError **error);

/* -w DIR: DIR must be absolute. */
gboolean nook_overrides_parse_workdir (const char *spec, char **out_dir, GError **error);

void nook_volume_spec_clear (NookVolumeSpec *volume);
void nook_device_spec_clear (NookDeviceSpec *device);

/* Parses every spec (each array NULL-terminated, or NULL); errors are
 * "VERB: -v 'SPEC': why". NULL on error. */
NookOverrides *nook_overrides_new (const char *verb, char **env, char **volumes, char **devices,
                                   const char *workdir, GError **error);
void nook_overrides_free (NookOverrides *overrides);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (NookOverrides, nook_overrides_free)

/* env with each NAME=VALUE of entries set (added, or replacing the
 * variable's entry): takes env, returns the new array. */
char **nook_overrides_setenv (char **env, char *const *entries);

/* process.env, process.cwd, mounts (an rbind per volume, ro when asked,
 * after the config's) and linux.devices (the host node bound at CPATH).
 * PERMS other than rwm are named in warnings: without a device cgroup
 * they cannot be enforced. */
void nook_overrides_apply (const NookOverrides *overrides, NookConfig *config, GPtrArray *warnings);
