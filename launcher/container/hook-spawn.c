/* nook: one hook: clone, exec, wait with a timeout. Allocation-free, for
 * the container's init as much as for the parent. */
#include "launcher/container/hook-spawn.h"
#include "launcher/clone.h"
#include "launcher/fds.h"
#include "launcher/proc-ref.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* In the new process: what execve needs, then execve. Only syscalls. */
static G_GNUC_NORETURN void
exec_hook (const NookHook *hook, int stdin_fd, int err_pipe)
{
  sigset_t none;
  int err;

  /* The parent blocks the signals it forwards; the hook must not inherit
   * that. */
  sigemptyset (&none);
  sigprocmask (SIG_SETMASK, &none, NULL);
  if (stdin_fd >= 0 && stdin_fd != STDIN_FILENO)
    dup2 (stdin_fd, STDIN_FILENO);
  else if (stdin_fd < 0)
    {
      int null = open ("/dev/null", O_RDONLY);

      if (null > STDIN_FILENO)
        {
          dup2 (null, STDIN_FILENO);
          close (null);
        }
    }
  /* One memfd serves every hook of a kind, and they share its offset. */
  lseek (STDIN_FILENO, 0, SEEK_SET);
  /* Nothing of nook's (sync socket, namespace fds, the pty) reaches the
   * hook; err_pipe is close-on-exec already. */
  nook_fds_cloexec_from (3);
  execve (hook->path, hook->args, hook->env);
  err = errno;
  while (write (err_pipe, &err, sizeof err) < 0 && errno == EINTR)
    ;
  _exit (127);
}

/* 0 when the exec went through, else the errno the new process sent. */
static int
read_exec_error (int err_pipe)
{
  int err = 0;
  ssize_t n;

  do
    n = read (err_pipe, &err, sizeof err);
  while (n < 0 && errno == EINTR);
  return n == (ssize_t)sizeof err ? err : 0;
}

int
nook_hook_spawn (const NookHook *hook, int stdin_fd, NookHookResult *result)
{
  int err_pipe[2];
  pid_t pid;

  memset (result, 0, sizeof *result);
  if (pipe2 (err_pipe, O_CLOEXEC) < 0)
    {
      result->err = errno;
      return -1;
    }
  /* Like fork(), without glibc's atfork handlers: the container's init was
   * itself made by a raw clone(). */
  pid = nook_raw_clone (SIGCHLD);
  if (pid == 0)
    {
      close (err_pipe[0]);
      exec_hook (hook, stdin_fd, err_pipe[1]);
    }
  close (err_pipe[1]);
  if (pid < 0)
    {
      result->err = errno;
      close (err_pipe[0]);
      return -1;
    }
  result->err = read_exec_error (err_pipe[0]);
  close (err_pipe[0]);

  /* Without pidfds (before Linux 5.3, or a seccomp filter denying them)
   * nook_child_wait polls: the timeout holds either way. */
  if (hook->timeout > 0 && result->err == 0
      && !nook_child_wait (pid, (int)MIN (hook->timeout, (guint)G_MAXINT / 1000) * 1000,
                           &result->wait_status))
    {
      kill (pid, SIGKILL);
      result->timed_out = 1;
    }
  if (hook->timeout == 0 || result->err != 0 || result->timed_out)
    while (waitpid (pid, &result->wait_status, 0) < 0 && errno == EINTR)
      ;
  if (result->err != 0 || result->timed_out)
    return -1;
  return WIFEXITED (result->wait_status) && WEXITSTATUS (result->wait_status) == 0 ? 0 : -1;
}

void
nook_hook_describe (char *buf, size_t size, NookHookKind kind, unsigned int index,
                    const NookHook *hook, const NookHookResult *result)
{
  int len
      = snprintf (buf, size, "hooks.%s[%u] (%s): ", nook_hook_kind_name (kind), index, hook->path);
  size_t off = len < 0 ? 0 : (size_t)len < size ? (size_t)len : size;
  const int st = result->wait_status;

  if (result->err != 0)
    snprintf (buf + off, size - off, "cannot execute: %s", strerror (result->err));
  else if (result->timed_out)
    snprintf (buf + off, size - off, "timed out after %u s (killed)", hook->timeout);
  else if (WIFSIGNALED (st))
    snprintf (buf + off, size - off, "killed by signal %d (SIG%s)", WTERMSIG (st),
              sigabbrev_np (WTERMSIG (st)) ? sigabbrev_np (WTERMSIG (st)) : "?");
  else
    snprintf (buf + off, size - off, "exited with status %d", WEXITSTATUS (st));
}
