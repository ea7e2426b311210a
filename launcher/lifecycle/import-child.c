/* nook: the writing child of `nook import` (import.h), run by
 * userns-child.h: root in a user namespace with the caller's maps, it
 * writes the files (storage/import-archive.c) and reports, a line each:
 *
 *   "devices N", "unmapped N", "warning N TEXT"   its writer's counts
 *   "error TEXT"                                  what failed */
#include "launcher/lifecycle/import.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "launcher/container/userns-child.h"
#include "launcher/errors.h"

typedef struct
{
  NookImportWork work;
  gpointer data;
  NookImportWriter *writer;
} Child;

static void
report_line (int fd, const char *key, const char *text)
{
  g_autofree char *flat = g_strdup (text ? text : "");

  g_strdelimit (flat, "\n", ' ');
  dprintf (fd, "%s %s\n", key, flat);
}

static int
child_work (gpointer data, int report_fd)
{
  Child *child = data;
  NookImportWriter *writer = child->writer;
  g_autoptr (GError) local = NULL;

  umask (022);
  if (!child->work (child->data, writer, &local))
    {
      report_line (report_fd, "error", local->message);
      return 1;
    }
  dprintf (report_fd, "devices %u\nunmapped %u\n", writer->devices_skipped,
           writer->unmapped_entries);
  if (writer->n_warnings > 0)
    {
      g_autofree char *key = g_strdup_printf ("warning %u", writer->n_warnings);

      report_line (report_fd, key, writer->first_warning);
    }
  return 0;
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

gboolean
nook_import_run_child (const NookIdMapPlan *plan, const char *what, NookImportWork work,
                       gpointer data, NookImportWriter *writer, GError **error)
{
  Child child = { work, data, writer };
  g_autofree char *text = NULL;
  g_autofree char *failure = NULL;
  int status;

  /* The parent blocks what would stop it midway (import.c); this child
   * may die of them (Ctrl-C reaches the whole process group) and the
   * parent cleans. */
  if (!nook_userns_child_run (plan,
                              NOOK_USERNS_CHILD_UNBLOCK_SIGNALS | NOOK_USERNS_CHILD_ERROR_LINE,
                              child_work, &child, &text, &status, error))
    return FALSE;
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
  if (status < 0 || !WIFEXITED (status) || WEXITSTATUS (status) != 0)
    {
      g_set_error (error, NOOK_ERROR, NOOK_ERROR_FAILED, "%s: the importing process failed", what);
      return FALSE;
    }
  return TRUE;
}
