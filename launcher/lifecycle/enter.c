/* nook: entering a named container from any terminal, and stopping it.
 *
 * enter starts the container when it is not running (detached, its
 * process an idle loop behind the small init), then runs the session's
 * process in it as nook exec does. Sessions are counted with two locks in
 * the container's layer directory:
 *
 *   enter.lock     exclusive while a nook decides to start or to stop
 *   sessions.lock  shared by every session for as long as it runs
 *
 * A session that ends takes enter.lock, then tries sessions.lock
 * exclusively: it gets it only when no other session holds it, and then
 * stops the container (unless it should stay). A new session cannot slip
 * in between: it takes enter.lock first. A session killed outright drops
 * its shared lock with its fds, so it never keeps a container alive. */
#include "launcher/lifecycle/lifecycle.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <unistd.h>

#include "launcher/errors.h"
#include "launcher/proc-ref.h"
#include "storage/autofd.h"
#include "storage/layers.h"
#include "storage/state.h"

#define STOP_TIMEOUT_DEFAULT 10
#define LEAVE_STOP_TIMEOUT 2

static int
open_lock (const char *name, const char *file, GError **error)
{
  g_autofree char *layers = nook_layers_dir ();
  g_autofree char *path = g_build_filename (layers, name, file, NULL);
  int fd = open (path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);

  if (fd < 0)
    g_set_error (error, NOOK_ERROR, NOOK_ERROR_FAILED, "cannot open %s: %s", path,
                 g_strerror (errno));
  return fd;
}

static gboolean
lock (int fd, int how, const char *what, GError **error)
{
  while (flock (fd, how) < 0)
    if (errno != EINTR)
      {
        g_set_error (error, NOOK_ERROR, NOOK_ERROR_FAILED, "cannot lock %s: %s", what,
                     g_strerror (errno));
        return FALSE;
      }
  return TRUE;
}

gboolean
nook_lifecycle_stop (const char *root, const char *id, int timeout_s, GError **error)
{
  g_autoptr (GError) local = NULL;
  g_autoptr (NookStateInfo) info = nook_state_load (root, id, &local);
  NookProcRef proc = { .pidfd = -1 };

  if (info == NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local));
      return FALSE;
    }
  if (timeout_s < 0)
    timeout_s = STOP_TIMEOUT_DEFAULT;
  /* SIGTERM first, as podman stop: the init passes it on and the
   * container's processes may end cleanly; SIGKILL (delete --force)
   * after the timeout. */
  if (info->status != NOOK_STATUS_STOPPED && timeout_s > 0
      && nook_proc_ref_open (&proc, info->pid, info->start_time))
    {
      if (nook_proc_ref_signal (&proc, SIGTERM) == 0)
        nook_proc_ref_wait_gone (&proc, timeout_s * 1000);
      nook_proc_ref_clear (&proc);
    }
  if (!info->detached && info->status != NOOK_STATUS_STOPPED)
    {
      /* A foreground nook run owns its state: it goes when that nook
       * sees its container end. */
      return nook_lifecycle_kill (root, id, SIGKILL, FALSE, error);
    }
  return nook_lifecycle_delete (root, id, TRUE, error);
}

#define KEEP_RUNNING_NAME "keep-running"

/* Is container id running, to be joined? A stopped one's state goes.
 * *out_ours: enter started it, and no session asked it to stay. */
static gboolean
is_running (const char *root, const char *id, gboolean *out_ours, GError **error)
{
  g_autoptr (GError) local = NULL;
  g_autoptr (NookStateInfo) info = nook_state_load (root, id, &local);
  g_autofree char *keep = NULL;

  *out_ours = FALSE;
  if (info == NULL)
    {
      if (g_error_matches (local, NOOK_STORAGE_ERROR, NOOK_STORAGE_ERROR_NOT_FOUND))
        return FALSE;
      g_propagate_error (error, g_steal_pointer (&local));
      return FALSE;
    }
  if (info->status == NOOK_STATUS_STOPPED)
    {
      if (!nook_lifecycle_delete (root, id, TRUE, error))
        return FALSE;
      return FALSE;
    }
  keep = g_build_filename (info->dir, KEEP_RUNNING_NAME, NULL);
  *out_ours = g_strcmp0 (nook_state_pairs_get (info->options, "entered"), "yes") == 0
              && !g_file_test (keep, G_FILE_TEST_EXISTS);
  return TRUE;
}

/* --keep-running: a mark in the state directory, which goes with the
 * state when the container is stopped. */
static gboolean
mark_keep_running (const char *root, const char *id, GError **error)
{
  g_autoptr (NookStateInfo) info = nook_state_load (root, id, error);
  g_autofree char *keep = NULL;

  if (info == NULL)
    return FALSE;
  keep = g_build_filename (info->dir, KEEP_RUNNING_NAME, NULL);
  if (!g_file_set_contents (keep, "", 0, error))
    {
      g_prefix_error (error, "--keep-running: ");
      return FALSE;
    }
  return TRUE;
}

/* Passes on what nook wrote to the memfd at fd (its warnings). */
static void
replay (int fd)
{
  char buf[4096];
  ssize_t n;

  lseek (fd, 0, SEEK_SET);
  while ((n = read (fd, buf, sizeof buf)) > 0)
    if (write (STDERR_FILENO, buf, n) < 0)
      break;
}

/* The idle container's stdio must not be the session's: it would hold
 * the first session's terminal (or a caller's pipe, which then never
 * ends) open for the container's life. stdin and stdout are /dev/null;
 * stderr a memfd, so that nook's own warnings of the start still reach
 * the caller. */
static gboolean
start_detached (const NookEnterRequest *r, GError **error)
{
  int stdio[3]
      = { open ("/dev/null", O_RDONLY | O_CLOEXEC), open ("/dev/null", O_WRONLY | O_CLOEXEC),
          memfd_create ("nook-enter-warnings", MFD_CLOEXEC) };
  int saved[3];
  gboolean ok;

  for (int fd = 0; fd < 3; fd++)
    {
      saved[fd] = fcntl (fd, F_DUPFD_CLOEXEC, 3);
      if (stdio[fd] >= 0)
        dup2 (stdio[fd], fd);
    }
  ok = nook_lifecycle_create (r->start, error)
       && (nook_lifecycle_start (r->start->state_root, r->start->name, error)
           || (nook_lifecycle_delete (r->start->state_root, r->start->name, TRUE, NULL), FALSE));
  for (int fd = 0; fd < 3; fd++)
    if (saved[fd] >= 0)
      {
        dup2 (saved[fd], fd);
        close (saved[fd]);
      }
  if (stdio[2] >= 0)
    replay (stdio[2]);
  for (int fd = 0; fd < 3; fd++)
    if (stdio[fd] >= 0)
      close (stdio[fd]);
  return ok;
}

/* The session is over: stop the container when it was the last one and
 * the container is enter's own (started by enter, not told to stay). */
static void
leave (const NookEnterRequest *r, int enter_fd, int *sessions_fd)
{
  g_autoptr (GError) local = NULL;
  gboolean ours;

  if (!lock (enter_fd, LOCK_EX, "enter.lock", NULL))
    return;
  /* Re-taken exclusively on a new open file: converting the shared lock
   * in place could let it go without getting the exclusive one. */
  close (*sessions_fd);
  *sessions_fd = open_lock (r->start->name, "sessions.lock", NULL);
  if (*sessions_fd < 0 || flock (*sessions_fd, LOCK_EX | LOCK_NB) < 0)
    return;
  if (!is_running (r->start->state_root, r->start->name, &ours, NULL) || !ours)
    return;
  /* Short: what is left is the idle loop and what sessions left behind,
   * and a SIGTERM that lands while the loop is still being exec'd (PID 1
   * without a handler yet ignores it) must not cost the default 10 s. */
  if (!nook_lifecycle_stop (r->start->state_root, r->start->name, LEAVE_STOP_TIMEOUT, &local))
    g_printerr ("nook: warning: stopping %s: %s\n", r->start->name, local->message);
}

gboolean
nook_lifecycle_enter (const NookEnterRequest *r, int *out_status, GError **error)
{
  const char *name = r->start->name;
  nook_autofd int enter_fd = -1;
  nook_autofd int sessions_fd = -1;
  gboolean ours, ok;

  enter_fd = open_lock (name, "enter.lock", error);
  if (enter_fd < 0 || !lock (enter_fd, LOCK_EX, "enter.lock", error))
    return FALSE;
  if (!is_running (r->start->state_root, name, &ours, error))
    {
      if (error != NULL && *error != NULL)
        return FALSE;
      if (!start_detached (r, error))
        return FALSE;
    }
  if (r->keep_running && !mark_keep_running (r->start->state_root, name, error))
    return FALSE;
  sessions_fd = open_lock (name, "sessions.lock", error);
  if (sessions_fd < 0 || !lock (sessions_fd, LOCK_SH, "sessions.lock", error))
    return FALSE;
  flock (enter_fd, LOCK_UN);

  ok = nook_lifecycle_exec (&r->exec, out_status, error);
  leave (r, enter_fd, &sessions_fd);
  return ok;
}
