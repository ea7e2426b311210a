/* nook: signalling and waiting for a process that is not nook's child.
 *
 * With pidfds (Linux 5.3+) the kernel pins the process: a signal through
 * the pidfd never reaches another process that got the pid, and poll says
 * when it exits. Without them (older kernels, a seccomp profile that
 * denies pidfd_open) the process is its pid and its start time in
 * /proc/PID/stat, read again before each signal: a pid reused by another
 * process has another start time. What is left is the window between
 * that read and kill(2), in which the process would have to exit, be
 * reaped and its pid be handed out again; waiting polls the start time. */
#include "launcher/proc-ref.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "storage/state.h"

/* How often a wait without a pidfd looks at /proc/PID/stat. */
#define POLL_INTERVAL_MS 10

gboolean
nook_proc_ref_open (NookProcRef *ref, pid_t pid, guint64 start_time)
{
  guint64 now;

  ref->pid = pid;
  ref->pidfd = -1;
  ref->start_time = 0;
  if (pid <= 0)
    return errno = ESRCH, FALSE;
  ref->pidfd = (int)syscall (SYS_pidfd_open, pid, 0);
  if (ref->pidfd < 0 && errno == ESRCH)
    return FALSE;
  /* Opened (or no pidfd to be had): is it still the process we mean? */
  now = nook_proc_start_time (pid);
  if (now == 0 || (start_time != 0 && now != start_time))
    {
      nook_proc_ref_clear (ref);
      return errno = ESRCH, FALSE;
    }
  ref->start_time = now;
  return TRUE;
}

int
nook_proc_ref_signal (const NookProcRef *ref, int signo)
{
  if (ref->pidfd >= 0)
    return (int)syscall (SYS_pidfd_send_signal, ref->pidfd, signo, NULL, 0);
  if (nook_proc_start_time (ref->pid) != ref->start_time)
    return errno = ESRCH, -1;
  return kill (ref->pid, signo);
}

static gint64
now_ms (void)
{
  return g_get_monotonic_time () / 1000;
}

gboolean
nook_proc_ref_wait_gone (const NookProcRef *ref, int timeout_ms)
{
  gint64 deadline = now_ms () + timeout_ms;

  if (ref->pidfd >= 0)
    {
      struct pollfd p = { .fd = ref->pidfd, .events = POLLIN };
      int n;

      do
        {
          gint64 left = timeout_ms < 0 ? -1 : MAX (deadline - now_ms (), 0);

          n = poll (&p, 1, (int)left);
        }
      while (n < 0 && errno == EINTR);
      return n > 0;
    }
  /* Not our child: nothing but /proc says when it exits. */
  for (;;)
    {
      struct timespec ts = { 0, POLL_INTERVAL_MS * 1000000L };

      if (nook_proc_start_time (ref->pid) != ref->start_time)
        return TRUE;
      if (timeout_ms >= 0 && now_ms () >= deadline)
        return FALSE;
      nanosleep (&ts, NULL);
    }
}

void
nook_proc_ref_clear (NookProcRef *ref)
{
  if (ref->pidfd >= 0)
    close (ref->pidfd);
  ref->pidfd = -1;
}

gboolean
nook_child_wait (pid_t pid, int timeout_ms, int *out_status)
{
  gint64 deadline = now_ms () + timeout_ms;
  int pidfd = (int)syscall (SYS_pidfd_open, pid, 0);

  if (pidfd >= 0)
    {
      struct pollfd p = { .fd = pidfd, .events = POLLIN };
      int n;

      do
        n = poll (&p, 1, (int)MAX (deadline - now_ms (), 0));
      while (n < 0 && errno == EINTR);
      close (pidfd);
      if (n == 0)
        return FALSE;
      while (waitpid (pid, out_status, 0) < 0 && errno == EINTR)
        ;
      return TRUE;
    }
  for (;;)
    {
      struct timespec ts = { 0, POLL_INTERVAL_MS * 1000000L };
      pid_t r = waitpid (pid, out_status, WNOHANG);

      if (r == pid || (r < 0 && errno != EINTR))
        return TRUE;
      if (now_ms () >= deadline)
        return FALSE;
      nanosleep (&ts, NULL);
    }
}
