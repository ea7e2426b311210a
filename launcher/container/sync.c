/* nook: parent/child sync messages; async-signal-safe on the child side. */
#include "launcher/container/sync.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* The header and the text up to its NUL: what a message needs to say. */
static size_t
message_size (const NookSyncMsg *msg)
{
  return offsetof (NookSyncMsg, msg) + strnlen (msg->msg, sizeof (msg->msg) - 1) + 1;
}

int
nook_sync_send (int sock, const NookSyncMsg *msg, int fd_to_pass)
{
  return nook_sync_send_raw (sock, msg, message_size (msg), fd_to_pass);
}

int
nook_sync_send_raw (int sock, const void *data, size_t len, int fd_to_pass)
{
  union
  {
    char buf[CMSG_SPACE (sizeof (int))];
    struct cmsghdr align;
  } control;
  struct iovec iov = { .iov_base = (void *)data, .iov_len = len };
  struct msghdr hdr = { .msg_iov = &iov, .msg_iovlen = 1 };
  ssize_t n;

  if (fd_to_pass >= 0)
    {
      struct cmsghdr *cmsg;

      memset (&control, 0, sizeof (control));
      hdr.msg_control = control.buf;
      hdr.msg_controllen = sizeof (control.buf);
      cmsg = CMSG_FIRSTHDR (&hdr);
      cmsg->cmsg_level = SOL_SOCKET;
      cmsg->cmsg_type = SCM_RIGHTS;
      cmsg->cmsg_len = CMSG_LEN (sizeof (int));
      memcpy (CMSG_DATA (cmsg), &fd_to_pass, sizeof (int));
    }

  do
    n = sendmsg (sock, &hdr, MSG_NOSIGNAL);
  while (n < 0 && errno == EINTR);
  if (n < 0)
    return -errno;
  /* A datagram or seqpacket socket sends all or nothing; a stream socket
   * (a console socket may be one) could take part. */
  if ((size_t)n != len)
    return -EIO;
  return 0;
}

/* Hands the first descriptor of the message to *out_fd (when wanted and
 * keep), closes every other one. */
static void
take_fds (struct msghdr *hdr, int *out_fd, int keep)
{
  for (struct cmsghdr *cmsg = CMSG_FIRSTHDR (hdr); cmsg; cmsg = CMSG_NXTHDR (hdr, cmsg))
    {
      size_t n;

      if (cmsg->cmsg_level != SOL_SOCKET || cmsg->cmsg_type != SCM_RIGHTS)
        continue;
      n = (cmsg->cmsg_len - CMSG_LEN (0)) / sizeof (int);
      for (size_t i = 0; i < n; i++)
        {
          int fd;

          memcpy (&fd, CMSG_DATA (cmsg) + i * sizeof (int), sizeof (int));
          if (keep && out_fd != NULL && *out_fd < 0)
            *out_fd = fd;
          else
            close (fd);
        }
    }
}

int
nook_sync_recv (int sock, NookSyncMsg *msg, int *out_fd)
{
  /* Room for more descriptors than a message carries: extra ones are
   * closed rather than cut off. */
  union
  {
    char buf[CMSG_SPACE (4 * sizeof (int))];
    struct cmsghdr align;
  } control;
  struct iovec iov = { .iov_base = msg, .iov_len = sizeof (*msg) };
  struct msghdr hdr = { .msg_iov = &iov,
                        .msg_iovlen = 1,
                        .msg_control = control.buf,
                        .msg_controllen = sizeof (control.buf) };
  size_t text_len;
  ssize_t n;

  if (out_fd)
    *out_fd = -1;
  do
    n = recvmsg (sock, &hdr, MSG_CMSG_CLOEXEC);
  while (n < 0 && errno == EINTR);
  if (n < 0)
    return -errno;
  if (n == 0)
    {
      take_fds (&hdr, out_fd, 0);
      return -EPIPE;
    }
  if (hdr.msg_flags & (MSG_TRUNC | MSG_CTRUNC) || (size_t)n <= offsetof (NookSyncMsg, msg))
    {
      take_fds (&hdr, out_fd, 0);
      return (hdr.msg_flags & MSG_TRUNC) ? -EMSGSIZE : -EPROTO;
    }
  take_fds (&hdr, out_fd, 1);
  text_len = (size_t)n - offsetof (NookSyncMsg, msg);
  msg->step[sizeof (msg->step) - 1] = '\0';
  msg->msg[text_len - 1] = '\0';
  return 0;
}
