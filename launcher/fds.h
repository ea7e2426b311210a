/* nook: keeping nook's file descriptors out of the processes it execs. */
#pragma once

/* Marks every fd >= first close-on-exec. close_range(CLOSE_RANGE_CLOEXEC)
 * where the kernel has it (5.11+, and not denied by a seccomp filter);
 * else each fd /proc/self/fd lists; else, without /proc, every fd number
 * below the hard RLIMIT_NOFILE. Only syscalls, no allocation: it runs in
 * cloned children just before execve. */
void nook_fds_cloexec_from (int first);
