/* nook: libFuzzer target for the reader of a persistent container's
 * layer.json (nook_layer_info_load): the input is the layer.json of
 * container "c" under a private XDG_DATA_HOME. A layer that loads has
 * every string `nook ls` and the checks of a second run use. */
#include "tests/fuzz/fuzz-common.h"

#include "storage/layers.h"

static char *layer_json;

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  g_autofree char *data_home = NULL;
  g_autofree char *dir = NULL;

  fuzz_fatal_criticals ();
  data_home = g_build_filename (fuzz_tmpdir (), "data", NULL);
  g_setenv ("XDG_DATA_HOME", data_home, TRUE);
  dir = g_build_filename (data_home, "nook", "containers", "c", NULL);
  if (g_mkdir_with_parents (dir, 0700) < 0)
    fuzz_fail ("fuzz-layer: cannot make %s", dir);
  layer_json = g_build_filename (dir, "layer.json", NULL);
  return 0;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (NookLayerInfo) info = NULL;

  fuzz_write_file (layer_json, data, size, 0600);
  info = nook_layer_info_load ("c", &error);
  if ((info == NULL) == (error == NULL))
    fuzz_fail ("fuzz-layer: info %p with error %p", (void *)info, (void *)error);
  if (info != NULL
      && (info->name == NULL || info->bundle == NULL || info->rootfs == NULL
          || info->uid_map == NULL || info->gid_map == NULL || info->created == NULL))
    fuzz_fail ("fuzz-layer: a loaded layer.json with a NULL field");
  return 0;
}
