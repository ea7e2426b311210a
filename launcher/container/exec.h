/* nook: a process started in a running container (nook exec), parent side.
 *
 * parent (nook)                      child A                 process B
 *   pidfd_open(container), compare
 *   /proc/{self,PID}/ns/NAME
 *   socketpair, block signals
 *   nook_clone_vfork --------------->  setns(pidfd, NS...)
 *   (waits until A is gone)           nook_clone_vfork
 *                                     (CLONE_PARENT) -------> (in the pid ns)
 *                                     (waits until B          terminal, rlimits, cwd,
 *                                      exec'd)                user, caps, nnp,
 *   <---------- NOOK_SYNC_PID -------  _exit(0)              seccomp, execve
 *   reap A; B is nook's own child
 *   loop: signals -> kill(B), pty, ...
 *   EOF on the socket = exec'd
 *
 * A and B share nook's memory until B's execve (launcher/clone.h), each
 * waiting for the next, so no copy of nook's memory is made. B's messages
 * (its pty, an error) arrive before its pid. CLONE_PARENT makes B nook's
 * child: nook waits for it and forwards signals to it directly, with no
 * relay process in between, and a detached B is simply left behind when
 * nook exits. */
#pragma once

#include <glib.h>
#include <sys/types.h>

#include "launcher/container/container.h"

/* How the child joins the container's namespaces: everything prepared in
 * the parent, so that the child only makes syscalls. */
typedef struct
{
  pid_t pid;    /* the container's process */
  int pidfd;    /* pidfd of it (setns on a pidfd, Linux 5.8+); -1 if none */
  int ns_flags; /* CLONE_NEW* of its namespaces that differ from nook's */
  /* /proc/PID/ns/NAME of those, "" for the others: the fallback when the
   * kernel cannot setns on a pidfd. */
  char ns_paths[NOOK_NS_COUNT][64];
  gboolean deny_setgroups; /* its user namespace denies setgroups */
  /* Looked up by the child in the container's own /etc/passwd and
   * /etc/group once it has joined the mount namespace: the parent cannot
   * read them (the root is a FUSE mount of the container's user namespace,
   * closed to the host's processes). */
  char *user_spec;           /* -u as given, for messages; NULL: no -u */
  char *user_name;           /* -u NAME: the uid (NULL: a number, or no -u) */
  char *group_name;          /* -u USER:NAME: the gid (NULL: none, or a number) */
  gboolean user_group_given; /* -u USER:GROUP: not the user's primary group */
  gboolean set_home;         /* HOME is not in the process's env */
  char *cwd_fallback;        /* nook enter: when process.cwd is missing inside */
  gboolean login_shell;      /* nook enter: args[0] becomes the user's login shell */
  /* Plain forks, not clones that share memory until execve: what a kernel
   * or valgrind that refuses those gets (NOOK_EXEC_FORK=1, for the tests). */
  gboolean fork_only;
} NookExecJoin;

/* Looks at the container's process: error "not running" when it is gone. */
gboolean nook_exec_join_open (pid_t pid, const char *id, NookExecJoin *join, GError **error);
void nook_exec_join_clear (NookExecJoin *join);

/* The process of an exec, from config (its process section being the exec's
 * process, already with the command line's overrides). */
NookContainer *nook_container_new_exec (const NookConfig *config,
                                        const NookContainerOptions *options,
                                        const NookExecJoin *join, gboolean use_terminal,
                                        gboolean use_filter_cache, GPtrArray *warnings,
                                        GError **error);

typedef struct
{
  gboolean detach;            /* return once the process runs */
  const char *console_socket; /* send the pty master there */
  /* Called with the process's pid once it is known (detached: once it
   * exec'd), for --pid-file; NULL: nothing to do. FALSE kills it. */
  NookCreatedFunc started;
  gpointer data;
} NookExecOptions;

/* Starts the process in the container and, unless detached, waits for it
 * (signals forwarded, terminal proxied); *out_status as for run. */
gboolean nook_container_exec (NookContainer *c, const NookExecJoin *join, const NookExecOptions *o,
                              int *out_status, GError **error);
