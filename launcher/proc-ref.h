/* nook: a process that is not nook's child, held so that it can be
 * signalled and waited for without mistaking another process that got its
 * pid for it. */
#pragma once

#include <glib.h>
#include <sys/types.h>

typedef struct
{
  pid_t pid;
  int pidfd;          /* -1 where the kernel has no pidfd_open (before 5.3) */
  guint64 start_time; /* from /proc/PID/stat, checked before each signal */
} NookProcRef;

/* Holds pid, if it is the process that started at start_time (0: whatever
 * process has the pid now). A pidfd pins it where the kernel has them;
 * else its start time identifies it. FALSE with errno ESRCH when it is
 * gone, a zombie, or another process. */
gboolean nook_proc_ref_open (NookProcRef *ref, pid_t pid, guint64 start_time);
/* 0, or -1 with errno (ESRCH once the process is gone). */
int nook_proc_ref_signal (const NookProcRef *ref, int signo);
/* TRUE once the process has exited (a zombie counts), within timeout_ms
 * (-1: no limit). */
gboolean nook_proc_ref_wait_gone (const NookProcRef *ref, int timeout_ms);
/* Closes the pidfd; the ref holds nothing after. */
void nook_proc_ref_clear (NookProcRef *ref);

/* Reaps nook's child pid (its wait status in out_status) if it exits
 * within timeout_ms, and returns TRUE; FALSE, not reaped, on timeout.
 * A pidfd wakes the wait where the kernel has them; else waitpid(WNOHANG)
 * is polled. Only syscalls: hooks are waited for in cloned children. */
gboolean nook_child_wait (pid_t pid, int timeout_ms, int *out_status);
