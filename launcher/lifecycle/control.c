/* nook: what the OCI verbs do to a container that exists: start, kill,
 * delete, state.
 *
 * Every signal goes through a NookProcRef (proc-ref.h) opened on the
 * recorded pid and checked against the recorded start time: a pidfd pins
 * the process where the kernel has them, its start time identifies it
 * where it has not, so a pid reused by another process is not signalled. */
#include "launcher/lifecycle/lifecycle.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "launcher/container/network.h"
#include "launcher/container/rootfs.h"
#include "launcher/errors.h"
#include "launcher/lifecycle/hooks.h"
#include "launcher/log.h"
#include "launcher/proc-ref.h"
#include "storage/autofd.h"
#include "storage/json.h"
#include "storage/state.h"

#define KILL_WAIT_MS 10000

/* The container's process, or FALSE (errno ESRCH) when it is gone. */
static gboolean
open_process (const NookStateInfo *info, NookProcRef *ref)
{
  return nook_proc_ref_open (ref, info->pid, info->start_time);
}

gboolean
nook_lifecycle_write_pid_file (const char *path, pid_t pid, GError **error)
{
  g_autofree char *text = g_strdup_printf ("%d", (int)pid);
  g_autoptr (GError) local = NULL;

  /* g_file_set_contents writes a temporary file beside it and renames it
   * over path: a reader never sees half a pid. */
  if (!g_file_set_contents_full (path, text, -1, G_FILE_SET_CONTENTS_NONE, 0644, &local))
    {
      g_set_error (error, NOOK_ERROR, NOOK_ERROR_FAILED, "--pid-file: %s", local->message);
      return FALSE;
    }
  return TRUE;
}

/* poststart / poststop of a detached container, when its state says it
 * has them: its config is read again (it may have gone with its bundle:
 * then a warning says so). Failures are warnings, as the spec asks. */
static void
run_post_hooks (const NookStateInfo *info, NookHookKind kind, const char *marker)
{
  g_autoptr (NookConfig) config = NULL;
  g_autoptr (GError) local = NULL;

  if (g_strcmp0 (nook_state_pairs_get (info->options, marker), "yes") != 0)
    return;
  config = nook_lifecycle_load_config (info->bundle, info->config_path, FALSE, NULL, &local);
  if (config == NULL)
    {
      nook_log_warning ("%s hooks of %s not run: %s", marker + strlen ("hooks."), info->id,
                        local->message);
      return;
    }
  nook_hooks_run_warn (config, kind, info->id, info->pid, NULL);
}

/* The container's PID 1 and the process it forks hold the fifo open until
 * their execve (or exit): its last writer gone, the process exists, and
 * has exec'd. Bounded: neither waits on anything before its execve. */
static void
wait_process_exec (int fd)
{
  for (;;)
    {
      struct pollfd p = { .fd = fd, .events = POLLIN };
      char c;

      if (poll (&p, 1, -1) < 0)
        {
          if (errno == EINTR)
            continue;
          return;
        }
      if (!(p.revents & POLLIN) || read (fd, &c, 1) <= 0)
        return;
    }
}

gboolean
nook_lifecycle_start (const char *root, const char *id, GError **error)
{
  g_autoptr (NookStateInfo) info = nook_state_load (root, id, error);
  g_autofree char *fifo = NULL;
  NookProcRef proc = { .pidfd = -1 };
  nook_autofd int fd = -1;
  struct pollfd fds[2];
  char result[512];
  gboolean alive;
  ssize_t n;
  int r;

  if (info == NULL)
    return FALSE;
  if (info->status != NOOK_STATUS_CREATED)
    {
      g_set_error (error, NOOK_ERROR, NOOK_ERROR_FAILED,
                   "container %s is %s: only a created container can be started", id,
                   nook_status_name (info->status));
      return FALSE;
    }
  fifo = g_build_filename (info->dir, "exec.fifo", NULL);
  alive = open_process (info, &proc);
  /* Non-blocking: a process that died never opens its end; the pidfd says
   * so instead of a hang. */
  fd = open (fifo, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (!alive || fd < 0)
    {
      g_set_error (error, NOOK_ERROR, NOOK_ERROR_FAILED, "container %s: %s", id,
                   !alive ? "its process is gone" : g_strerror (errno));
      nook_proc_ref_clear (&proc);
      return FALSE;
    }
  fds[0] = (struct pollfd){ .fd = fd, .events = POLLIN };
  fds[1] = (struct pollfd){ .fd = proc.pidfd, .events = POLLIN };
  /* No time limit: the container's startContainer hooks run before the
   * answer, with their own timeouts; a process that dies ends the wait.
   * Without a pidfd (poll skips fd -1) its start time is looked at on
   * each short timeout instead. */
  do
    {
      r = poll (fds, 2, proc.pidfd >= 0 ? -1 : 50);
      if (r == 0 && nook_proc_ref_wait_gone (&proc, 0))
        break;
    }
  while ((r < 0 && errno == EINTR) || r == 0);
  nook_proc_ref_clear (&proc);
  n = r > 0 && (fds[0].revents & POLLIN) ? read (fd, result, sizeof result - 1) : -1;
  if (n <= 0)
    {
      g_set_error (error, NOOK_ERROR, NOOK_ERROR_FAILED,
                   "container %s did not start: its process is gone", id);
      return FALSE;
    }
  result[n] = '\0';
  unlink (fifo);
  if (result[0] != '0')
    {
      g_set_error (error, NOOK_ERROR, NOOK_ERROR_FAILED, "container %s did not start: %s", id,
                   result + 1);
      return FALSE;
    }
  wait_process_exec (fd);
  /* The fifo gone (above) is what says "running" from now on. */
  run_post_hooks (info, NOOK_HOOK_POSTSTART, "hooks.poststart");
  return TRUE;
}

/* Every process in the container's pid namespace. A container without one
 * of its own has only its process to signal. */
static gboolean
kill_all (const NookStateInfo *info, int signo, GError **error)
{
  g_autofree char *ns_path = g_strdup_printf ("/proc/%d/ns/pid", (int)info->pid);
  struct stat container_ns, own_ns, st;
  g_autoptr (GDir) proc = NULL;
  const char *name;

  if (stat (ns_path, &container_ns) < 0 || stat ("/proc/self/ns/pid", &own_ns) < 0)
    return TRUE;
  if (container_ns.st_ino == own_ns.st_ino && container_ns.st_dev == own_ns.st_dev)
    return TRUE;
  proc = g_dir_open ("/proc", 0, error);
  if (proc == NULL)
    return FALSE;
  while ((name = g_dir_read_name (proc)) != NULL)
    {
      g_autofree char *path = NULL;
      pid_t pid = (pid_t)g_ascii_strtoll (name, NULL, 10);

      if (pid <= 0)
        continue;
      path = g_strdup_printf ("/proc/%d/ns/pid", (int)pid);
      if (stat (path, &st) == 0 && st.st_ino == container_ns.st_ino
          && st.st_dev == container_ns.st_dev)
        kill (pid, signo);
    }
  return TRUE;
}

gboolean
nook_lifecycle_kill (const char *root, const char *id, int signo, gboolean all, GError **error)
{
  g_autoptr (NookStateInfo) info = nook_state_load (root, id, error);
  NookProcRef proc = { .pidfd = -1 };
  int r;

  if (info == NULL)
    return FALSE;
  if (info->status != NOOK_STATUS_CREATED && info->status != NOOK_STATUS_RUNNING)
    {
      g_set_error (error, NOOK_ERROR, NOOK_ERROR_FAILED, "container %s is %s: nothing to signal",
                   id, nook_status_name (info->status));
      return FALSE;
    }
  r = open_process (info, &proc) ? nook_proc_ref_signal (&proc, signo) : -1;
  if (r < 0)
    {
      int err = errno;

      nook_proc_ref_clear (&proc);
      g_set_error (error, NOOK_ERROR, NOOK_ERROR_FAILED, "kill %s: %s", id, g_strerror (err));
      return FALSE;
    }
  nook_proc_ref_clear (&proc);
  return !all || kill_all (info, signo, error);
}

/* delete -f: SIGKILL, and wait until the process is gone. A foreground
 * container's nook then cleans up after it itself. */
static gboolean
kill_and_wait (const NookStateInfo *info, GError **error)
{
  NookProcRef proc = { .pidfd = -1 };
  gboolean gone;

  if (!open_process (info, &proc))
    return TRUE;
  nook_proc_ref_signal (&proc, SIGKILL);
  kill_all (info, SIGKILL, NULL);
  gone = nook_proc_ref_wait_gone (&proc, KILL_WAIT_MS);
  nook_proc_ref_clear (&proc);
  if (!gone)
    {
      g_set_error (error, NOOK_ERROR, NOOK_ERROR_FAILED,
                   "delete %s: its process is still there after SIGKILL", info->id);
      return FALSE;
    }
  return TRUE;
}

gboolean
nook_lifecycle_delete (const char *root, const char *id, gboolean force, GError **error)
{
  g_autoptr (GError) local = NULL;
  g_autoptr (NookStateInfo) info = nook_state_load (root, id, &local);
  g_autoptr (NookState) state = NULL;
  g_autofree char *layer = NULL;

  if (info == NULL)
    {
      /* runc: delete --force of a container that is not there succeeds
       * (podman calls it after every container). A create killed before
       * its state directory got the id's name left a temporary one, which
       * is collected here as nook ls does. */
      if (force && g_error_matches (local, NOOK_STORAGE_ERROR, NOOK_STORAGE_ERROR_NOT_FOUND))
        {
          nook_state_collect_new (root);
          return TRUE;
        }
      g_set_error (error, NOOK_ERROR, NOOK_ERROR_FAILED, "%s", local->message);
      return FALSE;
    }
  if (info->status != NOOK_STATUS_STOPPED)
    {
      if (!force)
        {
          g_set_error (error, NOOK_ERROR, NOOK_ERROR_FAILED,
                       "container %s is %s: stop it first (nook kill %s), or delete --force", id,
                       nook_status_name (info->status), id);
          return FALSE;
        }
      if (!kill_and_wait (info, error))
        return FALSE;
      if (!info->detached)
        return TRUE;
    }
  state = nook_state_open (root, id, &local);
  if (state == NULL)
    {
      g_set_error (error, NOOK_ERROR, NOOK_ERROR_FAILED, "delete %s: %s", id, local->message);
      return FALSE;
    }
  /* Its pasta outlives it (it keeps the network namespace alive); an
   * ephemeral layer holds files of subordinate ids. */
  nook_pasta_collect (info->dir);
  layer = g_build_filename (info->dir, "layer", NULL);
  if (!nook_rootfs_remove_layer_as_caller (layer, error))
    {
      g_prefix_error (error, "delete %s: ", id);
      return FALSE;
    }
  /* After the container is deleted (runtime.md): the state goes first. */
  g_clear_pointer (&state, nook_state_free);
  run_post_hooks (info, NOOK_HOOK_POSTSTOP, "hooks.poststop");
  return TRUE;
}

static void
add_pairs (NookJsonWriter *b, const char *name, char **pairs)
{
  nook_json_writer_member (b, name);
  nook_json_writer_begin_object (b);
  for (gsize i = 0; pairs[i] != NULL && pairs[i + 1] != NULL; i += 2)
    {
      nook_json_writer_member (b, pairs[i]);
      nook_json_writer_string (b, pairs[i + 1]);
    }
  nook_json_writer_end_object (b);
}

char *
nook_lifecycle_state_json (const char *root, const char *id, GError **error)
{
  g_autoptr (NookStateInfo) info = nook_state_load (root, id, error);
  g_autoptr (NookJsonWriter) b = nook_json_writer_new (TRUE);
  gboolean alive;

  if (info == NULL)
    return NULL;
  alive = info->status == NOOK_STATUS_CREATED || info->status == NOOK_STATUS_RUNNING;
  nook_json_writer_begin_object (b);
  nook_json_writer_member (b, "ociVersion");
  nook_json_writer_string (b, "1.0.2");
  nook_json_writer_member (b, "id");
  nook_json_writer_string (b, id);
  nook_json_writer_member (b, "status");
  nook_json_writer_string (b, nook_status_name (info->status));
  nook_json_writer_member (b, "pid");
  nook_json_writer_int (b, alive ? info->pid : 0);
  nook_json_writer_member (b, "bundle");
  nook_json_writer_string (b, info->bundle);
  nook_json_writer_member (b, "created");
  nook_json_writer_string (b, info->created);
  nook_json_writer_member (b, "owner");
  nook_json_writer_string (b, "");
  add_pairs (b, "annotations", info->annotations);
  nook_json_writer_end_object (b);
  return nook_json_writer_finish (g_steal_pointer (&b), NULL);
}
