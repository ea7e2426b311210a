/* nook: libFuzzer target for the reader of a container's state.json
 * (nook_state_load), as `nook ls`, `nook state` and `nook delete` read it:
 * the input is the state.json of container "c" under a private root.
 * A state that loads has the strings its callers print without checking
 * (bundle, created) and the two pair lists, NULL-terminated. */
#include "tests/fuzz/fuzz-common.h"

#include "storage/state.h"

static char *root;
static char *state_json;

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  g_autofree char *dir = NULL;

  fuzz_fatal_criticals ();
  root = g_build_filename (fuzz_tmpdir (), "run", NULL);
  dir = g_build_filename (root, "c", NULL);
  if (g_mkdir_with_parents (dir, 0700) < 0)
    fuzz_fail ("fuzz-state: cannot make %s", dir);
  state_json = g_build_filename (dir, "state.json", NULL);
  return 0;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (NookStateInfo) info = NULL;

  fuzz_write_file (state_json, data, size, 0600);
  info = nook_state_load (root, "c", &error);
  if ((info == NULL) == (error == NULL))
    fuzz_fail ("fuzz-state: info %p with error %p", (void *)info, (void *)error);
  if (info == NULL)
    return 0;
  if (info->bundle == NULL || info->created == NULL || info->annotations == NULL
      || info->options == NULL)
    fuzz_fail ("fuzz-state: a loaded state without bundle, created or pairs");
  (void)nook_state_pairs_get (info->annotations, "org.opencontainers.x");
  (void)nook_state_pairs_get (info->options, "rootfs");
  (void)nook_status_name (info->status);
  return 0;
}
