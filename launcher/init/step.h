/* nook: the contract of the container's set-up steps, run in the cloned
 * child.
 *
 * Every step runs inside the new namespaces, after the parent wrote the id
 * maps. Steps make syscalls over the prepared NookContainer; they do not
 * allocate. A failing step fills init->error (nook_init_fail) and returns -1;
 * the loop in init.c sends it to the parent, which prints it.
 *
 * The steps (mounts.c, process.c, ...) depend on this header only, never on
 * the loop that runs them (init.c). */
#pragma once

#include <glib.h>

#include "launcher/container/container.h"
#include "launcher/container/sync.h"
#include "launcher/init/resolve.h"

typedef struct
{
  const NookContainer *container;
  const NookConfig *config;
  int sock;       /* sync socket to the parent */
  int rootfd;     /* O_PATH fd of the rootfs mount, until pivot_root */
  int pty_master; /* pty of the container's devpts, -1 without a terminal */
  int pty_slave;
  gboolean dev_is_tmpfs;  /* /dev is a fresh tmpfs we populate */
  int create_hooks_stdin; /* the state for createContainer hooks (hooks sync), or -1 */
  int start_hooks_stdin;  /* the state for startContainer hooks, or -1 */
  int mount_index;        /* the config's mount being made, for messages */
  NookSyncMsg error;
} NookInit;

int nook_init_fail (NookInit *init, int err, const char *fmt, ...) G_GNUC_PRINTF (3, 4);
/* A step that goes on without something the config asked for says so: the
 * message goes to the parent at once, which prints it as a warning. */
void nook_init_warn (NookInit *init, const char *fmt, ...) G_GNUC_PRINTF (2, 3);

/* resolve.c: paths inside the rootfs, never leaving it (resolve.h:
 * nook_open_in_root). */
#define NOOK_FD_PATH_MAX 32
/* "/proc/self/fd/N", to hand an O_PATH fd to mount(2). */
void nook_init_fd_path (char buf[NOOK_FD_PATH_MAX], int fd);
/* Opens (O_PATH) path inside the root, creating what is missing: the last
 * component as a directory, or as an empty file when as_file; dangling
 * symlinks are followed to their target inside the root, which is
 * created. Returns fd or -errno. */
int nook_init_open_or_create_in_root (int rootfd, const char *path, gboolean as_file);

/* init-namespaces.c */
int nook_init_step_namespaces (NookInit *init);

/* mounts.c */
int nook_init_step_propagation (NookInit *init);
int nook_init_step_rootfs (NookInit *init);
int nook_init_step_mounts (NookInit *init);
/* Sets ro/nosuid/nodev/noexec of flags on the mount at what (inside the
 * rootfs), recursively or not; never clears. 0 or -errno. */
int nook_init_restrict_mount (NookInit *init, const char *what, unsigned long flags,
                              gboolean recursive);

/* devices.c */
int nook_init_step_dev (NookInit *init);
int nook_init_step_devices (NookInit *init);

/* mounts.c, after /dev */
int nook_init_step_pivot_root (NookInit *init);
int nook_init_step_masks (NookInit *init);
int nook_init_step_readonly_root (NookInit *init);
int nook_init_step_rootfs_propagation (NookInit *init);
int nook_init_step_etc_files (NookInit *init);

/* hooks.c */
int nook_init_step_create_hooks (NookInit *init);
int nook_init_step_start_hooks (NookInit *init);

/* network.c */
int nook_init_step_network (NookInit *init);

/* process.c */
int nook_init_step_sysctl (NookInit *init);
int nook_init_step_hostname (NookInit *init);
int nook_init_step_terminal (NookInit *init);
int nook_init_step_rlimits (NookInit *init);
int nook_init_step_seccomp_privileged (NookInit *init);
int nook_init_step_oom_score_adj (NookInit *init);
int nook_init_step_scheduling (NookInit *init);
int nook_init_step_make_cwd (NookInit *init);
int nook_init_step_cwd (NookInit *init);
int nook_init_step_bounding (NookInit *init);
int nook_init_step_keep_id_user (NookInit *init);
int nook_init_step_user (NookInit *init);
int nook_init_step_capabilities (NookInit *init);
int nook_init_step_no_new_privs (NookInit *init);
int nook_init_step_seccomp (NookInit *init);
int nook_init_step_find_executable (NookInit *init);
int nook_init_step_wait_start (NookInit *init);
/* init-process.c: with container->init_fd, forks; PID 1 execs nook-init,
 * the child returns 0 to go on to the execve. */
int nook_init_step_init_process (NookInit *init);
/* Returns only on failure (init->error filled, type NOOK_SYNC_EXEC_ERROR). */
int nook_init_exec (NookInit *init);
