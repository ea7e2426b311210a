/* nook: the executable's look-up ahead of its execve (prefetch.h). */
#include "launcher/container/prefetch.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib.h>

#include "launcher/container/sync.h"

#ifndef SYS_openat2
#define SYS_openat2 437
#endif

/* The helper's exit status: the candidate it found, counted from 1 (the
 * name itself when it has a slash, else PATH's entries in order), or: */
#define FOUND_NONE 0
#define NO_ROOT 255

static void
close_end (int *fd)
{
  if (*fd >= 0)
    close (*fd);
  *fd = -1;
}

void
nook_prefetch_init (NookPrefetch *p)
{
  *p = (NookPrefetch){ .sock = { -1, -1 }, .pid = 0, .status = -1 };
}

void
nook_prefetch_open (NookPrefetch *p)
{
  if (socketpair (AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, p->sock) < 0)
    p->sock[0] = p->sock[1] = -1;
}

/* One candidate: whether it exists (the search ends there) or the search
 * should stop (no openat2 on this kernel). */
static gboolean
look_up (int rootfd, const char *path, gboolean *out_stop)
{
  struct open_how how = {
    .flags = O_PATH | O_CLOEXEC,
    .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
  };
  int fd, tries = 0;

  /* EAGAIN: a ".." met a mount or rename made meanwhile, which the child
   * is likely making (/dev, the masks). */
  do
    fd = (int)syscall (SYS_openat2, rootfd, path, &how, sizeof how);
  while (fd < 0 && errno == EAGAIN && ++tries < 16);
  if (fd >= 0)
    {
      close (fd);
      return TRUE;
    }
  *out_stop = errno == ENOSYS;
  return FALSE;
}

/* The helper. Never returns. */
static G_GNUC_NORETURN void
run_helper (int sock, pid_t child, const char *name, const char *path_env)
{
  char path[PATH_MAX];
  NookSyncMsg msg;
  gboolean stop = FALSE;
  int rootfd = -1, userns;

  prctl (PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
  snprintf (path, sizeof path, "/proc/%d/ns/user", (int)child);
  userns = open (path, O_RDONLY | O_CLOEXEC);
  if (userns < 0 || setns (userns, CLONE_NEWUSER) < 0)
    _exit (NO_ROOT);
  close (userns);
  /* EOF: the child failed or died before its mounts were done. */
  if (nook_sync_recv (sock, &msg, &rootfd) < 0 || rootfd < 0)
    _exit (NO_ROOT);
  if (strchr (name, '/') != NULL)
    {
      /* A relative one is relative to process.cwd: left to the execve. */
      _exit (name[0] == '/' && look_up (rootfd, name, &stop) ? 1 : FOUND_NONE);
    }
  for (int i = 1; path_env != NULL && *path_env != '\0' && !stop && i < NO_ROOT; i++)
    {
      const char *end = strchrnul (path_env, ':');
      int dlen = (int)(end - path_env);

      /* Relative entries (and the empty one, the cwd) are left out too. */
      if (path_env[0] == '/'
          && snprintf (path, sizeof path, "%.*s/%s", dlen, path_env, name) < (int)sizeof path
          && look_up (rootfd, path, &stop))
        _exit (i);
      path_env = *end ? end + 1 : end;
    }
  _exit (FOUND_NONE);
}

void
nook_prefetch_start (NookPrefetch *p, pid_t child, const char *name, const char *path_env)
{
  pid_t pid;

  /* The child has its copy: the helper must see EOF once the child's
   * copies are gone. */
  close_end (&p->sock[1]);
  if (p->sock[0] < 0 || name == NULL)
    return;
  pid = fork ();
  if (pid == 0)
    run_helper (p->sock[0], child, name, path_env);
  if (pid > 0)
    p->pid = pid;
  close_end (&p->sock[0]);
}

void
nook_prefetch_send (const NookPrefetch *p, int rootfd)
{
  NookSyncMsg msg = { .type = NOOK_SYNC_GO };

  if (p->sock[1] < 0)
    return;
  /* The buffer is empty and the helper's end open (the parent closes it
   * only after the fork): this does not block. */
  nook_sync_send (p->sock[1], &msg, rootfd);
  close (p->sock[1]);
  if (p->sock[0] >= 0)
    close (p->sock[0]);
}

void
nook_prefetch_end (NookPrefetch *p)
{
  close_end (&p->sock[0]);
  close_end (&p->sock[1]);
  if (p->pid <= 0)
    return;
  /* Done by now, as a rule. If not, a look-up the daemon is serving is
   * waited out, not interrupted; the helper exits as soon as it returns. */
  if (waitpid (p->pid, &p->status, WNOHANG) != p->pid)
    {
      kill (p->pid, SIGKILL);
      while (waitpid (p->pid, &p->status, 0) < 0 && errno == EINTR)
        ;
    }
  p->pid = 0;
}

char *
nook_prefetch_describe (const NookPrefetch *p, const char *name, const char *path_env)
{
  int n;

  if (p->status == -1)
    return NULL;
  if (!WIFEXITED (p->status))
    return g_strdup ("stopped before it was done");
  n = WEXITSTATUS (p->status);
  if (n == NO_ROOT)
    return g_strdup ("never got the container's root");
  if (n == FOUND_NONE)
    return g_strdup ("not found");
  if (strchr (name, '/') != NULL)
    return g_strdup (name);
  for (int i = 1; path_env != NULL && *path_env != '\0'; i++)
    {
      const char *end = strchrnul (path_env, ':');

      if (i == n)
        return g_strdup_printf ("%.*s/%s", (int)(end - path_env), path_env, name);
      path_env = *end ? end + 1 : end;
    }
  return g_strdup_printf ("exit status %d", n);
}
