/* nook: reading a container's state back and deciding its status now.
 *
 * The status is never taken from state.json alone:
 * - a nook holding the lock means the container is being created (no
 *   state.json yet), or runs in the foreground under that nook;
 * - otherwise the recorded process counts as alive only while a process
 *   with that pid has the recorded start time, so a pid reused after the
 *   container stopped never makes it look alive;
 * - an alive detached process that has not passed its exec fifo yet is
 *   "created", else "running". */
#include "storage/state.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "storage/autofd.h"
#include "storage/json.h"

const char *
nook_status_name (NookStatus status)
{
  switch (status)
    {
    case NOOK_STATUS_CREATING:
      return "creating";
    case NOOK_STATUS_CREATED:
      return "created";
    case NOOK_STATUS_RUNNING:
      return "running";
    case NOOK_STATUS_STOPPED:
    default:
      return "stopped";
    }
}

guint64
nook_proc_start_time (pid_t pid)
{
  char path[64], buf[1024];
  nook_autofd int fd = -1;
  ssize_t n;
  char *p;

  if (pid <= 0)
    return 0;
  snprintf (path, sizeof path, "/proc/%d/stat", (int)pid);
  fd = open (path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return 0;
  n = read (fd, buf, sizeof buf - 1);
  if (n <= 0)
    return 0;
  buf[n] = '\0';
  /* The command name (field 2) may hold spaces and parentheses: count
   * fields from the last ')'. starttime is field 22, the 20th after it. */
  p = strrchr (buf, ')');
  /* A zombie (or a dead task) has stopped, even though nobody reaped it
   * yet: the caller's subreaper may be slow, or none may reap at all. */
  if (p != NULL && (p[1] == '\0' || p[2] == 'Z' || p[2] == 'X'))
    return 0;
  for (int field = 2; p != NULL && field < 22; field++)
    p = strchr (p + 1, ' ');
  return p != NULL ? g_ascii_strtoull (p + 1, NULL, 10) : 0;
}

const char *
nook_state_pairs_get (char **pairs, const char *key)
{
  for (gsize i = 0; pairs != NULL && pairs[i] != NULL && pairs[i + 1] != NULL; i += 2)
    if (strcmp (pairs[i], key) == 0)
      return pairs[i + 1];
  return NULL;
}

void
nook_state_info_free (NookStateInfo *info)
{
  if (info == NULL)
    return;
  g_free (info->id);
  g_free (info->dir);
  g_free (info->bundle);
  g_free (info->config_path);
  g_free (info->rootfs);
  g_free (info->created);
  g_strfreev (info->annotations);
  g_strfreev (info->options);
  g_free (info);
}

/* Members of state.json by type: one of another type (a damaged or
 * hand-edited file) counts as absent. */
static char *
dup_string_member (const NookJson *o, const char *name, const char *default_value)
{
  return g_strdup (nook_json_get_string (o, name, default_value));
}

static char **
read_pairs (const NookJson *o, const char *name)
{
  GPtrArray *pairs = g_ptr_array_new ();
  const NookJson *m = nook_json_get_object (o, name);

  for (guint i = 0; m != NULL && i < m->n; i++)
    {
      const NookJsonMember *member = &m->v.members[i];

      if (!nook_json_is (&member->value, NOOK_JSON_STRING))
        continue;
      g_ptr_array_add (pairs, g_strdup (member->name));
      g_ptr_array_add (pairs, g_strdup (member->value.v.s));
    }
  g_ptr_array_add (pairs, NULL);
  return (char **)g_ptr_array_free (pairs, FALSE);
}

static gboolean
lock_is_held (const char *dir)
{
  g_autofree char *lock = g_build_filename (dir, "lock", NULL);
  nook_autofd int fd = open (lock, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);

  return fd >= 0 && flock (fd, LOCK_SH | LOCK_NB) < 0 && errno == EWOULDBLOCK;
}

static void
read_record (NookStateInfo *info, const NookJson *o)
{
  gint64 pid = nook_json_get_int (o, "pid", 0);

  info->bundle = dup_string_member (o, "bundle", "");
  info->created = dup_string_member (o, "created", "");
  info->rootfs = dup_string_member (o, "rootfs", NULL);
  info->config_path = dup_string_member (o, "config", NULL);
  /* A pid that does not fit pid_t is no process of ours. */
  info->pid = pid > 0 && pid <= G_MAXINT32 ? (pid_t)pid : 0;
  info->start_time = (guint64)nook_json_get_int (o, "starttime", 0);
  info->detached = nook_json_get_bool (o, "detached", FALSE);
  g_strfreev (info->annotations);
  g_strfreev (info->options);
  info->annotations = read_pairs (o, "annotations");
  info->options = read_pairs (o, "options");
}

static NookStatus
decide_status (const NookStateInfo *info, gboolean has_record)
{
  g_autofree char *fifo = g_build_filename (info->dir, "exec.fifo", NULL);
  gboolean alive;

  if (!has_record)
    return info->owner_alive ? NOOK_STATUS_CREATING : NOOK_STATUS_STOPPED;
  /* A foreground container lives exactly as long as its nook's lock. */
  if (!info->detached)
    return info->owner_alive ? NOOK_STATUS_RUNNING : NOOK_STATUS_STOPPED;
  alive = info->pid > 0 && info->start_time != 0
          && nook_proc_start_time (info->pid) == info->start_time;
  if (!alive)
    return info->owner_alive ? NOOK_STATUS_CREATING : NOOK_STATUS_STOPPED;
  return access (fifo, F_OK) == 0 ? NOOK_STATUS_CREATED : NOOK_STATUS_RUNNING;
}

NookStateInfo *
nook_state_load (const char *root, const char *id, GError **error)
{
  g_autoptr (NookStateInfo) info = g_new0 (NookStateInfo, 1);
  g_autofree char *default_root = NULL;
  g_autofree char *path = NULL;
  g_autofree char *text = NULL;
  g_autoptr (NookJsonDoc) doc = NULL;
  g_autoptr (GError) local = NULL;
  gboolean has_record = FALSE;
  gsize length = 0;
  struct stat st;

  if (!nook_state_validate_id (id, error))
    return NULL;
  if (root == NULL && (root = default_root = nook_xdg_runtime_root (error)) == NULL)
    return NULL;
  info->id = g_strdup (id);
  info->dir = g_build_filename (root, id, NULL);
  info->annotations = g_new0 (char *, 1);
  info->options = g_new0 (char *, 1);
  if (lstat (info->dir, &st) < 0 || !S_ISDIR (st.st_mode))
    {
      g_set_error (error, NOOK_STORAGE_ERROR, NOOK_STORAGE_ERROR_NOT_FOUND,
                   "container %s does not exist", id);
      return NULL;
    }
  info->owner_alive = lock_is_held (info->dir);
  path = g_build_filename (info->dir, "state.json", NULL);
  if (g_file_get_contents (path, &text, &length, &local))
    {
      doc = nook_json_parse (text, length, &local);
      if (doc == NULL || !nook_json_is (nook_json_doc_root (doc), NOOK_JSON_OBJECT))
        {
          g_set_error (error, NOOK_STORAGE_ERROR, NOOK_STORAGE_ERROR_FAILED, "%s: damaged (%s)",
                       path, local ? local->message : "not an object");
          return NULL;
        }
      read_record (info, nook_json_doc_root (doc));
      has_record = TRUE;
    }
  else if (!g_error_matches (local, G_FILE_ERROR, G_FILE_ERROR_NOENT))
    {
      g_set_error (error, NOOK_STORAGE_ERROR, NOOK_STORAGE_ERROR_FAILED, "%s", local->message);
      return NULL;
    }
  if (info->bundle == NULL)
    info->bundle = g_strdup ("");
  if (info->created == NULL)
    info->created = g_strdup ("");
  info->status = decide_status (info, has_record);
  return g_steal_pointer (&info);
}
