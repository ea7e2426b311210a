/* nook: the container lifecycle, one entry point per stage, called by the
 * command files (launcher/cli/cmd-*.c), which only parse options.
 *
 *   load     config.json, through the filter store's fast path
 *   run      prepare, launch and wait for a container in the foreground
 *
 * Each stage owns what it creates and releases it on every path: the state
 * directory, a writable layer, the fuse-overlayfs daemon, child processes. */
#pragma once

#include <glib.h>

#include "launcher/config/config.h"
#include "launcher/container/container.h"
#include "launcher/container/rootfs.h"

/* What a command asks of a container. */
typedef struct
{
  const char *bundle;      /* the bundle directory */
  const char *config_path; /* NULL: BUNDLE/config.json */
  const char *name;        /* --name: kept layer (unless rm), NULL: a random id */
  const char *state_root;  /* --root, NULL: the default runtime root */
  NookRootfsMode rootfs_mode;
  gboolean rootfs_given; /* --rootfs was given: no automatic fallback */
  gboolean rm;           /* throw the layer away even with a name */
  gboolean replace;      /* start a named container's layer afresh */
  gboolean tty;          /* -t: a pty, stdin must be a terminal */
  gboolean no_tty;       /* -T: never a pty */
  gboolean use_filter_cache;
  char **command; /* replaces process.args; NULL or empty: keep them */
  NookContainerOptions options;
} NookRequest;

/* Loads BUNDLE/config.json (or config_path), with the fast path when
 * use_store: the program of a config.json seen before comes from the store
 * (with the warnings its compile gave, appended to warnings), and its
 * rules are not parsed. A config without it gets the key (has_alias_key)
 * so that nook_seccomp_prepare files its program under it too. */
NookConfig *nook_lifecycle_load_config (const char *bundle_dir, const char *config_path,
                                        gboolean use_store, GPtrArray *warnings, GError **error);

/* Runs the container in the foreground and waits for it; *out_status is its
 * exit status as a shell reports it. */
gboolean nook_lifecycle_run (const NookRequest *request, int *out_status, GError **error);
