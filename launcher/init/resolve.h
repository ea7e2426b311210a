/* nook: opening paths inside a rootfs, never leaving it. Used by the
 * container's set-up steps (step.h) and by the parent, which reads the
 * rootfs's /etc/passwd. */
#pragma once

/* openat2(rootfd, path, flags | O_CLOEXEC, RESOLVE_IN_ROOT |
 * RESOLVE_NO_MAGICLINKS), or the same resolution done by hand
 * (nook_open_in_root_walk) where the kernel has no openat2 or a seccomp
 * filter denies it. Returns an fd, or -1 with errno. */
int nook_open_in_root (int rootfd, const char *path, int flags);

/* The walk by hand, component by component (resolve-walk.c); exported for
 * the tests. */
int nook_open_in_root_walk (int rootfd, const char *path, int flags);
