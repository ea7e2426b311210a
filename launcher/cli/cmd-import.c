/* nook import [--tag TAG] SOURCE BUNDLE: a bundle from a rootfs tarball, a
 * directory or an OCI image layout, owned for rootless use
 * (lifecycle/import.c). */
#include <stdio.h>

#include "launcher/cli/commands.h"
#include "launcher/cli/options.h"
#include "launcher/errors.h"
#include "launcher/lifecycle/import.h"
#include "launcher/lifecycle/lifecycle.h"
#include "launcher/lifecycle/prepare.h"

static const char import_usage[]
    = "Usage: nook import [OPTIONS] SOURCE BUNDLE\n"
      "\n"
      "Make the bundle directory BUNDLE (new, or empty) from SOURCE, with its files\n"
      "owned by your subordinate ids as a container sees them: root's files stay\n"
      "root's inside, setuid bits and file capabilities work.\n"
      "\n"
      "SOURCE is one of:\n"
      "  FILE                a root filesystem tarball (any compression)\n"
      "  -                   the same on stdin (mmdebstrap ... - | nook import - B)\n"
      "  DIR                 a directory, copied\n"
      "  DIR[:TAG]           an OCI image layout (oci-layout and index.json): its\n"
      "                      layers applied in order, with whiteouts\n"
      "\n"
      "BUNDLE gets rootfs/ and a config.json for desktop use (writable root,\n"
      "a terminal, a login shell, or the image's command). Device nodes are\n"
      "skipped, as rootless podman does. On an error nothing of BUNDLE is left.\n"
      "\n"
      "Options:\n"
      "  --tag TAG           The image of an OCI layout tagged TAG\n"
      "                      (org.opencontainers.image.ref.name)\n"
      "  -h, --help          Show this help\n";

gboolean
nook_cmd_import (int argc, char **argv, const NookGlobalOptions *globals, int *out_status,
                 GError **error)
{
  g_autofree char *tag = NULL;
  gboolean help = FALSE;
  GOptionEntry entries[] = {
    { "tag", 0, 0, G_OPTION_ARG_STRING, &tag, NULL, NULL },
    { "help", 'h', 0, G_OPTION_ARG_NONE, &help, NULL, NULL },
    { NULL },
  };
  g_autoptr (GPtrArray) warnings = g_ptr_array_new_with_free_func (g_free);
  NookImportRequest request = { 0 };
  gboolean ok;

  if (!nook_cli_parse ("import", entries, FALSE, &argc, &argv, error))
    return FALSE;
  if (nook_cli_help (help, import_usage, out_status))
    return TRUE;
  if (!nook_cli_first_operand ("import", "SOURCE", &argc, &argv, error))
    return FALSE;
  if (argc < 3)
    {
      nook_cli_usage_error (error, "import", "missing BUNDLE");
      return FALSE;
    }
  if (argc > 3)
    {
      nook_cli_usage_error (error, "import", "unexpected argument '%s'", argv[3]);
      return FALSE;
    }
  request.source = argv[1];
  request.bundle = argv[2];
  request.tag = tag;
  ok = nook_lifecycle_import (&request, warnings, error);
  nook_lifecycle_print_warnings (warnings);
  if (!ok)
    return FALSE;
  *out_status = 0;
  return TRUE;
}
