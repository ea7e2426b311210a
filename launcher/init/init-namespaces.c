/* nook: joining namespaces by path, in the child.
 *
 * Normally clone() already created every new namespace and nothing is left
 * to do but join those listed with a path. Two cases need more:
 * - the user namespace is joined by path (podman's pods): the new namespaces
 *   must belong to that user namespace, so clone() created none; the child
 *   joins it, then unshares the rest here;
 * - the container's pid namespace is joined by path, or created after the
 *   user namespace was joined: setns/unshare(CLONE_NEWPID) only affect
 *   children, so the child forks once more. The intermediate process stays
 *   outside, relays signals to the container process and exits as it does. */
#include "launcher/clone.h"
#include "launcher/init/step.h"

#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static const int relayed_signals[] = {
  SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH,
};

static volatile pid_t relay_pid;

static void
relay_signal (int sig)
{
  kill (relay_pid, sig);
}

static G_GNUC_NORETURN void
relay_until_exit (pid_t pid)
{
  struct sigaction sa = { .sa_handler = relay_signal, .sa_flags = SA_RESTART };
  int status;

  relay_pid = pid;
  for (size_t i = 0; i < G_N_ELEMENTS (relayed_signals); i++)
    sigaction (relayed_signals[i], &sa, NULL);

  while (waitpid (pid, &status, 0) < 0)
    if (errno != EINTR)
      _exit (125);
  if (WIFEXITED (status))
    _exit (WEXITSTATUS (status));

  /* Die of the same signal, so nook reports 128+N. */
  signal (WTERMSIG (status), SIG_DFL);
  kill (getpid (), WTERMSIG (status));
  _exit (128 + WTERMSIG (status));
}

static int
fork_into_pid_namespace (NookInit *init)
{
  pid_t pid;

  /* The intermediate dies with nook, like the container process. */
  if (prctl (PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0)
    return nook_init_fail (init, errno, "PR_SET_PDEATHSIG");
  pid = nook_raw_clone (SIGCHLD);
  if (pid < 0)
    return nook_init_fail (init, errno, "fork into the pid namespace");
  if (pid == 0)
    return 0;
  /* Only the container process may hold the sync socket: its close on
   * execve is how nook learns the process started. */
  close (init->sock);
  relay_until_exit (pid);
}

static int
join (NookInit *init, NookNsType type)
{
  int fd = init->container->ns_fds[type];

  if (fd < 0)
    return 0;
  if (setns (fd, nook_ns_type_clone_flag (type)) < 0)
    return nook_init_fail (init, errno, "joining %s namespace %s", nook_ns_type_name (type),
                           init->config->namespaces[type].path);
  close (fd);
  return 1;
}

int
nook_init_step_namespaces (NookInit *init)
{
  const NookContainer *c = init->container;
  int late_flags = c->clone_flags & ~c->clone_now_flags;
  gboolean new_pid_late = (late_flags & CLONE_NEWPID) != 0;
  int joined_pid;

  /* The user namespace first: it grants the capabilities the others need. */
  if (join (init, NOOK_NS_USER) < 0)
    return -1;
  for (int i = 0; i < NOOK_NS_COUNT; i++)
    if (i != NOOK_NS_USER && i != NOOK_NS_PID && join (init, i) < 0)
      return -1;
  if ((late_flags & ~CLONE_NEWPID) != 0 && unshare (late_flags & ~CLONE_NEWPID) < 0)
    return nook_init_fail (init, errno, "creating namespaces in the joined user namespace");

  joined_pid = join (init, NOOK_NS_PID);
  if (joined_pid < 0)
    return -1;
  if (new_pid_late && unshare (CLONE_NEWPID) < 0)
    return nook_init_fail (init, errno, "creating the pid namespace");
  if (joined_pid > 0 || new_pid_late)
    return fork_into_pid_namespace (init);
  return 0;
}
