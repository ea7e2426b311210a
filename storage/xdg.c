/* nook: XDG base directories for nook's files. */
#include "storage/xdg.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Spelt out rather than G_DEFINE_QUARK (nook-storage-error-quark, ...): clang-format reads
 * the dashes of that name as minus signs and spaces them into the string. */
GQuark
nook_storage_error_quark (void)
{
  return g_quark_from_static_string ("nook-storage-error-quark");
}

gboolean
nook_storage_errno_error (GError **error, int errsv, const char *what, const char *path)
{
  g_set_error (error, NOOK_STORAGE_ERROR, NOOK_STORAGE_ERROR_FAILED, "cannot %s %s: %s", what, path,
               g_strerror (errsv));
  return FALSE;
}

gboolean
nook_storage_write_file (const char *path, const char *contents, GError **error)
{
  g_autofree char *tmp = g_strconcat (path, ".XXXXXX", NULL);
  size_t len = strlen (contents);
  ssize_t n;
  int fd, err = 0;

  fd = g_mkstemp_full (tmp, O_WRONLY | O_CLOEXEC, 0600);
  if (fd < 0)
    return nook_storage_errno_error (error, errno, "write", path);
  n = write (fd, contents, len);
  if (n < 0)
    err = errno;
  else if ((size_t)n != len)
    err = ENOSPC;
  if (close (fd) < 0 && err == 0)
    err = errno;
  if (err == 0 && rename (tmp, path) < 0)
    err = errno;
  if (err != 0)
    {
      unlink (tmp);
      return nook_storage_errno_error (error, err, "write", path);
    }
  return TRUE;
}

/* The XDG variables are read with getenv on every call instead of through
 * g_get_user_cache_dir () and friends: GLib computes those once per process,
 * and a test (or a library user) that changes the environment would keep
 * getting the first answer. The base directory spec says relative values are
 * invalid and must be ignored, so they count as unset. */
static const char *
xdg_env (const char *name)
{
  const char *value = getenv (name);

  if (value == NULL || !g_path_is_absolute (value))
    return NULL;
  return value;
}

static const char *
home_dir (void)
{
  const char *home = xdg_env ("HOME");

  /* g_get_home_dir falls back to the passwd entry, which is what we want
   * when HOME itself is missing. */
  return home != NULL ? home : g_get_home_dir ();
}

static char *
xdg_base_dir (const char *variable, const char *home_relative)
{
  const char *base = xdg_env (variable);

  if (base != NULL)
    return g_build_filename (base, "nook", NULL);
  return g_build_filename (home_dir (), home_relative, "nook", NULL);
}

char *
nook_xdg_cache_home (void)
{
  const char *base = xdg_env ("XDG_CACHE_HOME");

  if (base != NULL)
    return g_strdup (base);
  return g_build_filename (home_dir (), ".cache", NULL);
}

char *
nook_xdg_cache_dir (void)
{
  return xdg_base_dir ("XDG_CACHE_HOME", ".cache");
}

char *
nook_xdg_data_dir (void)
{
  return xdg_base_dir ("XDG_DATA_HOME", ".local/share");
}

gboolean
nook_mkdir_p (const char *path, int mode, GError **error)
{
  if (g_mkdir_with_parents (path, mode) < 0)
    {
      int saved_errno = errno;

      g_set_error (error, NOOK_STORAGE_ERROR, NOOK_STORAGE_ERROR_FAILED,
                   "cannot create directory %s: %s", path, g_strerror (saved_errno));
      return FALSE;
    }
  return TRUE;
}

/* Our directories hold lock files, pids and the state of live containers: a
 * directory that someone else owns or can write to (or a symlink someone
 * planted in a shared directory such as /tmp) would let them forge or hide
 * containers, so it is refused rather than repaired. */
static gboolean
check_private_dir (const char *path, GError **error)
{
  struct stat st;
  uid_t uid = geteuid ();

  if (lstat (path, &st) < 0)
    {
      int saved_errno = errno;

      g_set_error (error, NOOK_STORAGE_ERROR, NOOK_STORAGE_ERROR_FAILED, "cannot stat %s: %s", path,
                   g_strerror (saved_errno));
      return FALSE;
    }
  if (S_ISLNK (st.st_mode))
    {
      g_set_error (error, NOOK_STORAGE_ERROR, NOOK_STORAGE_ERROR_INSECURE,
                   "refusing to use %s: it is a symbolic link (another user may have created it)",
                   path);
      return FALSE;
    }
  if (!S_ISDIR (st.st_mode))
    {
      g_set_error (error, NOOK_STORAGE_ERROR, NOOK_STORAGE_ERROR_INSECURE,
                   "refusing to use %s: it is not a directory (another user may have created it)",
                   path);
      return FALSE;
    }
  if (st.st_uid != uid)
    {
      g_set_error (error, NOOK_STORAGE_ERROR, NOOK_STORAGE_ERROR_INSECURE,
                   "refusing to use %s: it is owned by uid %u, not by uid %u (another user may "
                   "have created it)",
                   path, (guint)st.st_uid, (guint)uid);
      return FALSE;
    }
  if ((st.st_mode & 077) != 0)
    {
      g_set_error (error, NOOK_STORAGE_ERROR, NOOK_STORAGE_ERROR_INSECURE,
                   "refusing to use %s: it has mode %04o, group and others must have no access",
                   path, (guint)(st.st_mode & 07777));
      return FALSE;
    }
  return TRUE;
}

/* /tmp is shared by every user, so the directory is created with a single
 * mkdir: a parent directory that is missing is an error, not something to
 * create, and a directory that already exists must pass check_private_dir. */
static char *
fallback_runtime_root (GError **error)
{
  g_autofree char *path = g_strdup_printf ("/tmp/nook-%u", (guint)geteuid ());

  if (mkdir (path, 0700) < 0 && errno != EEXIST)
    {
      int saved_errno = errno;

      g_set_error (error, NOOK_STORAGE_ERROR, NOOK_STORAGE_ERROR_FAILED,
                   "cannot create directory %s: %s", path, g_strerror (saved_errno));
      return NULL;
    }
  if (!check_private_dir (path, error))
    return NULL;
  return g_steal_pointer (&path);
}

char *
nook_xdg_runtime_root (GError **error)
{
  const char *runtime_dir = xdg_env ("XDG_RUNTIME_DIR");
  g_autofree char *path = NULL;

  if (runtime_dir == NULL)
    return fallback_runtime_root (error);

  path = g_build_filename (runtime_dir, "nook", NULL);
  if (!nook_mkdir_p (path, 0700, error))
    return NULL;
  if (!check_private_dir (path, error))
    return NULL;
  return g_steal_pointer (&path);
}
