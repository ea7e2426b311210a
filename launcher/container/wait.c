/* nook: waiting for a container's process: signals forwarded, the pty
 * proxied or handed over, errors from the child collected. Shared by
 * launch.c (run) and exec-launch.c (exec). */
#include "launcher/container/wait.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "launcher/errors.h"
#include "launcher/log.h"

static const int forwarded_signals[] = {
  SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH,
};

gboolean
nook_launch_block_signals (NookLaunch *l, GError **error)
{
  sigset_t set;

  sigemptyset (&set);
  for (gsize i = 0; i < G_N_ELEMENTS (forwarded_signals); i++)
    sigaddset (&set, forwarded_signals[i]);
  sigaddset (&set, SIGCHLD);
  if (sigprocmask (SIG_BLOCK, &set, &l->old_mask) < 0)
    {
      g_set_error (error, NOOK_ERROR, NOOK_ERROR_FAILED, "blocking signals: %s",
                   g_strerror (errno));
      return FALSE;
    }
  /* Without it neither the child's exit nor a signal would ever wake the
   * wait: fail now rather than hang. */
  l->sigfd = signalfd (-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
  if (l->sigfd < 0)
    {
      g_set_error (error, NOOK_ERROR, NOOK_ERROR_FAILED, "signalfd: %s", g_strerror (errno));
      return FALSE;
    }
  return TRUE;
}

void
nook_launch_clear (NookLaunch *l)
{
  nook_terminal_restore (&l->term);
  if (l->pid > 0 && !l->exited && !l->detached)
    {
      /* Setup failed in the parent: the child must not outlive it. */
      kill (l->pid, SIGKILL);
      while (waitpid (l->pid, NULL, 0) < 0 && errno == EINTR)
        ;
    }
  if (l->sock >= 0)
    close (l->sock);
  if (l->sigfd >= 0)
    close (l->sigfd);
  if (l->pty >= 0)
    close (l->pty);
  if (l->console >= 0)
    close (l->console);
  sigprocmask (SIG_SETMASK, &l->old_mask, NULL);
}

static void
got_pty (NookLaunch *l, int fd)
{
  int r;

  if (l->console >= 0)
    {
      /* conmon (or another engine) owns the terminal from here. */
      r = nook_terminal_send_console (l->console, fd);
      if (r < 0 && l->console_err == 0)
        l->console_err = -r;
      close (fd);
      return;
    }
  l->pty = fd;
  fcntl (fd, F_SETFL, fcntl (fd, F_GETFL) | O_NONBLOCK);
  if (isatty (STDIN_FILENO))
    {
      nook_terminal_copy_winsize (STDIN_FILENO, fd);
      /* A failure leaves the terminal cooked: still usable, not worth failing for. */
      nook_terminal_enter_raw (&l->term, STDIN_FILENO, NULL);
      l->stdin_open = TRUE;
    }
}

void
nook_launch_handle_sync (NookLaunch *l)
{
  NookSyncMsg msg;
  int fd = -1;
  int r = nook_sync_recv (l->sock, &msg, &fd);

  if (r < 0)
    {
      /* EOF: the child exec'd (the socket is close-on-exec) or died. */
      close (l->sock);
      l->sock = -1;
      if (l->error.type == 0 && l->hooks != NULL && l->hooks->started != NULL)
        l->hooks->started (l->hooks, l->pid);
      return;
    }
  if (msg.type == NOOK_SYNC_PTY && fd >= 0)
    {
      got_pty (l, fd);
      return;
    }
  /* Only the pty comes with a descriptor: any other is closed. */
  if (fd >= 0)
    close (fd);
  if ((msg.type == NOOK_SYNC_ERROR || msg.type == NOOK_SYNC_EXEC_ERROR
       || msg.type == NOOK_SYNC_HOOK_ERROR)
      && l->error.type == 0)
    l->error = msg;
  else if (msg.type == NOOK_SYNC_PID)
    l->reported_pid = msg.pid;
  /* The child cannot print (it does not allocate, and its stderr may be
   * the container's by then): the parent does. */
  else if (msg.type == NOOK_SYNC_WARNING)
    nook_log_warning ("%s", msg.msg);
}

static void
handle_signals (NookLaunch *l)
{
  struct signalfd_siginfo si;

  while (read (l->sigfd, &si, sizeof (si)) == sizeof (si))
    {
      if (si.ssi_signo == SIGCHLD)
        {
          if (!l->exited && waitpid (l->pid, &l->wait_status, WNOHANG) == l->pid)
            l->exited = TRUE;
        }
      else if (si.ssi_signo == SIGWINCH && l->pty >= 0)
        nook_terminal_copy_winsize (STDIN_FILENO, l->pty);
      else if (!l->exited)
        kill (l->pid, si.ssi_signo);
    }
}

static void
drain_pty (NookLaunch *l)
{
  if (l->pty < 0)
    return;
  while (nook_terminal_pump (l->pty, STDOUT_FILENO))
    {
      struct pollfd p = { .fd = l->pty, .events = POLLIN };
      if (poll (&p, 1, 0) <= 0)
        break;
    }
}

gboolean
nook_launch_wait (NookLaunch *l, GError **error)
{
  while (!l->exited)
    {
      struct pollfd fds[4];
      nfds_t n = 0;
      int i_sock = -1, i_sig, i_in = -1, i_pty = -1;

      if (l->sock >= 0)
        fds[i_sock = n++] = (struct pollfd){ .fd = l->sock, .events = POLLIN };
      fds[i_sig = n++] = (struct pollfd){ .fd = l->sigfd, .events = POLLIN };
      if (l->pty >= 0 && l->stdin_open)
        fds[i_in = n++] = (struct pollfd){ .fd = STDIN_FILENO, .events = POLLIN };
      if (l->pty >= 0)
        fds[i_pty = n++] = (struct pollfd){ .fd = l->pty, .events = POLLIN };

      if (poll (fds, n, -1) < 0)
        {
          if (errno == EINTR)
            continue;
          g_set_error (error, NOOK_ERROR, NOOK_ERROR_FAILED, "poll: %s", g_strerror (errno));
          return FALSE;
        }
      if (i_sock >= 0 && fds[i_sock].revents)
        nook_launch_handle_sync (l);
      if (fds[i_sig].revents)
        handle_signals (l);
      if (i_in >= 0 && fds[i_in].revents && !nook_terminal_pump (STDIN_FILENO, l->pty))
        l->stdin_open = FALSE;
      if (i_pty >= 0 && fds[i_pty].revents && !nook_terminal_pump (l->pty, STDOUT_FILENO))
        {
          close (l->pty);
          l->pty = -1;
        }
    }

  /* Output written just before the exit may still sit in the pty; errors
   * sent just before the exit may still sit in the socket. */
  drain_pty (l);
  while (l->sock >= 0)
    nook_launch_handle_sync (l);
  return TRUE;
}

gboolean
nook_launch_child_error (const NookSyncMsg *msg, GError **error)
{
  if (msg->type == NOOK_SYNC_EXEC_ERROR)
    {
      int code = msg->err == ENOENT || msg->err == ENOTDIR ? NOOK_ERROR_EXEC_NOT_FOUND
                                                           : NOOK_ERROR_EXEC_DENIED;
      g_set_error (error, NOOK_ERROR, code, "%s", msg->msg);
      return FALSE;
    }
  /* "hooks.createContainer[0] (PATH): ..." names what failed already. */
  if (msg->type == NOOK_SYNC_HOOK_ERROR)
    {
      g_set_error (error, NOOK_ERROR, NOOK_ERROR_FAILED, "%s", msg->msg);
      return FALSE;
    }
  g_set_error (error, NOOK_ERROR, NOOK_ERROR_FAILED, "%s: %s", msg->step, msg->msg);
  return FALSE;
}

gboolean
nook_launch_result (const NookLaunch *l, int *out_status, GError **error)
{
  if (l->error.type != 0)
    return nook_launch_child_error (&l->error, error);
  if (l->console_err != 0)
    {
      g_set_error (error, NOOK_ERROR, NOOK_ERROR_FAILED,
                   "sending the pty to the console socket: %s", g_strerror (l->console_err));
      return FALSE;
    }
  if (WIFSIGNALED (l->wait_status))
    *out_status = 128 + WTERMSIG (l->wait_status);
  else
    *out_status = WEXITSTATUS (l->wait_status);
  return TRUE;
}
