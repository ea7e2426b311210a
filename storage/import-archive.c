/* nook: writing a rootfs from a tar stream or a directory tree (import.h).
 *
 * libarchive does the writing (archive_write_disk) with numeric ids only: no
 * name lookup, since the names of the source are the rootfs's own, not the
 * host's. It runs in the importing child, root in a user namespace with the
 * caller's maps, in the rootfs as its working directory. */
#include "storage/import.h"

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "storage/autofd.h"
#include "storage/remove.h"
#include "storage/xdg.h"

/* Setuid bits are kept only with the owner; paths that would leave the
 * rootfs (absolute, "..", through a symbolic link already written) are
 * refused. No ARCHIVE_EXTRACT_FFLAGS: immutable and append-only need
 * CAP_LINUX_IMMUTABLE in the host's namespace. */
#define WRITE_FLAGS                                                                                \
  (ARCHIVE_EXTRACT_OWNER | ARCHIVE_EXTRACT_PERM | ARCHIVE_EXTRACT_TIME | ARCHIVE_EXTRACT_ACL       \
   | ARCHIVE_EXTRACT_XATTR | ARCHIVE_EXTRACT_SECURE_SYMLINKS | ARCHIVE_EXTRACT_SECURE_NODOTDOT     \
   | ARCHIVE_EXTRACT_SECURE_NOABSOLUTEPATHS)

#define WHITEOUT_PREFIX ".wh."
#define OPAQUE_NAME ".wh..wh..opq"

typedef struct
{
  const char *source;
  int rootfs_fd;
  gboolean layer;
  NookImportWriter *writer;
  struct archive *out;
  GHashTable *skipped; /* paths of devices not made, for hardlinks to them */
  GHashTable *written; /* layer: paths this layer wrote (an opaque dir keeps them) */
} Extract;

static gboolean
fail (GError **error, const char *source, const char *path, const char *why)
{
  if (path != NULL)
    g_set_error (error, NOOK_STORAGE_ERROR, NOOK_STORAGE_ERROR_FAILED, "%s: %s: %s", source, path,
                 why);
  else
    g_set_error (error, NOOK_STORAGE_ERROR, NOOK_STORAGE_ERROR_FAILED, "%s: %s", source, why);
  return FALSE;
}

static void
warn (Extract *x, const char *path, const char *why)
{
  if (x->writer->n_warnings++ == 0)
    x->writer->first_warning = g_strdup_printf ("%s: %s", path, why);
}

/* The name as it is written: no leading "./" or "/" runs, no trailing
 * "/"; "." for the root itself. NULL when it has a ".." component or is
 * absolute (refused, with a message of our own rather than libarchive's). */
static char *
clean_path (const char *name)
{
  g_auto (GStrv) parts = NULL;
  g_autoptr (GPtrArray) kept = g_ptr_array_new ();

  if (name == NULL || name[0] == '/')
    return NULL;
  parts = g_strsplit (name, "/", -1);
  for (guint i = 0; parts[i] != NULL; i++)
    {
      if (parts[i][0] == '\0' || strcmp (parts[i], ".") == 0)
        continue;
      if (strcmp (parts[i], "..") == 0)
        return NULL;
      g_ptr_array_add (kept, parts[i]);
    }
  if (kept->len == 0)
    return g_strdup (".");
  g_ptr_array_add (kept, NULL);
  return g_strjoinv ("/", (char **)kept->pdata);
}

/* The directory dir of the rootfs, resolved inside it: openat2
 * RESOLVE_IN_ROOT, or by hand without following any symbolic link where
 * the kernel lacks openat2. -1 with errno. */
static int
open_dir_in_rootfs (int rootfs_fd, const char *dir)
{
  struct open_how how = {
    .flags = O_RDONLY | O_DIRECTORY | O_CLOEXEC,
    .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
  };
  g_auto (GStrv) parts = NULL;
  int fd = (int)syscall (SYS_openat2, rootfs_fd, dir, &how, sizeof how);

  if (fd >= 0 || (errno != ENOSYS && errno != EPERM))
    return fd;
  fd = openat (rootfs_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  parts = g_strsplit (dir, "/", -1);
  for (guint i = 0; fd >= 0 && parts[i] != NULL; i++)
    {
      int next;

      if (parts[i][0] == '\0' || strcmp (parts[i], ".") == 0)
        continue;
      next = openat (fd, parts[i], O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      close (fd);
      fd = next;
    }
  return fd;
}

/* ".wh.NAME" removes NAME of the layers below; ".wh..wh..opq" empties its
 * directory of what the layers below put there (OCI image spec, "Whiteouts").
 * Other ".wh..wh." names are AUFS bookkeeping and are dropped. */
static gboolean
apply_whiteout (Extract *x, const char *path, GError **error)
{
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *base = g_path_get_basename (path);
  nook_autofd int fd = -1;

  if (strcmp (base, OPAQUE_NAME) != 0 && g_str_has_prefix (base, WHITEOUT_PREFIX WHITEOUT_PREFIX))
    return TRUE;
  fd = open_dir_in_rootfs (x->rootfs_fd, dir);
  if (fd < 0)
    {
      if (errno == ENOENT || errno == ENOTDIR)
        return TRUE;
      return fail (error, x->source, path, g_strerror (errno));
    }
  if (strcmp (base, OPAQUE_NAME) != 0)
    {
      g_autofree char *victim = g_build_filename (dir, base + strlen (WHITEOUT_PREFIX), NULL);
      g_autoptr (GError) local = NULL;

      if (!nook_remove_tree_at (fd, base + strlen (WHITEOUT_PREFIX), victim, &local))
        return fail (error, x->source, path, local->message);
      return TRUE;
    }

  g_autoptr (GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  {
    int list_fd = openat (fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    DIR *d = list_fd >= 0 ? fdopendir (list_fd) : NULL;
    struct dirent *e;

    if (d == NULL)
      {
        if (list_fd >= 0)
          close (list_fd);
        return fail (error, x->source, path, g_strerror (errno));
      }
    while ((e = readdir (d)) != NULL)
      if (strcmp (e->d_name, ".") != 0 && strcmp (e->d_name, "..") != 0)
        g_ptr_array_add (names, g_strdup (e->d_name));
    closedir (d);
  }
  for (guint i = 0; i < names->len; i++)
    {
      const char *name = names->pdata[i];
      g_autofree char *child
          = strcmp (dir, ".") == 0 ? g_strdup (name) : g_build_filename (dir, name, NULL);
      g_autoptr (GError) local = NULL;

      if (g_hash_table_contains (x->written, child))
        continue;
      if (!nook_remove_tree_at (fd, name, child, &local))
        return fail (error, x->source, path, local->message);
    }
  return TRUE;
}

/* A layer's file or link where a layer below has a directory replaces it
 * whole; libarchive would only rmdir it. */
static gboolean
clear_directory_in_the_way (Extract *x, const char *path, GError **error)
{
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *base = g_path_get_basename (path);
  nook_autofd int fd = open_dir_in_rootfs (x->rootfs_fd, dir);
  g_autoptr (GError) local = NULL;
  struct stat st;

  if (fd < 0 || fstatat (fd, base, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISDIR (st.st_mode))
    return TRUE;
  if (!nook_remove_tree_at (fd, base, path, &local))
    return fail (error, x->source, path, local->message);
  return TRUE;
}

static gboolean
check_owner (Extract *x, struct archive_entry *entry, const char *path, GError **error)
{
  la_int64_t uid = archive_entry_uid (entry), gid = archive_entry_gid (entry);
  g_autofree char *why = NULL;

  if (uid >= 0 && uid < x->writer->n_uids && gid >= 0 && gid < x->writer->n_gids)
    return TRUE;
  why = g_strdup_printf ("owned by %" G_GINT64_FORMAT ":%" G_GINT64_FORMAT
                         ", which your user namespace cannot map (uids 0-%u, gids 0-%u)",
                         (gint64)uid, (gint64)gid, x->writer->n_uids - 1, x->writer->n_gids - 1);
  return fail (error, x->source, path, why);
}

/* Copies the data of in's current entry to out: to the disk writer block
 * by block at the blocks' offsets, which leaves the holes of a sparse
 * file; to a tar writer in order, with the holes between the blocks as
 * zeros: it counts every byte of the file, and leaves out itself what
 * the entry's sparse map says is a hole. Errors name source and path
 * (path may be NULL). */
static gboolean
copy_entry_data (struct archive *in, struct archive *out, gboolean to_disk, const char *source,
                 const char *path, GError **error)
{
  static const char zeros[64 * 1024];
  la_int64_t written = 0;

  for (;;)
    {
      const void *buf;
      size_t size;
      la_int64_t offset;
      int r = archive_read_data_block (in, &buf, &size, &offset);

      if (r == ARCHIVE_EOF)
        return TRUE;
      if (r < ARCHIVE_WARN)
        return fail (error, source, path, archive_error_string (in));
      while (!to_disk && written < offset)
        {
          size_t n = (size_t)MIN ((la_int64_t)sizeof zeros, offset - written);

          if (archive_write_data (out, zeros, n) < 0)
            return fail (error, source, path, archive_error_string (out));
          written += n;
        }
      if (to_disk ? archive_write_data_block (out, buf, size, offset) < ARCHIVE_WARN
                  : archive_write_data (out, buf, size) < 0)
        return fail (error, source, path, archive_error_string (out));
      written = offset + size;
    }
}

static gboolean
write_entry (Extract *x, struct archive *in, struct archive_entry *entry, GError **error)
{
  const char *name = archive_entry_pathname (entry);
  g_autofree char *path = clean_path (name);
  g_autofree char *base = NULL;
  const char *link = archive_entry_hardlink (entry);
  mode_t type = archive_entry_filetype (entry);
  int r;

  if (path == NULL)
    return fail (error, x->source, name ? name : "(no name)",
                 "a path outside the root (absolute or with \"..\") is refused");
  base = g_path_get_basename (path);
  if (x->layer && g_str_has_prefix (base, WHITEOUT_PREFIX))
    return apply_whiteout (x, path, error);
  if (type == AE_IFCHR || type == AE_IFBLK)
    {
      x->writer->devices_skipped++;
      g_hash_table_add (x->skipped, g_steal_pointer (&path));
      return TRUE;
    }
  if (link != NULL)
    {
      g_autofree char *target = clean_path (link);

      if (target == NULL)
        return fail (error, x->source, path,
                     "a hard link to a path outside the root (absolute or with \"..\") "
                     "is refused");
      if (g_hash_table_contains (x->skipped, target))
        {
          x->writer->devices_skipped++;
          return TRUE;
        }
      archive_entry_set_hardlink (entry, target);
    }
  if (!check_owner (x, entry, path, error))
    return FALSE;
  if (x->layer && type != AE_IFDIR && !clear_directory_in_the_way (x, path, error))
    return FALSE;
  archive_entry_set_pathname (entry, path);
  r = archive_write_header (x->out, entry);
  if (r < ARCHIVE_WARN)
    return fail (error, x->source, path, archive_error_string (x->out));
  if (r == ARCHIVE_WARN)
    warn (x, path, archive_error_string (x->out));
  if (archive_entry_size (entry) > 0 && !copy_entry_data (in, x->out, TRUE, x->source, path, error))
    return FALSE;
  r = archive_write_finish_entry (x->out);
  if (r < ARCHIVE_WARN)
    return fail (error, x->source, path, archive_error_string (x->out));
  if (r == ARCHIVE_WARN)
    warn (x, path, archive_error_string (x->out));
  if (x->layer)
    g_hash_table_add (x->written, g_steal_pointer (&path));
  return TRUE;
}

static gboolean
extract_begin (Extract *x, int rootfs_fd, const char *source, gboolean layer,
               NookImportWriter *writer, GError **error)
{
  x->source = source;
  x->rootfs_fd = rootfs_fd;
  x->layer = layer;
  x->writer = writer;
  x->skipped = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  x->written = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  if (fchdir (rootfs_fd) < 0)
    return nook_storage_errno_error (error, errno, "enter", "the rootfs");
  x->out = archive_write_disk_new ();
  archive_write_disk_set_options (x->out, WRITE_FLAGS);
  return TRUE;
}

/* Directories get their modes and times last (archive_write_close): a
 * read-only directory must stay writable while its entries are made. */
static gboolean
extract_end (Extract *x, gboolean ok, GError **error)
{
  if (ok && archive_write_close (x->out) < ARCHIVE_WARN)
    ok = fail (error, x->source, NULL, archive_error_string (x->out));
  archive_write_free (x->out);
  g_hash_table_unref (x->skipped);
  g_hash_table_unref (x->written);
  return ok;
}

typedef struct
{
  int fd;
  GChecksum *sum; /* NULL: no digest to check */
  char buf[128 * 1024];
} Source;

static la_ssize_t
source_read (struct archive *a, void *data, const void **out)
{
  Source *s = data;
  ssize_t n;

  do
    n = read (s->fd, s->buf, sizeof s->buf);
  while (n < 0 && errno == EINTR);
  if (n < 0)
    {
      archive_set_error (a, errno, "read: %s", g_strerror (errno));
      return -1;
    }
  if (s->sum != NULL)
    g_checksum_update (s->sum, (const guchar *)s->buf, n);
  *out = s->buf;
  return n;
}

/* The digest is over every byte of the blob: what libarchive left unread
 * after the end of the archive counts too. */
static gboolean
check_digest (Source *s, const char *source, const char *digest, GError **error)
{
  g_autofree char *want = NULL;
  ssize_t n;

  while ((n = read (s->fd, s->buf, sizeof s->buf)) > 0 || (n < 0 && errno == EINTR))
    if (n > 0)
      g_checksum_update (s->sum, (const guchar *)s->buf, n);
  if (n < 0)
    return fail (error, source, NULL, g_strerror (errno));
  want = g_strdup_printf ("sha256:%s", g_checksum_get_string (s->sum));
  if (g_ascii_strcasecmp (want, digest) != 0)
    {
      g_autofree char *why = g_strdup_printf ("the content's digest is %s, not %s", want, digest);
      return fail (error, source, NULL, why);
    }
  return TRUE;
}

gboolean
nook_import_tar (int rootfs_fd, int source_fd, const char *source, gboolean layer,
                 const char *digest, NookImportWriter *writer, GError **error)
{
  g_autofree Source *s = g_new0 (Source, 1);
  Extract x = { 0 };
  struct archive *in = archive_read_new ();
  struct archive_entry *entry;
  gboolean ok = TRUE;
  guint entries = 0;

  s->fd = source_fd;
  if (digest != NULL && !g_str_has_prefix (digest, "sha256:"))
    ok = fail (error, source, NULL, "only sha256 digests are supported");
  if (digest != NULL)
    s->sum = g_checksum_new (G_CHECKSUM_SHA256);
  archive_read_support_filter_all (in);
  archive_read_support_format_tar (in);
  if (ok && archive_read_open (in, s, NULL, source_read, NULL) != ARCHIVE_OK)
    {
      g_autofree char *why = g_strdup_printf ("not a tar archive (%s)", archive_error_string (in));
      ok = fail (error, source, NULL, why);
    }
  if (ok)
    ok = extract_begin (&x, rootfs_fd, source, layer, writer, error);
  while (ok)
    {
      int r = archive_read_next_header (in, &entry);

      if (r == ARCHIVE_EOF)
        break;
      if (r < ARCHIVE_WARN)
        {
          g_autofree char *why = g_strdup_printf (
              entries == 0 ? "not a tar archive (%s)" : "damaged archive (%s)",
              archive_error_string (in) ? archive_error_string (in) : "read failed");
          ok = fail (error, source, NULL, why);
          break;
        }
      entries++;
      ok = write_entry (&x, in, entry, error);
    }
  if (ok && entries == 0)
    ok = fail (error, source, NULL, "not a tar archive (no entries)");
  if (x.out != NULL)
    ok = extract_end (&x, ok, error);
  if (ok && digest != NULL)
    ok = check_digest (s, source, digest, error);
  archive_read_free (in);
  if (s->sum != NULL)
    g_checksum_free (s->sum);
  return ok;
}

/* The name of an entry of the tree below source, relative to it. */
static void
set_relative_name (struct archive_entry *entry, const char *source)
{
  const char *name = archive_entry_pathname (entry);
  size_t len = strlen (source);

  if (name != NULL && strncmp (name, source, len) == 0 && (name[len] == '/' || name[len] == '\0'))
    {
      g_autofree char *rel = g_strdup (name[len] == '\0' ? "." : name + len + 1);

      archive_entry_set_pathname (entry, rel);
    }
}

static gboolean
pack_entry (struct archive *in, struct archive *out, struct archive_entry *entry, GError **error)
{
  const char *path = archive_entry_pathname (entry);

  if (archive_write_header (out, entry) < ARCHIVE_WARN)
    return fail (error, path, NULL, archive_error_string (out));
  return archive_entry_size (entry) <= 0 || copy_entry_data (in, out, FALSE, path, NULL, error);
}

/* The packing side of nook_import_tree: the tree as a pax stream on fd.
 * libarchive's disk reader changes the working directory as it walks,
 * so it runs in a process of its own, not where the rootfs is written. */
static gboolean
pack_tree (const char *source, int fd, guint *out_unmapped, GError **error)
{
  struct archive *in = archive_read_disk_new ();
  struct archive *out = archive_write_new ();
  struct archive_entry_linkresolver *links = archive_entry_linkresolver_new ();
  g_autofree char *text = NULL;
  long overflow = -1;
  gboolean ok = TRUE;

  if (g_file_get_contents ("/proc/sys/kernel/overflowuid", &text, NULL, NULL))
    overflow = strtol (text, NULL, 10);
  /* Hard links become link entries to the first path seen. */
  archive_entry_linkresolver_set_strategy (links, ARCHIVE_FORMAT_TAR_PAX_RESTRICTED);
  archive_read_disk_set_symlink_physical (in);
  archive_read_disk_set_behavior (in, ARCHIVE_READDISK_NO_TRAVERSE_MOUNTS);
  archive_write_set_format_pax_restricted (out);
  archive_write_set_bytes_in_last_block (out, 1);
  if (archive_read_disk_open (in, source) != ARCHIVE_OK)
    ok = fail (error, source, NULL, archive_error_string (in));
  if (ok && archive_write_open_fd (out, fd) != ARCHIVE_OK)
    ok = fail (error, source, NULL, archive_error_string (out));
  while (ok)
    {
      struct archive_entry *entry = archive_entry_new ();
      struct archive_entry *spare = NULL;
      int r = archive_read_next_header2 (in, entry);

      if (r == ARCHIVE_EOF || r < ARCHIVE_WARN)
        {
          if (r != ARCHIVE_EOF)
            ok = fail (error, source, NULL, archive_error_string (in));
          archive_entry_free (entry);
          break;
        }
      archive_read_disk_descend (in);
      if (archive_entry_uid (entry) == overflow || archive_entry_gid (entry) == overflow)
        (*out_unmapped)++;
      set_relative_name (entry, source);
      archive_entry_linkify (links, &entry, &spare);
      if (entry != NULL)
        ok = pack_entry (in, out, entry, error);
      if (ok && spare != NULL)
        ok = pack_entry (in, out, spare, error);
      archive_entry_free (entry);
      archive_entry_free (spare);
    }
  if (ok && archive_write_close (out) != ARCHIVE_OK)
    ok = fail (error, source, NULL, archive_error_string (out));
  archive_write_free (out);
  archive_read_free (in);
  archive_entry_linkresolver_free (links);
  return ok;
}

static G_GNUC_NORETURN void
packer_main (const char *source, int data_fd, int report_fd)
{
  g_autoptr (GError) local = NULL;
  guint unmapped = 0;

  if (!pack_tree (source, data_fd, &unmapped, &local))
    {
      dprintf (report_fd, "E%s", local->message);
      _exit (1);
    }
  dprintf (report_fd, "U%u", unmapped);
  _exit (0);
}

gboolean
nook_import_tree (int rootfs_fd, const char *source, NookImportWriter *writer, GError **error)
{
  int data[2], report[2], status = 0;
  g_autofree char *text = NULL;
  gboolean ok;
  pid_t pid;

  if (pipe2 (data, O_CLOEXEC) < 0)
    return nook_storage_errno_error (error, errno, "make a pipe for", source);
  if (pipe2 (report, O_CLOEXEC) < 0)
    {
      close (data[0]);
      close (data[1]);
      return nook_storage_errno_error (error, errno, "make a pipe for", source);
    }
  pid = fork ();
  if (pid == 0)
    {
      close (data[0]);
      close (report[0]);
      packer_main (source, data[1], report[1]);
    }
  close (data[1]);
  close (report[1]);
  if (pid < 0)
    {
      close (data[0]);
      close (report[0]);
      return nook_storage_errno_error (error, errno, "fork to read", source);
    }
  ok = nook_import_tar (rootfs_fd, data[0], source, FALSE, NULL, writer, error);
  /* The packer may still be writing: it gets EPIPE once this end goes. */
  close (data[0]);
  {
    GString *s = g_string_new (NULL);
    char buf[1024];
    ssize_t n;

    while ((n = read (report[0], buf, sizeof buf)) > 0 || (n < 0 && errno == EINTR))
      if (n > 0)
        g_string_append_len (s, buf, n);
    text = g_string_free (s, FALSE);
  }
  close (report[0]);
  while (waitpid (pid, &status, 0) < 0 && errno == EINTR)
    ;
  if (text[0] == 'E')
    {
      /* The packer's error explains the extraction's (a truncated stream). */
      g_clear_error (error);
      return fail (error, source, NULL, text + 1);
    }
  if (ok && (!WIFEXITED (status) || WEXITSTATUS (status) != 0))
    return fail (error, source, NULL, "the process reading it failed");
  if (text[0] == 'U')
    writer->unmapped_entries += (guint)strtoul (text + 1, NULL, 10);
  return ok;
}
