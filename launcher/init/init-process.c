/* nook: the last set-up step with an init (nook run's default, --init):
 * PID 1 of the container's pid namespace becomes nook-init
 * (launcher/init/reaper.c says what it does and why it is a program of
 * its own), its child the container's process.
 *
 * It runs after the seccomp step, so that both sides carry the filter,
 * the capabilities, the user and no_new_privs: PID 1 is never a process
 * the container could trace to get round them. The fork's child returns
 * to init.c, which execve()s the process; the parent execs nook-init. The
 * sync socket is close-on-exec on both sides: nook sees it close once
 * both have exec'd, and an error of either arrives before. */
#include "launcher/clone.h"
#include "launcher/fds.h"
#include "launcher/init/step.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <termios.h>
#include <unistd.h>

/* The child: with a terminal, a process group of its own in the
 * terminal's foreground, as tini does, so that Ctrl-C reaches the process
 * (or its shell's foreground job) and not PID 1. SIGTTOU, which
 * tcsetpgrp from a background group raises, is still blocked here. */
static int
become_process (NookInit *init, const sigset_t *old)
{
  if (init->container->use_terminal)
    {
      if (setpgid (0, 0) < 0)
        return nook_init_fail (init, errno, "setpgid");
      if (tcsetpgrp (STDIN_FILENO, getpid ()) < 0)
        return nook_init_fail (init, errno, "giving the terminal to the process");
    }
  sigprocmask (SIG_SETMASK, old, NULL);
  return 0;
}

/* PID 1: nothing of nook's may stay open in it (the state's and the
 * layer's locks, the process's stdio, the pty), hence every descriptor
 * close-on-exec; execveat of the fd nook opened on the host, or its
 * /proc/self/fd path under a filter that knows only execve. */
static G_GNUC_NORETURN void
become_init (NookInit *init, pid_t child)
{
  char pid_text[16], fd_path[NOOK_FD_PATH_MAX];
  char *argv[] = { (char *)"nook-init", pid_text, NULL };
  char *envp[] = { NULL };
  int fd = init->container->init_fd;

  snprintf (pid_text, sizeof pid_text, "%d", (int)child);
  nook_fds_cloexec_from (0);
  syscall (SYS_execveat, fd, "", argv, envp, AT_EMPTY_PATH);
  nook_init_fd_path (fd_path, fd);
  execve (fd_path, argv, envp);
  nook_init_fail (init, errno, "starting the container's init (nook-init; --no-init runs without)");
  kill (child, SIGKILL);
  nook_sync_send (init->sock, &init->error, -1);
  _exit (125);
}

int
nook_init_step_init_process (NookInit *init)
{
  const NookContainer *c = init->container;
  sigset_t all, old;
  pid_t pid;

  if (c->init_fd < 0)
    return 0;
  /* PID 1 dies with nook, and the namespace with it; the child's own
   * parent-death signal (set before its execve) is tied to PID 1. */
  if (!c->detached && prctl (PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0)
    return nook_init_fail (init, errno, "PR_SET_PDEATHSIG");
  /* From here every signal waits for nook-init, which forwards it. */
  sigfillset (&all);
  sigprocmask (SIG_SETMASK, &all, &old);
  pid = nook_raw_clone (SIGCHLD);
  if (pid < 0)
    {
      int err = errno;

      sigprocmask (SIG_SETMASK, &old, NULL);
      return nook_init_fail (init, err, "fork of the container's process (--no-init runs without)");
    }
  if (pid == 0)
    return become_process (init, &old);
  become_init (init, pid);
}
