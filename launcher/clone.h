/* nook: fork() without glibc: clone3, or clone in each architecture's
 * argument order. */
#pragma once

#include <sys/types.h>

/* Like fork(), into the namespaces flags asks for: flags are CLONE_*
 * flags ORed with the signal the parent gets when the child exits (as for
 * clone(2)). glibc's atfork handlers do not run, which is why nook uses it
 * in children that were themselves made this way. Returns the child's
 * pid in the parent, 0 in the child, -1 with errno. Only syscalls. */
pid_t nook_raw_clone (unsigned long flags);
