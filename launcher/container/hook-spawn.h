/* nook: running one OCI hook and waiting for it.
 *
 * Used on both sides of the clone: by the parent for the hooks that run in
 * the runtime's namespaces (lifecycle/hooks.c), and by the container's init
 * for createContainer and startContainer (init/hooks.c). So it only makes
 * syscalls: no allocation, no GLib, no atfork handlers. */
#pragma once

#include <stddef.h>

#include "launcher/config/config.h"

typedef struct
{
  int err;         /* errno of a failed fork or execve, or 0 */
  int wait_status; /* as waitpid() gives it, once the hook ran */
  int timed_out;   /* killed with SIGKILL after hook->timeout seconds */
} NookHookResult;

/* Runs hook with the file behind stdin_fd (rewound first) on its stdin, the
 * caller's stdout and stderr, hook->env as its whole environment and no
 * other file descriptor, and waits for it. Returns 0 when it exited with
 * status 0, -1 otherwise (*result says how it failed). */
int nook_hook_spawn (const NookHook *hook, int stdin_fd, NookHookResult *result);

/* "hooks.KIND[INDEX] (PATH): exited with status N" (or "killed by signal
 * N", "timed out after N s", "cannot execute: ...") into buf. */
void nook_hook_describe (char *buf, size_t size, NookHookKind kind, unsigned int index,
                         const NookHook *hook, const NookHookResult *result);
