/* nook: the processes of a running container. */
#include "launcher/lifecycle/ps.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "launcher/errors.h"
#include "storage/state.h"

/* The container process's pid, from the state reader: it has checked the
 * process's start time, so a reused pid is never taken for the container. */
static pid_t
container_pid (const char *root, const char *id, GError **error)
{
  g_autoptr (NookStateInfo) info = nook_state_load (root, id, error);

  if (info == NULL)
    return 0;
  if (info->pid <= 0
      || (info->status != NOOK_STATUS_RUNNING && info->status != NOOK_STATUS_CREATED))
    {
      g_set_error (error, NOOK_ERROR, NOOK_ERROR_FAILED, "container %s is not running (%s)", id,
                   nook_status_name (info->status));
      return 0;
    }
  return info->pid;
}

/* The pid namespace of a process as its inode, or 0 when it is gone or
 * not ours to look at. */
static ino_t
pid_namespace (const char *pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%s/ns/pid", pid);
  struct stat st;

  return stat (path, &st) == 0 ? st.st_ino : 0;
}

/* The parent pid from /proc/PID/stat; the command name may hold spaces
 * and parentheses, so the fields are read after the last ')'. */
static pid_t
parent_pid (const char *pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%s/stat", pid);
  g_autofree char *stat_text = NULL;
  const char *end;
  char state;
  int ppid;

  if (!g_file_get_contents (path, &stat_text, NULL, NULL))
    return 0;
  end = strrchr (stat_text, ')');
  if (end == NULL || sscanf (end + 1, " %c %d", &state, &ppid) != 2)
    return 0;
  return ppid;
}

static gboolean
is_descendant (GHashTable *parents, pid_t pid, pid_t ancestor)
{
  /* Bounded: a pid reused while /proc was read could make a cycle. */
  for (guint depth = 0; pid > 1 && depth < 4096; depth++)
    {
      if (pid == ancestor)
        return TRUE;
      pid = GPOINTER_TO_INT (g_hash_table_lookup (parents, GINT_TO_POINTER (pid)));
    }
  return pid == ancestor;
}

static gint
compare_pids (gconstpointer a, gconstpointer b)
{
  pid_t x = *(const pid_t *)a, y = *(const pid_t *)b;

  return (x > y) - (x < y);
}

/* Every process of /proc that belongs to the container of init_pid. */
static GArray *
collect (pid_t init_pid, GError **error)
{
  g_autofree char *init_text = g_strdup_printf ("%d", (int)init_pid);
  ino_t container_ns = pid_namespace (init_text);
  gboolean own_ns = container_ns != 0 && container_ns != pid_namespace ("self");
  g_autoptr (GHashTable) parents = g_hash_table_new (NULL, NULL);
  g_autoptr (GArray) pids = g_array_new (FALSE, FALSE, sizeof (pid_t));
  g_autoptr (GDir) proc = g_dir_open ("/proc", 0, error);
  const char *name;

  if (proc == NULL)
    return NULL;
  if (container_ns == 0)
    {
      g_set_error (error, NOOK_ERROR, NOOK_ERROR_FAILED, "process %d: gone or not accessible",
                   (int)init_pid);
      return NULL;
    }
  while ((name = g_dir_read_name (proc)) != NULL)
    {
      pid_t pid = (pid_t)strtol (name, NULL, 10);

      if (pid <= 0)
        continue;
      if (own_ns && pid_namespace (name) == container_ns)
        g_array_append_val (pids, pid);
      else if (!own_ns)
        g_hash_table_insert (parents, GINT_TO_POINTER (pid), GINT_TO_POINTER (parent_pid (name)));
    }
  if (!own_ns)
    {
      GHashTableIter iter;
      gpointer key;

      g_hash_table_iter_init (&iter, parents);
      while (g_hash_table_iter_next (&iter, &key, NULL))
        {
          pid_t pid = GPOINTER_TO_INT (key);

          if (is_descendant (parents, pid, init_pid))
            g_array_append_val (pids, pid);
        }
    }
  g_array_sort (pids, compare_pids);
  return g_steal_pointer (&pids);
}

GArray *
nook_lifecycle_ps (const char *root, const char *id, GError **error)
{
  pid_t pid;

  if (!nook_state_validate_id (id, error))
    return NULL;
  pid = container_pid (root, id, error);
  if (pid == 0)
    return NULL;
  return collect (pid, error);
}
