/* nook: the container process's attributes, set by init in the child after
 * pivot_root: sysctl, hostname, terminal, rlimits, credentials, capabilities,
 * no_new_privs, seccomp, and finally execve. */
#include "launcher/fds.h"
#include "launcher/init/step.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <linux/capability.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <termios.h>
#include <unistd.h>

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

int
nook_init_step_sysctl (NookInit *init)
{
  for (guint i = 0; i < init->config->n_sysctl; i++)
    {
      const NookSysctl *s = &init->config->sysctl[i];
      char path[PATH_MAX];
      size_t len;
      int fd;

      len = snprintf (path, sizeof (path), "/proc/sys/%s", s->key);
      if (len >= sizeof (path))
        return nook_init_fail (init, ENAMETOOLONG, "sysctl %s", s->key);
      for (char *c = path + strlen ("/proc/sys/"); *c; c++)
        if (*c == '.')
          *c = '/';
      fd = open (path, O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
      if (fd < 0)
        return nook_init_fail (init, errno, "sysctl %s", s->key);
      if (write (fd, s->value, strlen (s->value)) < 0)
        {
          int err = errno;
          close (fd);
          return nook_init_fail (init, err, "sysctl %s=%s", s->key, s->value);
        }
      close (fd);
    }
  return 0;
}

int
nook_init_step_hostname (NookInit *init)
{
  const char *h = init->config->hostname, *d = init->config->domainname;

  if (init->container->options.uts_host)
    return 0;
  if (h && sethostname (h, strlen (h)) < 0)
    return nook_init_fail (init, errno, "sethostname %s", h);
  if (d && setdomainname (d, strlen (d)) < 0)
    return nook_init_fail (init, errno, "setdomainname %s", d);
  return 0;
}

/* The pty comes from the container's own devpts (its /dev/ptmx), so that
 * /dev/pts/0 inside is the process's terminal; the parent gets the master. */
int
nook_init_step_terminal (NookInit *init)
{
  NookSyncMsg msg = { .type = NOOK_SYNC_PTY };
  int unlock = 0, r;

  if (!init->container->use_terminal)
    return 0;

  init->pty_master = open ("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (init->pty_master < 0)
    return nook_init_fail (init, errno, "open /dev/ptmx (is devpts mounted with ptmxmode=0666?)");
  if (ioctl (init->pty_master, TIOCSPTLCK, &unlock) < 0)
    return nook_init_fail (init, errno, "unlock pty");
  if (init->container->winsize.ws_row != 0
      && ioctl (init->pty_master, TIOCSWINSZ, &init->container->winsize) < 0)
    return nook_init_fail (init, errno, "set the pty's window size");
  init->pty_slave = ioctl (init->pty_master, TIOCGPTPEER, O_RDWR | O_NOCTTY);
  if (init->pty_slave < 0)
    return nook_init_fail (init, errno, "open pty peer");

  if (setsid () < 0)
    return nook_init_fail (init, errno, "setsid");
  if (ioctl (init->pty_slave, TIOCSCTTY, 0) < 0)
    return nook_init_fail (init, errno, "set controlling terminal");
  for (int fd = 0; fd < 3; fd++)
    if (dup2 (init->pty_slave, fd) < 0)
      return nook_init_fail (init, errno, "dup2 pty");
  if (init->pty_slave > 2)
    close (init->pty_slave);

  r = nook_sync_send (init->sock, &msg, init->pty_master);
  if (r < 0)
    return nook_init_fail (init, -r, "sending the pty to nook");
  close (init->pty_master);
  init->pty_master = -1;
  return 0;
}

int
nook_init_step_rlimits (NookInit *init)
{
  const NookProcess *p = &init->config->process;

  for (guint i = 0; i < p->n_rlimits; i++)
    {
      struct rlimit rl = { .rlim_cur = p->rlimits[i].soft, .rlim_max = p->rlimits[i].hard };

      if (setrlimit (p->rlimits[i].resource, &rl) < 0)
        return nook_init_fail (init, errno, "setrlimit %s", p->rlimits[i].name);
    }
  return 0;
}

static int
load_seccomp (NookInit *init)
{
  const NookContainer *c = init->container;
  int r = nook_seccomp_load (c->seccomp->insns, c->seccomp->n_insns, c->seccomp_flags);

  if (r < 0)
    return nook_init_fail (init, -r, "loading the seccomp filter (flags 0x%x)", c->seccomp_flags);
  return 0;
}

/* Without no_new_privs the kernel only lets a process holding CAP_SYS_ADMIN
 * load a filter, and the user switch below drops it: load it now, as runc
 * does. The filter then also applies to the remaining setup syscalls. */
int
nook_init_step_seccomp_privileged (NookInit *init)
{
  if (init->container->seccomp == NULL || init->config->process.no_new_privileges)
    return 0;
  return load_seccomp (init);
}

/* Written while the host's /proc is still there: the container may mount
 * none. The parent checked the value is not a lowering. */
int
nook_init_step_oom_score_adj (NookInit *init)
{
  const char *value = init->container->oom_score_adj;
  int fd, r;

  if (value[0] == '\0')
    return 0;
  fd = open ("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC);
  if (fd < 0)
    return nook_init_fail (init, errno, "process.oomScoreAdj: open /proc/self/oom_score_adj");
  r = write (fd, value, strlen (value));
  if (r < 0)
    {
      int err = errno;
      close (fd);
      return nook_init_fail (init, err, "process.oomScoreAdj: writing %s", value);
    }
  close (fd);
  return 0;
}

static const char *
sched_policy_name (guint32 policy)
{
  static const char *const names[] = { "SCHED_OTHER", "SCHED_FIFO", "SCHED_RR",      "SCHED_BATCH",
                                       "SCHED_ISO",   "SCHED_IDLE", "SCHED_DEADLINE" };

  return policy < G_N_ELEMENTS (names) ? names[policy] : "?";
}

/* process.ioPriority, process.scheduler, linux.memoryPolicy,
 * linux.personality: one syscall each, with the values the parent
 * prepared. The kernel's refusal (a real-time class or policy needs
 * privileges a rootless container lacks) names the field. */
int
nook_init_step_scheduling (NookInit *init)
{
  const NookConfig *config = init->config;
  const NookProcess *p = &config->process;

  static const char *const io_classes[]
      = { "?", "IOPRIO_CLASS_RT", "IOPRIO_CLASS_BE", "IOPRIO_CLASS_IDLE" };

  if (p->has_io_priority
      && syscall (SYS_ioprio_set, 1 /* IOPRIO_WHO_PROCESS */, 0, p->io_priority) < 0)
    return nook_init_fail (init, errno,
                           "process.ioPriority: ioprio_set %s %d (the real-time class needs "
                           "CAP_SYS_ADMIN on the host)",
                           io_classes[(p->io_priority >> 13) & 3], p->io_priority & 0x1fff);
  if (p->has_scheduler && syscall (SYS_sched_setattr, 0, &p->sched, 0) < 0)
    return nook_init_fail (init, errno,
                           "process.scheduler: sched_setattr %s (real-time policies need "
                           "CAP_SYS_NICE on the host or an RLIMIT_RTPRIO)",
                           sched_policy_name (p->sched.sched_policy));
  if (config->has_memory_policy
      && syscall (SYS_set_mempolicy, config->mempolicy_mode, config->mempolicy_nodes,
                  (unsigned long)NOOK_MEMPOLICY_MAX_NODES + 1)
             < 0)
    return nook_init_fail (init, errno, "linux.memoryPolicy: set_mempolicy");
  if (config->has_personality && personality (config->personality) < 0)
    return nook_init_fail (init, errno, "linux.personality: personality 0x%lx",
                           config->personality);
  return 0;
}

/* crun: a process.cwd missing from the rootfs is made (0755, owned by the
 * process user), before the root may turn read-only. Components that exist
 * are left as they are. */
int
nook_init_step_make_cwd (NookInit *init)
{
  const char *cwd = init->config->process.cwd;
  const NookContainer *c = init->container;
  char path[PATH_MAX];
  size_t len = strlen (cwd);
  struct stat st;

  if (stat (cwd, &st) == 0 || errno != ENOENT)
    return 0;
  if (len >= sizeof (path))
    return nook_init_fail (init, ENAMETOOLONG, "process.cwd %s", cwd);
  for (size_t i = 1; i <= len; i++)
    {
      if (i < len && cwd[i] != '/')
        continue;
      memcpy (path, cwd, i);
      path[i] = '\0';
      if (mkdir (path, 0755) < 0)
        {
          if (errno == EEXIST)
            continue;
          return nook_init_fail (init, errno, "creating process.cwd %s", path);
        }
      /* The caller's umask must not narrow it. */
      if (chmod (path, 0755) < 0 || lchown (path, c->uid, c->gid) < 0)
        return nook_init_fail (init, errno, "creating process.cwd %s", path);
    }
  return 0;
}

int
nook_init_step_cwd (NookInit *init)
{
  if (chdir (init->config->process.cwd) < 0)
    return nook_init_fail (init, errno, "chdir to process.cwd %s", init->config->process.cwd);
  return 0;
}

/* Dropping from the bounding set needs CAP_SETPCAP, so it comes before the
 * user switch. */
int
nook_init_step_bounding (NookInit *init)
{
  const NookContainer *c = init->container;

  for (int cap = 0; cap <= c->last_cap; cap++)
    {
      if (c->bounding & (G_GUINT64_CONSTANT (1) << cap))
        continue;
      if (prctl (PR_CAPBSET_DROP, cap, 0, 0, 0) < 0 && errno != EINVAL)
        return nook_init_fail (init, errno, "dropping capability %d from the bounding set", cap);
    }
  return 0;
}

int
nook_init_step_user (NookInit *init)
{
  const NookProcess *p = &init->config->process;
  const NookContainer *c = init->container;

  /* runtime-spec: without process.user.umask the caller's is kept. */
  if (init->config->process.has_umask)
    umask (init->config->process.umask);

  /* Keep the permitted set across setresuid; capset below trims it. */
  if (prctl (PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
    return nook_init_fail (init, errno, "PR_SET_KEEPCAPS");
  /* --group-add=keep-groups: the caller's groups (shown as the overflow
   * gid when not mapped) still grant access to /dev/kvm, video, ... */
  /* A user namespace joined by path may deny setgroups: only an error when
   * groups were asked for. */
  if (!c->idmap->deny_setgroups && !c->options.keep_groups
      && setgroups (p->n_additional_gids, (const gid_t *)p->additional_gids) < 0
      && (errno != EPERM || p->n_additional_gids > 0))
    return nook_init_fail (init, errno, "setgroups");
  if (setresgid (c->gid, c->gid, c->gid) < 0)
    return nook_init_fail (init, errno, "setresgid %u", c->gid);
  if (setresuid (c->uid, c->uid, c->uid) < 0)
    return nook_init_fail (init, errno, "setresuid %u", c->uid);
  if (prctl (PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0)
    return nook_init_fail (init, errno, "PR_SET_KEEPCAPS");
  return 0;
}

int
nook_init_step_capabilities (NookInit *init)
{
  const NookContainer *c = init->container;
  struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
  struct __user_cap_data_struct data[2] = { 0 };

  for (int i = 0; i < 2; i++)
    {
      data[i].effective = (guint32)(c->effective >> (32 * i));
      data[i].permitted = (guint32)(c->permitted >> (32 * i));
      data[i].inheritable = (guint32)(c->inheritable >> (32 * i));
    }
  if (syscall (SYS_capset, &hdr, data) < 0)
    return nook_init_fail (init, errno, "capset");

  if (prctl (PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
    return nook_init_fail (init, errno, "clearing ambient capabilities");
  for (int cap = 0; cap <= c->last_cap; cap++)
    {
      if (!(c->ambient & (G_GUINT64_CONSTANT (1) << cap)))
        continue;
      if (prctl (PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap, 0, 0) < 0)
        return nook_init_fail (init, errno, "raising ambient capability %d", cap);
    }
  return 0;
}

int
nook_init_step_no_new_privs (NookInit *init)
{
  if (!init->config->process.no_new_privileges)
    return 0;
  if (prctl (PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
    return nook_init_fail (init, errno, "PR_SET_NO_NEW_PRIVS");
  return 0;
}

/* The very last step before execve: every earlier step may need syscalls the
 * profile denies. */
int
nook_init_step_seccomp (NookInit *init)
{
  if (init->container->seccomp == NULL || !init->config->process.no_new_privileges)
    return 0;
  return load_seccomp (init);
}

/* The executable found before create reports success (resolve_executable),
 * so that a missing command fails create, as with runc, not a later start.
 * Static: the child does not allocate. */
static char resolved_path[PATH_MAX];

/* create/start split: report READY, then block until "start" opens the
 * exec fifo for reading, and write one byte it waits for. The fifo lives in
 * the state directory, out of reach after pivot_root: it is reopened for
 * writing through the O_PATH fd the parent opened (as runc does), which
 * needs the container's /proc. nook run has no fifo. */
/* LISTEN_FDS=L and --preserve-fds N: fds 3..3+L+N-1 go into the process
 * as they are (runc: "stdio + $LISTEN_FDS + N in total"); every fd from
 * the one returned here on is closed on execve (close_fds_on_exec). */
static int
first_fd_closed_on_exec (const NookContainer *c)
{
  return 3 + c->listen_fds + c->preserve_fds;
}

/* One write of at most PIPE_BUF bytes: start reads it whole. 0 or -errno. */
static int
write_start_result (int fd, const char *failure)
{
  char buf[1 + sizeof (((NookSyncMsg *)0)->msg)];
  size_t len;
  ssize_t r;

  len = (size_t)snprintf (buf, sizeof buf, "%s%s", failure ? "1" : "0", failure ? failure : "");
  if (len >= sizeof buf)
    len = sizeof buf - 1;
  do
    r = write (fd, buf, len);
  while (r < 0 && errno == EINTR);
  return r < 0 ? -errno : 0;
}

int
nook_init_step_wait_start (NookInit *init)
{
  NookSyncMsg ready = { .type = NOOK_SYNC_READY };
  NookSyncMsg ack;
  char path[64];
  gboolean hooks_ok;
  int fd, first_closed, r;

  /* nook run: nobody to wait for; its startContainer hooks run here, at
   * the same point as a created container's. */
  if (init->container->exec_fifo_fd < 0)
    return nook_init_step_start_hooks (init);
  snprintf (path, sizeof path, "/proc/self/fd/%d", init->container->exec_fifo_fd);
  r = nook_sync_send (init->sock, &ready, -1);
  if (r < 0)
    return nook_init_fail (init, -r, "telling nook the container is created");
  /* sync 2: nook recorded the container's state. EOF instead means it
   * died before: nobody knows of this process, so it must not wait. */
  r = nook_sync_recv (init->sock, &ack, NULL);
  if (r < 0 || ack.type != NOOK_SYNC_GO)
    _exit (125);
  do
    fd = open (path, O_WRONLY | O_CLOEXEC);
  while (fd < 0 && errno == EINTR);
  if (fd < 0)
    return nook_init_fail (init, errno, "opening the exec fifo (is /proc mounted?)");
  /* Above the fds the process keeps, so that every execve closes it. */
  first_closed = first_fd_closed_on_exec (init->container);
  if (fd < first_closed)
    {
      int high = fcntl (fd, F_DUPFD_CLOEXEC, first_closed);

      close (fd);
      if ((fd = high) < 0)
        return nook_init_fail (init, errno, "moving the exec fifo's fd");
    }
  /* start is reading: its startContainer hooks run now, and their outcome
   * is what start reads ("0", or "1" and the message), so that a failing
   * hook fails start itself, as the runtime spec asks. */
  hooks_ok = nook_init_step_start_hooks (init) == 0;
  r = write_start_result (fd, hooks_ok ? NULL : init->error.msg);
  /* fd stays open, close-on-exec: PID 1 and the process it forks hold it
   * until their execve (or exit), and start reads until it is closed, so
   * that a container it reports started has its process: an exec or
   * enter right after must not find pid 2 free and take it. */
  close (init->container->exec_fifo_fd);
  if (!hooks_ok)
    return -1;
  if (r < 0)
    return nook_init_fail (init, -r, "writing the exec fifo");
  return 0;
}

static int exec_fail (NookInit *init, int err, const char *name);

/* Whether path names a file this process may execute. */
static gboolean
executable (const char *path, int *out_err)
{
  struct stat st;

  if (stat (path, &st) < 0)
    {
      *out_err = errno;
      return FALSE;
    }
  if (!S_ISREG (st.st_mode) || access (path, X_OK) < 0)
    {
      *out_err = EACCES;
      return FALSE;
    }
  return TRUE;
}

/* Before a detached container reports READY: find process.args[0] in the
 * container's PATH, as execvp would. */
int
nook_init_step_find_executable (NookInit *init)
{
  const NookContainer *c = init->container;
  const char *name = c->argv[0];
  const char *p = c->path_env;
  int err = ENOENT, first_err = 0;

  if (c->exec_fifo_fd < 0)
    return 0;
  if (strchr (name, '/'))
    {
      if (!executable (name, &err))
        return exec_fail (init, err, name);
      snprintf (resolved_path, sizeof resolved_path, "%s", name);
      return 0;
    }
  while (p && *p)
    {
      const char *end = strchrnul (p, ':');
      size_t dlen = end - p;

      if (dlen + strlen (name) + 2 <= sizeof (resolved_path))
        {
          if (dlen == 0)
            snprintf (resolved_path, sizeof resolved_path, "%s", name);
          else
            snprintf (resolved_path, sizeof resolved_path, "%.*s/%s", (int)dlen, p, name);
          if (executable (resolved_path, &err))
            return 0;
          if (err == EACCES && first_err == 0)
            first_err = err;
        }
      p = *end ? end + 1 : end;
    }
  resolved_path[0] = '\0';
  return exec_fail (init, first_err ? first_err : ENOENT, name);
}

/* The fds first_fd_closed_on_exec keeps go into the process; every other
 * fd nook holds is closed on execve. */
static void
close_fds_on_exec (const NookContainer *c)
{
  int first_closed = first_fd_closed_on_exec (c);

  for (int fd = 3; fd < first_closed; fd++)
    {
      int flags = fcntl (fd, F_GETFD);

      if (flags >= 0)
        fcntl (fd, F_SETFD, flags & ~FD_CLOEXEC);
    }
  nook_fds_cloexec_from (first_closed);
}

static int
exec_fail (NookInit *init, int err, const char *name)
{
  init->error.type = NOOK_SYNC_EXEC_ERROR;
  snprintf (init->error.step, sizeof (init->error.step), "exec");
  if (err == ENOENT)
    nook_init_fail (init, 0, "exec \"%s\": not found in the container (PATH=%s)", name,
                    init->container->path_env);
  else
    nook_init_fail (init, err, "exec \"%s\"", name);
  init->error.err = err;
  return -1;
}

/* Like execvp, but with the container's PATH rather than nook's own, and
 * without allocating. */
int
nook_init_exec (NookInit *init)
{
  const NookContainer *c = init->container;
  const char *name = c->argv[0];
  const char *p = c->path_env;
  int first_err = 0;

  /* The process is tied to nook: if nook dies, so does the container.
   * Credential changes reset this, so it is set after the user switch. A
   * detached container outlives the nook that created it. */
  if (!c->detached && prctl (PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0)
    return nook_init_fail (init, errno, "PR_SET_PDEATHSIG");

  /* Whatever fds nook inherited stay out of the container, but those that
   * LISTEN_FDS hands on (socket activation, as crun) and --preserve-fds. */
  if (c->listen_fds > 0)
    snprintf (c->listen_pid, 12, "%d", (int)getpid ());
  close_fds_on_exec (c);

  if (resolved_path[0] != '\0')
    {
      execve (resolved_path, c->argv, c->envp);
      return exec_fail (init, errno, name);
    }
  if (strchr (name, '/'))
    {
      execve (name, c->argv, c->envp);
      return exec_fail (init, errno, name);
    }

  while (p && *p)
    {
      char path[PATH_MAX];
      const char *end = strchrnul (p, ':');
      size_t dlen = end - p;

      if (dlen + strlen (name) + 2 <= sizeof (path))
        {
          if (dlen == 0)
            snprintf (path, sizeof (path), "%s", name);
          else
            snprintf (path, sizeof (path), "%.*s/%s", (int)dlen, p, name);
          execve (path, c->argv, c->envp);
          if (errno == EACCES || errno == ENOEXEC || errno == EPERM)
            {
              if (first_err == 0)
                first_err = errno;
            }
          else if (errno != ENOENT && errno != ENOTDIR && errno != ELOOP)
            return exec_fail (init, errno, name);
        }
      p = *end ? end + 1 : end;
    }
  return exec_fail (init, first_err ? first_err : ENOENT, name);
}
