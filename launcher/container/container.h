/* nook: a container prepared for launch, and the launch itself.
 *
 * Everything the child needs is computed here, in the parent, before clone():
 * the child only makes syscalls over these fields (no GLib, no allocation). */
#pragma once

#include <glib.h>
#include <stdint.h>
#include <sys/ioctl.h>

#include "launcher/config/config.h"
#include "launcher/container/network.h"
#include "launcher/container/rootfs.h"
#include "launcher/seccomp/seccomp.h"
#include "userns/idmap.h"

/* Command-line choices that override or complete the config (nook run).
 * "host" takes the namespace out of linux.namespaces: the container shares
 * the caller's, and the mounts that need one of its own (proc, mqueue,
 * sysfs) become binds of the host's. */
typedef struct
{
  NookUsernsMode userns; /* --userns=auto|keep-id */
  gboolean keep_groups;  /* --group-add=keep-groups: keep the caller's supplementary groups */
  NookNetMode net;       /* --net=host|none|pasta */
  gboolean ipc_host;     /* --ipc=host */
  gboolean pid_host;     /* --pid=host */
  gboolean uts_host;     /* --uts=host: the host's hostname; config hostname ignored */
  gboolean dns_bundle;   /* --dns=bundle: keep the bundle's resolv.conf and hosts */
  gboolean toolbox;      /* create --toolbox: the caller's account set up inside, with sudo */
  gboolean home_given;   /* -e HOME=...: keep-id leaves HOME as given */
} NookContainerOptions;

/* The hooks of the create and start stages that need the child
 * (lifecycle/hooks.c fills this in). With runtime set, the child stops
 * after its mounts, before pivot_root (the hooks sync, between sync 1 and
 * READY): the parent calls runtime() (prestart, createRuntime), sends the
 * child the two memfds below, then GO; the child runs the createContainer
 * hooks there and the startContainer hooks right before the execve. */
typedef struct NookContainerHooks NookContainerHooks;
struct NookContainerHooks
{
  gboolean (*runtime) (NookContainerHooks *hooks, pid_t pid, GError **error);
  /* The child exec'd the process (the sync socket closed, no error). */
  void (*started) (NookContainerHooks *hooks, pid_t pid);
  int create_container_state; /* stdin of createContainer hooks, or -1 */
  int start_container_state;  /* stdin of startContainer hooks, or -1 */
};

typedef struct
{
  const NookConfig *config; /* borrowed */
  char **argv;              /* process args, or the COMMAND override */
  char **envp;              /* process.env */
  const char *path_env;     /* PATH for the executable lookup (in envp, or a default) */
  NookIdMapPlan *idmap;     /* maps written by the parent */
  gboolean new_userns;      /* a new user namespace is created */
  int clone_flags;          /* CLONE_NEW* for the namespaces created */
  /* CLONE_NEW* that clone() itself creates: all of clone_flags, or none when
   * the user namespace is joined by path (the child then joins it and
   * unshares the rest, so that they belong to that user namespace). */
  int clone_now_flags;
  int ns_fds[NOOK_NS_COUNT]; /* namespaces joined by path, or -1 */
  NookBpfProgram *seccomp;   /* NULL: no filter */
  unsigned int seccomp_flags;
  gboolean use_terminal;  /* allocate a pty inside the container */
  struct winsize winsize; /* the caller's, set on the pty before the process runs */
  guint64 bounding;       /* capability sets limited to the running kernel's */
  guint64 effective;
  guint64 permitted;
  guint64 inheritable;
  guint64 ambient;
  int last_cap;     /* /proc/sys/kernel/cap_last_cap */
  int exec_fifo_fd; /* create/start split: O_PATH fd of the exec fifo; -1 for run */
  /* The container outlives this nook (create, run -d): no parent-death
   * signal, and the child reports READY before it waits for start. */
  gboolean detached;
  /* O_PATH fd of nook-init, which becomes PID 1 of the container's new pid
   * namespace in front of the process (--init); -1: the process is PID 1. */
  int init_fd;
  int preserve_fds;     /* --preserve-fds N: fds 3..3+N-1 stay open in the process */
  const char *pid_file; /* --pid-file of a foreground run, or NULL (borrowed) */
  int state_lock_fd;    /* nook's lock on the state: the child closes it, -1 */
  NookContainerOptions options;
  guint32 uid; /* process.user, or the caller under --userns=keep-id */
  guint32 gid;
  gboolean drop_caps;        /* keep-id ran a root config as the caller: no capabilities */
  gboolean lo_up;            /* a fresh network namespace: bring lo up */
  gboolean bind_resolv_conf; /* the container has network access: the host's files, */
  gboolean bind_hosts;       /* read-only, over the bundle's */
  NookPasta *pasta;          /* --net=pasta, started by the parent; NULL otherwise */
  NookRootfs *rootfs;        /* --rootfs; NULL: bind the bundle's rootfs */
  /* --userns=keep-id, running as the caller: its passwd and group lines
   * ("name:*:uid:gid:name:home:/bin/sh\n"), added to the container's files
   * in a writable layer when they lack the ids; NULL otherwise. */
  char *passwd_line;
  char *group_line;
  char *sudoers_line;        /* a toolbox: "NAME ALL=(ALL:ALL) NOPASSWD: ALL\n", else NULL */
  char *user_name;           /* a toolbox: the caller's name, added to the sudo or wheel group */
  char **own_envp;           /* process.env with HOME added, when envp is it */
  NookContainerHooks *hooks; /* borrowed; NULL: no hook needs the child */
  char oom_score_adj[16];    /* process.oomScoreAdj as written to /proc, "" when absent */
  /* LISTEN_FDS from nook's environment (socket activation): fds 3..3+N-1
   * pass to the process, and listen_pid, an entry of own_envp with room
   * for the digits, gets its pid from the child. */
  int listen_fds;
  char *listen_pid;
} NookContainer;

/* Builds the container from a loaded config: id maps, namespaces, capabilities,
 * the compiled seccomp program, from the per-user filter store when
 * use_filter_cache (warnings are appended to warnings). */
/* options: the command line's overrides (NULL: the defaults). */
NookContainer *nook_container_new (const NookConfig *config, const NookContainerOptions *options,
                                   char **command_override, gboolean use_terminal,
                                   gboolean use_filter_cache, GPtrArray *warnings, GError **error);
/* The part of nook_container_new that run and exec share: capability sets
 * (process.capabilities, none when drop_caps) and the seccomp program of
 * the config, from the store when use_filter_cache. */
gboolean nook_container_prepare_privileges (NookContainer *container, gboolean use_filter_cache,
                                            GPtrArray *warnings, GError **error);
/* A container with only what run and exec set alike: config, options, no
 * fds, argv (copied), process.env and the PATH its executable is looked
 * up in. */
NookContainer *nook_container_alloc (const NookConfig *config, const NookContainerOptions *options,
                                     char **argv);
void nook_container_free (NookContainer *container);

/* A security-module label (value, for lsm "apparmor" or "selinux") that
 * field gives (path: the file it is in, or NULL for an option): refused
 * where the host runs lsm (nook cannot apply it yet), a warning where it
 * does not. Empty or NULL values ask for nothing. */
gboolean nook_container_check_lsm (const char *path, const char *field, const char *value,
                                   const char *lsm, GPtrArray *warnings, GError **error);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (NookContainer, nook_container_free)

typedef struct NookState NookState;

/* Clones the container's process, sets it up, waits for it while forwarding
 * signals (and proxying the terminal), and returns its exit status as a shell
 * reports it (code, or 128+N when killed by signal N). The process's pid is
 * recorded in state. */
gboolean nook_container_run (NookContainer *container, NookState *state, int *out_status,
                             GError **error);

/* Called once the created container's process is set up and waits (pid
 * as the host sees it): records its state. FALSE kills the process. */
typedef gboolean (*NookCreatedFunc) (pid_t pid, gpointer data, GError **error);

/* nook create: clones the container's process and sets it up until it waits
 * for start on its exec fifo (container->exec_fifo_fd), calling created in
 * between. With process.terminal the pty master goes to console_socket. On
 * success the process is no longer this nook's: it outlives it. */
gboolean nook_container_create (NookContainer *container, NookState *state,
                                const char *console_socket, NookCreatedFunc created, gpointer data,
                                GError **error);
