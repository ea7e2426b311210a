/* nook: the caller's terminal while a container runs with a pty. */
#pragma once

#include <glib.h>
#include <termios.h>

typedef struct
{
  int fd; /* the caller's terminal (stdin), -1 when not in raw mode */
  struct termios saved;
} NookTerminal;

/* Puts fd in raw mode, saving its settings in term. */
gboolean nook_terminal_enter_raw (NookTerminal *term, int fd, GError **error);

/* Restores the saved settings; safe to call twice or when never entered. */
void nook_terminal_restore (NookTerminal *term);

/* Copies the window size of from_fd to to_fd (the pty master). */
void nook_terminal_copy_winsize (int from_fd, int to_fd);

/* Copies what is readable on from to to. Returns FALSE on EOF or error of from. */
gboolean nook_terminal_pump (int from, int to);

/* --console-socket: connects to the unix socket at path (the engine's,
 * conmon's), which will receive the pty master. */
gboolean nook_terminal_connect_console (const char *path, int *out_fd, GError **error);

/* Sends the pty master over the connected console socket with SCM_RIGHTS,
 * as runc does (the data is the master's name). Returns 0 or -errno. */
int nook_terminal_send_console (int sock, int pty);
