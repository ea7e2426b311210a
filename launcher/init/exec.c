/* nook exec, child side: entering a running container.
 *
 * At entry the child (A) shares nook's memory, nook waiting meanwhile
 * (container/exec.c), and has nook's namespaces, user and capabilities: it
 * must not return, and what it writes is nook's. It joins the container's
 * namespaces (the user namespace first: it grants the capabilities the
 * others need), then, when the container has a pid namespace of its own,
 * clones the process (B) into it as a child of nook (CLONE_PARENT),
 * sharing that memory too until B's execve, reports B's pid and exits. B
 * runs the same process steps as the container's init did, from the
 * terminal on, and execve()s. The parent prepared it all, except what only
 * the container's own files can tell: -u NAME[:GROUP] and HOME
 * (lookup_user). */
#include "launcher/clone.h"
#include "launcher/container/userdb.h"
#include "launcher/init/init.h"
#include "launcher/init/session-keyring.h"
#include "launcher/init/step.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

typedef struct
{
  const char *name;
  int (*run) (NookInit *init);
} NookExecStep;

/* The tail of init's steps (init.c), in the same order: the container's
 * mounts, hostname and so on are already there to be joined. */
static const NookExecStep steps[] = {
  { "terminal", nook_init_step_terminal },
  { "rlimits", nook_init_step_rlimits },
  { "seccomp-privileged", nook_init_step_seccomp_privileged },
  { "cwd", nook_init_step_cwd },
  { "capability-bounding", nook_init_step_bounding },
  { "user", nook_init_step_user },
  { "capabilities", nook_init_step_capabilities },
  { "no-new-privileges", nook_init_step_no_new_privs },
  { "seccomp", nook_init_step_seccomp },
};

static G_GNUC_NORETURN void
report_and_exit (NookInit *init, const char *step)
{
  snprintf (init->error.step, sizeof (init->error.step), "%s", step);
  nook_sync_send (init->sock, &init->error, -1);
  _exit (125);
}

/* Kernels before 5.8 take only namespace fds: open them all first (the
 * container's /proc is not nook's once the mount namespace is joined),
 * then join, the user namespace first. */
static int
join_by_paths (NookInit *init, const NookExecJoin *join)
{
  int fds[NOOK_NS_COUNT];
  int r = 0;

  for (int i = 0; i < NOOK_NS_COUNT; i++)
    {
      fds[i] = join->ns_paths[i][0] ? open (join->ns_paths[i], O_RDONLY | O_CLOEXEC) : -1;
      if (join->ns_paths[i][0] && fds[i] < 0)
        r = nook_init_fail (init, errno, "open %s", join->ns_paths[i]);
    }
  for (int i = 0; r == 0 && i < NOOK_NS_COUNT; i++)
    if (fds[i] >= 0 && setns (fds[i], 0) < 0)
      r = nook_init_fail (init, errno, "joining %s", join->ns_paths[i]);
  for (int i = 0; i < NOOK_NS_COUNT; i++)
    if (fds[i] >= 0)
      close (fds[i]);
  return r;
}

static int
join_namespaces (NookInit *init, const NookExecJoin *join)
{
  int r;

  /* Until execve the process must not be ptrace-able from the container:
   * it still holds nook's capabilities and has no filter yet. */
  if (prctl (PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
    return nook_init_fail (init, errno, "PR_SET_DUMPABLE");
  /* As the container's init does: not nook's session keyring, whose keys
   * (the filter store's secret among them) its possessor could read. */
  r = nook_session_keyring_new ();
  if (r < 0)
    return nook_init_fail (init, -r, "joining a new session keyring");
  if (join->ns_flags == 0)
    return 0;
  /* One call joins them all, in the kernel's order, and the pidfd pins the
   * process: no pid reuse between nook's look and the join. */
  if (join->pidfd >= 0 && setns (join->pidfd, join->ns_flags) == 0)
    return 0;
  if (join->pidfd >= 0 && errno != EINVAL)
    return nook_init_fail (init, errno, "joining the namespaces of process %d", (int)join->pid);
  return join_by_paths (init, join);
}

/* What B runs: the process's steps, then execve. */
typedef struct
{
  NookInit *init;
  NookContainer *container;
  const NookExecJoin *join;
} NookExecProcess;

static G_GNUC_NORETURN int run_process (void *data);

/* setns(CLONE_NEWPID) only places children in the pid namespace. B is
 * made nook's child: nook waits for it and signals it directly.
 *
 * B shares A's memory until its execve (nook_clone_vfork): the copy of
 * A's page tables, the copy-on-write faults of B's steps and the teardown
 * of that copy at execve cost 0.12 ms of every exec. A only waits
 * meanwhile and exits right after, so nothing B writes is read again; B's
 * messages (its pty, an error) reach nook before its pid, which
 * nook_container_exec expects. A fork that fails answers with its own
 * errno: ENOMEM when the namespace's init is gone. */
static G_GNUC_NORETURN void
fork_into_pid_namespace (NookExecProcess *process)
{
  NookInit *init = process->init;
  NookSyncMsg msg = { .type = NOOK_SYNC_PID };
  pid_t pid;

  if (!(process->join->ns_flags & CLONE_NEWPID))
    run_process (process);
  pid = nook_clone_vfork (run_process, process, CLONE_PARENT | SIGCHLD, process->join->fork_only);
  if (pid < 0)
    {
      /* ENOMEM: the namespace's init is gone, the container stopped. */
      nook_init_fail (init, errno == ENOMEM ? 0 : errno, "fork into the pid namespace%s",
                      errno == ENOMEM ? ": the container is no longer running" : "");
      report_and_exit (init, "pid-namespace");
    }
  msg.pid = pid;
  nook_sync_send (init->sock, &msg, -1);
  _exit (0);
}

/* nook enter without COMMAND: argv[0] is the user's shell, when the
 * container has it ("/bin/sh -l" otherwise). */
static void
login_shell (NookContainer *c, const char *passwd)
{
  g_autofree char *shell = nook_userdb_find_shell (passwd, c->uid);

  if (shell == NULL || access (shell, X_OK) < 0)
    return;
  /* The copies are the child's own; execve is next. */
  c->argv = g_strdupv (c->argv);
  g_free (c->argv[0]);
  c->argv[0] = g_steal_pointer (&shell);
}

/* -u NAME[:GROUP] and HOME from the container's /etc/passwd and
 * /etc/group as the container sees them now, its own changes included: the
 * mount namespace is joined, so "/" is its root. */
static int
lookup_user (NookInit *init, NookContainer *c, const NookExecJoin *join)
{
  g_autofree char *passwd = NULL;
  g_autofree char *group = NULL;
  g_autofree char *home = NULL;
  int rootfd;

  if (join->user_name == NULL && join->group_name == NULL && !join->set_home && !join->login_shell)
    return 0;
  rootfd = open ("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
  passwd = nook_userdb_read (rootfd, "etc/passwd");
  if (join->group_name != NULL)
    group = nook_userdb_read (rootfd, "etc/group");
  if (rootfd >= 0)
    close (rootfd);
  if (join->user_name != NULL
      && (passwd == NULL
          || !nook_userdb_find_user (passwd, join->user_name, &c->uid,
                                     join->user_group_given ? NULL : &c->gid, &home)))
    return nook_init_fail (init, 0, "--user %s: no user \"%s\" in the container's /etc/passwd",
                           join->user_spec, join->user_name);
  if (join->group_name != NULL
      && (group == NULL || !nook_userdb_find_group (group, join->group_name, &c->gid)))
    return nook_init_fail (init, 0, "--user %s: no group \"%s\" in the container's /etc/group",
                           join->user_spec, join->group_name);
  if (join->login_shell && passwd != NULL)
    login_shell (c, passwd);
  if (!join->set_home)
    return 0;
  if (home == NULL && passwd != NULL)
    {
      guint32 uid = c->uid;

      nook_userdb_find_user (passwd, NULL, &uid, NULL, &home);
    }
  /* The copy is the child's own; execve is next. */
  c->envp = g_environ_setenv (g_strdupv (c->envp), "HOME", home ? home : "/", TRUE);
  return 0;
}

static int
run_process (void *data)
{
  NookExecProcess *process = data;
  NookInit *init = process->init;
  NookContainer *container = process->container;
  const NookExecJoin *join = process->join;
  NookConfig with_cwd;

  if (lookup_user (init, container, join) < 0)
    report_and_exit (init, "user");
  /* nook enter from a directory the container does not have (the mount
   * namespace is joined: this is the container's view). */
  if (join->cwd_fallback != NULL && access (container->config->process.cwd, F_OK) < 0)
    {
      with_cwd = *container->config;
      with_cwd.process.cwd = access (join->cwd_fallback, F_OK) == 0 ? join->cwd_fallback : "/";
      init->config = &with_cwd;
    }

  for (size_t i = 0; i < G_N_ELEMENTS (steps); i++)
    if (steps[i].run (init) < 0)
      report_and_exit (init, steps[i].name);

  nook_init_exec (init);
  report_and_exit (init, "exec");
}

void
nook_init_exec_main (NookContainer *container, const NookExecJoin *join, int sock)
{
  NookInit init = {
    .container = container,
    .config = container->config,
    .sock = sock,
    .rootfd = -1,
    .pty_master = -1,
    .pty_slave = -1,
  };
  NookExecProcess process = { &init, container, join };

  init.error.type = NOOK_SYNC_ERROR;
  if (join_namespaces (&init, join) < 0)
    report_and_exit (&init, "join-namespaces");
  fork_into_pid_namespace (&process);
}
