/* nook: a fresh session keyring for the processes nook starts. */
#pragma once

/* Replaces the calling process's session keyring with a new, empty,
 * anonymous one, as runc and crun do for every container. Without it the
 * container would inherit nook's session keyring: whatever the user linked
 * there (often the user keyring, sometimes the persistent keyring that
 * holds the filter store's secret, see storage/filter-secret.c) would be
 * possessed by the container, and possessor permissions would let it read
 * those keys. Async-signal-safe (one syscall). Returns 0, or -errno; a
 * kernel without keyrings (ENOSYS) counts as done: nothing to inherit. */
int nook_session_keyring_new (void);
