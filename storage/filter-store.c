/* nook: the per-user store of compiled seccomp programs.
 *
 * Threat model. An entry is a seccomp filter that a later container will
 * run under, so whoever can write a valid entry chooses that container's
 * filter. The store is a directory in the user's cache, and containers
 * often have it: a toolbox container binds the whole home, others bind
 * ~/.cache, and their processes run as the user's own uid on the host (root
 * of a user namespace that maps it, or the user's uid under keep-id). Such
 * a process can write any file here with the right owner and mode, and can
 * compute any unkeyed checksum and any key (nook's version, libseccomp's
 * version, the machine and the profile are all public). So file ownership,
 * modes and checksums only catch accidents; what makes an entry valid is an
 * HMAC-SHA256 over the whole entry, keyed by a per-user secret that only
 * nook outside any container can read (kept in the kernel's persistent
 * keyring; filter-secret.c says where, why there, and the limits: a process
 * in nook's own user namespace with the user's uid, which includes a
 * container sharing that user namespace, can read it too). The links of
 * the fast path (filter-alias.c) carry the same kind of MAC, so that a link
 * cannot point a config at another profile's valid entry either.
 * What a container with the cache bound in can still do: delete or damage
 * entries (a recompile, said in a warning), copy an old valid entry of the
 * same key back (it holds the same program), fill the disk. What it cannot
 * do: make a later container run under a filter nook did not compile for
 * that container's profile.
 *
 * An entry file is
 *
 *   header   magic, format version, architecture, key, instruction count,
 *            size of the warnings, HMAC-SHA256 (keyed by the secret) of a
 *            tag, the header up to the MAC and everything after the header
 *   insns    n_insns struct sock_filter, as the kernel takes them
 *   warnings the compile warnings, each one terminated by a NUL byte
 *
 * in native byte order (the architecture, an AUDIT_ARCH value, says which).
 * Entries are never changed in place: they are written whole to an unnamed
 * (O_TMPFILE) or temporary file and linked or renamed into place, so a reader
 * sees a whole entry or none. Nothing is fsync'ed: a crash may leave an entry
 * with lost data, which its MAC catches, and a cache may lose entries. */
#include "storage/filter-store.h"

#include "storage/autofd.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define ENTRY_MAGIC "NOOKBPF\n"
#define MAC_TAG "nook-filter-store-entry-2"
#define MAX_WARNINGS_SIZE (64 * 1024)
#define KEY_HEX_LEN (NOOK_FILTER_STORE_KEY_SIZE * 2)
#define TMP_PREFIX ".tmp-"
/* A temporary file older than this belongs to a publisher that died. */
#define STALE_TMP_SECONDS (10 * 60)
#define MAX_ENTRIES_LIMIT 1000000

typedef struct
{
  char magic[8];
  guint32 version;
  guint32 arch;
  guint8 key[NOOK_FILTER_STORE_KEY_SIZE];
  guint32 n_insns;
  guint32 warnings_size;
  guint8 mac[NOOK_FILTER_MAC_SIZE];
} EntryHeader;

G_STATIC_ASSERT (sizeof (EntryHeader) == 88);
G_STATIC_ASSERT (sizeof (struct sock_filter) == 8);

#define MAX_ENTRY_SIZE                                                                             \
  (sizeof (EntryHeader) + NOOK_FILTER_STORE_MAX_INSNS * sizeof (struct sock_filter)                \
   + MAX_WARNINGS_SIZE)

struct NookFilterStore
{
  char *dir;
  char *root; /* the cache root above a default store, checked like it; or NULL */
  int dirfd;  /* -1 while the directory does not exist */
  gboolean has_secret;
  NookFilterSecret secret;
};

static void
closedirp (DIR **dirp)
{
  if (*dirp != NULL)
    closedir (*dirp);
}
#define nook_autodir __attribute__ ((cleanup (closedirp)))

void
nook_filter_store_entry_info_free (NookFilterStoreEntryInfo *info)
{
  if (info == NULL)
    return;
  g_free (info->name);
  g_free (info->invalid);
  g_free (info);
}

/* The store's directory: ${XDG_CACHE_HOME:-$HOME/.cache}/nook/seccomp. */
static char *
default_dir (void)
{
  g_autofree char *cache = nook_xdg_cache_dir ();

  return g_build_filename (cache, "seccomp", NULL);
}

static gboolean
no_secret (GError **error)
{
  g_set_error (error, NOOK_STORAGE_ERROR, NOOK_STORAGE_ERROR_FAILED,
               "the store was opened without a secret to check entries with");
  return FALSE;
}

static void
key_to_hex (const guint8 *key, char out[KEY_HEX_LEN + 1])
{
  static const char digits[] = "0123456789abcdef";

  for (int i = 0; i < NOOK_FILTER_STORE_KEY_SIZE; i++)
    {
      out[2 * i] = digits[key[i] >> 4];
      out[2 * i + 1] = digits[key[i] & 0xf];
    }
  out[KEY_HEX_LEN] = '\0';
}

char *
nook_filter_store_key_to_hex (const guint8 *key)
{
  char hex[KEY_HEX_LEN + 1];

  key_to_hex (key, hex);
  return g_strdup (hex);
}

/* Entry names are exactly what key_to_hex writes: anything else in the
 * directory is not ours and is left alone. */
static gboolean
hex_to_key (const char *name, guint8 *out_key)
{
  if (strlen (name) != KEY_HEX_LEN)
    return FALSE;
  for (int i = 0; i < NOOK_FILTER_STORE_KEY_SIZE; i++)
    {
      int hi = g_ascii_xdigit_value (name[2 * i]);
      int lo = g_ascii_xdigit_value (name[2 * i + 1]);
      if (hi < 0 || lo < 0 || g_ascii_isupper (name[2 * i]) || g_ascii_isupper (name[2 * i + 1]))
        return FALSE;
      out_key[i] = (guint8)(hi << 4 | lo);
    }
  return TRUE;
}

static gboolean
is_tmp_name (const char *name)
{
  return g_str_has_prefix (name, TMP_PREFIX);
}

/* --- The directory --- */

/* The store is only as trustworthy as its directory: whoever can write to it
 * can plant entries, and an entry is a seccomp filter. */
static gboolean
check_dir (const char *path, const struct stat *st, GError **error)
{
  uid_t uid = geteuid ();

  if (!S_ISDIR (st->st_mode))
    {
      g_set_error (error, NOOK_STORAGE_ERROR, NOOK_STORAGE_ERROR_INSECURE,
                   "refusing to use %s: it is not a directory", path);
      return FALSE;
    }
  if (st->st_uid != uid)
    {
      g_set_error (error, NOOK_STORAGE_ERROR, NOOK_STORAGE_ERROR_INSECURE,
                   "refusing to use %s: it is owned by uid %u, not by uid %u", path,
                   (guint)st->st_uid, (guint)uid);
      return FALSE;
    }
  if ((st->st_mode & 022) != 0)
    {
      g_set_error (error, NOOK_STORAGE_ERROR, NOOK_STORAGE_ERROR_INSECURE,
                   "refusing to use %s: it has mode %04o, writable by group or others", path,
                   (guint)(st->st_mode & 07777));
      return FALSE;
    }
  return TRUE;
}

/* Whoever can write to a directory above the store can rename it away and
 * put another in its place: each level from the cache root down to the
 * store's parent must be the user's and closed to group and others, like
 * the store itself. Levels that do not exist yet end the walk (publish
 * creates them 0700, then checks again). Symlinks are followed here (a
 * ~/.cache that links elsewhere is common); the target is what is checked. */
static gboolean
check_ancestors (NookFilterStore *store, GError **error)
{
  g_autofree char *path = NULL;
  g_auto (GStrv) parts = NULL;
  gsize root_len;
  struct stat st;

  if (store->root == NULL)
    return TRUE;
  root_len = strlen (store->root);
  if (strncmp (store->dir, store->root, root_len) != 0 || store->dir[root_len] != '/')
    return TRUE;
  parts = g_strsplit (store->dir + root_len + 1, "/", -1);
  path = g_strdup (store->root);
  for (guint i = 0;; i++)
    {
      if (stat (path, &st) < 0)
        {
          if (errno == ENOENT)
            return TRUE;
          return nook_storage_errno_error (error, errno, "stat", path);
        }
      if (!check_dir (path, &st, error))
        return FALSE;
      /* The last part is the store itself: open_dir checks it. */
      if (parts[i] == NULL || parts[i + 1] == NULL)
        return TRUE;
      if (*parts[i] != '\0')
        {
          char *next = g_build_filename (path, parts[i], NULL);
          g_free (path);
          path = next;
        }
    }
}

/* Opens the directory if it exists (store->dirfd stays -1 if not). */
static gboolean
open_dir (NookFilterStore *store, GError **error)
{
  struct stat st;
  int fd;

  if (!check_ancestors (store, error))
    return FALSE;
  fd = open (store->dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0)
    {
      int err = errno;

      if (err == ENOENT)
        return TRUE;
      if ((err == ELOOP || err == ENOTDIR) && lstat (store->dir, &st) == 0)
        {
          if (S_ISLNK (st.st_mode))
            {
              g_set_error (error, NOOK_STORAGE_ERROR, NOOK_STORAGE_ERROR_INSECURE,
                           "refusing to use %s: it is a symbolic link", store->dir);
              return FALSE;
            }
          return check_dir (store->dir, &st, error);
        }
      return nook_storage_errno_error (error, err, "open", store->dir);
    }

  if (fstat (fd, &st) < 0)
    {
      int err = errno;
      close (fd);
      return nook_storage_errno_error (error, err, "stat", store->dir);
    }
  if (!check_dir (store->dir, &st, error))
    {
      close (fd);
      return FALSE;
    }
  store->dirfd = fd;
  return TRUE;
}

static gboolean
ensure_dir (NookFilterStore *store, GError **error)
{
  if (store->dirfd >= 0)
    return TRUE;
  if (!nook_mkdir_p (store->dir, 0700, error))
    return FALSE;
  if (!open_dir (store, error))
    return FALSE;
  if (store->dirfd < 0)
    return nook_storage_errno_error (error, ENOENT, "open", store->dir);
  return TRUE;
}

NookFilterStore *
nook_filter_store_open (const char *dir, const NookFilterSecret *secret, GError **error)
{
  g_autoptr (NookFilterStore) store = g_new0 (NookFilterStore, 1);

  store->dir = dir != NULL ? g_strdup (dir) : default_dir ();
  store->root = dir != NULL ? NULL : nook_xdg_cache_home ();
  store->dirfd = -1;
  if (secret != NULL)
    {
      store->secret = *secret;
      store->has_secret = TRUE;
    }
  if (!open_dir (store, error))
    return NULL;
  return g_steal_pointer (&store);
}

void
nook_filter_store_free (NookFilterStore *store)
{
  if (store == NULL)
    return;
  if (store->dirfd >= 0)
    close (store->dirfd);
  explicit_bzero (&store->secret, sizeof store->secret);
  g_free (store->dir);
  g_free (store->root);
  g_free (store);
}

const NookFilterSecret *
nook_filter_store_get_secret (NookFilterStore *store)
{
  return store->has_secret ? &store->secret : NULL;
}

/* --- Reading an entry --- */

static gboolean invalid (GError **error, const char *format, ...) G_GNUC_PRINTF (2, 3);

static gboolean
invalid (GError **error, const char *format, ...)
{
  va_list args;

  va_start (args, format);
  g_autofree char *message = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error_literal (error, NOOK_STORAGE_ERROR, NOOK_STORAGE_ERROR_FAILED, message);
  return FALSE;
}

static gboolean
read_exact (int fd, void *buf, size_t size)
{
  size_t done = 0;

  while (done < size)
    {
      ssize_t n = pread (fd, (char *)buf + done, size - done, done);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return FALSE;
      done += n;
    }
  return TRUE;
}

/* The MAC of a whole entry (data, size bytes): everything but the MAC
 * field itself. */
static void
entry_mac (const NookFilterSecret *secret, const guint8 *data, gsize size,
           guint8 out[NOOK_FILTER_MAC_SIZE])
{
  GHmac *hmac = nook_filter_secret_hmac (secret, MAC_TAG);

  g_hmac_update (hmac, data, G_STRUCT_OFFSET (EntryHeader, mac));
  g_hmac_update (hmac, data + sizeof (EntryHeader), size - sizeof (EntryHeader));
  nook_filter_secret_hmac_finish (hmac, out);
}

static gboolean
check_entry_stat (const struct stat *st, GError **error)
{
  if (!S_ISREG (st->st_mode))
    return invalid (error, "not a regular file");
  if (st->st_uid != geteuid ())
    return invalid (error, "owned by uid %u, not by uid %u", (guint)st->st_uid, (guint)geteuid ());
  if ((st->st_mode & 022) != 0)
    return invalid (error, "mode %04o, writable by group or others", (guint)(st->st_mode & 07777));
  if (st->st_size < (off_t)sizeof (EntryHeader) || st->st_size > (off_t)MAX_ENTRY_SIZE)
    return invalid (error, "wrong size (%lld bytes)", (long long)st->st_size);
  return TRUE;
}

/* Checks a whole entry in memory; everything in it is covered by the MAC.
 * The other checks come first only to say what is wrong with an entry that
 * was damaged rather than forged. */
static gboolean
check_entry_data (NookFilterStore *store, const guint8 *data, gsize size, const guint8 *key,
                  guint32 arch, const EntryHeader **out_header, GError **error)
{
  const EntryHeader *h = (const EntryHeader *)data;
  guint8 mac[NOOK_FILTER_MAC_SIZE];

  if (memcmp (h->magic, ENTRY_MAGIC, sizeof h->magic) != 0)
    return invalid (error, "bad magic");
  if (h->version != NOOK_FILTER_STORE_FORMAT_VERSION)
    return invalid (error, "format version %u, not %u", h->version,
                    NOOK_FILTER_STORE_FORMAT_VERSION);
  if (h->arch != arch)
    return invalid (error, "architecture 0x%08x, not 0x%08x", h->arch, arch);
  if (memcmp (h->key, key, NOOK_FILTER_STORE_KEY_SIZE) != 0)
    return invalid (error, "holds another key");
  if (h->n_insns == 0 || h->n_insns > NOOK_FILTER_STORE_MAX_INSNS)
    return invalid (error, "%u instructions (1 to %d allowed)", h->n_insns,
                    NOOK_FILTER_STORE_MAX_INSNS);
  if (h->warnings_size > MAX_WARNINGS_SIZE)
    return invalid (error, "warnings too long");
  if (size != sizeof (EntryHeader) + h->n_insns * sizeof (struct sock_filter) + h->warnings_size)
    return invalid (error, "wrong size for %u instructions (%" G_GSIZE_FORMAT " bytes)", h->n_insns,
                    size);
  if (h->warnings_size > 0 && data[size - 1] != '\0')
    return invalid (error, "unterminated warnings");

  entry_mac (&store->secret, data, size, mac);
  if (!nook_filter_mac_equal (mac, h->mac))
    return invalid (error, "bad MAC (not written by this user's nook outside a container)");

  *out_header = h;
  return TRUE;
}

static void
add_warnings (const char *text, gsize size, GPtrArray *warnings)
{
  const char *end = text + size;

  if (warnings == NULL)
    return;
  for (const char *p = text; p < end; p += strlen (p) + 1)
    g_ptr_array_add (warnings, g_strdup (p));
}

/* Reads and checks the entry called name. On success the program (and
 * warnings) are returned; with touch, its mtime is set to now. */
static gboolean
read_entry (NookFilterStore *store, const char *name, const guint8 *key, guint32 arch,
            gboolean touch, struct sock_filter **out_insns, guint *out_n_insns, GPtrArray *warnings,
            gboolean *out_missing, GError **error)
{
  struct stat st;
  const EntryHeader *h = NULL;

  *out_missing = FALSE;
  if (!store->has_secret)
    return no_secret (error);
  /* O_NONBLOCK: a FIFO planted in place of the entry must not hang us. */
  nook_autofd int fd
      = openat (store->dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
  if (fd < 0)
    {
      int err = errno;
      if (err == ENOENT)
        {
          *out_missing = TRUE;
          return FALSE;
        }
      if (err == ELOOP)
        return invalid (error, "a symbolic link");
      return invalid (error, "cannot open: %s", g_strerror (err));
    }
  if (fstat (fd, &st) < 0)
    return invalid (error, "cannot stat: %s", g_strerror (errno));
  if (!check_entry_stat (&st, error))
    return FALSE;

  g_autofree guint8 *data = g_malloc (st.st_size);
  if (!read_exact (fd, data, st.st_size))
    return invalid (error, "truncated while reading");
  if (!check_entry_data (store, data, st.st_size, key, arch, &h, error))
    return FALSE;

  /* The LRU clock. A read-only store still serves its entries. */
  if (touch)
    (void)futimens (fd, NULL);

  if (out_insns != NULL)
    {
      *out_insns
          = g_memdup2 (data + sizeof (EntryHeader), h->n_insns * sizeof (struct sock_filter));
      add_warnings ((const char *)data + st.st_size - h->warnings_size, h->warnings_size, warnings);
    }
  *out_n_insns = h->n_insns;
  return TRUE;
}

/* Returns 0 or an errno; a file already gone counts as removed. */
static int
remove_file (NookFilterStore *store, const char *name)
{
  int rc = unlinkat (store->dirfd, name, 0);

  if (rc < 0 && errno == EISDIR)
    rc = unlinkat (store->dirfd, name, AT_REMOVEDIR);
  return rc == 0 || errno == ENOENT ? 0 : errno;
}

NookFilterStoreResult
nook_filter_store_lookup (NookFilterStore *store, const guint8 *key, guint32 arch,
                          struct sock_filter **out_insns, guint *out_n_insns, GPtrArray *warnings,
                          GError **error)
{
  char name[KEY_HEX_LEN + 1];
  gboolean missing;
  g_autoptr (GError) local_error = NULL;

  g_return_val_if_fail (out_insns != NULL && out_n_insns != NULL, NOOK_FILTER_STORE_MISS);

  if (store->dirfd < 0)
    return NOOK_FILTER_STORE_MISS;

  key_to_hex (key, name);
  if (read_entry (store, name, key, arch, TRUE, out_insns, out_n_insns, warnings, &missing,
                  &local_error))
    return NOOK_FILTER_STORE_HIT;
  if (missing)
    return NOOK_FILTER_STORE_MISS;

  (void)remove_file (store, name);
  g_set_error (error, NOOK_STORAGE_ERROR, NOOK_STORAGE_ERROR_FAILED, "%s/%s: %s", store->dir, name,
               local_error->message);
  return NOOK_FILTER_STORE_DISCARDED;
}

/* --- The directory's contents --- */

typedef struct
{
  char *name;
  struct timespec mtime;
  guint64 size;
  gboolean is_tmp;
} FileInfo;

static void
file_info_clear (FileInfo *f)
{
  g_free (f->name);
}

/* Our files in the directory: entries (a key in hex) and temporary files.
 * Symlinks and the like with an entry's name are listed too (to be removed). */
static GArray *
list_files (NookFilterStore *store, GError **error)
{
  g_autoptr (GArray) files = g_array_new (FALSE, TRUE, sizeof (FileInfo));
  guint8 key[NOOK_FILTER_STORE_KEY_SIZE];
  struct dirent *d;

  g_array_set_clear_func (files, (GDestroyNotify)file_info_clear);
  if (store->dirfd < 0)
    return g_steal_pointer (&files);

  int fd = dup (store->dirfd);
  if (fd < 0)
    {
      nook_storage_errno_error (error, errno, "list", store->dir);
      return NULL;
    }
  nook_autodir DIR *dir = fdopendir (fd);
  if (dir == NULL)
    {
      int err = errno;
      close (fd);
      nook_storage_errno_error (error, err, "list", store->dir);
      return NULL;
    }
  /* The duplicate shares the file offset with store->dirfd. */
  rewinddir (dir);

  while ((errno = 0, d = readdir (dir)) != NULL)
    {
      struct stat st;
      gboolean tmp = is_tmp_name (d->d_name);

      if (!tmp && !hex_to_key (d->d_name, key))
        continue;
      if (fstatat (store->dirfd, d->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
        continue; /* removed meanwhile */
      FileInfo info = { g_strdup (d->d_name), st.st_mtim, st.st_size, tmp };
      g_array_append_val (files, info);
    }
  if (errno != 0)
    {
      nook_storage_errno_error (error, errno, "list", store->dir);
      return NULL;
    }
  return g_steal_pointer (&files);
}

static int
compare_mtime_oldest_first (gconstpointer a, gconstpointer b)
{
  const FileInfo *fa = a, *fb = b;

  if (fa->mtime.tv_sec != fb->mtime.tv_sec)
    return fa->mtime.tv_sec < fb->mtime.tv_sec ? -1 : 1;
  if (fa->mtime.tv_nsec != fb->mtime.tv_nsec)
    return fa->mtime.tv_nsec < fb->mtime.tv_nsec ? -1 : 1;
  return strcmp (fa->name, fb->name);
}

static gboolean
is_stale_tmp (const FileInfo *f)
{
  return f->is_tmp && f->mtime.tv_sec + STALE_TMP_SECONDS < g_get_real_time () / G_USEC_PER_SEC;
}

/* Removes the least recently used entries until at most keep remain (and
 * stale temporary files). Returns the number of files removed. */
static guint
evict (NookFilterStore *store, GArray *files, guint keep)
{
  guint n_entries = 0, removed = 0;

  g_array_sort (files, compare_mtime_oldest_first);
  for (guint i = 0; i < files->len; i++)
    n_entries += !g_array_index (files, FileInfo, i).is_tmp;

  for (guint i = 0; i < files->len; i++)
    {
      FileInfo *f = &g_array_index (files, FileInfo, i);

      if (f->is_tmp ? !is_stale_tmp (f) : n_entries <= keep)
        continue;
      if (unlinkat (store->dirfd, f->name, 0) == 0 || errno == ENOENT)
        {
          removed++;
          n_entries -= !f->is_tmp;
        }
    }
  return removed;
}

/* --- Writing an entry --- */

static gboolean
write_all (int fd, const guint8 *data, gsize size)
{
  gsize done = 0;

  while (done < size)
    {
      ssize_t n = write (fd, data + done, size - done);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return FALSE;
      done += n;
    }
  return TRUE;
}

static GByteArray *
build_entry (NookFilterStore *store, const guint8 *key, guint32 arch,
             const struct sock_filter *insns, guint n_insns, GPtrArray *warnings)
{
  GByteArray *data = g_byte_array_new ();
  EntryHeader h = { .version = NOOK_FILTER_STORE_FORMAT_VERSION, .arch = arch, .n_insns = n_insns };

  memcpy (h.magic, ENTRY_MAGIC, sizeof h.magic);
  memcpy (h.key, key, sizeof h.key);
  g_byte_array_append (data, (const guint8 *)&h, sizeof h);
  g_byte_array_append (data, (const guint8 *)insns, n_insns * sizeof (struct sock_filter));
  for (guint i = 0; warnings != NULL && i < warnings->len; i++)
    {
      const char *w = warnings->pdata[i];
      g_byte_array_append (data, (const guint8 *)w, strlen (w) + 1);
    }

  EntryHeader *hp = (EntryHeader *)data->data;
  hp->warnings_size = data->len - sizeof h - n_insns * sizeof (struct sock_filter);
  entry_mac (&store->secret, data->data, data->len, hp->mac);
  return data;
}

/* Returns TRUE when done, FALSE with *out_unsupported when O_TMPFILE or
 * /proc cannot be used here (the caller falls back to rename). */
static gboolean
publish_tmpfile (NookFilterStore *store, const char *name, GByteArray *data,
                 gboolean *out_unsupported, GError **error)
{
  char proc_path[64];

  *out_unsupported = FALSE;
  nook_autofd int fd = openat (store->dirfd, ".", O_TMPFILE | O_WRONLY | O_CLOEXEC, 0600);
  if (fd < 0)
    {
      int err = errno;
      *out_unsupported = err == EOPNOTSUPP || err == EISDIR || err == EINVAL;
      return nook_storage_errno_error (error, err, "write to", store->dir);
    }
  if (!write_all (fd, data->data, data->len))
    return nook_storage_errno_error (error, errno, "write to", store->dir);

  /* linkat with AT_EMPTY_PATH needs CAP_DAC_READ_SEARCH; the /proc link
   * does the same for anyone. */
  g_snprintf (proc_path, sizeof proc_path, "/proc/self/fd/%d", fd);
  if (linkat (AT_FDCWD, proc_path, store->dirfd, name, AT_SYMLINK_FOLLOW) == 0)
    return TRUE;
  int err = errno;
  /* Another launch published the same key first: same content, keep it. */
  if (err == EEXIST)
    return TRUE;
  *out_unsupported = err == ENOENT && access ("/proc/self/fd", F_OK) < 0;
  return nook_storage_errno_error (error, err, "write to", store->dir);
}

static gboolean
publish_rename (NookFilterStore *store, const char *name, GByteArray *data, GError **error)
{
  g_autofree char *tmp = g_strdup_printf (TMP_PREFIX "%08x%08x", g_random_int (), (guint)getpid ());
  nook_autofd int fd
      = openat (store->dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);

  if (fd < 0)
    return nook_storage_errno_error (error, errno, "write to", store->dir);
  if (!write_all (fd, data->data, data->len)
      || renameat (store->dirfd, tmp, store->dirfd, name) < 0)
    {
      int err = errno;
      (void)unlinkat (store->dirfd, tmp, 0);
      return nook_storage_errno_error (error, err, "write to", store->dir);
    }
  return TRUE;
}

gboolean
nook_filter_store_publish (NookFilterStore *store, const guint8 *key, guint32 arch,
                           const struct sock_filter *insns, guint n_insns, GPtrArray *warnings,
                           guint max_entries, GError **error)
{
  char name[KEY_HEX_LEN + 1];
  gboolean unsupported;
  g_autoptr (GError) tmpfile_error = NULL;

  g_return_val_if_fail (n_insns > 0 && n_insns <= NOOK_FILTER_STORE_MAX_INSNS, FALSE);

  if (!store->has_secret)
    return no_secret (error);
  if (!ensure_dir (store, error))
    return FALSE;

  g_autoptr (GByteArray) data = build_entry (store, key, arch, insns, n_insns, warnings);
  if (data->len > MAX_ENTRY_SIZE)
    return invalid (error, "cannot store the filter: its warnings are too long");

  /* The bound is kept on insert only, so that a hit never lists the
   * directory. An error here is no reason not to store the entry. */
  g_autoptr (GArray) files = list_files (store, NULL);
  if (files != NULL)
    evict (store, files, max_entries > 0 ? max_entries - 1 : 0);

  key_to_hex (key, name);
  if (publish_tmpfile (store, name, data, &unsupported, &tmpfile_error))
    return TRUE;
  if (!unsupported)
    {
      g_propagate_error (error, g_steal_pointer (&tmpfile_error));
      return FALSE;
    }
  return publish_rename (store, name, data, error);
}

/* --- ls, prune, clear --- */

GPtrArray *
nook_filter_store_list (NookFilterStore *store, guint32 arch, GError **error)
{
  g_autoptr (GArray) files = NULL;
  g_autoptr (GPtrArray) infos
      = g_ptr_array_new_with_free_func ((GDestroyNotify)nook_filter_store_entry_info_free);

  if (!store->has_secret)
    {
      no_secret (error);
      return NULL;
    }
  files = list_files (store, error);
  if (files == NULL)
    return NULL;
  g_array_sort (files, compare_mtime_oldest_first);
  for (guint i = files->len; i-- > 0;)
    {
      const FileInfo *f = &g_array_index (files, FileInfo, i);
      guint8 key[NOOK_FILTER_STORE_KEY_SIZE];
      g_autoptr (GError) local_error = NULL;
      gboolean missing;
      guint n_insns = 0;

      if (f->is_tmp)
        continue;
      hex_to_key (f->name, key);
      if (!read_entry (store, f->name, key, arch, FALSE, NULL, &n_insns, NULL, &missing,
                       &local_error)
          && missing)
        continue;

      NookFilterStoreEntryInfo *info = g_new0 (NookFilterStoreEntryInfo, 1);
      info->name = g_strdup (f->name);
      info->size = f->size;
      info->mtime = f->mtime.tv_sec;
      info->n_insns = local_error == NULL ? n_insns : 0;
      info->invalid = local_error != NULL ? g_strdup (local_error->message) : NULL;
      g_ptr_array_add (infos, info);
    }
  return g_steal_pointer (&infos);
}

gboolean
nook_filter_store_prune (NookFilterStore *store, guint32 arch, guint max_entries,
                         guint *out_removed, GError **error)
{
  g_autoptr (GArray) files = NULL;
  g_autoptr (GArray) kept = NULL;
  guint removed = 0;

  if (!store->has_secret)
    return no_secret (error);
  files = list_files (store, error);
  if (files == NULL)
    return FALSE;
  kept = g_array_new (FALSE, TRUE, sizeof (FileInfo));
  g_array_set_clear_func (kept, (GDestroyNotify)file_info_clear);

  for (guint i = 0; i < files->len; i++)
    {
      FileInfo *f = &g_array_index (files, FileInfo, i);
      guint8 key[NOOK_FILTER_STORE_KEY_SIZE];
      gboolean missing, valid = TRUE;
      guint n_insns;

      if (!f->is_tmp)
        {
          hex_to_key (f->name, key);
          valid
              = read_entry (store, f->name, key, arch, FALSE, NULL, &n_insns, NULL, &missing, NULL);
        }
      if (!valid)
        {
          removed += remove_file (store, f->name) == 0 && !missing;
          continue;
        }
      g_array_append_val (kept, *f);
      f->name = NULL; /* moved */
    }
  removed += evict (store, kept, max_entries);
  if (out_removed != NULL)
    *out_removed = removed;
  return TRUE;
}

gboolean
nook_filter_store_clear (NookFilterStore *store, guint *out_removed, GError **error)
{
  g_autoptr (GArray) files = list_files (store, error);
  guint removed = 0;

  if (files == NULL)
    return FALSE;
  for (guint i = 0; i < files->len; i++)
    {
      int err = remove_file (store, g_array_index (files, FileInfo, i).name);

      if (err != 0)
        return nook_storage_errno_error (error, err, "remove entries of", store->dir);
      removed++;
    }
  if (out_removed != NULL)
    *out_removed = removed;
  return TRUE;
}

gboolean
nook_filter_store_max_entries_from_env (guint *out_max, GError **error)
{
  const char *value = g_getenv (NOOK_FILTER_STORE_MAX_ENTRIES_ENV);
  guint64 n;

  *out_max = NOOK_FILTER_STORE_DEFAULT_MAX_ENTRIES;
  if (value == NULL || *value == '\0')
    return TRUE;
  if (!g_ascii_string_to_unsigned (value, 10, 1, MAX_ENTRIES_LIMIT, &n, NULL))
    {
      g_set_error (error, NOOK_STORAGE_ERROR, NOOK_STORAGE_ERROR_FAILED,
                   "%s=%s: not a number from 1 to %d; using %d", NOOK_FILTER_STORE_MAX_ENTRIES_ENV,
                   value, MAX_ENTRIES_LIMIT, NOOK_FILTER_STORE_DEFAULT_MAX_ENTRIES);
      return FALSE;
    }
  *out_max = (guint)n;
  return TRUE;
}
