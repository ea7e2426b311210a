/* nook: a child that works as root in a fresh user namespace
 * (userns-child.h). */
#include "launcher/container/userns-child.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "launcher/errors.h"

/* The child's byte on report once it has unshared. Its failure before
 * that is text, which never starts with it. */
#define UNSHARED 'U'

static G_GNUC_NORETURN void
child_main (NookUsernsChildFlags flags, NookUsernsChildFunc work, gpointer data, int go_fd,
            int report_fd)
{
  char c = UNSHARED;

  if (flags & NOOK_USERNS_CHILD_UNBLOCK_SIGNALS)
    {
      sigset_t all;

      sigfillset (&all);
      sigprocmask (SIG_UNBLOCK, &all, NULL);
    }
  if (unshare (CLONE_NEWUSER) < 0)
    {
      dprintf (report_fd, "%sunshare(CLONE_NEWUSER): %s%s",
               flags & NOOK_USERNS_CHILD_ERROR_LINE ? "error " : "", g_strerror (errno),
               flags & NOOK_USERNS_CHILD_ERROR_LINE ? "\n" : "");
      _exit (1);
    }
  if (write (report_fd, &c, 1) != 1)
    _exit (1);
  /* EOF without a byte: the parent failed to write the maps. */
  if (read (go_fd, &c, 1) != 1)
    _exit (1);
  _exit (work (data, report_fd));
}

/* Everything the child writes on fd until it closes it (exits). */
static char *
read_all (int fd)
{
  GString *text = g_string_new (NULL);
  char buf[4096];
  ssize_t n;

  for (;;)
    {
      n = read (fd, buf, sizeof buf);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        break;
      g_string_append_len (text, buf, n);
    }
  return g_string_free (text, FALSE);
}

static int
wait_child (pid_t pid)
{
  int status = 0;

  while (waitpid (pid, &status, 0) < 0)
    if (errno != EINTR)
      return -1;
  return status;
}

static gboolean
errno_failure (GError **error, int errsv, const char *what)
{
  g_set_error (error, NOOK_ERROR, NOOK_ERROR_FAILED, "%s: %s", what, g_strerror (errsv));
  return FALSE;
}

gboolean
nook_userns_child_run (const NookIdMapPlan *plan, NookUsernsChildFlags flags,
                       NookUsernsChildFunc work, gpointer data, char **out_report, int *out_status,
                       GError **error)
{
  int go[2], report[2], errsv;
  g_autofree char *text = NULL;
  gboolean unshared;
  ssize_t n;
  pid_t pid;
  char c = 0;

  if (pipe2 (go, O_CLOEXEC) < 0)
    return errno_failure (error, errno, "pipe");
  if (pipe2 (report, O_CLOEXEC) < 0)
    {
      errsv = errno;
      close (go[0]);
      close (go[1]);
      return errno_failure (error, errsv, "pipe");
    }
  pid = fork ();
  if (pid == 0)
    {
      close (go[1]);
      close (report[0]);
      child_main (flags, work, data, go[0], report[1]);
    }
  errsv = errno;
  close (go[0]);
  close (report[1]);
  if (pid < 0)
    {
      close (go[1]);
      close (report[0]);
      return errno_failure (error, errsv, "fork");
    }
  /* The maps can be written only once the child has unshared. */
  do
    n = read (report[0], &c, 1);
  while (n < 0 && errno == EINTR);
  unshared = n == 1 && c == UNSHARED;
  if (unshared && !nook_idmap_write (pid, plan, error))
    {
      close (go[1]);
      close (report[0]);
      wait_child (pid);
      return FALSE;
    }
  /* Unsent, the child reads EOF and fails. */
  if (unshared)
    (void)!write (go[1], "", 1);
  close (go[1]);
  text = read_all (report[0]);
  close (report[0]);
  *out_status = wait_child (pid);
  /* A byte read before the text is the text's own first byte. */
  if (!unshared && n == 1)
    {
      g_autofree char *whole = g_strdup_printf ("%c%s", c, text);

      g_free (text);
      text = g_steal_pointer (&whole);
    }
  *out_report = g_steal_pointer (&text);
  return TRUE;
}
