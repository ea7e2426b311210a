/* nook: a container prepared for launch, and the launch itself.
 *
 * Everything the child needs is computed here, in the parent, before clone():
 * the child only makes syscalls over these fields (no GLib, no allocation). */
#pragma once

#include <glib.h>
#include <stdint.h>

#include "launcher/config.h"
#include "launcher/seccomp.h"
#include "userns/idmap.h"

typedef struct
{
  const NookConfig *config;    /* borrowed */
  char **argv;                 /* process args, or the COMMAND override */
  char **envp;                 /* process.env */
  const char *path_env;        /* PATH for the executable lookup (in envp, or a default) */
  NookIdMapPlan *idmap;        /* maps written by the parent */
  gboolean new_userns;         /* a new user namespace is created */
  int clone_flags;             /* CLONE_NEW* for the namespaces created */
  int ns_fds[NOOK_NS_COUNT];   /* namespaces joined by path, or -1 */
  NookBpfProgram *seccomp;     /* NULL: no filter */
  unsigned int seccomp_flags;
  gboolean use_terminal;       /* allocate a pty inside the container */
  guint64 bounding;            /* capability sets limited to the running kernel's */
  guint64 effective;
  guint64 permitted;
  guint64 inheritable;
  guint64 ambient;
  int last_cap;                /* /proc/sys/kernel/cap_last_cap */
  mode_t umask;
  int exec_fifo_fd;            /* create/start split: wait for "start" here; -1 for run */
} NookContainer;

/* Builds the container from a loaded config: id maps, namespaces, capabilities,
 * the compiled seccomp program (warnings are appended to warnings). */
NookContainer *nook_container_new (const NookConfig *config, char **command_override,
                                   gboolean use_terminal, GPtrArray *warnings, GError **error);
void nook_container_free (NookContainer *container);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (NookContainer, nook_container_free)

typedef struct NookState NookState;

/* Clones the container's process, sets it up, waits for it while forwarding
 * signals (and proxying the terminal), and returns its exit status as a shell
 * reports it (code, or 128+N when killed by signal N). The process's pid is
 * recorded in state. */
gboolean nook_container_run (NookContainer *container, NookState *state, int *out_status,
                             GError **error);
