/* nook: one function per command line verb, each in its own file (cmd-<verb>.c).
 *
 * argv[0] is the verb itself. Each command parses its own options (GOptionContext
 * with strict POSIX parsing, so that a container's COMMAND keeps its options),
 * handles --help itself, and on success stores the exit status nook must exit
 * with in *out_status. Errors go up to main, which prints them once. */
#pragma once

#include <glib.h>

typedef struct
{
  char *root;              /* --root: state directory root; NULL = the default */
  char *log;               /* --log: messages go to this file (launcher/log.h) */
  char *log_format;        /* --log-format: "text" or "json" */
  gboolean debug;          /* --debug: debug lines in the log */
  gboolean systemd_cgroup; /* --systemd-cgroup: --cgroup-manager=systemd */
  char *cgroup_manager;    /* --cgroup-manager: cgroupfs, systemd or disabled */
} NookGlobalOptions;

typedef gboolean (*NookCommandFunc) (int argc, char **argv, const NookGlobalOptions *globals,
                                     int *out_status, GError **error);

gboolean nook_cmd_cache (int argc, char **argv, const NookGlobalOptions *globals, int *out_status,
                         GError **error);
gboolean nook_cmd_features (int argc, char **argv, const NookGlobalOptions *globals,
                            int *out_status, GError **error);
gboolean nook_cmd_enter (int argc, char **argv, const NookGlobalOptions *globals, int *out_status,
                         GError **error);
gboolean nook_cmd_stop (int argc, char **argv, const NookGlobalOptions *globals, int *out_status,
                        GError **error);
gboolean nook_cmd_exec (int argc, char **argv, const NookGlobalOptions *globals, int *out_status,
                        GError **error);
gboolean nook_cmd_import (int argc, char **argv, const NookGlobalOptions *globals, int *out_status,
                          GError **error);
gboolean nook_cmd_ls (int argc, char **argv, const NookGlobalOptions *globals, int *out_status,
                      GError **error);
gboolean nook_cmd_ps (int argc, char **argv, const NookGlobalOptions *globals, int *out_status,
                      GError **error);
gboolean nook_cmd_rm (int argc, char **argv, const NookGlobalOptions *globals, int *out_status,
                      GError **error);
gboolean nook_cmd_run (int argc, char **argv, const NookGlobalOptions *globals, int *out_status,
                       GError **error);
gboolean nook_cmd_spec (int argc, char **argv, const NookGlobalOptions *globals, int *out_status,
                        GError **error);
gboolean nook_cmd_create (int argc, char **argv, const NookGlobalOptions *globals, int *out_status,
                          GError **error);
/* create --toolbox (cmd-toolbox.c), which nook_cmd_create hands on to. */
gboolean nook_cmd_create_toolbox (int argc, char **argv, const NookGlobalOptions *globals,
                                  int *out_status, GError **error);
gboolean nook_cmd_delete (int argc, char **argv, const NookGlobalOptions *globals, int *out_status,
                          GError **error);
gboolean nook_cmd_kill (int argc, char **argv, const NookGlobalOptions *globals, int *out_status,
                        GError **error);
gboolean nook_cmd_start (int argc, char **argv, const NookGlobalOptions *globals, int *out_status,
                         GError **error);
gboolean nook_cmd_state (int argc, char **argv, const NookGlobalOptions *globals, int *out_status,
                         GError **error);
