/* nook: fork() without glibc: clone3, or clone in each architecture's
 * argument order; and a child that shares memory until its execve. */
#pragma once

#include <sys/types.h>

/* Like fork(), into the namespaces flags asks for: flags are CLONE_*
 * flags ORed with the signal the parent gets when the child exits (as for
 * clone(2)). glibc's atfork handlers do not run, which is why nook uses it
 * in children that were themselves made this way. Returns the child's
 * pid in the parent, 0 in the child, -1 with errno. Only syscalls. */
pid_t nook_raw_clone (unsigned long flags);

/* Runs fn (arg) in a child that shares the caller's memory on a stack of
 * its own until it execve()s or exits, the caller waiting until then
 * (CLONE_VM | CLONE_VFORK, as posix_spawn does): no page table copied, no
 * copy-on-write fault, no copy torn down. fn must end in execve or _exit,
 * and what it writes before is the caller's memory (single-threaded
 * callers only). flags: nook_raw_clone's. Where that clone fails (EINVAL
 * from valgrind, or across a join of a time namespace for the children)
 * or with fork_only, a plain nook_raw_clone runs fn instead, in a copy.
 * Returns the child's pid, or -1 with errno. */
pid_t nook_clone_vfork (int (*fn) (void *), void *arg, unsigned long flags, int fork_only);
