/* nook: parent/child sync messages; async-signal-safe on the child side. */
#include "launcher/container/sync.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>

int
nook_sync_send (int sock, const NookSyncMsg *msg, int fd_to_pass)
{
  return nook_sync_send_raw (sock, msg, sizeof (*msg), fd_to_pass);
}

int
nook_sync_send_raw (int sock, const void *data, size_t len, int fd_to_pass)
{
  union
  {
    char buf[CMSG_SPACE (sizeof (int))];
    struct cmsghdr align;
  } control;
  struct iovec iov = { .iov_base = (void *) data, .iov_len = len };
  struct msghdr hdr = { .msg_iov = &iov, .msg_iovlen = 1 };

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

  while (sendmsg (sock, &hdr, MSG_NOSIGNAL) < 0)
    {
      if (errno != EINTR)
        return -errno;
    }
  return 0;
}

int
nook_sync_recv (int sock, NookSyncMsg *msg, int *out_fd)
{
  union
  {
    char buf[CMSG_SPACE (sizeof (int))];
    struct cmsghdr align;
  } control;
  struct iovec iov = { .iov_base = msg, .iov_len = sizeof (*msg) };
  struct msghdr hdr = { .msg_iov = &iov, .msg_iovlen = 1,
                        .msg_control = control.buf, .msg_controllen = sizeof (control.buf) };
  ssize_t n;

  if (out_fd)
    *out_fd = -1;
  do
    n = recvmsg (sock, &hdr, MSG_CMSG_CLOEXEC);
  while (n < 0 && errno == EINTR);
  if (n < 0)
    return -errno;
  if (n == 0)
    return -EPIPE;
  if ((size_t) n != sizeof (*msg))
    return -EPROTO;

  for (struct cmsghdr *cmsg = CMSG_FIRSTHDR (&hdr); cmsg; cmsg = CMSG_NXTHDR (&hdr, cmsg))
    {
      if (cmsg->cmsg_level == SOL_SOCKET && cmsg->cmsg_type == SCM_RIGHTS && out_fd)
        memcpy (out_fd, CMSG_DATA (cmsg), sizeof (int));
    }
  msg->step[sizeof (msg->step) - 1] = '\0';
  msg->msg[sizeof (msg->msg) - 1] = '\0';
  return 0;
}
