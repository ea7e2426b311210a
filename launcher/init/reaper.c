/* nook-init: the container's PID 1 in front of its process (nook run's
 * default; --init for create and runc's run).
 *
 * The first process of a pid namespace gets only the signals it has a
 * handler for, and every orphan of the namespace becomes its child. A
 * shell or a sleep as PID 1 ignores the SIGTERM and SIGINT nook forwards,
 * dies of no self-sent signal, and never reaps what it did not start.
 * This program is what tini and catatonit are: it forwards every signal it
 * gets to the process, reaps every child, and exits as the process did
 * (its exit code, or 128+N when signal N killed it).
 *
 * How it gets here (launcher/init/init-process.c): the container's set-up
 * process ran every step, seccomp filter included, then forked; the child
 * goes on to execve the container's process, the parent execs this file
 * (opened by nook on the host) with the child's pid as its one argument,
 * all signals blocked and no descriptor open. So PID 1 is under the same
 * filter, capabilities, user and no_new_privs as the process, and holds
 * nothing of nook's memory: nook's heap may hold what the filter store's
 * secret derives, and a PID 1 that stayed a fork of nook could be read
 * through /proc/1/mem by the process it serves.
 *
 * Linked statically: it runs inside the container's root, which need not
 * have a dynamic loader. No allocation, no output. */
#include <errno.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

/* The status nook reports for the container: what a shell would say. */
static int
shell_status (int status)
{
  if (WIFEXITED (status))
    return WEXITSTATUS (status);
  if (WIFSIGNALED (status))
    return 128 + WTERMSIG (status);
  return 125;
}

static pid_t
parse_pid (const char *text)
{
  long n = 0;

  if (text == NULL || *text == '\0')
    return -1;
  for (; *text; text++)
    {
      if (*text < '0' || *text > '9' || n > 0x7fffffff / 10)
        return -1;
      n = n * 10 + (*text - '0');
    }
  return (pid_t)n;
}

/* Reaps every child that has exited; exits when the process is among
 * them. The others (orphans of the namespace) are only collected. */
static void
reap (pid_t child)
{
  int status;
  pid_t pid;

  while ((pid = waitpid (-1, &status, WNOHANG)) > 0)
    if (pid == child)
      _exit (shell_status (status));
  /* ECHILD: the process is gone and was reaped: nothing more to wait for. */
  if (pid < 0 && errno == ECHILD)
    _exit (125);
}

int
main (int argc, char **argv)
{
  pid_t child = argc == 2 ? parse_pid (argv[1]) : -1;
  struct sigaction dfl = { .sa_handler = SIG_DFL };
  sigset_t all;

  if (child <= 0)
    return 125;
  /* Blocked already (nook blocked them before the fork, and execve keeps
   * the mask and what is pending): a signal sent between the fork and now
   * waits here rather than being lost. SIGKILL and SIGSTOP cannot be. */
  sigfillset (&all);
  sigprocmask (SIG_SETMASK, &all, NULL);
  /* An ignored SIGCHLD would reap the children behind our back. Setting
   * it to SIG_DFL discards a pending SIGCHLD (its default is to ignore
   * it): whoever exited before that is reaped now. */
  sigaction (SIGCHLD, &dfl, NULL);
  reap (child);

  for (;;)
    {
      siginfo_t info;
      int sig = sigwaitinfo (&all, &info);

      if (sig < 0)
        {
          if (errno == EINTR)
            continue;
          /* A filter that refuses rt_sigtimedwait: no signal can be
           * forwarded, but children are still reaped. */
          for (;;)
            {
              int status;
              pid_t pid = waitpid (-1, &status, 0);

              if (pid == child)
                _exit (shell_status (status));
              if (pid < 0 && errno != EINTR)
                _exit (125);
            }
        }
      if (sig == SIGCHLD)
        reap (child);
      else
        kill (child, sig);
    }
}
