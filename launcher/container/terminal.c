/* nook: raw mode, window size and byte pumping for a container's pty. */
#include "launcher/container/terminal.h"

#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "launcher/container/sync.h"
#include "launcher/errors.h"

gboolean
nook_terminal_enter_raw (NookTerminal *term, int fd, GError **error)
{
  struct termios raw;

  term->fd = -1;
  if (tcgetattr (fd, &term->saved) < 0)
    {
      g_set_error (error, NOOK_ERROR, NOOK_ERROR_FAILED, "terminal: %s", g_strerror (errno));
      return FALSE;
    }
  raw = term->saved;
  cfmakeraw (&raw);
  /* Keep output post-processing off too: the container's pty does it. */
  if (tcsetattr (fd, TCSADRAIN, &raw) < 0)
    {
      g_set_error (error, NOOK_ERROR, NOOK_ERROR_FAILED, "terminal: %s", g_strerror (errno));
      return FALSE;
    }
  term->fd = fd;
  return TRUE;
}

void
nook_terminal_restore (NookTerminal *term)
{
  if (term->fd < 0)
    return;
  tcsetattr (term->fd, TCSADRAIN, &term->saved);
  term->fd = -1;
}

void
nook_terminal_copy_winsize (int from_fd, int to_fd)
{
  struct winsize ws;

  if (ioctl (from_fd, TIOCGWINSZ, &ws) == 0)
    ioctl (to_fd, TIOCSWINSZ, &ws);
}

static gboolean
write_all (int fd, const char *buf, ssize_t len)
{
  while (len > 0)
    {
      ssize_t n = write (fd, buf, len);

      if (n < 0)
        {
          if (errno == EINTR)
            continue;
          return FALSE;
        }
      buf += n;
      len -= n;
    }
  return TRUE;
}

gboolean
nook_terminal_pump (int from, int to)
{
  char buf[8192];
  ssize_t n;

  do
    n = read (from, buf, sizeof (buf));
  while (n < 0 && errno == EINTR);
  if (n <= 0)
    return n < 0 && errno == EAGAIN;
  write_all (to, buf, n);
  return TRUE;
}

gboolean
nook_terminal_connect_console (const char *path, int *out_fd, GError **error)
{
  struct sockaddr_un addr = { .sun_family = AF_UNIX };
  int fd;

  if (strlen (path) >= sizeof (addr.sun_path))
    {
      g_set_error (error, NOOK_ERROR, NOOK_ERROR_USAGE, "--console-socket %s: path too long", path);
      return FALSE;
    }
  strcpy (addr.sun_path, path);
  fd = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0 || connect (fd, (struct sockaddr *)&addr, sizeof (addr)) < 0)
    {
      int err = errno;

      if (fd >= 0)
        close (fd);
      g_set_error (error, NOOK_ERROR, NOOK_ERROR_FAILED, "--console-socket %s: %s", path,
                   g_strerror (err));
      return FALSE;
    }
  *out_fd = fd;
  return TRUE;
}

int
nook_terminal_send_console (int sock, int pty)
{
  static const char name[] = "/dev/ptmx";

  return nook_sync_send_raw (sock, name, sizeof (name) - 1, pty);
}
