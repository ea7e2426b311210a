/* nook exec, parent side: looking at the running container, preparing the
 * process, starting it in the container's namespaces and waiting for it
 * (container/exec.h has the sequence). */
#include "launcher/container/exec.h"
#include "launcher/clone.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "launcher/container/wait.h"
#include "launcher/errors.h"
#include "launcher/init/init.h"

/* The names under /proc/PID/ns, in NookNsType order (user first). */
static const char *const proc_ns_names[NOOK_NS_COUNT] = {
  [NOOK_NS_USER] = "user",     [NOOK_NS_MOUNT] = "mnt", [NOOK_NS_PID] = "pid",
  [NOOK_NS_UTS] = "uts",       [NOOK_NS_IPC] = "ipc",   [NOOK_NS_NETWORK] = "net",
  [NOOK_NS_CGROUP] = "cgroup",
};

static gboolean
not_running (const char *id, GError **error)
{
  g_set_error (error, NOOK_ERROR, NOOK_ERROR_FAILED, "exec: container %s is not running", id);
  return FALSE;
}

/* A zombie still has a pid (and a pidfd) but no namespaces to join. */
static gboolean
is_zombie (pid_t pid)
{
  char path[64], buf[256];
  const char *close_paren;
  ssize_t n;
  int fd;

  snprintf (path, sizeof path, "/proc/%d/stat", (int)pid);
  fd = open (path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return TRUE;
  n = read (fd, buf, sizeof buf - 1);
  close (fd);
  if (n <= 0)
    return TRUE;
  buf[n] = '\0';
  close_paren = strrchr (buf, ')');
  return close_paren == NULL || close_paren[1] == '\0' || close_paren[2] == 'Z'
         || close_paren[2] == 'X';
}

/* Only the namespaces that differ are joined: an engine runs nook inside
 * its own user namespace, for a container without one of its own, and
 * setns into the namespace one is already in fails (EINVAL for a user
 * namespace). */
static gboolean
compare_namespaces (NookExecJoin *join, const char *id, GError **error)
{
  for (int i = 0; i < NOOK_NS_COUNT; i++)
    {
      char self[64];
      struct stat own, theirs;

      snprintf (self, sizeof self, "/proc/self/ns/%s", proc_ns_names[i]);
      snprintf (join->ns_paths[i], sizeof join->ns_paths[i], "/proc/%d/ns/%s", (int)join->pid,
                proc_ns_names[i]);
      if (stat (join->ns_paths[i], &theirs) < 0)
        {
          if (errno == ENOENT || errno == ESRCH)
            return not_running (id, error);
          g_set_error (error, NOOK_ERROR, NOOK_ERROR_FAILED, "exec: %s: %s", join->ns_paths[i],
                       g_strerror (errno));
          return FALSE;
        }
      if (stat (self, &own) == 0 && own.st_dev == theirs.st_dev && own.st_ino == theirs.st_ino)
        {
          join->ns_paths[i][0] = '\0';
          continue;
        }
      join->ns_flags |= nook_ns_type_clone_flag (i);
    }
  return TRUE;
}

static gboolean
read_deny_setgroups (pid_t pid)
{
  char path[64];
  g_autofree char *text = NULL;

  snprintf (path, sizeof path, "/proc/%d/setgroups", (int)pid);
  return g_file_get_contents (path, &text, NULL, NULL) && g_str_has_prefix (text, "deny");
}

gboolean
nook_exec_join_open (pid_t pid, const char *id, NookExecJoin *join, GError **error)
{
  memset (join, 0, sizeof *join);
  join->pid = pid;
  join->pidfd = syscall (SYS_pidfd_open, pid, 0);
  if (join->pidfd < 0 && errno == ESRCH)
    return not_running (id, error);
  /* NOOK_EXEC_NO_PIDFD=1 takes the path of kernels without setns on a
   * pidfd, so that the tests cover it. */
  if (join->pidfd >= 0 && g_strcmp0 (g_getenv ("NOOK_EXEC_NO_PIDFD"), "1") == 0)
    {
      close (join->pidfd);
      join->pidfd = -1;
    }
  join->fork_only = g_strcmp0 (g_getenv ("NOOK_EXEC_FORK"), "1") == 0;
  if (is_zombie (pid))
    return not_running (id, error);
  if (!compare_namespaces (join, id, error))
    return FALSE;
  if (join->ns_flags & CLONE_NEWUSER)
    join->deny_setgroups = read_deny_setgroups (pid);
  return TRUE;
}

void
nook_exec_join_clear (NookExecJoin *join)
{
  if (join->pidfd >= 0)
    close (join->pidfd);
  join->pidfd = -1;
  g_clear_pointer (&join->user_spec, g_free);
  g_clear_pointer (&join->user_name, g_free);
  g_clear_pointer (&join->group_name, g_free);
  g_clear_pointer (&join->cwd_fallback, g_free);
}

NookContainer *
nook_container_new_exec (const NookConfig *config, const NookContainerOptions *options,
                         const NookExecJoin *join, gboolean use_terminal, gboolean use_filter_cache,
                         GPtrArray *warnings, GError **error)
{
  g_autoptr (NookContainer) c = nook_container_alloc (config, options, config->process.args);

  c->use_terminal = use_terminal;
  if (use_terminal)
    ioctl (STDIN_FILENO, TIOCGWINSZ, &c->winsize);
  c->idmap = g_new0 (NookIdMapPlan, 1);
  c->idmap->deny_setgroups = join->deny_setgroups;
  c->uid = config->process.uid;
  c->gid = config->process.gid;
  if (!nook_container_prepare_privileges (c, use_filter_cache, warnings, error))
    return NULL;
  return g_steal_pointer (&c);
}

/* What A runs: nook_init_exec_main, with the parent's signal mask back. */
typedef struct
{
  NookContainer *container;
  const NookExecJoin *join;
  const sigset_t *mask;
  int sock;
  int parent_sock;
} NookExecChild;

static int
run_child (void *data)
{
  NookExecChild *child = data;

  close (child->parent_sock);
  sigprocmask (SIG_SETMASK, child->mask, NULL);
  nook_init_exec_main (child->container, child->join, child->sock);
}

/* A shares nook's memory and nook waits until A is gone
 * (nook_clone_vfork), and A waits in turn until the process B it makes has
 * exec'd: 0.12 ms of every exec was the copy of nook's memory for A. This
 * holds because nook has a single thread (setns into a user namespace
 * needs that too) and A and B only add to the heap: what they allocate or
 * put in c->argv and c->envp is leaked or freed once with the container,
 * never freed twice. A made the memory non-dumpable for the join
 * (init/exec.c): nook's own setting comes back. */
static pid_t
clone_child (NookExecChild *child)
{
  int dumpable = prctl (PR_GET_DUMPABLE, 0, 0, 0, 0);
  pid_t pid = nook_clone_vfork (run_child, child, SIGCHLD, child->join->fork_only);
  int err = errno;

  if (dumpable > 0)
    prctl (PR_SET_DUMPABLE, dumpable, 0, 0, 0);
  errno = err;
  return pid;
}

static gboolean
start_child (NookLaunch *l, NookContainer *c, const NookExecJoin *join, GError **error)
{
  NookExecChild child = { c, join, &l->old_mask, -1, -1 };
  int sv[2];

  if (socketpair (AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
    {
      g_set_error (error, NOOK_ERROR, NOOK_ERROR_FAILED, "socketpair: %s", g_strerror (errno));
      return FALSE;
    }
  if (!nook_launch_block_signals (l, error))
    {
      close (sv[0]);
      close (sv[1]);
      return FALSE;
    }
  child.sock = sv[1];
  child.parent_sock = sv[0];
  l->pid = clone_child (&child);
  close (sv[1]);
  l->sock = sv[0];
  if (l->pid < 0)
    {
      l->pid = 0;
      g_set_error (error, NOOK_ERROR, NOOK_ERROR_FAILED, "fork: %s", g_strerror (errno));
      return FALSE;
    }
  return TRUE;
}

/* The child A reports the pid of the process it cloned into the pid
 * namespace, then exits: from then on nook waits for that process. Messages
 * the process sends before the pid arrives (its pty) are handled here. */
static void
take_reported_pid (NookLaunch *l, const NookExecJoin *join)
{
  int status;

  if (!(join->ns_flags & CLONE_NEWPID))
    return;
  while (l->sock >= 0 && l->reported_pid == 0)
    nook_launch_handle_sync (l);
  while (waitpid (l->pid, &status, 0) < 0 && errno == EINTR)
    ;
  if (l->reported_pid > 0)
    l->pid = l->reported_pid;
  else
    {
      /* A failed before it cloned: its status is the result. */
      l->exited = TRUE;
      l->wait_status = status;
    }
}

/* -d: nook is done once the process exec'd (the sync socket closed). */
static gboolean
finish_detached (NookLaunch *l, const NookExecOptions *o, int *out_status, GError **error)
{
  while (l->sock >= 0)
    nook_launch_handle_sync (l);
  if (l->error.type != 0 || l->console_err != 0)
    {
      if (!l->exited)
        while (waitpid (l->pid, &l->wait_status, 0) < 0 && errno == EINTR)
          ;
      l->exited = TRUE;
      return nook_launch_result (l, out_status, error);
    }
  if (o->started != NULL && !o->started (l->pid, o->data, error))
    return FALSE;
  l->detached = TRUE;
  *out_status = 0;
  return TRUE;
}

gboolean
nook_container_exec (NookContainer *c, const NookExecJoin *join, const NookExecOptions *o,
                     int *out_status, GError **error)
{
  g_auto (NookLaunch) l = NOOK_LAUNCH_INIT;

  sigprocmask (SIG_SETMASK, NULL, &l.old_mask);
  if (o->console_socket != NULL
      && !nook_terminal_connect_console (o->console_socket, &l.console, error))
    return FALSE;
  if (!start_child (&l, c, join, error))
    return FALSE;
  take_reported_pid (&l, join);
  if (l.exited)
    return nook_launch_result (&l, out_status, error);
  if (o->detach)
    return finish_detached (&l, o, out_status, error);
  if (o->started != NULL && !o->started (l.pid, o->data, error))
    return FALSE;
  if (!nook_launch_wait (&l, error))
    return FALSE;
  return nook_launch_result (&l, out_status, error);
}
