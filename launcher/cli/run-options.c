/* nook: the options of nook run that shape a container (run-options.h). */
#include "launcher/cli/run-options.h"

#include <string.h>

#include "launcher/cli/options.h"
#include "launcher/errors.h"

void
nook_run_options_clear (NookRunOptions *o)
{
  g_free (o->config);
  g_free (o->name);
  g_free (o->userns);
  g_free (o->group_add);
  g_free (o->net);
  g_free (o->ipc);
  g_free (o->pid);
  g_free (o->uts);
  g_free (o->dns);
  g_free (o->rootfs);
  g_free (o->bundle);
  g_free (o->pid_file);
  g_free (o->console_socket);
  g_strfreev (o->env);
  g_strfreev (o->volumes);
  g_free (o->workdir);
  g_strfreev (o->devices);
}

void
nook_run_options_container_entries (NookRunOptions *o, GOptionEntry *out)
{
  GOptionEntry entries[] = {
    { "no-filter-cache", 0, 0, G_OPTION_ARG_NONE, &o->no_filter_cache, NULL, NULL },
    { "userns", 0, 0, G_OPTION_ARG_STRING, &o->userns, NULL, NULL },
    { "group-add", 0, 0, G_OPTION_ARG_STRING, &o->group_add, NULL, NULL },
    { "net", 0, 0, G_OPTION_ARG_STRING, &o->net, NULL, NULL },
    { "network", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_STRING, &o->net, NULL, NULL },
    { "ipc", 0, 0, G_OPTION_ARG_STRING, &o->ipc, NULL, NULL },
    { "pid", 0, 0, G_OPTION_ARG_STRING, &o->pid, NULL, NULL },
    { "uts", 0, 0, G_OPTION_ARG_STRING, &o->uts, NULL, NULL },
    { "dns", 0, 0, G_OPTION_ARG_STRING, &o->dns, NULL, NULL },
    { "rootfs", 0, 0, G_OPTION_ARG_STRING, &o->rootfs, NULL, NULL },
    { "help", 'h', 0, G_OPTION_ARG_NONE, &o->help, NULL, NULL },
    { NULL },
  };

  G_STATIC_ASSERT (G_N_ELEMENTS (entries) == NOOK_RUN_CONTAINER_ENTRIES);
  memcpy (out, entries, sizeof entries);
}

/* The entries of every option; parse_stored uses the same table, so a
 * stored option reads exactly as typed. */
static gboolean
parse_entries (const char *verb, gboolean strict, int *argc, char ***argv, NookRunOptions *o,
               GError **error)
{
  GOptionEntry entries[64] = {
    { "config", 'c', 0, G_OPTION_ARG_FILENAME, &o->config, NULL, NULL },
    { "name", 'n', 0, G_OPTION_ARG_STRING, &o->name, NULL, NULL },
    { "tty", 't', 0, G_OPTION_ARG_NONE, &o->tty, NULL, NULL },
    { "no-tty", 'T', 0, G_OPTION_ARG_NONE, &o->no_tty, NULL, NULL },
    { "rm", 0, 0, G_OPTION_ARG_NONE, &o->rm, NULL, NULL },
    { "replace", 0, 0, G_OPTION_ARG_NONE, &o->replace, NULL, NULL },
    { "bundle", 'b', 0, G_OPTION_ARG_FILENAME, &o->bundle, NULL, NULL },
    { "detach", 'd', 0, G_OPTION_ARG_NONE, &o->detach, NULL, NULL },
    { "pid-file", 0, 0, G_OPTION_ARG_FILENAME, &o->pid_file, NULL, NULL },
    { "console-socket", 0, 0, G_OPTION_ARG_FILENAME, &o->console_socket, NULL, NULL },
    { "preserve-fds", 0, 0, G_OPTION_ARG_INT, &o->preserve_fds, NULL, NULL },
    { "toolbox", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_NONE, &o->toolbox, NULL, NULL },
    { "env", 'e', 0, G_OPTION_ARG_STRING_ARRAY, &o->env, NULL, NULL },
    { "volume", 'v', 0, G_OPTION_ARG_FILENAME_ARRAY, &o->volumes, NULL, NULL },
    { "workdir", 'w', 0, G_OPTION_ARG_FILENAME, &o->workdir, NULL, NULL },
    { "device", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &o->devices, NULL, NULL },
    { "init", 0, 0, G_OPTION_ARG_NONE, &o->init, NULL, NULL },
    { "no-init", 0, 0, G_OPTION_ARG_NONE, &o->no_init, NULL, NULL },
    { NULL },
  };
  gsize n = 0;

  while (entries[n].long_name != NULL)
    n++;
  nook_run_options_container_entries (o, entries + n);
  return nook_cli_parse (verb, entries, strict, argc, argv, error);
}

gboolean
nook_run_options_parse (const char *verb, int *argc, char ***argv, NookRunOptions *o,
                        GError **error)
{
  /* Strict: stop at BUNDLE, what follows belongs to the container's command. */
  if (!parse_entries (verb, TRUE, argc, argv, o, error))
    return FALSE;
  if (o->tty && o->no_tty)
    {
      g_set_error (error, NOOK_ERROR, NOOK_ERROR_USAGE, "%s: --tty and --no-tty exclude each other",
                   verb);
      return FALSE;
    }
  if (o->init && o->no_init)
    {
      g_set_error (error, NOOK_ERROR, NOOK_ERROR_USAGE,
                   "%s: --init and --no-init exclude each other", verb);
      return FALSE;
    }
  return TRUE;
}

/* OPTION=VALUE where VALUE must be the one accepted word. */
static gboolean
parse_only_value (const char *verb, const char *option, const char *value, const char *accepted,
                  gboolean *out_set, GError **error)
{
  *out_set = FALSE;
  if (value == NULL)
    return TRUE;
  if (g_strcmp0 (value, accepted) != 0)
    {
      g_set_error (error, NOOK_ERROR, NOOK_ERROR_USAGE, "%s: --%s: unknown value '%s' (%s)", verb,
                   option, value, accepted);
      return FALSE;
    }
  *out_set = TRUE;
  return TRUE;
}

gboolean
nook_run_options_apply (const char *verb, const NookRunOptions *o, NookRequest *request,
                        GError **error)
{
  NookContainerOptions *out = &request->options;

  out->userns = NOOK_USERNS_AUTO;
  if (g_strcmp0 (o->userns, "keep-id") == 0)
    out->userns = NOOK_USERNS_KEEP_ID;
  else if (o->userns != NULL && strcmp (o->userns, "auto") != 0)
    {
      g_set_error (error, NOOK_ERROR, NOOK_ERROR_USAGE,
                   "%s: --userns: unknown mode '%s' (auto or keep-id)", verb, o->userns);
      return FALSE;
    }
  return parse_only_value (verb, "group-add", o->group_add, "keep-groups", &out->keep_groups, error)
         && nook_net_mode_parse (o->net, &out->net, error)
         && parse_only_value (verb, "ipc", o->ipc, "host", &out->ipc_host, error)
         && parse_only_value (verb, "pid", o->pid, "host", &out->pid_host, error)
         && parse_only_value (verb, "uts", o->uts, "host", &out->uts_host, error)
         && parse_only_value (verb, "dns", o->dns, "bundle", &out->dns_bundle, error)
         && nook_rootfs_mode_parse (o->rootfs, &request->rootfs_mode, error)
         && (out->toolbox = o->toolbox, TRUE);
}

/* Single-valued options: their canonical name and where o keeps them. */
typedef struct
{
  const char *name;
  char **value;
} StoredString;

/* --rootfs is not among them: layer.json has its own field for it, with
 * its own message (storage/layers.c). */
#define N_STORED_STRINGS 8

static void
stored_strings (NookRunOptions *o, StoredString out[N_STORED_STRINGS])
{
  StoredString table[N_STORED_STRINGS] = {
    { "userns", &o->userns }, { "group-add", &o->group_add },
    { "net", &o->net },       { "ipc", &o->ipc },
    { "pid", &o->pid },       { "uts", &o->uts },
    { "dns", &o->dns },       { "workdir", &o->workdir },
  };

  memcpy (out, table, sizeof table);
}

char **
nook_run_options_to_stored (const NookRunOptions *o)
{
  GPtrArray *out = g_ptr_array_new ();
  StoredString strings[N_STORED_STRINGS];

  stored_strings ((NookRunOptions *)o, strings);
  for (gsize i = 0; i < G_N_ELEMENTS (strings); i++)
    if (*strings[i].value != NULL)
      g_ptr_array_add (out, g_strdup_printf ("--%s=%s", strings[i].name, *strings[i].value));
  for (char **v = o->env; v && *v; v++)
    g_ptr_array_add (out, g_strdup_printf ("--env=%s", *v));
  for (char **v = o->volumes; v && *v; v++)
    g_ptr_array_add (out, g_strdup_printf ("--volume=%s", *v));
  for (char **v = o->devices; v && *v; v++)
    g_ptr_array_add (out, g_strdup_printf ("--device=%s", *v));
  if (o->toolbox)
    g_ptr_array_add (out, g_strdup ("--toolbox"));
  g_ptr_array_add (out, NULL);
  return (char **)g_ptr_array_free (out, FALSE);
}

/* "--net=host" -> "net" (length of the name) */
static gsize
option_name_len (const char *option)
{
  const char *eq = strchr (option, '=');

  return eq ? (gsize)(eq - option) : strlen (option);
}

/* The stored options named like option, joined with ", "; NULL: none. */
static char *
stored_values (char **stored, const char *option)
{
  gsize len = option_name_len (option);
  g_autoptr (GString) s = g_string_new (NULL);

  for (char **p = stored; p && *p; p++)
    if (option_name_len (*p) == len && strncmp (*p, option, len) == 0)
      g_string_append_printf (s, "%s%s", s->len ? " " : "", *p);
  return s->len ? g_string_free (g_steal_pointer (&s), FALSE) : NULL;
}

/* What an option that is not stored means, where that is a value. */
static const char *const stored_defaults[] = { "--userns=auto", NULL };

gboolean
nook_run_options_merge_stored (const char *verb, const char *name, char **stored, NookRunOptions *o,
                               GError **error)
{
  g_auto (GStrv) given = nook_run_options_to_stored (o);
  g_autoptr (GPtrArray) missing = g_ptr_array_new ();
  int argc;
  char **argv;

  /* Every option given must be the stored one: a container is made by its
   * options (its layer's files, its network), a start does not remake it. */
  for (char **g = given; *g; g++)
    {
      g_autofree char *have = stored_values (stored, *g);
      g_autofree char *want = stored_values (given, *g);

      /* Not stored: the container has the default. */
      if (have == NULL)
        have = stored_values ((char **)stored_defaults, *g);

      if (g_strcmp0 (have, want) == 0)
        continue;
      if (have == NULL)
        g_set_error (error, NOOK_ERROR, NOOK_ERROR_USAGE,
                     "%s: %s: container %s was created without --%.*s (use --replace to "
                     "start it afresh with other options)",
                     verb, *g, name, (int)option_name_len (*g + 2), *g + 2);
      else
        g_set_error (error, NOOK_ERROR, NOOK_ERROR_USAGE,
                     "%s: %s: container %s was created with %s (use --replace to start it "
                     "afresh with other options)",
                     verb, *g, name, have);
      return FALSE;
    }
  g_ptr_array_add (missing, (char *)verb);
  for (char **s = stored; s && *s; s++)
    {
      g_autofree char *given_too = stored_values (given, *s);

      if (given_too == NULL)
        g_ptr_array_add (missing, *s);
    }
  g_ptr_array_add (missing, NULL);
  argc = (int)missing->len - 1;
  argv = (char **)missing->pdata;
  /* A stored option nook no longer knows is a damaged layer.json, or one
   * of a newer nook: said as such rather than as a usage error. */
  if (!parse_entries (verb, FALSE, &argc, &argv, o, error) || argc != 1)
    {
      g_prefix_error (error, "container %s: stored options: ", name);
      if (error != NULL && *error == NULL)
        g_set_error (error, NOOK_ERROR, NOOK_ERROR_FAILED,
                     "container %s: stored options: unexpected '%s'", name, argv[1]);
      return FALSE;
    }
  return TRUE;
}
