/* nook ls (list) [--format table|json] [-q]
 *
 * Containers are the persistent layers (--name without --rm) and the live
 * runtime states. A state whose nook died is cleaned up on the way: its
 * container is gone (PR_SET_PDEATHSIG), and with it the daemon of its
 * fuse-overlayfs mount; what is left on disk is removed here. */
#include <stdio.h>
#include <string.h>

#include "launcher/cli/commands.h"
#include "launcher/cli/options.h"
#include "launcher/container/rootfs.h"
#include "launcher/errors.h"
#include "launcher/log.h"
#include "storage/json.h"
#include "storage/layers.h"
#include "storage/state.h"

typedef struct
{
  char *name;
  char *bundle;
  const char *status;
  pid_t pid; /* the container's process while it lives; 0 otherwise */
  char *rootfs;
  guint64 size;
  char *created;
} NookLsRow;

static void
row_free (NookLsRow *row)
{
  g_free (row->name);
  g_free (row->bundle);
  g_free (row->rootfs);
  g_free (row->created);
  g_free (row);
}

static const char ls_usage[]
    = "Usage: nook list [OPTIONS]   (also: nook ls)\n"
      "\n"
      "List containers: the named ones with a kept layer, and the running ones.\n"
      "State left behind by a nook that was killed is cleaned up on the way.\n"
      "\n"
      "Options:\n"
      "  --format FORMAT     table (default) or json\n"
      "  -q, --quiet         Print the names only\n"
      "  -h, --help          Show this help\n";

static char *
runtime_root (const NookGlobalOptions *globals, GError **error)
{
  if (globals->root != NULL)
    return g_strdup (globals->root);
  return nook_xdg_runtime_root (error);
}

/* bundle and created of a live container, from its state.json. */
static void
fill_from_state (NookLsRow *row, const char *root, const char *id)
{
  g_autofree char *json = nook_layer_runtime_read (root, id, "state.json");
  g_autoptr (NookJsonDoc) doc = NULL;
  const NookJson *o;

  if (json == NULL || (doc = nook_json_parse (json, strlen (json), NULL)) == NULL)
    return;
  o = nook_json_doc_root (doc);
  if (row->bundle == NULL)
    row->bundle = g_strdup (nook_json_get_string (o, "bundle", ""));
  if (row->created == NULL)
    row->created = g_strdup (nook_json_get_string (o, "created", ""));
  if (row->rootfs == NULL)
    row->rootfs = g_strdup (nook_json_get_string (o, "rootfs", ""));
}

static void
add_persistent (GPtrArray *rows, const char *root, GError **error)
{
  g_autoptr (GPtrArray) names = nook_layer_list_names (error);
  g_autofree char *layers = nook_layers_dir ();

  for (guint i = 0; names != NULL && i < names->len; i++)
    {
      const char *name = names->pdata[i];
      g_autoptr (NookLayerInfo) info = nook_layer_info_load (name, NULL);
      g_autofree char *upper = g_build_filename (layers, name, "upper", NULL);
      NookLsRow *row = g_new0 (NookLsRow, 1);

      row->name = g_strdup (name);
      row->status = root != NULL && nook_layer_runtime_status (root, name) == NOOK_RUNTIME_LIVE
                        ? "running"
                        : "stopped";
      if (info != NULL)
        {
          row->bundle = g_strdup (info->bundle);
          row->rootfs = g_strdup (info->rootfs);
          row->created = g_strdup (info->created);
        }
      row->size = nook_layer_disk_usage (upper);
      g_ptr_array_add (rows, row);
    }
}

static gboolean
has_row (GPtrArray *rows, const char *name)
{
  for (guint i = 0; i < rows->len; i++)
    if (strcmp (((NookLsRow *)rows->pdata[i])->name, name) == 0)
      return TRUE;
  return FALSE;
}

/* Runtime states not listed yet; dead ones are collected. What looks dead
 * without the lock (nobody holds it, not a detached container) is only a
 * candidate: nook_rootfs_collect_dead takes the lock and decides again
 * under it, before anything goes. Live and detached ones are never
 * locked here: a delete or start of theirs must not find them busy. */
static void
add_runtime (GPtrArray *rows, const char *root)
{
  g_autoptr (GPtrArray) ids = NULL;

  nook_state_collect_new (root);
  ids = nook_layer_runtime_ids (root);
  for (guint i = 0; i < ids->len; i++)
    {
      const char *id = ids->pdata[i];
      g_autoptr (GError) local = NULL;
      g_autofree char *upper = NULL;
      g_autoptr (NookStateInfo) info = NULL;
      NookRuntimeStatus st = nook_layer_runtime_status (root, id);
      NookLsRow *row;

      if (st == NOOK_RUNTIME_NONE)
        continue;
      if (st == NOOK_RUNTIME_DEAD && nook_rootfs_collect_dead (root, id, &local))
        continue;
      if (local != NULL && !g_error_matches (local, NOOK_STORAGE_ERROR, NOOK_STORAGE_ERROR_BUSY)
          && !g_error_matches (local, NOOK_STORAGE_ERROR, NOOK_STORAGE_ERROR_EXISTS))
        {
          if (!g_error_matches (local, NOOK_STORAGE_ERROR, NOOK_STORAGE_ERROR_NOT_FOUND))
            nook_log_warning ("cleaning up dead container %s: %s", id, local->message);
          continue;
        }
      info = nook_state_load (root, id, NULL);
      if (info == NULL || has_row (rows, id))
        continue;
      upper = g_build_filename (root, id, "layer", "upper", NULL);
      row = g_new0 (NookLsRow, 1);
      row->name = g_strdup (id);
      /* creating, created, running, or stopped (a detached container
       * awaiting delete). */
      row->status = nook_status_name (info->status);
      row->pid = info->status != NOOK_STATUS_STOPPED ? info->pid : 0;
      row->size = nook_layer_disk_usage (upper);
      fill_from_state (row, root, id);
      g_ptr_array_add (rows, row);
    }
}

static void
print_json (GPtrArray *rows)
{
  g_autoptr (NookJsonWriter) b = nook_json_writer_new (TRUE);
  g_autofree char *text = NULL;

  nook_json_writer_begin_array (b);
  for (guint i = 0; i < rows->len; i++)
    {
      NookLsRow *r = rows->pdata[i];

      nook_json_writer_begin_object (b);
      nook_json_writer_member (b, "name");
      nook_json_writer_string (b, r->name);
      nook_json_writer_member (b, "bundle");
      nook_json_writer_string (b, r->bundle ? r->bundle : "");
      nook_json_writer_member (b, "id");
      nook_json_writer_string (b, r->name);
      nook_json_writer_member (b, "pid");
      nook_json_writer_int (b, r->pid);
      nook_json_writer_member (b, "status");
      nook_json_writer_string (b, r->status);
      nook_json_writer_member (b, "rootfs");
      nook_json_writer_string (b, r->rootfs ? r->rootfs : "");
      nook_json_writer_member (b, "size");
      nook_json_writer_int (b, (gint64)r->size);
      nook_json_writer_member (b, "created");
      nook_json_writer_string (b, r->created ? r->created : "");
      nook_json_writer_end_object (b);
    }
  nook_json_writer_end_array (b);
  text = nook_json_writer_finish (g_steal_pointer (&b), NULL);
  printf ("%s\n", text);
}

/* Like du -h, with a plain space (g_format_size puts a no-break space). */
static char *
format_size (guint64 bytes)
{
  static const char *const units[] = { "B", "kB", "MB", "GB", "TB" };
  double v = bytes;
  gsize u = 0;

  while (v >= 1000 && u + 1 < G_N_ELEMENTS (units))
    v /= 1000, u++;
  return u == 0 ? g_strdup_printf ("%" G_GUINT64_FORMAT " B", bytes)
                : g_strdup_printf ("%.1f %s", v, units[u]);
}

static void
print_table (GPtrArray *rows)
{
  /* As wide as the longest name: an id of 64 hex digits (create, run -d)
   * must not push its row's columns out of line. */
  int width = 20;

  for (guint i = 0; i < rows->len; i++)
    width = MAX (width, (int)strlen (((NookLsRow *)rows->pdata[i])->name));
  printf ("%-*s %-8s %-15s %-10s %-20s %s\n", width, "NAME", "STATUS", "ROOTFS", "SIZE", "CREATED",
          "BUNDLE");
  for (guint i = 0; i < rows->len; i++)
    {
      NookLsRow *r = rows->pdata[i];
      g_autofree char *size = format_size (r->size);
      g_autofree char *created = g_strndup (r->created ? r->created : "", 19);

      printf ("%-*s %-8s %-15s %-10s %-20s %s\n", width, r->name, r->status,
              r->rootfs && *r->rootfs ? r->rootfs : "-", size, created, r->bundle ? r->bundle : "");
    }
}

gboolean
nook_cmd_ls (int argc, char **argv, const NookGlobalOptions *globals, int *out_status,
             GError **error)
{
  /* Messages name the command as it was typed: list, or its alias ls. */
  g_autofree char *verb = g_strdup (argv[0]);
  g_autofree char *format = NULL;
  g_autofree char *root = NULL;
  g_autoptr (GPtrArray) rows = g_ptr_array_new_with_free_func ((GDestroyNotify)row_free);
  g_autoptr (GOptionContext) ctx = g_option_context_new (NULL);
  gboolean quiet = FALSE, help = FALSE;
  GOptionEntry entries[] = {
    { "format", 0, 0, G_OPTION_ARG_STRING, &format, NULL, NULL },
    { "quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet, NULL, NULL },
    { "help", 'h', 0, G_OPTION_ARG_NONE, &help, NULL, NULL },
    { NULL },
  };

  g_option_context_add_main_entries (ctx, entries, NULL);
  g_option_context_set_help_enabled (ctx, FALSE);
  if (!nook_cli_parse_options (ctx, verb, &argc, &argv, error))
    return FALSE;
  if (nook_cli_help (help, ls_usage, out_status))
    return TRUE;
  if (format != NULL && strcmp (format, "json") != 0 && strcmp (format, "table") != 0)
    {
      nook_cli_usage_error (error, verb, "--format: unknown format '%s' (table or json)", format);
      return FALSE;
    }
  if (argc > 1)
    {
      nook_cli_usage_error (error, verb, "unexpected argument '%s'", argv[1]);
      return FALSE;
    }

  root = runtime_root (globals, error);
  if (root == NULL)
    return FALSE;
  add_persistent (rows, root, NULL);
  add_runtime (rows, root);

  if (quiet)
    for (guint i = 0; i < rows->len; i++)
      printf ("%s\n", ((NookLsRow *)rows->pdata[i])->name);
  else if (g_strcmp0 (format, "json") == 0)
    print_json (rows);
  else
    print_table (rows);
  *out_status = 0;
  return TRUE;
}
