/* nook cache ls|prune|clear: the per-user store of compiled seccomp filters. */
#include <seccomp.h>
#include <stdio.h>
#include <string.h>

#include "launcher/cli/commands.h"
#include "launcher/cli/options.h"
#include "launcher/errors.h"
#include "launcher/seccomp/seccomp-prepare.h"
#include "storage/filter-alias.h"
#include "storage/filter-store.h"

typedef struct
{
  gboolean help;
  gboolean quiet;
  char *max_entries;
} NookCacheOptions;

static void
cache_options_clear (NookCacheOptions *o)
{
  g_free (o->max_entries);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (NookCacheOptions, cache_options_clear)

static const char cache_usage[]
    = "Usage: nook cache COMMAND [OPTIONS]\n"
      "\n"
      "Manage the per-user store of compiled seccomp filters in\n"
      "${XDG_CACHE_HOME:-~/.cache}/nook/seccomp. It is a cache: removing entries\n"
      "is always safe, the next run compiles its profile again.\n"
      "\n"
      "Commands:\n"
      "  ls       List the entries: key, size, last use and instruction count\n"
      "  prune    Remove damaged and least recently used entries\n"
      "  clear    Remove every entry\n"
      "\n"
      "Options:\n"
      "  -h, --help   Show this help\n"
      "\n"
      "Run 'nook cache COMMAND --help' for the options of a command.\n";

static const char ls_usage[]
    = "Usage: nook cache ls [OPTIONS]\n"
      "\n"
      "List the compiled seccomp filters in the store, most recently used first:\n"
      "key, size in bytes, last use (local time) and number of BPF instructions.\n"
      "Entries that would be discarded when used are marked \"damaged\".\n"
      "\n"
      "Options:\n"
      "  -q, --quiet   Print the keys only\n"
      "  -h, --help    Show this help\n";

static const char prune_usage[]
    = "Usage: nook cache prune [OPTIONS]\n"
      "\n"
      "Remove damaged entries and leftover temporary files, then the least\n"
      "recently used entries until at most N remain.\n"
      "\n"
      "Options:\n"
      "  --max-entries N   Keep at most N entries (default: $NOOK_FILTER_CACHE_MAX_ENTRIES,\n"
      "                    or 256)\n"
      "  -h, --help        Show this help\n";

static const char clear_usage[] = "Usage: nook cache clear [OPTIONS]\n"
                                  "\n"
                                  "Remove every entry of the store.\n"
                                  "\n"
                                  "Options:\n"
                                  "  -h, --help   Show this help\n";

static gboolean
parse_options (const char *verb, int *argc, char ***argv, NookCacheOptions *o, GError **error)
{
  GOptionEntry entries[] = {
    { "help", 'h', 0, G_OPTION_ARG_NONE, &o->help, NULL, NULL },
    { NULL },
    { NULL },
  };
  g_autoptr (GOptionContext) ctx = g_option_context_new (NULL);
  g_autofree char *label = g_strdup_printf ("cache %s", verb);

  if (g_strcmp0 (verb, "ls") == 0)
    entries[1] = (GOptionEntry){ "quiet", 'q', 0, G_OPTION_ARG_NONE, &o->quiet, NULL, NULL };
  else if (g_strcmp0 (verb, "prune") == 0)
    entries[1]
        = (GOptionEntry){ "max-entries", 0, 0, G_OPTION_ARG_STRING, &o->max_entries, NULL, NULL };

  g_option_context_add_main_entries (ctx, entries, NULL);
  g_option_context_set_help_enabled (ctx, FALSE);
  g_option_context_set_strict_posix (ctx, TRUE);
  if (!nook_cli_parse_options (ctx, label, argc, argv, error))
    return FALSE;
  if (!o->help && *argc > 1)
    {
      g_set_error (error, NOOK_ERROR, NOOK_ERROR_USAGE,
                   "%s: unexpected argument '%s' (see 'nook %s --help')", label, (*argv)[1], label);
      return FALSE;
    }
  return TRUE;
}

/* ls and prune check entries, which takes the user's secret; clear does
 * not, so that it works where the kernel keyring does not. */
static NookFilterStore *
open_store (gboolean check_entries, GError **error)
{
  NookFilterStore *store = check_entries ? nook_seccomp_store_open (error)
                                         : nook_filter_store_open (NULL, NULL, error);

  if (store == NULL)
    g_prefix_error (error, "cache: ");
  return store;
}

static char *
format_time (gint64 seconds)
{
  g_autoptr (GDateTime) t = g_date_time_new_from_unix_local (seconds);

  return t != NULL ? g_date_time_format (t, "%Y-%m-%d %H:%M:%S") : g_strdup ("?");
}

static gboolean
cache_ls (const NookCacheOptions *o, GError **error)
{
  g_autoptr (NookFilterStore) store = open_store (TRUE, error);
  if (store == NULL)
    return FALSE;
  g_autoptr (GPtrArray) entries = nook_filter_store_list (store, seccomp_arch_native (), error);
  if (entries == NULL)
    {
      g_prefix_error (error, "cache ls: ");
      return FALSE;
    }

  if (!o->quiet)
    printf ("%-64s  %8s  %-19s  %s\n", "KEY", "SIZE", "LAST USE", "INSNS");
  for (guint i = 0; i < entries->len; i++)
    {
      const NookFilterStoreEntryInfo *e = entries->pdata[i];
      g_autofree char *when = format_time (e->mtime);

      if (o->quiet)
        printf ("%s\n", e->name);
      else if (e->invalid != NULL)
        printf ("%-64s  %8" G_GUINT64_FORMAT "  %-19s  damaged: %s\n", e->name, e->size, when,
                e->invalid);
      else
        printf ("%-64s  %8" G_GUINT64_FORMAT "  %-19s  %u\n", e->name, e->size, when, e->n_insns);
    }
  return TRUE;
}

static gboolean
cache_prune (const NookCacheOptions *o, GError **error)
{
  guint max_entries, removed = 0;
  guint64 n;

  if (o->max_entries != NULL)
    {
      if (!g_ascii_string_to_unsigned (o->max_entries, 10, 0, G_MAXUINT, &n, NULL))
        {
          g_set_error (error, NOOK_ERROR, NOOK_ERROR_USAGE,
                       "cache prune: --max-entries: '%s' is not a number of entries",
                       o->max_entries);
          return FALSE;
        }
      max_entries = (guint)n;
    }
  else if (!nook_filter_store_max_entries_from_env (&max_entries, error))
    {
      g_prefix_error (error, "cache prune: ");
      return FALSE;
    }

  g_autoptr (NookFilterStore) store = open_store (TRUE, error);
  if (store == NULL)
    return FALSE;
  if (!nook_filter_store_prune (store, seccomp_arch_native (), max_entries, &removed, error))
    {
      g_prefix_error (error, "cache prune: ");
      return FALSE;
    }
  printf ("Removed %u %s.\n", removed, removed == 1 ? "entry" : "entries");
  return TRUE;
}

static gboolean
cache_clear (GError **error)
{
  guint removed = 0;

  g_autoptr (NookFilterStore) store = open_store (FALSE, error);
  if (store == NULL)
    return FALSE;
  if (!nook_filter_store_clear (store, &removed, error))
    {
      g_prefix_error (error, "cache clear: ");
      return FALSE;
    }
  /* The links to entries (the fast path's index) go too: without entries
   * they would only miss. */
  nook_filter_alias_clear (NULL);
  printf ("Removed %u %s.\n", removed, removed == 1 ? "entry" : "entries");
  return TRUE;
}

gboolean
nook_cmd_cache (int argc, char **argv, const NookGlobalOptions *globals, int *out_status,
                GError **error)
{
  g_auto (NookCacheOptions) o = { 0 };
  const char *verb;

  *out_status = 0;
  if (argc < 2)
    {
      g_set_error (error, NOOK_ERROR, NOOK_ERROR_USAGE,
                   "cache: missing COMMAND (see 'nook cache --help')");
      return FALSE;
    }
  verb = argv[1];
  if (strcmp (verb, "--help") == 0 || strcmp (verb, "-h") == 0 || strcmp (verb, "help") == 0)
    {
      fputs (cache_usage, stdout);
      return TRUE;
    }
  if (verb[0] == '-')
    {
      nook_cli_usage_error (error, "cache", "unknown option %s", verb);
      return FALSE;
    }
  if (strcmp (verb, "ls") != 0 && strcmp (verb, "prune") != 0 && strcmp (verb, "clear") != 0)
    {
      g_set_error (error, NOOK_ERROR, NOOK_ERROR_USAGE,
                   "cache: unknown command '%s' (see 'nook cache --help')", verb);
      return FALSE;
    }

  argc--, argv++;
  if (!parse_options (verb, &argc, &argv, &o, error))
    return FALSE;

  if (strcmp (verb, "ls") == 0)
    return o.help ? (fputs (ls_usage, stdout), TRUE) : cache_ls (&o, error);
  if (strcmp (verb, "prune") == 0)
    return o.help ? (fputs (prune_usage, stdout), TRUE) : cache_prune (&o, error);
  return o.help ? (fputs (clear_usage, stdout), TRUE) : cache_clear (error);
}
