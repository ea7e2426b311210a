/* nook: the OCI hooks of a container (runtime-spec config.md, "POSIX-platform
 * Hooks"), at the points of the lifecycle (runtime.md) where they run:
 *
 *   kind             where                         status in the state   on failure
 *   prestart         create, runtime namespaces    creating              create fails
 *   createRuntime    create, runtime namespaces    creating              create fails
 *   createContainer  create, in the container,     creating              create fails
 *                    before pivot_root (init)
 *   startContainer   start, in the container,      created               start fails
 *                    before the execve (init)
 *   poststart        start, after the process      running               warning
 *                    started, runtime namespaces
 *   poststop         delete, after the container   stopped               warning
 *                    is gone, runtime namespaces
 *
 * The first four need the child: nook_hooks_attach() gives the container a
 * NookContainerHooks, and launch.c stops the child before pivot_root
 * (the hooks sync) to run prestart and createRuntime from the parent and hand the
 * child the state its own hooks read. A container without hooks gets none,
 * and its launch is unchanged. */
#pragma once

#include <glib.h>
#include <sys/types.h>

#include "launcher/config/config.h"
#include "launcher/container/container.h"

/* The state a hook of kind reads on stdin: ociVersion, id, status (from
 * the kind, see above), pid (when > 0), bundle, annotations. */
char *nook_hooks_state_json (const NookConfig *config, NookHookKind kind, const char *id,
                             pid_t pid);

/* Runs config's hooks of kind from nook itself (the runtime's namespaces),
 * in order, each with the state on stdin. The first that fails stops the
 * rest: "hooks.prestart[0] (/usr/bin/x): exited with status 3". */
gboolean nook_hooks_run (const NookConfig *config, NookHookKind kind, const char *id, pid_t pid,
                         GError **error);

/* The same for the kinds whose failures are only warned about (poststart,
 * poststop): every hook runs; each failure is appended to warnings, or
 * logged with nook_log_warning (launcher/log.h) when warnings is NULL. */
void nook_hooks_run_warn (const NookConfig *config, NookHookKind kind, const char *id, pid_t pid,
                          GPtrArray *warnings);

/* The hooks of one container's create and start (see above). */
typedef struct NookHooks NookHooks;

/* NULL when config has no hooks at all. config and id must outlive it. */
NookHooks *nook_hooks_new (const NookConfig *config, const char *id);
void nook_hooks_free (NookHooks *hooks);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (NookHooks, nook_hooks_free)

/* Sets container->hooks (hooks may be NULL: then nothing changes). With
 * run_poststart, poststart hooks run when the child has exec'd the process
 * (nook run); the create/start split runs them itself in start. */
void nook_hooks_attach (NookHooks *hooks, NookContainer *container, gboolean run_poststart);

/* The container's process as the hooks saw it (0 before the clone). */
pid_t nook_hooks_get_pid (const NookHooks *hooks);
