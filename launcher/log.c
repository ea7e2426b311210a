/* nook: the program's messages (see log.h for where each one goes). */
#include "launcher/log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "launcher/errors.h"
#include "storage/json.h"

typedef struct
{
  int fd; /* the --log file, or -1 */
  NookLogFormat format;
  gboolean debug;
} NookLogConfig;

static NookLogConfig log_config = { -1, NOOK_LOG_FORMAT_TEXT, FALSE };

static const char *const level_names[] = {
  [NOOK_LOG_ERROR] = "error",
  [NOOK_LOG_WARNING] = "warning",
  [NOOK_LOG_INFO] = "info",
  [NOOK_LOG_DEBUG] = "debug",
};

gboolean
nook_log_format_parse (const char *name, NookLogFormat *out_format, GError **error)
{
  if (name == NULL || strcmp (name, "text") == 0)
    *out_format = NOOK_LOG_FORMAT_TEXT;
  else if (strcmp (name, "json") == 0)
    *out_format = NOOK_LOG_FORMAT_JSON;
  else
    {
      g_set_error (error, NOOK_ERROR, NOOK_ERROR_USAGE,
                   "--log-format: unknown format '%s' (text or json)", name);
      return FALSE;
    }
  return TRUE;
}

gboolean
nook_log_setup (const char *path, NookLogFormat format, gboolean debug, GError **error)
{
  int fd = -1;

  /* O_APPEND: several nook processes (create, start, delete of one
   * container) share one log file, and each line is one write. O_CLOEXEC:
   * the container and the helpers nook starts must not inherit it. */
  if (path != NULL)
    {
      fd = open (path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY, 0644);
      if (fd < 0)
        {
          int saved_errno = errno;

          g_set_error (error, NOOK_ERROR, NOOK_ERROR_USAGE, "--log: cannot open %s: %s", path,
                       g_strerror (saved_errno));
          return FALSE;
        }
    }
  nook_log_close ();
  log_config.fd = fd;
  log_config.format = format;
  log_config.debug = debug;
  return TRUE;
}

void
nook_log_close (void)
{
  if (log_config.fd >= 0)
    close (log_config.fd);
  log_config.fd = -1;
}

static char *
time_now (void)
{
  g_autoptr (GDateTime) now = g_date_time_new_now_utc ();

  return g_date_time_format_iso8601 (now);
}

static char *
json_line (NookLogLevel level, const char *msg)
{
  g_autoptr (NookJsonWriter) b = nook_json_writer_new (FALSE);
  g_autofree char *time = time_now ();
  g_autofree char *text = NULL;

  nook_json_writer_begin_object (b);
  nook_json_writer_member (b, "level");
  nook_json_writer_string (b, level_names[level]);
  nook_json_writer_member (b, "msg");
  nook_json_writer_string (b, msg);
  nook_json_writer_member (b, "time");
  nook_json_writer_string (b, time);
  nook_json_writer_end_object (b);
  text = nook_json_writer_finish (g_steal_pointer (&b), NULL);
  return g_strconcat (text, "\n", NULL);
}

/* runc's text format (logrus): time="..." level=error msg="..." */
static char *
text_line (NookLogLevel level, const char *msg)
{
  g_autofree char *time = time_now ();
  GString *line = g_string_new (NULL);

  g_string_append_printf (line, "time=\"%s\" level=%s msg=\"", time, level_names[level]);
  for (const char *p = msg; *p != '\0'; p++)
    {
      if (*p == '"' || *p == '\\')
        g_string_append_c (line, '\\');
      if (*p == '\n')
        g_string_append (line, "\\n");
      else
        g_string_append_c (line, *p);
    }
  g_string_append (line, "\"\n");
  return g_string_free (line, FALSE);
}

/* One write per line, so that lines of processes sharing the file never
 * interleave. A failed write cannot be reported anywhere better. */
static void
write_line (int fd, const char *line)
{
  gsize len = strlen (line);

  while (len > 0)
    {
      ssize_t n = write (fd, line, len);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return;
      line += n;
      len -= (gsize)n;
    }
}

static gboolean
goes_to_stderr (NookLogLevel level)
{
  if (level == NOOK_LOG_ERROR)
    return TRUE;
  if (log_config.fd >= 0)
    return FALSE;
  return level == NOOK_LOG_WARNING || log_config.debug;
}

static void
write_stderr (NookLogLevel level, const char *msg)
{
  if (level == NOOK_LOG_ERROR)
    fprintf (stderr, "nook: %s\n", msg);
  else
    fprintf (stderr, "nook: %s: %s\n", level_names[level], msg);
}

void
nook_log (NookLogLevel level, const char *format, ...)
{
  g_autofree char *msg = NULL;
  va_list args;

  g_return_if_fail ((guint)level < G_N_ELEMENTS (level_names));
  if (level == NOOK_LOG_DEBUG && !log_config.debug)
    return;
  va_start (args, format);
  msg = g_strdup_vprintf (format, args);
  va_end (args);

  if (goes_to_stderr (level))
    write_stderr (level, msg);
  if (log_config.fd >= 0)
    {
      g_autofree char *line = log_config.format == NOOK_LOG_FORMAT_JSON ? json_line (level, msg)
                                                                        : text_line (level, msg);

      write_line (log_config.fd, line);
    }
}
