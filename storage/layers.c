/* nook: writable layers of container root filesystems (layers.h). */
#include "storage/layers.h"
#include "storage/json.h"
#include "storage/remove.h"
#include "storage/state.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>

#define METADATA_NAME "layer.json"
/* nook_layer_disk_usage stops counting below this depth. */
#define USAGE_MAX_DEPTH 256

void
nook_layer_free (NookLayer *layer)
{
  if (layer == NULL)
    return;
  g_free (layer->dir);
  g_free (layer->upper);
  g_free (layer->work);
  g_free (layer->merged);
  if (layer->lock_fd >= 0)
    close (layer->lock_fd);
  g_free (layer);
}

void
nook_layer_info_free (NookLayerInfo *info)
{
  if (info == NULL)
    return;
  g_free (info->name);
  g_free (info->bundle);
  g_free (info->rootfs);
  g_free (info->uid_map);
  g_free (info->gid_map);
  g_free (info->created);
  g_strfreev (info->options);
  g_free (info);
}

char *
nook_layers_dir (void)
{
  g_autofree char *data = nook_xdg_data_dir ();

  return g_build_filename (data, "containers", NULL);
}

static NookLayer *
layer_new (const char *dir, gboolean ephemeral, GError **error)
{
  g_autoptr (NookLayer) layer = g_new0 (NookLayer, 1);

  layer->lock_fd = -1;
  layer->dir = g_strdup (dir);
  layer->upper = g_build_filename (dir, "upper", NULL);
  layer->work = g_build_filename (dir, "work", NULL);
  layer->merged = g_build_filename (dir, "merged", NULL);
  layer->ephemeral = ephemeral;
  /* 0700 on the layer dir keeps others out; upper/ must be 0755 since the
   * container's subordinate ids traverse it through the overlay. */
  if (!nook_mkdir_p (layer->upper, 0755, error) || !nook_mkdir_p (layer->work, 0700, error)
      || !nook_mkdir_p (layer->merged, 0755, error))
    return NULL;
  return g_steal_pointer (&layer);
}

NookLayer *
nook_layer_new_ephemeral (const char *dir, GError **error)
{
  return layer_new (dir, TRUE, error);
}

static char *
info_to_json (const NookLayerInfo *info)
{
  g_autoptr (NookJsonWriter) b = nook_json_writer_new (TRUE);
  const char *keys[] = { "name", "bundle", "rootfs", "uidMap", "gidMap", "created" };
  const char *values[]
      = { info->name, info->bundle, info->rootfs, info->uid_map, info->gid_map, info->created };

  nook_json_writer_begin_object (b);
  for (gsize i = 0; i < G_N_ELEMENTS (keys); i++)
    {
      nook_json_writer_member (b, keys[i]);
      nook_json_writer_string (b, values[i] ? values[i] : "");
    }
  if (info->options != NULL)
    {
      nook_json_writer_member (b, "options");
      nook_json_writer_begin_array (b);
      for (char **o = info->options; *o; o++)
        nook_json_writer_string (b, *o);
      nook_json_writer_end_array (b);
    }
  nook_json_writer_end_object (b);
  return nook_json_writer_finish (g_steal_pointer (&b), NULL);
}

/* A string member of layer.json, "" when absent or of another type. */
static char *
dup_string_member (const NookJson *o, const char *name)
{
  return g_strdup (nook_json_get_string (o, name, ""));
}

/* The "options" array of layer.json: NULL when absent; an element that
 * is not a string makes the file damaged (a guess could start the
 * container with other options than it was made with). */
static gboolean
dup_options (const NookJson *o, const char *path, char ***out, GError **error)
{
  const NookJson *node = nook_json_get (o, "options");
  g_autoptr (GPtrArray) options = NULL;

  *out = NULL;
  if (node == NULL)
    return TRUE;
  options = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; nook_json_is (node, NOOK_JSON_ARRAY) && i < node->n; i++)
    {
      const NookJson *e = &node->v.elements[i];

      if (!nook_json_is (e, NOOK_JSON_STRING))
        break;
      g_ptr_array_add (options, g_strdup (e->v.s));
    }
  if (!nook_json_is (node, NOOK_JSON_ARRAY) || options->len != node->n)
    {
      g_set_error (error, NOOK_STORAGE_ERROR, NOOK_STORAGE_ERROR_FAILED,
                   "%s: options: not an array of strings", path);
      return FALSE;
    }
  g_ptr_array_add (options, NULL);
  *out = (char **)g_ptr_array_free (g_steal_pointer (&options), FALSE);
  return TRUE;
}

NookLayerInfo *
nook_layer_info_load (const char *name, GError **error)
{
  g_autofree char *dir = nook_layers_dir ();
  g_autofree char *path = g_build_filename (dir, name, METADATA_NAME, NULL);
  g_autoptr (NookJsonDoc) doc = NULL;
  g_autoptr (NookLayerInfo) info = g_new0 (NookLayerInfo, 1);
  g_autofree char *text = NULL;
  gsize length = 0;
  const NookJson *o;

  if (!g_file_get_contents (path, &text, &length, error))
    {
      g_prefix_error (error, "%s: ", path);
      return NULL;
    }
  doc = nook_json_parse (text, length, error);
  if (doc == NULL)
    {
      g_prefix_error (error, "%s: ", path);
      return NULL;
    }
  o = nook_json_doc_root (doc);
  if (!nook_json_is (o, NOOK_JSON_OBJECT))
    {
      g_set_error (error, NOOK_STORAGE_ERROR, NOOK_STORAGE_ERROR_FAILED, "%s: not a JSON object",
                   path);
      return NULL;
    }
  info->name = g_strdup (name);
  info->bundle = dup_string_member (o, "bundle");
  info->rootfs = dup_string_member (o, "rootfs");
  info->uid_map = dup_string_member (o, "uidMap");
  info->gid_map = dup_string_member (o, "gidMap");
  info->created = dup_string_member (o, "created");
  if (!dup_options (o, path, &info->options, error))
    return NULL;
  return g_steal_pointer (&info);
}

/* "0 1000 1\n1 100000 65536\n" -> "0 1000 1, 1 100000 65536" */
static char *
one_line (const char *map)
{
  g_auto (GStrv) lines = g_strsplit (map ? map : "", "\n", -1);
  g_autoptr (GString) s = g_string_new (NULL);

  for (char **l = lines; *l; l++)
    if (**l)
      g_string_append_printf (s, "%s%s", s->len ? ", " : "", *l);
  return g_string_free (g_steal_pointer (&s), FALSE);
}

static gboolean
check_same (const NookLayerInfo *have, const NookLayerInfo *want, GError **error)
{
  if (g_strcmp0 (have->bundle, want->bundle) != 0)
    {
      g_set_error (error, NOOK_STORAGE_ERROR, NOOK_STORAGE_ERROR_FAILED,
                   "container %s exists with another bundle (%s); use --replace to start it "
                   "afresh from %s, or another --name",
                   want->name, have->bundle, want->bundle);
      return FALSE;
    }
  if (g_strcmp0 (have->rootfs, want->rootfs) != 0)
    {
      g_set_error (error, NOOK_STORAGE_ERROR, NOOK_STORAGE_ERROR_FAILED,
                   "container %s was created with --rootfs=%s; its layer cannot be used with "
                   "--rootfs=%s (use --replace to start afresh)",
                   want->name, have->rootfs, want->rootfs);
      return FALSE;
    }
  if (g_strcmp0 (have->uid_map, want->uid_map) != 0
      || g_strcmp0 (have->gid_map, want->gid_map) != 0)
    {
      g_autofree char *had = one_line (have->uid_map);
      g_autofree char *now = one_line (want->uid_map);

      g_set_error (error, NOOK_STORAGE_ERROR, NOOK_STORAGE_ERROR_FAILED,
                   "container %s was created with other id mappings (uid map \"%s\", now "
                   "\"%s\"): the files of its layer would belong to the wrong ids; run it "
                   "with the same --userns and mappings, or use --replace",
                   want->name, had, now);
      return FALSE;
    }
  return TRUE;
}

NookLayer *
nook_layer_open_persistent (const NookLayerInfo *want, gboolean replace, GError **error)
{
  g_autofree char *root = nook_layers_dir ();
  g_autofree char *dir = g_build_filename (root, want->name, NULL);
  g_autofree char *meta = g_build_filename (dir, METADATA_NAME, NULL);
  g_autoptr (NookLayerInfo) have = NULL;
  g_autoptr (NookLayerInfo) info = NULL;
  g_autoptr (GDateTime) now = NULL;
  g_autofree char *json = NULL;
  g_autoptr (GError) local = NULL;
  gboolean created;

  have = nook_layer_info_load (want->name, &local);
  /* Damaged is not absent: replacing it would start the container afresh
   * on a layer made for another bundle or other ids. */
  if (have == NULL && !g_error_matches (local, G_FILE_ERROR, G_FILE_ERROR_NOENT) && !replace)
    {
      g_set_error (error, NOOK_STORAGE_ERROR, NOOK_STORAGE_ERROR_DAMAGED,
                   "container %s: damaged layer metadata, nothing changed (%s); repair it, or "
                   "discard the container with 'nook rm %s' or --replace",
                   want->name, local->message, want->name);
      return NULL;
    }
  if (have != NULL && !replace)
    {
      if (!check_same (have, want, error))
        return NULL;
      return layer_new (dir, FALSE, error);
    }
  if (replace && !nook_remove_tree (dir, error))
    return NULL;

  if (!nook_mkdir_p (root, 0700, error))
    return NULL;
  created = mkdir (dir, 0700) == 0;
  if (!created && errno != EEXIST)
    {
      nook_storage_errno_error (error, errno, "create directory", dir);
      return NULL;
    }
  info = g_new0 (NookLayerInfo, 1);
  *info = *want;
  now = g_date_time_new_now_utc ();
  info->created = g_date_time_format_iso8601 (now);
  json = info_to_json (info);
  g_free (info->created);
  memset (info, 0, sizeof *info);
  if (!nook_storage_write_file (meta, json, error))
    {
      /* Without its layer.json the directory is no container: nook ls
       * would not list it, nor nook rm remove it. */
      if (created)
        rmdir (dir);
      return NULL;
    }
  return layer_new (dir, FALSE, error);
}

static int
compare_names (gconstpointer a, gconstpointer b)
{
  return strcmp (*(char *const *)a, *(char *const *)b);
}

GPtrArray *
nook_layer_list_names (GError **error)
{
  g_autofree char *root = nook_layers_dir ();
  g_autoptr (GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GDir) dir = NULL;
  g_autoptr (GError) local = NULL;
  const char *name;

  dir = g_dir_open (root, 0, &local);
  if (dir == NULL)
    {
      if (g_error_matches (local, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        return g_steal_pointer (&names);
      g_propagate_error (error, g_steal_pointer (&local));
      return NULL;
    }
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *meta = g_build_filename (root, name, METADATA_NAME, NULL);

      if (g_file_test (meta, G_FILE_TEST_IS_REGULAR))
        g_ptr_array_add (names, g_strdup (name));
    }
  g_ptr_array_sort (names, compare_names);
  return g_steal_pointer (&names);
}

static guint64
usage_at (int dir_fd, int depth)
{
  guint64 total = 0;
  DIR *d;
  struct dirent *e;
  int fd;

  if (depth > USAGE_MAX_DEPTH)
    return 0;
  fd = openat (dir_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0 || (d = fdopendir (fd)) == NULL)
    {
      if (fd >= 0)
        close (fd);
      return 0;
    }
  while ((e = readdir (d)) != NULL)
    {
      struct stat st;

      if (strcmp (e->d_name, ".") == 0 || strcmp (e->d_name, "..") == 0)
        continue;
      if (fstatat (dirfd (d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
        continue;
      total += (guint64)st.st_blocks * 512;
      if (S_ISDIR (st.st_mode))
        {
          int sub = openat (dirfd (d), e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
          if (sub >= 0)
            {
              total += usage_at (sub, depth + 1);
              close (sub);
            }
        }
    }
  closedir (d);
  return total;
}

gboolean
nook_layer_is_full (const NookLayer *layer)
{
  struct statvfs st;

  if (layer == NULL || statvfs (layer->upper, &st) < 0)
    return FALSE;
  /* f_bavail/f_favail: what an unprivileged writer may still use (ext4
   * keeps blocks back for root). f_files 0: no inode limit (btrfs). */
  return st.f_bavail == 0 || (st.f_files > 0 && st.f_favail == 0);
}

guint64
nook_layer_disk_usage (const char *path)
{
  guint64 total;
  int fd = open (path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

  if (fd < 0)
    return 0;
  total = usage_at (fd, 0);
  close (fd);
  return total;
}

NookRuntimeStatus
nook_layer_runtime_status (const char *root, const char *id)
{
  g_autofree char *dir = g_build_filename (root, id, NULL);
  g_autofree char *lock = g_build_filename (dir, "lock", NULL);
  g_autoptr (NookStateInfo) info = NULL;
  struct stat st;
  int fd, r;

  if (lstat (dir, &st) < 0 || !S_ISDIR (st.st_mode))
    return NOOK_RUNTIME_NONE;
  fd = open (lock, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  /* No lock: a state directory appears with its lock file in it (state.c,
   * claim_new), so this one was left by a nook that died making it. */
  if (fd < 0)
    return NOOK_RUNTIME_DEAD;
  /* The owner holds LOCK_EX for the container's whole life (state.c);
   * the kernel drops it when that nook dies, however it dies. */
  r = flock (fd, LOCK_SH | LOCK_NB);
  close (fd);
  if (r < 0 && errno == EWOULDBLOCK)
    return NOOK_RUNTIME_LIVE;
  /* A detached container (create, run -d) has no nook holding its lock:
   * its process decides, and its state stays until delete. */
  info = nook_state_load (root, id, NULL);
  if (info != NULL && info->detached)
    return info->status == NOOK_STATUS_STOPPED ? NOOK_RUNTIME_STOPPED : NOOK_RUNTIME_LIVE;
  return NOOK_RUNTIME_DEAD;
}

GPtrArray *
nook_layer_runtime_ids (const char *root)
{
  g_autoptr (GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GDir) dir = g_dir_open (root, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (root, name, NULL);

      /* Names starting with '.' are no ids: directories being made. */
      if (name[0] != '.' && g_file_test (path, G_FILE_TEST_IS_DIR)
          && !g_file_test (path, G_FILE_TEST_IS_SYMLINK))
        g_ptr_array_add (ids, g_strdup (name));
    }
  g_ptr_array_sort (ids, compare_names);
  return g_steal_pointer (&ids);
}

char *
nook_layer_runtime_read (const char *root, const char *id, const char *name)
{
  g_autofree char *path = g_build_filename (root, id, name, NULL);
  char *text = NULL;

  if (!g_file_get_contents (path, &text, NULL, NULL))
    return NULL;
  return text;
}
