/* nook: the filter store's index of config files seen before
 * (filter-alias.h). */
#include "storage/filter-alias.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "storage/autofd.h"
#include "storage/xdg.h"

/* A link: the config's key, its profile's key, a MAC over both. */
#define LINK_SIZE (2 * NOOK_FILTER_STORE_KEY_SIZE + NOOK_FILTER_MAC_SIZE)
#define MAC_TAG "nook-seccomp-config-link-3"
/* Links are files 00 .. ff, by the config key's first byte: at most 256,
 * with nothing to count or evict; two configs that share the byte take
 * turns (a full parse each time the other was last). */
#define SLOT_NAME_LEN 2

char *
nook_filter_alias_default_dir (void)
{
  g_autofree char *cache = nook_xdg_cache_dir ();

  return g_build_filename (cache, "seccomp-configs", NULL);
}

static void
slot_name (const guint8 *config_key, char out[SLOT_NAME_LEN + 1])
{
  g_snprintf (out, SLOT_NAME_LEN + 1, "%02x", config_key[0]);
}

/* The MAC: HMAC-SHA256 keyed by the secret over a tag and both keys. */
static void
link_mac (const NookFilterSecret *secret, const guint8 *config_key, const guint8 *profile_key,
          guint8 out[NOOK_FILTER_MAC_SIZE])
{
  GHmac *hmac = nook_filter_secret_hmac (secret, MAC_TAG);

  g_hmac_update (hmac, config_key, NOOK_FILTER_STORE_KEY_SIZE);
  g_hmac_update (hmac, profile_key, NOOK_FILTER_STORE_KEY_SIZE);
  nook_filter_secret_hmac_finish (hmac, out);
}

/* The directory, opened only when it is private: a real directory of the
 * effective uid that group and others cannot write. */
static int
open_dir (const char *dir)
{
  nook_autofd int fd = open (dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  struct stat st;

  if (fd < 0 || fstat (fd, &st) < 0 || st.st_uid != geteuid () || (st.st_mode & 022) != 0)
    return -1;
  return g_steal_fd (&fd);
}

gboolean
nook_filter_alias_lookup (const char *dir, const NookFilterSecret *secret, const guint8 *config_key,
                          guint8 out_profile_key[NOOK_FILTER_STORE_KEY_SIZE])
{
  g_autofree char *default_dir = dir ? NULL : nook_filter_alias_default_dir ();
  nook_autofd int dfd = open_dir (dir ? dir : default_dir);
  nook_autofd int fd = -1;
  char name[SLOT_NAME_LEN + 1];
  guint8 data[LINK_SIZE + 1], mac[NOOK_FILTER_MAC_SIZE];
  const guint8 *profile_key = data + NOOK_FILTER_STORE_KEY_SIZE;
  struct stat st;
  ssize_t n;

  if (dfd < 0)
    return FALSE;
  slot_name (config_key, name);
  fd = openat (dfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0)
    return FALSE;
  n = read (fd, data, sizeof data);
  if (fstat (fd, &st) < 0 || !S_ISREG (st.st_mode) || st.st_uid != geteuid ()
      || (st.st_mode & 022) != 0 || n != LINK_SIZE)
    {
      unlinkat (dfd, name, 0);
      return FALSE;
    }
  /* Another config's link in the slot: a miss, and it stays. */
  if (memcmp (data, config_key, NOOK_FILTER_STORE_KEY_SIZE) != 0)
    return FALSE;
  link_mac (secret, config_key, profile_key, mac);
  if (!nook_filter_mac_equal (mac, data + 2 * NOOK_FILTER_STORE_KEY_SIZE))
    {
      unlinkat (dfd, name, 0);
      return FALSE;
    }
  memcpy (out_profile_key, profile_key, NOOK_FILTER_STORE_KEY_SIZE);
  return TRUE;
}

void
nook_filter_alias_publish (const char *dir, const NookFilterSecret *secret,
                           const guint8 *config_key, const guint8 *profile_key)
{
  g_autofree char *default_dir = dir ? NULL : nook_filter_alias_default_dir ();
  char name[SLOT_NAME_LEN + 1];
  g_autofree char *tmp = NULL;
  guint8 data[LINK_SIZE];
  nook_autofd int dfd = -1;
  nook_autofd int fd = -1;

  dir = dir ? dir : default_dir;
  if (!nook_mkdir_p (dir, 0700, NULL) || (dfd = open_dir (dir)) < 0)
    return;
  slot_name (config_key, name);
  tmp = g_strdup_printf (".%s.tmp.%d", name, (int)getpid ());
  memcpy (data, config_key, NOOK_FILTER_STORE_KEY_SIZE);
  memcpy (data + NOOK_FILTER_STORE_KEY_SIZE, profile_key, NOOK_FILTER_STORE_KEY_SIZE);
  link_mac (secret, config_key, profile_key, data + 2 * NOOK_FILTER_STORE_KEY_SIZE);
  fd = openat (dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0)
    return;
  if (write (fd, data, sizeof data) != (ssize_t)sizeof data || renameat (dfd, tmp, dfd, name) < 0)
    unlinkat (dfd, tmp, 0);
}

guint
nook_filter_alias_clear (const char *dir)
{
  g_autofree char *default_dir = dir ? NULL : nook_filter_alias_default_dir ();
  nook_autofd int dfd = open_dir (dir ? dir : default_dir);
  int list_fd;
  DIR *d;
  struct dirent *de;
  guint removed = 0;

  if (dfd < 0)
    return 0;
  for (guint i = 0; i < 256; i++)
    {
      char name[SLOT_NAME_LEN + 1];
      guint8 first = (guint8)i;

      slot_name (&first, name);
      if (unlinkat (dfd, name, 0) == 0)
        removed++;
    }
  /* Temporary files of a publish that was killed before its rename. */
  list_fd = dup (dfd);
  d = list_fd >= 0 ? fdopendir (list_fd) : NULL;
  if (d == NULL)
    {
      if (list_fd >= 0)
        close (list_fd);
      return removed;
    }
  while ((de = readdir (d)) != NULL)
    if (de->d_name[0] == '.' && strstr (de->d_name, ".tmp.") != NULL)
      unlinkat (dfd, de->d_name, 0);
  closedir (d);
  return removed;
}
