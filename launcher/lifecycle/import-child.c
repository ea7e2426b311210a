/* nook: the writing child of `nook import` (import.h).
 *
 *   parent                               child
 *   fork                   ------------> unshare(CLONE_NEWUSER)
 *   read "U" from report   <------------ write "U"
 *   newuidmap/newgidmap
 *   write a byte on go     ------------> read it: root in the namespace,
 *                                        every capability there
 *                                        work (storage/import-archive.c)
 *   read the report        <------------ "devices N", "warning N TEXT",
 *   wait                                 "error TEXT", exit
 *
 * The parent blocks on pipes, never on a clock. nook is single-threaded
 * here, so the child may allocate. */
#include "launcher/lifecycle/import.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "launcher/errors.h"

#define UNSHARED 'U'

static void
report_line (int fd, const char *key, const char *text)
{
  g_autofree char *flat = g_strdup (text ? text : "");

  g_strdelimit (flat, "\n", ' ');
  dprintf (fd, "%s %s\n", key, flat);
}

static G_GNUC_NORETURN void
child_main (int go_fd, int report_fd, NookImportWork work, gpointer data, NookImportWriter *writer)
{
  g_autoptr (GError) local = NULL;
  sigset_t all;
  char c = UNSHARED;

  /* The parent blocks what would stop it midway; this child may die of
   * them (Ctrl-C reaches the whole process group) and the parent cleans. */
  sigfillset (&all);
  sigprocmask (SIG_UNBLOCK, &all, NULL);
  if (unshare (CLONE_NEWUSER) < 0)
    {
      g_autofree char *why = g_strdup_printf ("unshare(CLONE_NEWUSER): %s", g_strerror (errno));

      report_line (report_fd, "error", why);
      _exit (1);
    }
  if (write (report_fd, &c, 1) != 1)
    _exit (1);
  /* EOF without a byte: the parent failed to write the maps. */
  if (read (go_fd, &c, 1) != 1)
    _exit (1);
  umask (022);
  if (!work (data, writer, &local))
    {
      report_line (report_fd, "error", local->message);
      _exit (1);
    }
  dprintf (report_fd, "devices %u\nunmapped %u\n", writer->devices_skipped,
           writer->unmapped_entries);
  if (writer->n_warnings > 0)
    {
      g_autofree char *key = g_strdup_printf ("warning %u", writer->n_warnings);

      report_line (report_fd, key, writer->first_warning);
    }
  _exit (0);
}

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

/* The child's report: its counts into writer, its error (or NULL). */
static char *
parse_report (const char *text, NookImportWriter *writer)
{
  g_auto (GStrv) lines = g_strsplit (text, "\n", -1);
  char *failure = NULL;

  for (guint i = 0; lines[i] != NULL; i++)
    {
      const char *l = lines[i];
      char *end;

      if (g_str_has_prefix (l, "error "))
        {
          g_free (failure);
          failure = g_strdup (l + strlen ("error "));
        }
      else if (g_str_has_prefix (l, "devices "))
        writer->devices_skipped = strtoul (l + strlen ("devices "), NULL, 10);
      else if (g_str_has_prefix (l, "unmapped "))
        writer->unmapped_entries = strtoul (l + strlen ("unmapped "), NULL, 10);
      else if (g_str_has_prefix (l, "warning "))
        {
          writer->n_warnings = strtoul (l + strlen ("warning "), &end, 10);
          g_free (writer->first_warning);
          writer->first_warning = g_strdup (*end == ' ' ? end + 1 : end);
        }
    }
  return failure;
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
errno_failure (GError **error, const char *what)
{
  g_set_error (error, NOOK_ERROR, NOOK_ERROR_FAILED, "%s: %s", what, g_strerror (errno));
  return FALSE;
}

gboolean
nook_import_run_child (const NookIdMapPlan *plan, const char *what, NookImportWork work,
                       gpointer data, NookImportWriter *writer, GError **error)
{
  int go[2], report[2], status;
  g_autofree char *text = NULL;
  g_autofree char *failure = NULL;
  gboolean unshared;
  ssize_t n;
  pid_t pid;
  char c = 0;

  if (pipe2 (go, O_CLOEXEC) < 0)
    return errno_failure (error, "pipe");
  if (pipe2 (report, O_CLOEXEC) < 0)
    {
      close (go[0]);
      close (go[1]);
      return errno_failure (error, "pipe");
    }
  pid = fork ();
  if (pid == 0)
    {
      close (go[1]);
      close (report[0]);
      child_main (go[0], report[1], work, data, writer);
    }
  close (go[0]);
  close (report[1]);
  if (pid < 0)
    {
      close (go[1]);
      close (report[0]);
      return errno_failure (error, "fork");
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
  if (unshared && write (go[1], "", 1) != 1)
    unshared = FALSE;
  close (go[1]);
  text = read_all (report[0]);
  close (report[0]);
  status = wait_child (pid);
  if (!unshared && n == 1)
    {
      g_autofree char *whole = g_strdup_printf ("%c%s", c, text);

      g_free (text);
      text = g_steal_pointer (&whole);
    }
  failure = parse_report (text, writer);
  if (failure != NULL)
    {
      g_set_error (error, NOOK_ERROR, NOOK_ERROR_FAILED, "%s", failure);
      return FALSE;
    }
  if (status >= 0 && WIFSIGNALED (status))
    {
      g_set_error (error, NOOK_ERROR, NOOK_ERROR_FAILED,
                   "%s: the importing process was killed (%s)", what,
                   g_strsignal (WTERMSIG (status)));
      return FALSE;
    }
  if (!unshared || status < 0 || !WIFEXITED (status) || WEXITSTATUS (status) != 0)
    {
      g_set_error (error, NOOK_ERROR, NOOK_ERROR_FAILED, "%s: the importing process failed", what);
      return FALSE;
    }
  return TRUE;
}
