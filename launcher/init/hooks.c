/* nook: the OCI hooks that run inside the container, from its init.
 *
 * createContainer: in every namespace of the container (the mount namespace
 * with its mounts done), before pivot_root, so the hook's path is the
 * host's. Before them the child stops at the hooks sync for the parent to run the
 * prestart and createRuntime hooks in the runtime's namespaces.
 * startContainer: at start, after pivot_root (its path is the container's),
 * as the process's user with its capabilities and seccomp filter, right
 * before the execve (as crun does).
 *
 * The state each reads on stdin comes from the parent as a memfd, because
 * it holds the pid the parent only learns from clone(). */
#include "launcher/init/step.h"

#include <unistd.h>

#include "launcher/container/hook-spawn.h"

static int
run_hooks (NookInit *init, NookHookKind kind, int stdin_fd)
{
  const NookConfig *config = init->config;

  for (unsigned int i = 0; i < config->n_hooks[kind]; i++)
    {
      NookHookResult result;

      if (nook_hook_spawn (&config->hooks[kind][i], stdin_fd, &result) == 0)
        continue;
      nook_hook_describe (init->error.msg, sizeof init->error.msg, kind, i, &config->hooks[kind][i],
                          &result);
      init->error.type = NOOK_SYNC_HOOK_ERROR;
      init->error.err = result.err;
      return -1;
    }
  return 0;
}

/* The HOOK_STATE memfds, until GO. */
static int
receive_states (NookInit *init)
{
  for (;;)
    {
      NookSyncMsg msg;
      int fd = -1;
      int r = nook_sync_recv (init->sock, &msg, &fd);

      /* EOF: the parent failed (a prestart hook, say) and kills us. */
      if (r < 0)
        return nook_init_fail (init, -r, "waiting for the createRuntime hooks");
      if (msg.type == NOOK_SYNC_GO)
        return 0;
      if (msg.type != NOOK_SYNC_HOOK_STATE || fd < 0)
        return nook_init_fail (init, 0, "unexpected message %d at the hooks sync", msg.type);
      if (msg.err == NOOK_HOOK_CREATE_CONTAINER && init->create_hooks_stdin < 0)
        init->create_hooks_stdin = fd;
      else if (msg.err == NOOK_HOOK_START_CONTAINER && init->start_hooks_stdin < 0)
        init->start_hooks_stdin = fd;
      else
        close (fd);
    }
}

int
nook_init_step_create_hooks (NookInit *init)
{
  const NookContainerHooks *hooks = init->container->hooks;
  NookSyncMsg msg = { .type = NOOK_SYNC_HOOKS };
  int r;

  if (hooks == NULL || hooks->runtime == NULL)
    return 0;
  /* The hooks sync: the runtime environment exists; the parent runs its hooks. */
  r = nook_sync_send (init->sock, &msg, -1);
  if (r < 0)
    return nook_init_fail (init, -r, "hooks sync");
  if (receive_states (init) < 0)
    return -1;
  r = run_hooks (init, NOOK_HOOK_CREATE_CONTAINER, init->create_hooks_stdin);
  if (init->create_hooks_stdin >= 0)
    close (init->create_hooks_stdin);
  init->create_hooks_stdin = -1;
  return r;
}

int
nook_init_step_start_hooks (NookInit *init)
{
  int r;

  /* Only with the state from the hooks sync: a launch that did not attach
   * hooks runs none of the create and start kinds. */
  if (init->container->hooks == NULL || init->config->n_hooks[NOOK_HOOK_START_CONTAINER] == 0)
    return 0;
  r = run_hooks (init, NOOK_HOOK_START_CONTAINER, init->start_hooks_stdin);
  if (init->start_hooks_stdin >= 0)
    close (init->start_hooks_stdin);
  init->start_hooks_stdin = -1;
  return r;
}
