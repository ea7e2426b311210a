/* nook: the per-user secret that keys the MACs of the filter store
 * (filter-secret.h).
 *
 * Where it is kept, and why there. The store is a directory in the user's
 * cache, which containers often have bound in (toolbox containers bind the
 * whole home), and their processes run as the user's own uid on the host.
 * So the secret must not be reachable through any file, nor through the
 * kernel keyring from inside a container. Measured on Linux 6.18:
 *
 * - the user keyring (@u) of the host user namespace is NOT such a place,
 *   whatever the permissions of the key in it. @u (_uid.UID) grants its
 *   owner every permission, and a process of a child user namespace whose
 *   uid maps to the same host uid is that owner: it can KEYCTL_LINK @u (by
 *   its serial, listed in /proc/keys) into its own session keyring, and
 *   then possesses every key in it, so possessor-only permissions stop
 *   nothing. Tested: a container with the user as root, and one with
 *   --userns=keep-id, both read a possessor-only key of @u that way.
 * - the persistent keyring (KEYCTL_GET_PERSISTENT, _persistent.UID) is.
 *   It grants the user only view and read (the list of its keys), not
 *   search or link, so it cannot be linked into a container's keyrings, and
 *   KEYCTL_GET_PERSISTENT only ever returns the persistent keyring of the
 *   caller's own user namespace. The key itself grants nothing to user,
 *   group or others, so it cannot be read by its serial either. Tested with
 *   the same two containers, linking every keyring /proc/keys lists.
 *
 * nook gets the persistent keyring linked into its own process keyring
 * (possessed, not inherited by children nor kept across execve), finds the
 * key there and reads it. What is left to the container side: a container
 * must not inherit a session keyring that links the persistent keyring
 * (a user may have linked it): the container's init joins a fresh session
 * keyring first thing (launcher/init.c, as runc and crun do).
 *
 * Limits: any process of the same uid in the same user namespace as nook
 * can read the secret (it is the user, as far as the kernel can tell); so
 * can a container that shares nook's user namespace and may call keyctl
 * (root engines, or an engine's own user namespace with no new one in the
 * config). The persistent keyring expires after
 * /proc/sys/kernel/keys/persistent_keyring_expiry seconds without use
 * (3 days by default) and does not survive a reboot: the next secret
 * makes the entries written before unverifiable, and the store is cleared. */
#include "storage/filter-secret.h"

#include <errno.h>
#include <linux/keyctl.h>
#include <string.h>
#include <sys/random.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "storage/xdg.h"

#define SECRET_TYPE "user"
#define SECRET_DESCRIPTION "nook:filter-store-secret:1"

/* From keyutils.h (not a dependency for four constants). */
#define NOOK_KEY_POS_VIEW 0x01000000
#define NOOK_KEY_POS_READ 0x02000000
#define NOOK_KEY_POS_SEARCH 0x08000000
#define NOOK_KEY_POS_LINK 0x10000000
/* The possessor only; link is what moving it into place takes. No write and
 * no setattr: nobody can change the payload or widen the permissions. */
#define SECRET_PERM                                                                                \
  (NOOK_KEY_POS_VIEW | NOOK_KEY_POS_READ | NOOK_KEY_POS_SEARCH | NOOK_KEY_POS_LINK)

/* Two processes creating the secret at the same time: one wins the move,
 * the other reads the winner's. More rounds only if it keeps vanishing. */
#define MAX_ROUNDS 4

static long
keyctl5 (int op, unsigned long a2, unsigned long a3, unsigned long a4, unsigned long a5)
{
  return syscall (SYS_keyctl, op, a2, a3, a4, a5);
}

static gboolean
keyring_error (GError **error, int err, const char *what)
{
  g_set_error (error, NOOK_STORAGE_ERROR, NOOK_STORAGE_ERROR_FAILED,
               "no per-user secret in the kernel keyring (%s: %s)", what, g_strerror (err));
  return FALSE;
}

/* Reads the secret from key id into out. */
static gboolean
read_key (long id, NookFilterSecret *out, GError **error)
{
  guint8 buf[NOOK_FILTER_SECRET_SIZE + 1];
  long n = keyctl5 (KEYCTL_READ, id, (unsigned long)buf, sizeof buf, 0);

  if (n < 0)
    return keyring_error (error, errno, "KEYCTL_READ");
  if (n != NOOK_FILTER_SECRET_SIZE)
    {
      explicit_bzero (buf, sizeof buf);
      return keyring_error (error, EINVAL, "the key " SECRET_DESCRIPTION " has the wrong size");
    }
  memcpy (out->bytes, buf, sizeof out->bytes);
  explicit_bzero (buf, sizeof buf);
  return TRUE;
}

static gboolean
random_bytes (guint8 *buf, gsize size, GError **error)
{
  gsize done = 0;

  while (done < size)
    {
      ssize_t n = getrandom (buf + done, size - done, 0);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return keyring_error (error, errno, "getrandom");
      done += n;
    }
  return TRUE;
}

/* Creates the key in our process keyring, closes its permissions, then
 * moves it into ring, unless a key of that name is there already: the
 * move is the atomic "create if absent" (an add_key straight into ring
 * would replace the payload of a key another nook just made). Returns 1
 * when ours is in place, 0 when another one was, -1 on error. */
static int
create_key (long ring, NookFilterSecret *out, GError **error)
{
  long id;
  int err;

  if (!random_bytes (out->bytes, sizeof out->bytes, error))
    return -1;
  id = syscall (SYS_add_key, SECRET_TYPE, SECRET_DESCRIPTION, out->bytes, sizeof out->bytes,
                KEY_SPEC_PROCESS_KEYRING);
  if (id < 0)
    {
      keyring_error (error, errno, "add_key");
      return -1;
    }
  if (keyctl5 (KEYCTL_SETPERM, id, SECRET_PERM, 0, 0) == 0
      && keyctl5 (KEYCTL_MOVE, id, KEY_SPEC_PROCESS_KEYRING, ring, KEYCTL_MOVE_EXCL) == 0)
    return 1;
  err = errno;
  (void)keyctl5 (KEYCTL_UNLINK, id, KEY_SPEC_PROCESS_KEYRING, 0, 0);
  explicit_bzero (out->bytes, sizeof out->bytes);
  if (err == EEXIST)
    return 0;
  keyring_error (error, err, "KEYCTL_MOVE");
  return -1;
}

gboolean
nook_filter_secret_load (NookFilterSecret *out, gboolean *out_created, GError **error)
{
  long ring, id;

  if (out_created != NULL)
    *out_created = FALSE;
  /* Linked into our process keyring: we possess it from now on. */
  ring = keyctl5 (KEYCTL_GET_PERSISTENT, (unsigned long)-1, KEY_SPEC_PROCESS_KEYRING, 0, 0);
  if (ring < 0)
    return keyring_error (error, errno, "KEYCTL_GET_PERSISTENT");

  for (int round = 0; round < MAX_ROUNDS; round++)
    {
      id = keyctl5 (KEYCTL_SEARCH, ring, (unsigned long)SECRET_TYPE,
                    (unsigned long)SECRET_DESCRIPTION, 0);
      if (id >= 0)
        return read_key (id, out, error);
      if (errno != ENOKEY)
        return keyring_error (error, errno, "KEYCTL_SEARCH");
      switch (create_key (ring, out, error))
        {
        case 1:
          if (out_created != NULL)
            *out_created = TRUE;
          return TRUE;
        case 0:
          continue;
        default:
          return FALSE;
        }
    }
  return keyring_error (error, EAGAIN, "the key " SECRET_DESCRIPTION " keeps vanishing");
}

GHmac *
nook_filter_secret_hmac (const NookFilterSecret *secret, const char *tag)
{
  GHmac *hmac = g_hmac_new (G_CHECKSUM_SHA256, secret->bytes, sizeof secret->bytes);

  g_hmac_update (hmac, (const guchar *)tag, strlen (tag) + 1);
  return hmac;
}

void
nook_filter_secret_hmac_finish (GHmac *hmac, guint8 out[NOOK_FILTER_MAC_SIZE])
{
  gsize len = NOOK_FILTER_MAC_SIZE;

  g_hmac_get_digest (hmac, out, &len);
  g_hmac_unref (hmac);
}

gboolean
nook_filter_mac_equal (const guint8 *a, const guint8 *b)
{
  guint8 diff = 0;

  for (gsize i = 0; i < NOOK_FILTER_MAC_SIZE; i++)
    diff |= a[i] ^ b[i];
  return diff == 0;
}
