/* nook: libFuzzer target for the filter store's entry reader. The input is
 * written as the entry of a key in a private store and looked up, then
 * listed as `nook cache ls` does.
 *
 * The reader checks the header before the MAC; a fuzzer cannot forge an
 * HMAC-SHA256, so the harness helps it past the checks it could never pass
 * by chance: the store's secret is a fixed one of the harness's, the key
 * looked up is the one in the input's header, and when the input's first
 * byte is odd the header's MAC is recomputed over the rest (the layout
 * and MAC tag are storage/filter-store.c's EntryHeader and MAC_TAG). Then
 * every field after it is the fuzzer's. A hit must return 1 to 4096
 * instructions. */
#include "tests/fuzz/fuzz-common.h"

#include <string.h>

#include "storage/filter-secret.h"
#include "storage/filter-store.h"

/* storage/filter-store.c: magic[8], version, arch, key[32], n_insns,
 * warnings_size, mac[32]. */
#define HEADER_SIZE 88
#define ARCH_OFFSET 12
#define KEY_OFFSET 16
#define MAC_OFFSET 56
#define MAC_TAG "nook-filter-store-entry-2"

static char *store_dir;
static NookFilterSecret secret;

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  fuzz_fatal_criticals ();
  store_dir = g_build_filename (fuzz_tmpdir (), "seccomp", NULL);
  /* make-corpus.sh signs its seed entries with the same bytes. */
  for (guint i = 0; i < sizeof secret.bytes; i++)
    secret.bytes[i] = (guint8)i;
  if (g_mkdir_with_parents (store_dir, 0700) < 0)
    fuzz_fail ("fuzz-filter-store: cannot make %s", store_dir);
  return 0;
}

static void
fix_mac (guint8 *entry, size_t size)
{
  GHmac *hmac = nook_filter_secret_hmac (&secret, MAC_TAG);

  g_hmac_update (hmac, entry, MAC_OFFSET);
  g_hmac_update (hmac, entry + HEADER_SIZE, size - HEADER_SIZE);
  nook_filter_secret_hmac_finish (hmac, entry + MAC_OFFSET);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autofree guint8 *entry = g_memdup2 (data, size);
  guint8 key[NOOK_FILTER_STORE_KEY_SIZE] = { 0 };
  guint32 arch = 0;
  g_autoptr (NookFilterStore) store = NULL;
  g_autoptr (GPtrArray) warnings = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GPtrArray) list = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *hex = NULL;
  g_autofree char *path = NULL;
  g_autofree struct sock_filter *insns = NULL;
  guint n_insns = 0;

  if (size >= HEADER_SIZE)
    {
      memcpy (key, entry + KEY_OFFSET, sizeof key);
      memcpy (&arch, entry + ARCH_OFFSET, sizeof arch);
      if (entry[0] & 1)
        fix_mac (entry, size);
    }
  hex = nook_filter_store_key_to_hex (key);
  path = g_build_filename (store_dir, hex, NULL);
  fuzz_write_file (path, entry, size, 0600);

  store = nook_filter_store_open (store_dir, &secret, &error);
  if (store == NULL)
    fuzz_fail ("fuzz-filter-store: %s", error->message);
  list = nook_filter_store_list (store, arch, NULL);
  switch (nook_filter_store_lookup (store, key, arch, &insns, &n_insns, warnings, &error))
    {
    case NOOK_FILTER_STORE_HIT:
      if (n_insns == 0 || n_insns > NOOK_FILTER_STORE_MAX_INSNS || insns == NULL)
        fuzz_fail ("fuzz-filter-store: a hit with %u instructions", n_insns);
      break;
    case NOOK_FILTER_STORE_DISCARDED:
      if (error == NULL)
        fuzz_fail ("fuzz-filter-store: discarded without a reason");
      break;
    case NOOK_FILTER_STORE_MISS:
      fuzz_fail ("fuzz-filter-store: the entry just written was not found");
    }
  (void)g_unlink (path);
  return 0;
}
