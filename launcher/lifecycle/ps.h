/* nook: the processes of a running container (`nook ps`). */
#pragma once

#include <glib.h>
#include <sys/types.h>

/* The pids (host view, pid_t, ascending) of container id's processes, its
 * state under root (NULL: the default runtime root). A process is the
 * container's when it is in the container process's pid namespace; for a
 * container that shares nook's pid namespace (--pid=host), when it is the
 * container process or one of its descendants. A container that is not
 * running is an error. */
GArray *nook_lifecycle_ps (const char *root, const char *id, GError **error);
