/* nook: the container lifecycle, one entry point per stage, called by the
 * command files (launcher/cli/cmd-*.c), which only parse options.
 *
 *   load     config.json, through the filter store's fast path
 *   run      prepare, launch and wait for a container in the foreground
 *   create   prepare and launch a container whose process waits for start
 *   start    let a created container's process run
 *   kill     signal a container's process (or all of its processes)
 *   delete   remove a stopped container's state and ephemeral layer
 *   state    a container's state, decided now
 *   exec     start a process in a running container and wait for it
 *
 * Each stage owns what it creates and releases it on every path: the state
 * directory, a writable layer, the fuse-overlayfs daemon, child processes. */
#pragma once

#include <glib.h>

#include "launcher/config/config.h"
#include "launcher/config/overrides.h"
#include "launcher/container/container.h"
#include "launcher/container/rootfs.h"

/* The state's options (storage/state.h) hold run's and create's -e as
 * "env:NAME" -> VALUE: exec's and enter's processes get them too. */
#define NOOK_STATE_ENV_PREFIX "env:"
/* run's and create's -w, among the same options: exec's working
 * directory unless --cwd gives one, as podman exec takes the container's. */
#define NOOK_STATE_CWD "cwd"

/* What a command asks of a container. */
typedef struct
{
  const char *verb;        /* the command, for messages ("run", "create") */
  const char *bundle;      /* the bundle directory */
  const char *config_path; /* NULL: BUNDLE/config.json */
  const char *name;        /* --name: kept layer (unless rm), NULL: a random id */
  const char *id;          /* the OCI verbs' container id (no kept layer); NULL: name */
  const char *state_root;  /* --root, NULL: the default runtime root */
  NookRootfsMode rootfs_mode;
  gboolean rootfs_given; /* --rootfs was given: no automatic fallback */
  gboolean rm;           /* throw the layer away even with a name */
  gboolean replace;      /* start a named container's layer afresh */
  gboolean tty;          /* -t: a pty, stdin must be a terminal */
  gboolean no_tty;       /* -T: never a pty */
  gboolean use_filter_cache;
  char **command;             /* replaces process.args; NULL or empty: keep them */
  gboolean detach;            /* create / run -d: the container outlives this nook */
  gboolean init;              /* --init: nook-init is PID 1 in front of the process */
  const char *pid_file;       /* --pid-file: the process's pid, written atomically */
  const char *console_socket; /* --console-socket: where the pty master goes */
  int preserve_fds;           /* --preserve-fds N */
  NookContainerOptions options;
  char **stored_options;          /* kept in a new named container's layer.json */
  gboolean entered;               /* started by nook enter: stopped when its last session ends */
  const NookOverrides *overrides; /* -e, -v, -w, --device; NULL: none */
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

/* nook create (and run -d, which then starts it): everything up to the
 * container's process, which waits for start; the state stays until
 * delete. */
gboolean nook_lifecycle_create (const NookRequest *request, GError **error);

/* create --toolbox: a named container made and checked as a start would
 * (config, id maps, layer and its layer.json with the stored options),
 * without starting it. */
gboolean nook_lifecycle_define (const NookRequest *request, GError **error);

/* Lets a created container's process exec. */
gboolean nook_lifecycle_start (const char *root, const char *id, GError **error);

/* Signals the container's process, or with all every process of it. */
gboolean nook_lifecycle_kill (const char *root, const char *id, int signo, gboolean all,
                              GError **error);

/* Removes a stopped container; force kills a live one first. A container
 * that does not exist is an error, except with force. */
gboolean nook_lifecycle_delete (const char *root, const char *id, gboolean force, GError **error);

/* The OCI state document of a container, as JSON text. */
char *nook_lifecycle_state_json (const char *root, const char *id, GError **error);

/* Writes pid to path atomically (a temporary file renamed over it). */
gboolean nook_lifecycle_write_pid_file (const char *path, pid_t pid, GError **error);

/* What nook exec asks: a process in the running container id. */
typedef struct
{
  const char *id;
  const char *state_root;    /* --root, NULL: the default runtime root */
  const char *process_file;  /* -p: a runtime-spec process object; NULL: config.json's */
  char **command;            /* replaces process.args */
  char **env;                /* -e K=V, added to (or replacing in) process.env */
  const char *cwd;           /* --cwd */
  const char *user;          /* -u USER[:GROUP], numbers or names */
  char **additional_gids;    /* -g GID, added to process.user.additionalGids */
  const char *apparmor;      /* --apparmor PROFILE */
  const char *process_label; /* --process-label LABEL */
  char **caps;               /* --cap CAP, added to the process's sets */
  gboolean no_new_privs;     /* --no-new-privs */
  gboolean tty;              /* -t */
  gboolean detach;           /* -d */
  const char *console_socket;
  const char *pid_file;
  int preserve_fds;
  gboolean use_filter_cache;
  /* nook enter: the working directory when cwd does not exist in the
   * container; NULL: none (a missing cwd fails) */
  const char *cwd_fallback;
  /* nook enter: without COMMAND, the login shell of the process's user
   * (its /etc/passwd entry in the container; /bin/sh when it has none) */
  gboolean login_shell;
} NookExecRequest;

/* Runs a process in the container's namespaces, with its seccomp filter;
 * *out_status is the process's, as for run (0 once started with detach). */
gboolean nook_lifecycle_exec (const NookExecRequest *request, int *out_status, GError **error);

/* What nook enter asks: a session in the named container start->name,
 * started first (as start says, detached) when it is not running. */
typedef struct
{
  const NookRequest *start;
  NookExecRequest exec;
  gboolean keep_running; /* the container stays when the last session ends */
} NookEnterRequest;

/* Runs the session and waits for it; when it was the container's last
 * session and enter had started the container, stops it. */
gboolean nook_lifecycle_enter (const NookEnterRequest *request, int *out_status, GError **error);

/* SIGTERM to the container's process, SIGKILL after timeout_s (-1: 10),
 * then its state goes (its kept layer stays). */
gboolean nook_lifecycle_stop (const char *root, const char *id, int timeout_s, GError **error);
