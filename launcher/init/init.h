/* nook: the container's init: the table of set-up steps run in the cloned
 * child, ending in execve of the container's process. */
#pragma once

#include "launcher/container/container.h"
#include "launcher/container/exec.h"

/* Runs the steps and execve()s the process; never returns. */
G_GNUC_NORETURN void nook_init_main (const NookContainer *container, int sock);

/* nook exec: joins the running container's namespaces, forks into its pid
 * namespace, sets the process up and execve()s it; never returns. */
G_GNUC_NORETURN void nook_init_exec_main (NookContainer *container, const NookExecJoin *join,
                                          int sock);
