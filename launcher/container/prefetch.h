/* nook: the executable's look-up ahead of its execve, on a fuse-overlayfs
 * root.
 *
 * fuse-overlayfs answers the first look-up in a directory by loading the
 * whole directory (about seven system calls an entry): the execve of
 * process.args[0], searched along PATH, waits for every directory of that
 * search in turn. After its mounts the child needs the daemon no more
 * until that execve: /dev, pivot_root, the masks, the filter and
 * nook-init take it ~0.8 ms, while the daemon is idle. A helper makes
 * the same look-ups meanwhile, so that the execve finds them done.
 *
 *   parent, before clone: a socket pair (nook_prefetch_open)
 *   child, after its mounts: sends its root's fd, closes its end
 *     (nook_prefetch_send; never fails the run)
 *   parent, after GO: forks the helper (nook_prefetch_start), which joins
 *     the container's user namespace (FUSE lets in only its processes),
 *     waits for that fd, and opens each candidate PATH entry O_PATH
 *     under it (RESOLVE_IN_ROOT) until one exists; then exits
 *   parent, when the container ends or is handed over: kills and reaps
 *     it (nook_prefetch_end)
 *
 * The helper stays outside the container's PID namespace: the process
 * keeps pid 2 under nook-init, and nothing of nook's memory is ever in
 * the container's reach. Its look-ups are hints: what it finds or misses
 * changes nothing the container sees. */
#pragma once

#include <sys/types.h>

typedef struct
{
  int sock[2]; /* [0] the helper's end, [1] the child's; -1 when closed */
  pid_t pid;   /* the helper, once started; 0 before and after */
  int status;  /* its wait status once reaped; -1 before, or with none */
} NookPrefetch;

/* Nothing open, nothing started: what every mode starts with. */
void nook_prefetch_init (NookPrefetch *p);
/* Before clone. Without a socket there is no prefetch, and no error. */
void nook_prefetch_open (NookPrefetch *p);
/* In the parent, once the child may go on: name is process.args[0],
 * path_env the PATH the process's search uses. */
void nook_prefetch_start (NookPrefetch *p, pid_t child, const char *name, const char *path_env);
/* In the child, after its mounts: rootfd is the container's root. Closes
 * the child's copies of both ends. */
void nook_prefetch_send (const NookPrefetch *p, int rootfd);
/* Kills and reaps the helper, closes what is open. Safe to call twice. */
void nook_prefetch_end (NookPrefetch *p);
/* After end: what the helper found, for --debug ("/usr/bin/true", "not
 * found in PATH", ...), with the arguments start had; NULL when no helper
 * ran. */
char *nook_prefetch_describe (const NookPrefetch *p, const char *name, const char *path_env);
