/* nook: the parent's side of a running process, shared by run and exec:
 * the sync socket, forwarded signals, the terminal (proxied, or handed to a
 * --console-socket), and the process's exit status.
 *
 * Signals to forward are blocked and read from a signalfd from before the
 * process exists until it is reaped, so none is lost in between. */
#pragma once

#include <glib.h>
#include <signal.h>
#include <sys/types.h>

#include "launcher/container/container.h"
#include "launcher/container/sync.h"
#include "launcher/container/terminal.h"

typedef struct
{
  pid_t pid; /* the process waited for and signalled */
  int sock;  /* sync socket to the child; -1 once it closed */
  int sigfd;
  int pty;             /* pty master being proxied, -1 if none */
  int console;         /* --console-socket connection: the pty goes there; -1: proxy it */
  int console_err;     /* errno of a failed send to the console socket, 0 if none */
  pid_t reported_pid;  /* NOOK_SYNC_PID: the pid the child reported, 0 if none yet */
  gboolean stdin_open; /* still copying stdin to the pty */
  gboolean exited;
  gboolean detached; /* the process outlives nook: never killed at clear */
  int wait_status;
  NookSyncMsg error; /* first error the child reported; type 0 if none */
  NookTerminal term;
  sigset_t old_mask;
  NookContainerHooks *hooks; /* the container's, or NULL */
} NookLaunch;

/* A launch with nothing open yet. */
#define NOOK_LAUNCH_INIT                                                                           \
  {                                                                                                \
    .sock = -1, .sigfd = -1, .pty = -1, .console = -1, .term = {.fd = -1 }                         \
  }

/* Blocks the forwarded signals (and SIGCHLD) and opens the signalfd; the
 * old mask is saved for the child to restore. FALSE when either fails:
 * the wait could never end without the signalfd. */
gboolean nook_launch_block_signals (NookLaunch *l, GError **error);

/* Restores the terminal and the signal mask, closes what is open, and kills
 * and reaps a process that was not waited for (unless detached). */
void nook_launch_clear (NookLaunch *l);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (NookLaunch, nook_launch_clear)

/* Reads one message from the sync socket (blocking) and acts on it: a pty
 * is proxied or sent to the console socket, the first error is kept, a
 * reported pid is recorded. EOF closes the socket: the process exec'd
 * (the socket is close-on-exec) or died. */
void nook_launch_handle_sync (NookLaunch *l);

/* Forwards signals, proxies the pty and reads the sync socket until the
 * process is reaped. */
gboolean nook_launch_wait (NookLaunch *l, GError **error);

/* The error a child reported: 127/126 codes for a failed execve. */
gboolean nook_launch_child_error (const NookSyncMsg *msg, GError **error);

/* After the wait: the error the child reported, or the exit status as a
 * shell reports it (code, or 128+N when killed by signal N). */
gboolean nook_launch_result (const NookLaunch *l, int *out_status, GError **error);
