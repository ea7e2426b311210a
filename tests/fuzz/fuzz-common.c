/* nook: what the libFuzzer targets share (fuzz-common.h). */
#include "tests/fuzz/fuzz-common.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdarg.h>
#include <stdio.h>
#include <unistd.h>

static char *tmpdir;

static int
remove_entry (const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
  return remove (path);
}

static void
remove_tmpdir (void)
{
  if (tmpdir != NULL)
    nftw (tmpdir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

const char *
fuzz_tmpdir (void)
{
  g_autoptr (GError) error = NULL;

  if (tmpdir != NULL)
    return tmpdir;
  tmpdir = g_dir_make_tmp ("nook-fuzz-XXXXXX", &error);
  if (tmpdir == NULL)
    fuzz_fail ("fuzz: cannot make a temporary directory: %s", error->message);
  atexit (remove_tmpdir);
  return tmpdir;
}

void
fuzz_fail (const char *format, ...)
{
  va_list args;

  va_start (args, format);
  vfprintf (stderr, format, args);
  va_end (args);
  fputc ('\n', stderr);
  abort ();
}

static void
log_handler (const char *domain, GLogLevelFlags level, const char *message, gpointer data)
{
  if ((level & (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING)) != 0)
    fuzz_fail ("%s: %s", domain ? domain : "fuzz", message);
}

void
fuzz_fatal_criticals (void)
{
  g_log_set_default_handler (log_handler, NULL);
}

void
fuzz_write_file (const char *path, const uint8_t *data, size_t size, int mode)
{
  int fd = open (path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  size_t done = 0;

  if (fd < 0)
    fuzz_fail ("fuzz: cannot create %s: %s", path, g_strerror (errno));
  while (done < size)
    {
      ssize_t n = write (fd, data + done, size - done);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        fuzz_fail ("fuzz: cannot write %s: %s", path, g_strerror (errno));
      done += (size_t)n;
    }
  close (fd);
}
