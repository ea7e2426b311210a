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

#define LINK_SIZE (2 * NOOK_FILTER_STORE_KEY_SIZE)
#define CHECK_TAG "nook-seccomp-config-link-1"
#define KEY_HEX_LEN (2 * NOOK_FILTER_STORE_KEY_SIZE)

char *
nook_filter_alias_default_dir (void)
{
  g_autofree char *cache = nook_xdg_cache_dir ();

  return g_build_filename (cache, "seccomp-configs", NULL);
}

/* The check: SHA-256 over a tag and both keys. */
static void
link_check (const guint8 *config_key, const guint8 *profile_key,
            guint8 out[NOOK_FILTER_STORE_KEY_SIZE])
{
  g_autoptr (GChecksum) sum = g_checksum_new (G_CHECKSUM_SHA256);
  gsize len = NOOK_FILTER_STORE_KEY_SIZE;

  g_checksum_update (sum, (const guchar *) CHECK_TAG, sizeof CHECK_TAG);
  g_checksum_update (sum, config_key, NOOK_FILTER_STORE_KEY_SIZE);
  g_checksum_update (sum, profile_key, NOOK_FILTER_STORE_KEY_SIZE);
  g_checksum_get_digest (sum, out, &len);
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
nook_filter_alias_lookup (const char *dir, const guint8 *config_key,
                          guint8 out_profile_key[NOOK_FILTER_STORE_KEY_SIZE])
{
  g_autofree char *default_dir = dir ? NULL : nook_filter_alias_default_dir ();
  g_autofree char *name = nook_filter_store_key_to_hex (config_key);
  nook_autofd int dfd = open_dir (dir ? dir : default_dir);
  nook_autofd int fd = -1;
  guint8 data[LINK_SIZE + 1], check[NOOK_FILTER_STORE_KEY_SIZE];
  struct stat st;
  ssize_t n;

  if (dfd < 0)
    return FALSE;
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
  link_check (config_key, data, check);
  if (memcmp (check, data + NOOK_FILTER_STORE_KEY_SIZE, sizeof check) != 0)
    {
      unlinkat (dfd, name, 0);
      return FALSE;
    }
  futimens (fd, NULL);
  memcpy (out_profile_key, data, NOOK_FILTER_STORE_KEY_SIZE);
  return TRUE;
}

typedef struct
{
  char name[KEY_HEX_LEN + 1];
  gint64 mtime;
} LinkInfo;

static int
compare_mtime (gconstpointer a, gconstpointer b)
{
  const LinkInfo *x = a, *y = b;

  return x->mtime < y->mtime ? -1 : x->mtime > y->mtime;
}

static gboolean
is_link_name (const char *name)
{
  if (strlen (name) != KEY_HEX_LEN)
    return FALSE;
  for (const char *p = name; *p; p++)
    if (!g_ascii_isxdigit (*p) || g_ascii_isupper (*p))
      return FALSE;
  return TRUE;
}

/* The links in dfd, oldest first. */
static GArray *
list_links (int dfd)
{
  GArray *links = g_array_new (FALSE, FALSE, sizeof (LinkInfo));
  int fd = dup (dfd);
  DIR *d = fd >= 0 ? fdopendir (fd) : NULL;
  struct dirent *de;

  if (d == NULL)
    {
      if (fd >= 0)
        close (fd);
      return links;
    }
  while ((de = readdir (d)) != NULL)
    {
      LinkInfo info;
      struct stat st;

      if (!is_link_name (de->d_name) || fstatat (dfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
        continue;
      memcpy (info.name, de->d_name, sizeof info.name);
      info.mtime = (gint64) st.st_mtim.tv_sec * G_USEC_PER_SEC + st.st_mtim.tv_nsec / 1000;
      g_array_append_val (links, info);
    }
  closedir (d);
  g_array_sort (links, compare_mtime);
  return links;
}

void
nook_filter_alias_publish (const char *dir, const guint8 *config_key, const guint8 *profile_key,
                           guint max_links)
{
  g_autofree char *default_dir = dir ? NULL : nook_filter_alias_default_dir ();
  g_autofree char *name = nook_filter_store_key_to_hex (config_key);
  g_autofree char *tmp = g_strdup_printf (".%s.tmp.%d", name, (int) getpid ());
  guint8 data[LINK_SIZE];
  nook_autofd int dfd = -1;
  nook_autofd int fd = -1;

  dir = dir ? dir : default_dir;
  if (!nook_mkdir_p (dir, 0700, NULL) || (dfd = open_dir (dir)) < 0)
    return;

  /* Room first: the oldest links go (a link costs a full parse at most). */
  if (max_links > 0)
    {
      g_autoptr (GArray) links = list_links (dfd);

      for (guint i = 0; links->len >= max_links && i <= links->len - max_links; i++)
        unlinkat (dfd, g_array_index (links, LinkInfo, i).name, 0);
    }

  memcpy (data, profile_key, NOOK_FILTER_STORE_KEY_SIZE);
  link_check (config_key, profile_key, data + NOOK_FILTER_STORE_KEY_SIZE);
  fd = openat (dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0)
    return;
  if (write (fd, data, sizeof data) != (ssize_t) sizeof data
      || renameat (dfd, tmp, dfd, name) < 0)
    unlinkat (dfd, tmp, 0);
}

guint
nook_filter_alias_clear (const char *dir)
{
  g_autofree char *default_dir = dir ? NULL : nook_filter_alias_default_dir ();
  nook_autofd int dfd = open_dir (dir ? dir : default_dir);
  g_autoptr (GArray) links = NULL;
  guint removed = 0;

  if (dfd < 0)
    return 0;
  links = list_links (dfd);
  for (guint i = 0; i < links->len; i++)
    if (unlinkat (dfd, g_array_index (links, LinkInfo, i).name, 0) == 0)
      removed++;
  return removed;
}
