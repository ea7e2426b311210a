/* nook: the filter store's fast path for a linux.seccomp seen before
 * (seccomp-alias.h). */
#include "launcher/seccomp/seccomp-alias.h"

#include <seccomp.h>
#include <string.h>

#include "launcher/seccomp/seccomp-key.h"
#include "launcher/seccomp/seccomp-prepare.h"
#include "storage/filter-alias.h"
#include "storage/filter-store.h"

gboolean
nook_seccomp_alias_lookup (const guint8 *config_key, struct sock_filter **out_insns, guint *out_n,
                           GPtrArray *stored_warnings, GPtrArray *warnings)
{
  guint8 profile_key[NOOK_FILTER_STORE_KEY_SIZE];
  g_autoptr (NookFilterStore) store = NULL;
  g_autoptr (GError) error = NULL;

  if ((store = nook_seccomp_store_open (NULL)) == NULL
      || !nook_filter_alias_lookup (NULL, nook_filter_store_get_secret (store), config_key,
                                    profile_key))
    return FALSE;
  switch (nook_filter_store_lookup (store, profile_key, seccomp_arch_native (), out_insns, out_n,
                                    stored_warnings, &error))
    {
    case NOOK_FILTER_STORE_HIT:
      return TRUE;
    case NOOK_FILTER_STORE_DISCARDED:
      if (warnings != NULL)
        g_ptr_array_add (warnings, nook_seccomp_discarded_warning (error));
      return FALSE;
    case NOOK_FILTER_STORE_MISS:
    default:
      return FALSE;
    }
}
