/* nook: launching a prepared container and waiting for it.
 *
 * parent                                   child (init.c)
 *   socketpair, block forwarded signals
 *   clone(CLONE_NEW*)  ------------------>  waits for sync 1
 *   write uid/gid maps (userns/)
 *   start pasta (--net=pasta)
 *   sync 1: GO  -------------------------->  setup steps: mounts ...
 *   (with hooks only) <--------------------  hooks sync: HOOKS
 *   prestart, createRuntime hooks
 *   HOOK_STATE memfds, GO  --------------->  createContainer hooks, pivot_root,
 *                                            ... startContainer hooks, execve
 *   loop: signals -> kill(child),            errors come back as messages;
 *         pty <-> caller's terminal,         EOF on the socket = exec'd
 *         until the child is reaped
 *
 * No threads before clone(), and the child allocates nothing. */
#include "launcher/clone.h"
#include "launcher/container/container.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "launcher/container/sync.h"
#include "launcher/container/wait.h"
#include "launcher/errors.h"
#include "launcher/init/init.h"
#include "launcher/log.h"
#include "storage/state.h"

static char *
describe_clone_flags (int flags)
{
  GString *s = g_string_new (NULL);

  for (int i = 0; i < NOOK_NS_COUNT; i++)
    if (flags & nook_ns_type_clone_flag (i))
      g_string_append_printf (s, "%s%s", s->len ? ", " : "", nook_ns_type_name (i));
  return g_string_free (s, FALSE);
}

static gboolean
clone_child (NookLaunch *l, const NookContainer *c, GError **error)
{
  int sv[2];

  if (socketpair (AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
    {
      g_set_error (error, NOOK_ERROR, NOOK_ERROR_FAILED, "socketpair: %s", g_strerror (errno));
      return FALSE;
    }

  /* Blocking the signals before clone means none is lost between clone
   * and the loop. */
  if (!nook_launch_block_signals (l, error))
    {
      close (sv[0]);
      close (sv[1]);
      return FALSE;
    }

  /* Like fork(), but into the new namespaces at once. */
  l->pid = nook_raw_clone (c->clone_now_flags | SIGCHLD);
  if (l->pid == 0)
    {
      close (sv[0]);
      sigprocmask (SIG_SETMASK, &l->old_mask, NULL);
      nook_init_main (c, sv[1]);
    }
  close (sv[1]);
  l->sock = sv[0];
  if (l->pid < 0)
    {
      int err = errno;
      g_autofree char *what = describe_clone_flags (c->clone_now_flags);

      l->pid = 0;
      g_set_error (error, NOOK_ERROR, NOOK_ERROR_FAILED, "creating namespaces (%s): %s%s", what,
                   g_strerror (err),
                   (err == EPERM || err == ENOSPC || err == EUSERS)
                       ? " (are unprivileged user namespaces allowed? see "
                         "/proc/sys/user/max_user_namespaces)"
                       : "");
      return FALSE;
    }
  return TRUE;
}

static gboolean
send_hook_state (NookLaunch *l, NookHookKind kind, int fd, GError **error)
{
  NookSyncMsg msg = { .type = NOOK_SYNC_HOOK_STATE, .err = kind };
  int r;

  if (fd < 0)
    return TRUE;
  r = nook_sync_send (l->sock, &msg, fd);
  if (r < 0)
    {
      g_set_error (error, NOOK_ERROR, NOOK_ERROR_FAILED, "hooks.%s: passing the state: %s",
                   nook_hook_kind_name (kind), g_strerror (-r));
      return FALSE;
    }
  return TRUE;
}

/* The hooks sync, only for a container with hooks (after sync 1, before
 * the child's READY): the child has its mounts and waits before
 * pivot_root. The runtime's hooks run now; the child gets the state its
 * own hooks read, and GO. A failure of the child before that point is
 * create's or run's failure, reported here. */
static gboolean
sync_hooks (NookLaunch *l, GError **error)
{
  NookContainerHooks *hooks = l->hooks;
  NookSyncMsg msg, go = { .type = NOOK_SYNC_GO };
  int fd = -1, r;

  if (hooks == NULL || hooks->runtime == NULL)
    return TRUE;
  r = nook_sync_recv (l->sock, &msg, &fd);
  if (fd >= 0)
    close (fd);
  if (r < 0)
    {
      g_set_error (error, NOOK_ERROR, NOOK_ERROR_FAILED,
                   "the container's process died while being set up: %s", g_strerror (-r));
      return FALSE;
    }
  if (msg.type != NOOK_SYNC_HOOKS)
    return nook_launch_child_error (&msg, error);
  if (!hooks->runtime (hooks, l->pid, error)
      || !send_hook_state (l, NOOK_HOOK_CREATE_CONTAINER, hooks->create_container_state, error)
      || !send_hook_state (l, NOOK_HOOK_START_CONTAINER, hooks->start_container_state, error))
    return FALSE;
  r = nook_sync_send (l->sock, &go, -1);
  if (r < 0)
    {
      g_set_error (error, NOOK_ERROR, NOOK_ERROR_FAILED, "starting the container: %s",
                   g_strerror (-r));
      return FALSE;
    }
  return TRUE;
}

/* Clones the child and brings it to sync 1: maps written, rootfs mounted,
 * network connected, GO sent. */
static gboolean
launch_start (NookLaunch *l, NookContainer *c, NookState *state, GError **error)
{
  NookSyncMsg go = { .type = NOOK_SYNC_GO };
  int r;

  l->hooks = c->hooks;
  sigprocmask (SIG_SETMASK, NULL, &l->old_mask);
  if (!clone_child (l, c, error))
    return FALSE;

  if (c->new_userns && !nook_idmap_write (l->pid, c->idmap, error))
    return FALSE;
  /* fuse-overlayfs is mounted in the child's namespaces, as root of its
   * user namespace: after the maps, before the child looks at its rootfs. */
  if (!nook_rootfs_start (c->rootfs, l->pid, error))
    return FALSE;
  /* pasta joins the child's user namespace, so it needs the maps; the
   * process must find its network configured, so before GO. */
  if (c->pasta != NULL
      && !nook_pasta_start (c->pasta, l->pid, state ? nook_state_get_dir (state) : NULL, error))
    return FALSE;
  /* sync 1: maps written (and network connected), the child may go on. */
  r = nook_sync_send (l->sock, &go, -1);
  if (r < 0)
    {
      g_set_error (error, NOOK_ERROR, NOOK_ERROR_FAILED, "starting the container: %s",
                   g_strerror (-r));
      return FALSE;
    }
  return sync_hooks (l, error);
}

/* --pid-file: a temporary file renamed over it, so that a reader never
 * sees half a pid. */
static gboolean
write_pid_file (const char *path, pid_t pid, GError **error)
{
  g_autofree char *text = g_strdup_printf ("%d", (int)pid);
  g_autoptr (GError) local = NULL;

  if (g_file_set_contents_full (path, text, -1, G_FILE_SET_CONTENTS_NONE, 0644, &local))
    return TRUE;
  g_set_error (error, NOOK_ERROR, NOOK_ERROR_FAILED, "--pid-file: %s", local->message);
  return FALSE;
}

gboolean
nook_container_run (NookContainer *c, NookState *state, int *out_status, GError **error)
{
  g_auto (NookLaunch) l = NOOK_LAUNCH_INIT;

  if (!launch_start (&l, c, state, error))
    return FALSE;
  if (state && !nook_state_set_running (state, l.pid, c->config->bundle_dir, error))
    return FALSE;
  if (c->pid_file != NULL && !write_pid_file (c->pid_file, l.pid, error))
    return FALSE;
  if (!nook_launch_wait (&l, error))
    return FALSE;
  /* The container is gone: so must its network helper be when nook exits. */
  nook_pasta_stop (c->pasta);

  return nook_launch_result (&l, out_status, error);
}

/* --console-socket: the pty master goes to whoever listens there (conmon),
 * over SCM_RIGHTS, as runc and crun send it. */
static gboolean
send_to_console_socket (const char *socket_path, int pty, GError **error)
{
  int fd, r;

  if (!nook_terminal_connect_console (socket_path, &fd, error))
    return FALSE;
  r = nook_terminal_send_console (fd, pty);
  close (fd);
  if (r < 0)
    {
      g_set_error (error, NOOK_ERROR, NOOK_ERROR_FAILED, "--console-socket %s: sending the pty: %s",
                   socket_path, g_strerror (-r));
      return FALSE;
    }
  return TRUE;
}

gboolean
nook_container_create (NookContainer *c, NookState *state, const char *console_socket,
                       NookCreatedFunc created, gpointer data, GError **error)
{
  g_auto (NookLaunch) l = NOOK_LAUNCH_INIT;
  NookSyncMsg ack = { .type = NOOK_SYNC_GO };
  int r;

  if (!launch_start (&l, c, state, error))
    return FALSE;
  /* The child reports READY once it waits on the exec fifo; an error or
   * EOF (it died) before that fails create, and the child is killed. */
  for (;;)
    {
      NookSyncMsg msg;
      int fd = -1;
      r = nook_sync_recv (l.sock, &msg, &fd);

      if (r < 0)
        {
          g_set_error (error, NOOK_ERROR, NOOK_ERROR_FAILED,
                       "the container's process died while being set up: %s", g_strerror (-r));
          return FALSE;
        }
      /* Only the pty comes with a descriptor: any other is closed. */
      if (fd >= 0 && msg.type != NOOK_SYNC_PTY)
        {
          close (fd);
          fd = -1;
        }
      if (msg.type == NOOK_SYNC_READY)
        break;
      /* The child cannot print (it does not allocate, and its stderr
       * may be the container's by then): the parent does. */
      if (msg.type == NOOK_SYNC_WARNING)
        nook_log_warning ("%s", msg.msg);
      if (msg.type == NOOK_SYNC_ERROR || msg.type == NOOK_SYNC_EXEC_ERROR
          || msg.type == NOOK_SYNC_HOOK_ERROR)
        return nook_launch_child_error (&msg, error);
      if (msg.type == NOOK_SYNC_PTY && fd >= 0)
        {
          gboolean sent
              = console_socket != NULL && send_to_console_socket (console_socket, fd, error);
          close (fd);
          if (!sent)
            return FALSE;
        }
    }
  if (!created (l.pid, data, error))
    return FALSE;
  /* sync 2: the state is recorded; the child may wait for start. */
  r = nook_sync_send (l.sock, &ack, -1);
  if (r < 0)
    {
      g_set_error (error, NOOK_ERROR, NOOK_ERROR_FAILED, "creating the container: %s",
                   g_strerror (-r));
      return FALSE;
    }
  /* The process is the container now, not this nook's to kill or reap:
   * it goes to the caller's subreaper (conmon) when nook exits. */
  l.pid = 0;
  return TRUE;
}
