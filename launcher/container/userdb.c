/* nook: names and homes from the container's passwd and group files. */
#include "launcher/container/userdb.h"

#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "launcher/init/resolve.h"

#define USERDB_MAX_SIZE (4 * 1024 * 1024)

char *
nook_userdb_read (int rootfd, const char *relpath)
{
  g_autoptr (GString) buf = NULL;
  char chunk[4096];
  ssize_t n;
  int fd;

  fd = rootfd < 0 ? -1 : nook_open_in_root (rootfd, relpath, O_RDONLY);
  if (fd < 0)
    return NULL;
  buf = g_string_new (NULL);
  while ((n = read (fd, chunk, sizeof (chunk))) > 0 && buf->len < USERDB_MAX_SIZE)
    g_string_append_len (buf, chunk, n);
  close (fd);
  return n < 0 ? NULL : g_string_free (g_steal_pointer (&buf), FALSE);
}

static gboolean
parse_id (const char *s, guint32 *out)
{
  guint64 v;

  if (!g_ascii_string_to_unsigned (s, 10, 0, G_MAXUINT32 - 1, &v, NULL))
    return FALSE;
  *out = (guint32)v;
  return TRUE;
}

/* The fields of the passwd entry named name (or, with name NULL, of
 * uid); NULL when there is none. */
static GStrv
find_entry (const char *passwd, const char *name, const guint32 *uid)
{
  g_auto (GStrv) lines = g_strsplit (passwd, "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      /* name:password:uid:gid:gecos:home:shell */
      g_auto (GStrv) f = g_strsplit (lines[i], ":", 7);
      guint32 u, g;

      if (g_strv_length (f) < 6 || !parse_id (f[2], &u) || !parse_id (f[3], &g))
        continue;
      if (name != NULL ? strcmp (f[0], name) != 0 : (uid == NULL || u != *uid))
        continue;
      return g_steal_pointer (&f);
    }
  return NULL;
}

gboolean
nook_userdb_find_user (const char *passwd, const char *name, guint32 *uid, guint32 *gid,
                       char **home)
{
  g_auto (GStrv) f = find_entry (passwd, name, uid);

  if (f == NULL)
    return FALSE;
  if (uid != NULL)
    parse_id (f[2], uid);
  if (gid != NULL)
    parse_id (f[3], gid);
  if (home != NULL)
    *home = f[5][0] == '/' ? g_strdup (f[5]) : NULL;
  return TRUE;
}

char *
nook_userdb_find_shell (const char *passwd, guint32 uid)
{
  g_auto (GStrv) f = find_entry (passwd, NULL, &uid);

  if (f == NULL || f[6] == NULL || f[6][0] != '/')
    return NULL;
  return g_strdup (g_strchomp (f[6]));
}

gboolean
nook_userdb_find_group (const char *group, const char *name, guint32 *gid)
{
  g_auto (GStrv) lines = g_strsplit (group, "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      /* name:password:gid:members */
      g_auto (GStrv) f = g_strsplit (lines[i], ":", 4);

      if (g_strv_length (f) >= 3 && strcmp (f[0], name) == 0 && parse_id (f[2], gid))
        return TRUE;
    }
  return FALSE;
}
