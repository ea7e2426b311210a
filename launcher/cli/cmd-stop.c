/* nook stop [-t|--time SECONDS] NAME...
 *
 * Stops running containers as podman stop does: SIGTERM, then SIGKILL
 * after the timeout; their state goes, a named container's layer stays. */
#include <stdio.h>

#include "launcher/cli/commands.h"
#include "launcher/cli/options.h"
#include "launcher/errors.h"
#include "launcher/lifecycle/lifecycle.h"
#include "storage/layers.h"
#include "storage/state.h"

static const char stop_usage[]
    = "Usage: nook stop [OPTIONS] NAME...\n"
      "\n"
      "Stop the running containers NAME...: SIGTERM to the container's process (the\n"
      "init passes it on), SIGKILL when it has not ended after the timeout. The\n"
      "container's state goes; a named container's layer stays for its next start.\n"
      "A container that is not running is left as it is.\n"
      "\n"
      "Options:\n"
      "  -t, --time SECONDS  Seconds to wait before SIGKILL (default 10; 0: at once)\n"
      "  -h, --help          Show this help\n";

gboolean
nook_cmd_stop (int argc, char **argv, const NookGlobalOptions *globals, int *out_status,
               GError **error)
{
  gboolean help = FALSE;
  int seconds = -1;
  GOptionEntry entries[] = {
    { "time", 't', 0, G_OPTION_ARG_INT, &seconds, NULL, NULL },
    { "help", 'h', 0, G_OPTION_ARG_NONE, &help, NULL, NULL },
    { NULL },
  };
  NookLayerInfo *info;

  if (!nook_cli_parse ("stop", entries, FALSE, &argc, &argv, error))
    return FALSE;
  if (nook_cli_help (help, stop_usage, out_status))
    return TRUE;
  if (!nook_cli_first_operand ("stop", "NAME", &argc, &argv, error))
    return FALSE;
  if (seconds < -1)
    {
      nook_cli_usage_error (error, "stop", "--time %d: negative", seconds);
      return FALSE;
    }
  for (int i = 1; i < argc; i++)
    {
      g_autoptr (GError) local = NULL;

      if (nook_lifecycle_stop (globals->root, argv[i], seconds, &local))
        continue;
      /* Not running is what stop wants; a named container that is not
       * running has no state, only its layer. */
      if (g_error_matches (local, NOOK_STORAGE_ERROR, NOOK_STORAGE_ERROR_NOT_FOUND)
          && (info = nook_layer_info_load (argv[i], NULL)) != NULL)
        {
          g_clear_pointer (&info, nook_layer_info_free);
          continue;
        }
      g_propagate_error (error, g_steal_pointer (&local));
      return FALSE;
    }
  *out_status = 0;
  return TRUE;
}
