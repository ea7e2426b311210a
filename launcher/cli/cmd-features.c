/* nook features: what this nook supports, as the OCI features document. */
#include <stdio.h>

#include "launcher/cli/commands.h"
#include "launcher/cli/options.h"
#include "launcher/lifecycle/features.h"

static const char features_usage[]
    = "Usage: nook features [OPTIONS]\n"
      "\n"
      "Print the OCI runtime-spec features document (JSON): the spec versions,\n"
      "mount options, namespaces, capabilities and seccomp actions, operators,\n"
      "architectures and flags nook accepts, and the seccomp flags this kernel\n"
      "supports.\n"
      "\n"
      "Options:\n"
      "  -h, --help          Show this help\n";

gboolean
nook_cmd_features (int argc, char **argv, const NookGlobalOptions *globals, int *out_status,
                   GError **error)
{
  g_autoptr (GOptionContext) ctx = g_option_context_new (NULL);
  g_autofree char *json = NULL;
  gboolean help = FALSE;
  GOptionEntry entries[] = {
    { "help", 'h', 0, G_OPTION_ARG_NONE, &help, NULL, NULL },
    { NULL },
  };

  g_option_context_add_main_entries (ctx, entries, NULL);
  g_option_context_set_help_enabled (ctx, FALSE);
  if (!nook_cli_parse_options (ctx, "features", &argc, &argv, error))
    return FALSE;
  *out_status = 0;
  if (help)
    {
      fputs (features_usage, stdout);
      return TRUE;
    }
  if (argc > 1)
    {
      nook_cli_usage_error (error, "features", "unexpected argument '%s'", argv[1]);
      return FALSE;
    }
  json = nook_features_to_json ();
  printf ("%s\n", json);
  return TRUE;
}
