/* nook: libFuzzer target for the whole config loader: config.json bytes
 * through nook_config_parse, against a bundle with rootfs/, data/ and
 * file.txt (so root.path and bind sources can resolve).
 *
 * Beyond crashes and leaks it checks what every caller relies on: a NULL
 * config comes with an error and a config without one, and the error is
 * one line (nook prints it as "nook: MESSAGE"). */
#include "tests/fuzz/fuzz-common.h"

#include <string.h>
#include <sys/stat.h>

#include "launcher/config/config.h"

static char *bundle;

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  g_autofree char *rootfs = NULL;
  g_autofree char *data = NULL;
  g_autofree char *file = NULL;

  fuzz_fatal_criticals ();
  bundle = g_build_filename (fuzz_tmpdir (), "bundle", NULL);
  rootfs = g_build_filename (bundle, "rootfs", NULL);
  data = g_build_filename (bundle, "data", NULL);
  file = g_build_filename (bundle, "file.txt", NULL);
  if (g_mkdir_with_parents (rootfs, 0755) < 0 || g_mkdir_with_parents (data, 0755) < 0)
    fuzz_fail ("fuzz-config: cannot make the bundle in %s", bundle);
  fuzz_write_file (file, (const uint8_t *)"x", 1, 0644);
  return 0;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (NookConfig) config
      = nook_config_parse ((const char *)data, (gssize)size, "config.json", bundle, &error);

  if ((config == NULL) == (error == NULL))
    fuzz_fail ("fuzz-config: config %p with error %p", (void *)config, (void *)error);
  if (error != NULL && strchr (error->message, '\n') != NULL)
    fuzz_fail ("fuzz-config: an error of more than one line: %s", error->message);
  return 0;
}
