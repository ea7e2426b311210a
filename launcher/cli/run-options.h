/* nook: the options of nook run that shape a container, shared by run,
 * create --toolbox and enter, and kept with a named container.
 *
 * A named container remembers the options it was created with (layer.json,
 * in the canonical spelling nook_run_options_to_stored gives): a later
 * start that leaves one out gets the stored one, and one that gives a
 * different value is refused with both values named. */
#pragma once

#include <glib.h>

#include "launcher/lifecycle/lifecycle.h"

typedef struct
{
  char *config;
  char *name;
  gboolean tty;
  gboolean no_tty;
  gboolean no_filter_cache;
  gboolean help;
  char *userns;    /* --userns=auto|keep-id */
  char *group_add; /* --group-add=keep-groups */
  char *net;       /* --net=host|none|pasta */
  char *ipc;       /* --ipc=host */
  char *pid;       /* --pid=host */
  char *uts;       /* --uts=host */
  char *dns;       /* --dns=bundle */
  char *rootfs;    /* --rootfs=fuse-overlayfs|overlay|bind */
  gboolean rm;     /* --rm: an ephemeral layer even with --name */
  char *bundle;    /* -b, --bundle: runc's form */
  gboolean detach; /* -d: create and start, then exit */
  char *pid_file;
  char *console_socket;
  int preserve_fds;
  gboolean replace; /* --replace: start a named container's layer afresh */
  gboolean toolbox; /* made by create --toolbox (stored; hidden in run) */
  char **env;       /* -e NAME=VALUE or NAME */
  char **volumes;   /* -v SRC:DST[:OPTIONS] */
  char *workdir;    /* -w DIR */
  char **devices;   /* --device PATH[:CPATH][:PERMS] */
  gboolean init;    /* --init: nook-init as PID 1 (the default of nook's form) */
  gboolean no_init; /* --no-init: the process is PID 1 */
} NookRunOptions;

void nook_run_options_clear (NookRunOptions *o);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (NookRunOptions, nook_run_options_clear)

/* Writes the entries of the options that shape a container and that a
 * verb joining one may give too (--userns ... --rootfs, --no-filter-cache
 * and -h), terminator included, to out[NOOK_RUN_CONTAINER_ENTRIES]. */
#define NOOK_RUN_CONTAINER_ENTRIES 12
void nook_run_options_container_entries (NookRunOptions *o, GOptionEntry *out);

/* The --help lines of -e, -v, -w and --device (run and create). */
#define NOOK_RUN_OVERRIDES_HELP                                                                    \
  "  -e, --env NAME=VALUE\n"                                                                       \
  "                      Set a variable in process.env (repeatable); NAME alone\n"                 \
  "                      takes its value from nook's environment (unset: none)\n"                  \
  "  -v, --volume SRC:DST[:OPTIONS]\n"                                                             \
  "                      Bind SRC (a host path) at DST (repeatable); OPTIONS:\n"                   \
  "                      ro, rw, and z or Z (accepted, no labels applied)\n"                       \
  "  -w, --workdir DIR   Working directory (replaces process.cwd; created when\n"                  \
  "                      missing)\n"                                                               \
  "  --device PATH[:CPATH][:PERMS]\n"                                                              \
  "                      Bind the host's device node PATH at CPATH (default\n"                     \
  "                      PATH) (repeatable; PERMS rwm are not enforced)\n"

/* Parses run's options for verb (strict: stops at the first operand). */
gboolean nook_run_options_parse (const char *verb, int *argc, char ***argv, NookRunOptions *o,
                                 GError **error);

/* request->options and request->rootfs_mode from o. */
gboolean nook_run_options_apply (const char *verb, const NookRunOptions *o, NookRequest *request,
                                 GError **error);

/* The container-shaping options of o, canonical ("--net=host"), in a
 * fixed order; NULL-terminated, never NULL. */
char **nook_run_options_to_stored (const NookRunOptions *o);

/* Completes o with the stored options of container name: an option o
 * does not give is taken from stored; one it gives must have the stored
 * value, or NOOK_ERROR_USAGE "VERB: --net=none: container NAME was created
 * with --net=host ...". */
gboolean nook_run_options_merge_stored (const char *verb, const char *name, char **stored,
                                        NookRunOptions *o, GError **error);
