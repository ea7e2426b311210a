/* nook: the container's init, run in the cloned child.
 *
 * At entry the child is in every namespace the config asked for (clone()
 * created them; the user namespace owns the others) but its id maps are not
 * written yet, so it has no usable credentials: it waits for the parent
 * (sync 1) before touching anything. From then on it runs the steps below in
 * order, each a plain function of mounts.c or process.c. */
#include "launcher/init/init.h"
#include "launcher/init/step.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "launcher/init/session-keyring.h"

typedef struct
{
  const char *name;
  int (*run) (NookInit *init);
} NookInitStep;

/* First, before anything of the container's can run, and before the
 * namespaces step forks the process that relays signals: a new, empty
 * session keyring instead of nook's (session-keyring.h says why). Failing
 * to make one fails the run, as in runc and crun; only a kernel without
 * keyrings is let through. */
static int
step_session_keyring (NookInit *init)
{
  int r = nook_session_keyring_new ();

  if (r < 0)
    return nook_init_fail (init, -r, "joining a new session keyring");
  return 0;
}

/* The order is the contract (STYLE.md): sync, mount propagation, rootfs,
 * mounts, pivot_root, masks, hostname, rlimits, user, capabilities,
 * no_new_privs, seccomp, execve. sysctl comes before the masks because
 * readonlyPaths usually covers /proc/sys. A created container (nook
 * create) waits for start before the filter goes on, so that the profile
 * need not allow the fifo's open and write. The runtime spec places the
 * hooks: createContainer (and, from the parent, prestart and createRuntime)
 * between the mounts and pivot_root, startContainer after start, here
 * under the process's credentials and filter, right before the execve (as
 * crun runs them). */
static const NookInitStep steps[] = {
  { "session-keyring", step_session_keyring },
  { "join-namespaces", nook_init_step_namespaces },
  { "network", nook_init_step_network },
  { "oom-score-adj", nook_init_step_oom_score_adj },
  { "mount-propagation", nook_init_step_propagation },
  { "rootfs", nook_init_step_rootfs },
  { "mounts", nook_init_step_mounts },
  { "dev", nook_init_step_dev },
  { "devices", nook_init_step_devices },
  { "etc-files", nook_init_step_etc_files },
  { "create-hooks", nook_init_step_create_hooks },
  { "pivot-root", nook_init_step_pivot_root },
  { "keep-id-user", nook_init_step_keep_id_user },
  { "make-cwd", nook_init_step_make_cwd },
  { "sysctl", nook_init_step_sysctl },
  { "masks", nook_init_step_masks },
  { "readonly-root", nook_init_step_readonly_root },
  { "rootfs-propagation", nook_init_step_rootfs_propagation },
  { "hostname", nook_init_step_hostname },
  { "terminal", nook_init_step_terminal },
  { "rlimits", nook_init_step_rlimits },
  { "scheduling", nook_init_step_scheduling },
  { "seccomp-privileged", nook_init_step_seccomp_privileged },
  { "cwd", nook_init_step_cwd },
  { "capability-bounding", nook_init_step_bounding },
  { "user", nook_init_step_user },
  { "capabilities", nook_init_step_capabilities },
  { "no-new-privileges", nook_init_step_no_new_privs },
  { "find-executable", nook_init_step_find_executable },
  { "wait-start", nook_init_step_wait_start }, /* and the startContainer hooks */
  { "seccomp", nook_init_step_seccomp },
  /* Last: PID 1 and the process it forks both carry the filter. */
  { "init", nook_init_step_init_process },
};

static G_GNUC_NORETURN void
report_and_exit (NookInit *init)
{
  nook_sync_send (init->sock, &init->error, -1);
  _exit (125);
}

void
nook_init_main (const NookContainer *container, int sock)
{
  NookInit init = {
    .container = container,
    .config = container->config,
    .sock = sock,
    .rootfd = -1,
    .pty_master = -1,
    .pty_slave = -1,
    .create_hooks_stdin = -1,
    .start_hooks_stdin = -1,
    .mount_index = -1,
  };
  NookSyncMsg msg;
  int r;

  init.error.type = NOOK_SYNC_ERROR;
  /* The lock on the state is nook's: a detached container's process
   * holding it would make the container look owned by a live nook. */
  if (container->state_lock_fd >= 0)
    close (container->state_lock_fd);

  /* sync 1: wait until the parent wrote our id maps. EOF means the parent
   * failed or died: there is nobody to report to. */
  r = nook_sync_recv (sock, &msg, NULL);
  if (r < 0 || msg.type != NOOK_SYNC_GO)
    _exit (125);

  for (size_t i = 0; i < G_N_ELEMENTS (steps); i++)
    {
      if (steps[i].run (&init) < 0)
        {
          snprintf (init.error.step, sizeof (init.error.step), "%s", steps[i].name);
          report_and_exit (&init);
        }
    }

  nook_init_exec (&init);
  report_and_exit (&init);
}
