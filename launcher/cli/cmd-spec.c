/* nook spec: write a default config.json, like `runc spec` and `crun spec`. */
#include <stdio.h>

#include "launcher/cli/commands.h"
#include "launcher/cli/options.h"
#include "launcher/config/spec.h"
#include "launcher/errors.h"

typedef struct
{
  gboolean rootless;
  gboolean force;
  gboolean help;
  char *bundle;
} SpecOptions;

static void
spec_options_clear (SpecOptions *options)
{
  g_clear_pointer (&options->bundle, g_free);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (SpecOptions, spec_options_clear)

static const char spec_usage[]
    = "Usage: nook spec [OPTIONS]\n"
      "\n"
      "Write a default OCI config.json into a bundle directory, as 'runc spec' does.\n"
      "An existing config.json is left alone unless --force is given.\n"
      "\n"
      "Options:\n"
      "  --rootless          For a rootless container: add user and cgroup namespaces\n"
      "                      and leave out devpts gid=5 (only your own ids are mapped)\n"
      "  -b, --bundle DIR    Write DIR/config.json (default: the current directory)\n"
      "  -f, --force         Replace an existing config.json\n"
      "  -h, --help          Show this help\n";

static gboolean
parse_spec_options (GStrv *args, SpecOptions *options, GError **error)
{
  GOptionEntry entries[] = {
    { "rootless", 0, 0, G_OPTION_ARG_NONE, &options->rootless, NULL, NULL },
    { "bundle", 'b', 0, G_OPTION_ARG_FILENAME, &options->bundle, NULL, NULL },
    { "force", 'f', 0, G_OPTION_ARG_NONE, &options->force, NULL, NULL },
    { "help", 'h', 0, G_OPTION_ARG_NONE, &options->help, NULL, NULL },
    { NULL },
  };
  g_autoptr (GOptionContext) ctx = g_option_context_new (NULL);
  g_autoptr (GError) local_error = NULL;

  g_option_context_add_main_entries (ctx, entries, NULL);
  /* --help is an ordinary option here, so that it returns to main instead of
   * exit()ing from inside the parser. */
  g_option_context_set_help_enabled (ctx, FALSE);
  g_option_context_set_strict_posix (ctx, TRUE);
  if (!g_option_context_parse_strv (ctx, args, &local_error))
    {
      nook_cli_option_error (local_error, "spec", error);
      return FALSE;
    }
  return TRUE;
}

gboolean
nook_cmd_spec (int argc, char **argv, const NookGlobalOptions *globals, int *out_status,
               GError **error)
{
  g_auto (SpecOptions) options = { 0 };
  /* A copy, because parsing removes what it consumed and frees it. */
  g_auto (GStrv) args = g_new0 (char *, argc + 1);

  for (int i = 0; i < argc; i++)
    args[i] = g_strdup (argv[i]);
  if (!parse_spec_options (&args, &options, error))
    return FALSE;
  if (nook_cli_help (options.help, spec_usage, out_status))
    return TRUE;
  if (args[0] != NULL && args[1] != NULL)
    {
      g_set_error (error, NOOK_ERROR, NOOK_ERROR_USAGE,
                   "spec: unexpected argument '%s' (see 'nook spec --help')", args[1]);
      return FALSE;
    }

  if (!nook_spec_write (options.bundle != NULL ? options.bundle : ".", options.rootless,
                        options.force, error))
    return FALSE;
  *out_status = 0;
  return TRUE;
}
