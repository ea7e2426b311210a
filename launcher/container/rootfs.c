/* nook: the container's root filesystem, parent side (rootfs.h).
 *
 * fuse-overlayfs: the container must not see or kill the daemon, so it runs
 * outside the container's PID namespace. And it must not keep the
 * container's mount namespace alive once the container is gone (it would
 * never see its mount go away). So the mount and the daemon are split:
 *
 *   mounter: joins the child's user and mount namespaces, opens /dev/fuse,
 *     mounts it on the target and hands the fd back; exits.
 *   daemon: joins only the child's user namespace (it must be root there
 *     to chown in the upper layer), stays in our PID and mount namespaces,
 *     and serves the fd ("/dev/fd/3" as mountpoint, libfuse 3).
 *
 * Both run in nook's memory until they exit or exec, nook waiting
 * meanwhile (nook_clone_vfork): no copy of nook's page tables for either.
 * So they write nothing but their own stack and call nothing that
 * allocates.
 *
 * When the container's last process exits its mount namespace dies, the
 * kernel aborts the FUSE connection and the daemon exits on its own.
 * The overlay and bind modes are mounted by the child (mounts.c). */
#include "launcher/container/rootfs.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "launcher/clone.h"
#include "launcher/container/network.h"
#include "launcher/container/sync.h"
#include "launcher/container/userns-child.h"
#include "launcher/errors.h"
#include "launcher/init/session-keyring.h"
#include "launcher/proc-ref.h"
#include "storage/remove.h"
#include "storage/state.h"
#include "userns/userns.h"

#define FUSE_FD 3
/* How long the daemon gets to notice its mount is gone. */
#define STOP_TIMEOUT_MS 2000

static const char *const mode_names[] = {
  [NOOK_ROOTFS_FUSE_OVERLAYFS] = "fuse-overlayfs",
  [NOOK_ROOTFS_OVERLAY] = "overlay",
  [NOOK_ROOTFS_BIND] = "bind",
};

gboolean
nook_rootfs_mode_parse (const char *value, NookRootfsMode *out_mode, GError **error)
{
  *out_mode = NOOK_ROOTFS_FUSE_OVERLAYFS;
  if (value == NULL)
    return TRUE;
  for (gsize i = 0; i < G_N_ELEMENTS (mode_names); i++)
    if (strcmp (value, mode_names[i]) == 0)
      {
        *out_mode = i;
        return TRUE;
      }
  g_set_error (error, NOOK_ERROR, NOOK_ERROR_USAGE,
               "run: --rootfs: unknown mode '%s' (fuse-overlayfs, overlay or bind)", value);
  return FALSE;
}

const char *
nook_rootfs_mode_name (NookRootfsMode mode)
{
  return mode_names[mode];
}

void
nook_rootfs_free (NookRootfs *r)
{
  if (r == NULL)
    return;
  nook_rootfs_stop (r);
  nook_layer_free (r->layer);
  g_free (r->target);
  g_free (r->overlay_data);
  g_strfreev (r->fuse_argv);
  g_free (r->fuse_log);
  g_free (r);
}

/* Overlay options separate layers with ':' and options with ','. */
static gboolean
check_option_path (const char *path, GError **error)
{
  if (strpbrk (path, ",:\\") == NULL)
    return TRUE;
  g_set_error (error, NOOK_ERROR, NOOK_ERROR_USAGE,
               "--rootfs: %s: paths with ',', ':' or '\\' cannot be overlay layers; "
               "use --rootfs=bind",
               path);
  return FALSE;
}

/* The path of fuse-overlayfs, once it and /dev/fuse are usable. */
static char *
check_fuse (GError **error)
{
  g_autofree char *prog = g_find_program_in_path ("fuse-overlayfs");

  if (prog == NULL)
    {
      g_set_error (error, NOOK_ERROR, NOOK_ERROR_FAILED,
                   "--rootfs=fuse-overlayfs: fuse-overlayfs is not in PATH (install the "
                   "fuse-overlayfs package, or use --rootfs=overlay or --rootfs=bind)");
      return NULL;
    }
  if (access ("/dev/fuse", R_OK | W_OK) < 0)
    {
      int err = errno;
      g_set_error (error, NOOK_ERROR, NOOK_ERROR_FAILED,
                   "--rootfs=fuse-overlayfs: cannot open /dev/fuse: %s (it must exist and be "
                   "mode 0666, as desktop distributions ship it; or use --rootfs=overlay or "
                   "--rootfs=bind)",
                   g_strerror (err));
      return NULL;
    }
  return g_steal_pointer (&prog);
}

gboolean
nook_rootfs_check_host (NookRootfsMode mode, const char *root_path, GError **error)
{
  g_autofree char *prog = NULL;

  if (mode == NOOK_ROOTFS_BIND)
    return TRUE;
  if (!check_option_path (root_path, error))
    return FALSE;
  if (mode == NOOK_ROOTFS_FUSE_OVERLAYFS && (prog = check_fuse (error)) == NULL)
    return FALSE;
  return TRUE;
}

/* ",uidmapping=NS:SHOWN:SIZE:..." (fuse-overlayfs's order: the id on disk,
 * as the daemon's namespace sees it, then the id the mount shows). */
static void
append_mapping (GString *opts, const char *name, const NookIdMapping *ns, guint n_ns,
                const NookIdMapping *shown, guint n_shown)
{
  guint n = 0;
  g_autofree NookIdShift *shift = nook_idmap_translate (ns, n_ns, shown, n_shown, &n);

  if (n == 0)
    return;
  g_string_append_printf (opts, ",%s=", name);
  for (guint i = 0; i < n; i++)
    g_string_append_printf (opts, "%s%u:%u:%u", i ? ":" : "", shift[i].ns_id, shift[i].shown_id,
                            shift[i].size);
}

static gboolean
prepare_fuse (NookRootfs *r, const char *lower, const NookIdMapPlan *plan, GError **error)
{
  g_autofree char *prog = check_fuse (error);
  g_autoptr (GString) opts = g_string_new (NULL);

  if (prog == NULL)
    return FALSE;
  /* static_nlink: a directory's link count is 1, as the kernel's overlay
   * reports for a merged one, where "1" is the customary "not counted"
   * (find and fts then do not use it). Counting it is what made the
   * daemon load a whole directory, seven system calls an entry, on the
   * first look-up of one: 270 entries of /bin for the PATH search of a
   * busybox "true". */
  g_string_printf (opts, "lowerdir=%s,upperdir=%s,workdir=%s,static_nlink", lower, r->layer->upper,
                   r->layer->work);
  /* fsync=0: an ephemeral layer is thrown away at exit anyway. */
  if (r->layer->ephemeral)
    g_string_append (opts, ",fsync=0");
  /* keep-id: the bundle's files are the caller's, which is root in a
   * default container and the caller itself here. The daemon shows every
   * file with the id it has in a default container, so /etc is root's,
   * with no chown of a copy; and what the container writes is stored that
   * way too, so the layer looks the same to either kind of run. */
  if (plan != NULL && plan->storage_uid_mappings != NULL)
    {
      append_mapping (opts, "uidmapping", plan->uid_mappings, plan->n_uid,
                      plan->storage_uid_mappings, plan->n_storage_uid);
      append_mapping (opts, "gidmapping", plan->gid_mappings, plan->n_gid,
                      plan->storage_gid_mappings, plan->n_storage_gid);
    }
  r->fuse_argv = g_new0 (char *, 6);
  r->fuse_argv[0] = g_steal_pointer (&prog);
  r->fuse_argv[1] = g_strdup ("-f");
  r->fuse_argv[2] = g_strdup ("-o");
  r->fuse_argv[3] = g_string_free (g_steal_pointer (&opts), FALSE);
  r->fuse_argv[4] = g_strdup_printf ("/dev/fd/%d", FUSE_FD);
  r->fuse_log = g_build_filename (r->layer->dir, "fuse-overlayfs.log", NULL);
  return TRUE;
}

NookRootfs *
nook_rootfs_new (NookRootfsMode mode, const char *root_path, gboolean readonly, NookLayer *layer,
                 const NookIdMapPlan *plan, GError **error)
{
  g_autoptr (NookRootfs) r = g_new0 (NookRootfs, 1);

  r->mode = mode;
  r->layer = layer;
  r->mount_flags = readonly ? MS_RDONLY : 0;
  if (mode == NOOK_ROOTFS_BIND)
    {
      r->target = g_strdup (root_path);
      return g_steal_pointer (&r);
    }
  g_return_val_if_fail (layer != NULL, NULL);
  r->target = g_strdup (layer->merged);
  if (!check_option_path (root_path, error) || !check_option_path (layer->dir, error))
    return NULL;
  if (mode == NOOK_ROOTFS_OVERLAY)
    {
      /* volatile: no sync of the upper filesystem at unmount (a sync of
       * the user's whole home filesystem, on every exit), for a layer
       * that is thrown away anyway. */
      r->overlay_data
          = g_strdup_printf ("lowerdir=%s,upperdir=%s,workdir=%s,userxattr%s", root_path,
                             layer->upper, layer->work, layer->ephemeral ? ",volatile" : "");
      return g_steal_pointer (&r);
    }
  if (!prepare_fuse (r, root_path, plan, error))
    return NULL;
  return g_steal_pointer (&r);
}

/* The mounter's one message. Unsent, the parent reads EOF, and the exit
 * status says the report was lost. */
static void
report (int sock, int err, const char *what, int fd)
{
  NookSyncMsg msg = { .type = err ? NOOK_SYNC_ERROR : NOOK_SYNC_GO, .err = err };

  snprintf (msg.msg, sizeof msg.msg, "%s", what);
  if (nook_sync_send (sock, &msg, fd) < 0)
    _exit (1);
}

typedef struct
{
  const NookRootfs *rootfs;
  int userns_fd;
  int mntns_fd; /* the mounter's */
  int fd;       /* the mounter's socket; the daemon's FUSE fd */
} NookRootfsHelper;

/* The mounter: in the child's user and mount namespaces. Never returns. */
static int
run_mounter (void *data)
{
  const NookRootfsHelper *h = data;
  const NookRootfs *r = h->rootfs;
  int userns_fd = h->userns_fd, mntns_fd = h->mntns_fd, sock = h->fd;
  char opts[128];
  int fd;

  if (setns (userns_fd, CLONE_NEWUSER) < 0)
    report (sock, errno, "joining the container's user namespace", -1);
  else if (setns (mntns_fd, CLONE_NEWNS) < 0)
    report (sock, errno, "joining the container's mount namespace", -1);
  else if ((fd = open ("/dev/fuse", O_RDWR | O_CLOEXEC)) < 0)
    report (sock, errno, "opening /dev/fuse", -1);
  else
    {
      /* user_id/group_id: the ids we have in the namespace (0 but under
       * keep-id). allow_other: every container id may use the mount.
       * Not nosuid: the root of a container holds its sudo and su, which
       * the kernel honours only for files of ids mapped in the container's
       * user namespace, so the setuid bit grants nothing outside it (crun
       * and podman mount the root without nosuid too). nodev: the kernel
       * sets it anyway for a mount of a user namespace. */
      snprintf (opts, sizeof opts,
                "fd=%d,rootmode=40000,user_id=%u,group_id=%u,allow_other,default_permissions", fd,
                (unsigned)getuid (), (unsigned)getgid ());
      if (mount ("fuse-overlayfs", r->target, "fuse.fuse-overlayfs", MS_NODEV | r->mount_flags,
                 opts)
          < 0)
        report (sock, errno, "mounting FUSE", -1);
      else
        report (sock, 0, "", fd);
    }
  _exit (0);
}

/* The daemon's own failures go where fuse-overlayfs's messages go, its
 * log, for nook_rootfs_daemon_failure. */
static G_GNUC_NORETURN void
daemon_fail (const char *what, int err)
{
  dprintf (STDERR_FILENO, "%s: %s\n", what, strerror (err));
  _exit (1);
}

/* Root in the namespace, where it maps (under keep-id the caller is not):
 * the daemon creates files for every id of the container and chowns
 * them, which takes capabilities that an exec as non-root drops. Every
 * change is checked: a daemon left with other ids than these would write
 * the layer with them. Two failures are what the namespace allows, not
 * errors: EPERM from setgroups where a map written without newgidmap
 * denies it (the host's supplementary groups then stay), and EINVAL where
 * the container maps no id 0 (one id mapped, not root: the daemon keeps
 * that one, the only owner such a container's files can have). */
static void
become_root (void)
{
  if (getuid () == 0 && getgid () == 0)
    return;
  if (setgroups (0, NULL) < 0 && errno != EPERM)
    daemon_fail ("dropping the supplementary groups", errno);
  if (getgid () != 0 && setresgid (0, 0, 0) < 0 && errno != EINVAL)
    daemon_fail ("setresgid to the container's gid 0", errno);
  if (getuid () != 0 && setresuid (0, 0, 0) < 0 && errno != EINVAL)
    daemon_fail ("setresuid to the container's uid 0", errno);
}

/* The daemon: in the child's user namespace only. Never returns. */
static int
run_daemon (void *data)
{
  const NookRootfsHelper *h = data;
  const NookRootfs *r = h->rootfs;
  int userns_fd = h->userns_fd, fuse_fd = h->fd;
  struct rlimit rl;
  sigset_t none;
  int null;

  sigemptyset (&none);
  sigprocmask (SIG_SETMASK, &none, NULL);
  /* Out of the caller's session: a ^C at the terminal is for the
   * container, not for its filesystem. */
  setsid ();
  null = open ("/dev/null", O_RDWR | O_CLOEXEC);
  if (null >= 0)
    {
      dup2 (null, STDIN_FILENO);
      dup2 (null, STDOUT_FILENO);
    }
  /* Its messages (one at every exit, when the kernel aborts the
   * connection) would mix with the container's stderr: they go to a log
   * next to the layer. */
  if (r->fuse_log != NULL)
    {
      int log = open (r->fuse_log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
      if (log >= 0)
        dup2 (log, STDERR_FILENO);
    }
  if (setns (userns_fd, CLONE_NEWUSER) < 0)
    daemon_fail ("joining the container's user namespace", errno);
  /* It lives in the container's user namespace as long as the container:
   * it must not hold nook's session keyring (session-keyring.h). */
  int keyring_error = -nook_session_keyring_new ();
  if (keyring_error > 0)
    daemon_fail ("joining a new session keyring", keyring_error);
  become_root ();
  /* One fd per open file of the container, and more for the layers. */
  if (getrlimit (RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max)
    {
      rl.rlim_cur = rl.rlim_max;
      setrlimit (RLIMIT_NOFILE, &rl);
    }
  if (dup2 (fuse_fd, FUSE_FD) < 0)
    daemon_fail ("passing the FUSE fd", errno);
  execv (r->fuse_argv[0], r->fuse_argv);
  daemon_fail (r->fuse_argv[0], errno);
}

static int
open_ns (pid_t pid, const char *name)
{
  char path[64];

  snprintf (path, sizeof path, "/proc/%d/ns/%s", (int)pid, name);
  return open (path, O_RDONLY | O_CLOEXEC);
}

static gboolean
fail_msg (const NookSyncMsg *msg, GError **error)
{
  g_set_error (error, NOOK_ERROR, NOOK_ERROR_FAILED, "rootfs: fuse-overlayfs: %s: %s", msg->msg,
               g_strerror (msg->err));
  return FALSE;
}

static gboolean
mount_fuse (NookRootfs *r, int userns_fd, int mntns_fd, int *out_fd, GError **error)
{
  NookSyncMsg msg = { 0 };
  NookRootfsHelper h = { .rootfs = r, .userns_fd = userns_fd, .mntns_fd = mntns_fd };
  int sv[2], rc;
  pid_t pid;

  if (socketpair (AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
    {
      g_set_error (error, NOOK_ERROR, NOOK_ERROR_FAILED, "socketpair: %s", g_strerror (errno));
      return FALSE;
    }
  h.fd = sv[1];
  pid = nook_clone_vfork (run_mounter, &h, SIGCHLD, 0);
  close (sv[1]);
  rc = pid < 0 ? -errno : nook_sync_recv (sv[0], &msg, out_fd);
  close (sv[0]);
  if (pid > 0)
    while (waitpid (pid, NULL, 0) < 0 && errno == EINTR)
      ;
  if (rc < 0)
    {
      g_set_error (error, NOOK_ERROR, NOOK_ERROR_FAILED, "rootfs: mounting fuse-overlayfs: %s",
                   g_strerror (-rc));
      return FALSE;
    }
  if (msg.type != NOOK_SYNC_GO || *out_fd < 0)
    return fail_msg (&msg, error);
  return TRUE;
}

/* Not waited for: the mount is in place, and the container's first look
 * at it waits in the kernel until the daemon answers. A daemon that
 * cannot start closes the last FUSE fd, which aborts the connection: the
 * container then fails, and nook_rootfs_daemon_failure says why. */
static gboolean
start_daemon (NookRootfs *r, int userns_fd, int fuse_fd, GError **error)
{
  NookRootfsHelper h = { .rootfs = r, .userns_fd = userns_fd, .mntns_fd = -1, .fd = fuse_fd };
  pid_t pid = nook_clone_vfork (run_daemon, &h, SIGCHLD, 0);

  if (pid < 0)
    {
      g_set_error (error, NOOK_ERROR, NOOK_ERROR_FAILED, "fork: %s", g_strerror (errno));
      return FALSE;
    }
  r->fuse_pid = pid;
  return TRUE;
}

gboolean
nook_rootfs_start (NookRootfs *r, pid_t child, GError **error)
{
  int userns_fd, mntns_fd, fuse_fd = -1;
  gboolean ok;

  if (r == NULL || r->mode != NOOK_ROOTFS_FUSE_OVERLAYFS)
    return TRUE;
  userns_fd = open_ns (child, "user");
  mntns_fd = open_ns (child, "mnt");
  if (userns_fd < 0 || mntns_fd < 0)
    {
      int err = errno;
      if (userns_fd >= 0)
        close (userns_fd);
      if (mntns_fd >= 0)
        close (mntns_fd);
      g_set_error (error, NOOK_ERROR, NOOK_ERROR_FAILED,
                   "rootfs: opening the namespaces of the container: %s", g_strerror (err));
      return FALSE;
    }
  ok = mount_fuse (r, userns_fd, mntns_fd, &fuse_fd, error);
  close (mntns_fd);
  if (ok)
    ok = start_daemon (r, userns_fd, fuse_fd, error);
  close (userns_fd);
  if (fuse_fd >= 0)
    close (fuse_fd);
  return ok;
}

/* Waits for pid to exit, for timeout_ms at most (then kills it). */
static void
reap_within (pid_t pid, int timeout_ms, int *out_status)
{
  if (nook_child_wait (pid, timeout_ms, out_status))
    return;
  kill (pid, SIGKILL);
  while (waitpid (pid, out_status, 0) < 0 && errno == EINTR)
    ;
}

void
nook_rootfs_stop (NookRootfs *r)
{
  if (r == NULL || r->fuse_pid <= 0)
    return;
  /* The kernel aborts the FUSE connection when the container's mount
   * namespace goes; the daemon then exits at once. A pidfd wakes us up
   * at that moment (without pidfds, the next tick of a poll loop does). */
  reap_within (r->fuse_pid, STOP_TIMEOUT_MS, &r->fuse_status);
  r->fuse_pid = 0;
}

void
nook_rootfs_detach (NookRootfs *r)
{
  if (r != NULL)
    r->fuse_pid = 0;
}

char *
nook_rootfs_daemon_failure (const NookRootfs *r)
{
  g_autofree char *log = NULL;
  g_auto (GStrv) lines = NULL;
  guint n;

  if (r == NULL || r->fuse_log == NULL || !WIFEXITED (r->fuse_status)
      || WEXITSTATUS (r->fuse_status) == 0)
    return NULL;
  if (!g_file_get_contents (r->fuse_log, &log, NULL, NULL))
    return g_strdup_printf ("exit status %d", WEXITSTATUS (r->fuse_status));
  lines = g_strsplit (g_strstrip (log), "\n", -1);
  n = g_strv_length (lines);
  if (n == 0 || *lines[n - 1] == '\0')
    return g_strdup_printf ("exit status %d", WEXITSTATUS (r->fuse_status));
  return g_strdup (lines[n - 1]);
}

/* In the child of remove_in_userns, root in its user namespace: it
 * reports what failed as text. */
static int
remove_work (gpointer data, int report_fd)
{
  g_autoptr (GError) local = NULL;

  if (!nook_remove_tree (data, &local))
    {
      dprintf (report_fd, "%s", local->message);
      return 1;
    }
  return 0;
}

/* rm -rf of dir in a fresh user namespace with the maps of plan: root
 * there may remove files of every mapped id. */
static gboolean
remove_in_userns (const char *dir, const NookIdMapPlan *plan, GError **error)
{
  g_autofree char *text = NULL;
  int status;

  if (!nook_userns_child_run (plan, NOOK_USERNS_CHILD_DEFAULT, remove_work, (gpointer)dir, &text,
                              &status, error))
    return FALSE;
  if (status >= 0 && WIFEXITED (status) && WEXITSTATUS (status) == 0)
    return TRUE;
  g_set_error (error, NOOK_ERROR, NOOK_ERROR_FAILED,
               "cannot remove %s, even in a user namespace with the container's ids: %s", dir,
               *text ? text : "the helper process failed");
  return FALSE;
}

gboolean
nook_rootfs_remove_layer (const char *dir, const NookIdMapPlan *plan, GError **error)
{
  g_autoptr (GError) local = NULL;

  if (nook_remove_tree (dir, &local))
    return TRUE;
  if (plan == NULL || plan->uid_map == NULL
      || !g_error_matches (local, G_FILE_ERROR, G_FILE_ERROR_ACCES))
    {
      g_propagate_error (error, g_steal_pointer (&local));
      return FALSE;
    }
  return remove_in_userns (dir, plan, error);
}

gboolean
nook_rootfs_remove_layer_as_caller (const char *dir, GError **error)
{
  g_autoptr (GError) local = NULL;
  g_autoptr (NookIdMapPlan) plan = NULL;
  g_autoptr (GPtrArray) warnings = g_ptr_array_new_with_free_func (g_free);

  if (nook_remove_tree (dir, &local))
    return TRUE;
  if (!g_error_matches (local, G_FILE_ERROR, G_FILE_ERROR_ACCES))
    {
      g_propagate_error (error, g_steal_pointer (&local));
      return FALSE;
    }
  plan = nook_userns_plan_for_caller (NULL, 0, NULL, 0, NOOK_USERNS_AUTO, warnings, error);
  if (plan == NULL)
    return FALSE;
  return remove_in_userns (dir, plan, error);
}

gboolean
nook_rootfs_collect_dead (const char *root, const char *id, GError **error)
{
  g_autofree char *dir = g_build_filename (root, id, NULL);
  g_autofree char *layer = g_build_filename (dir, "layer", NULL);
  /* The lock first, then the decision, then the removal: whatever nook
   * held the state is dead, and no other can take it meanwhile. */
  g_autoptr (NookState) state = nook_state_claim_dead (root, id, error);

  if (state == NULL)
    return FALSE;
  /* --net=pasta: its pasta outlives a nook killed with SIGKILL. */
  nook_pasta_collect (dir);
  /* Files of subordinate ids in the layer need a user namespace to go;
   * the state's own removal would fail on them. */
  if (!nook_rootfs_remove_layer_as_caller (layer, error))
    return FALSE;
  /* Freeing removes the rest, under the lock, and the directory. */
  return TRUE;
}
