/* nook: messages between the parent and the container's init over a
 * SOCK_SEQPACKET socketpair. The child formats them in a fixed buffer on
 * its stack, without allocating; only the used part of the text is sent,
 * and SOCK_SEQPACKET delivers each message whole or not at all. */
#pragma once

#include <stddef.h>

#define NOOK_SYNC_MSG_MAX 8448

typedef enum
{
  NOOK_SYNC_GO = 1,     /* parent -> child: id maps written, go on */
  NOOK_SYNC_ERROR,      /* child -> parent: a setup step failed */
  NOOK_SYNC_EXEC_ERROR, /* child -> parent: execve of the process failed */
  NOOK_SYNC_PTY,        /* child -> parent: the pty master (fd attached) */
  NOOK_SYNC_READY,      /* child -> parent: set up, waiting on the exec fifo (create) */
  NOOK_SYNC_HOOKS,      /* child -> parent: mounts done, before pivot_root (hooks sync) */
  NOOK_SYNC_HOOK_STATE, /* parent -> child: state for the hooks of kind err (memfd attached) */
  NOOK_SYNC_HOOK_ERROR, /* child -> parent: a createContainer/startContainer hook failed */
  NOOK_SYNC_WARNING,    /* child -> parent: a step went on without what the config asked */
  NOOK_SYNC_PID,        /* exec child -> parent: the process's pid in nook's pid namespace */
} NookSyncType;

typedef struct
{
  int type;
  int err;       /* errno of the failure, or 0 */
  int pid;       /* NOOK_SYNC_PID */
  char step[32]; /* the setup step that failed */
  /* One line: what failed. Room for two paths of PATH_MAX: an error
   * naming a long path arrives whole. NUL-terminated on receipt. */
  char msg[NOOK_SYNC_MSG_MAX];
} NookSyncMsg;

/* Both return 0 or -errno. recv returns -EPIPE on EOF (the child exec'd or
 * died), -EPROTO for a message shorter than its header or with its
 * descriptors cut off, -EMSGSIZE for one longer than NookSyncMsg; a
 * descriptor it does not hand out (out_fd NULL, a second one, a message
 * it rejects) is closed. */
int nook_sync_send (int sock, const NookSyncMsg *msg, int fd_to_pass);
int nook_sync_recv (int sock, NookSyncMsg *msg, int *out_fd);
/* len bytes of data with fd_to_pass attached, to any socket (the console
 * socket). 0 or -errno. */
int nook_sync_send_raw (int sock, const void *data, size_t len, int fd_to_pass);
