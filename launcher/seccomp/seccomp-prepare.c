/* nook: the seccomp program of a container, from the per-user store of
 * compiled filters or from libseccomp (parent side, before clone()).
 *
 * This is on the start-up path of every container: a hit must stay a key
 * computation and one file read. Anything the store cannot do turns into a
 * warning and a compile in memory: it is a cache, it may cost time, never a
 * failed run or a weaker filter. */
#include "launcher/seccomp/seccomp-prepare.h"

#include <seccomp.h>
#include <string.h>

#include "launcher/seccomp/seccomp-key.h"
#include "storage/filter-alias.h"
#include "storage/filter-store.h"

static void
take_warnings (GPtrArray *warnings, GPtrArray *from)
{
  for (guint i = 0; i < from->len; i++)
    {
      if (warnings != NULL)
        g_ptr_array_add (warnings, g_steal_pointer (&from->pdata[i]));
    }
}

static void
add_warning (GPtrArray *warnings, char *warning)
{
  if (warnings != NULL && warning != NULL)
    g_ptr_array_add (warnings, warning);
  else
    g_free (warning);
}

static NookBpfProgram *
program_new (struct sock_filter *insns, guint n_insns)
{
  NookBpfProgram *program = g_new0 (NookBpfProgram, 1);

  program->insns = insns;
  program->n_insns = n_insns;
  return program;
}

/* The program is already compiled: failing to save it is only a warning. */
static char *
save (NookFilterStore *store, const guint8 *key, guint32 arch, const NookBpfProgram *program,
      GPtrArray *compile_warnings, GPtrArray *warnings)
{
  g_autoptr (GError) local_error = NULL;
  guint max_entries;

  if (!nook_filter_store_max_entries_from_env (&max_entries, &local_error))
    {
      add_warning (warnings, g_strdup (local_error->message));
      g_clear_error (&local_error);
    }
  if (nook_filter_store_publish (store, key, arch, program->insns, program->n_insns,
                                 compile_warnings, max_entries, &local_error))
    return NULL;
  return g_strdup_printf ("seccomp filter store: %s; using the filter compiled in memory",
                          local_error->message);
}

NookFilterStore *
nook_seccomp_store_open (GError **error)
{
  NookFilterSecret secret;
  gboolean created = FALSE;
  NookFilterStore *store;

  if (!nook_filter_secret_load (&secret, &created, error))
    return NULL;
  store = nook_filter_store_open (NULL, &secret, error);
  explicit_bzero (&secret, sizeof secret);
  if (store != NULL && created)
    {
      (void)nook_filter_store_clear (store, NULL, NULL);
      (void)nook_filter_alias_clear (NULL);
    }
  return store;
}

char *
nook_seccomp_discarded_warning (const GError *reason)
{
  return g_strdup_printf ("seccomp filter store: discarded %s; compiling the profile again",
                          reason->message);
}

NookBpfProgram *
nook_seccomp_prepare (const NookSeccomp *seccomp, gboolean use_store, GPtrArray *warnings,
                      GError **error)
{
  guint8 key[NOOK_FILTER_STORE_KEY_SIZE];
  g_autoptr (GError) store_error = NULL;
  g_autofree char *store_warning = NULL;
  struct sock_filter *insns = NULL;
  guint n_insns = 0;
  gboolean saved = FALSE; /* the store holds an entry for key */

  g_return_val_if_fail (seccomp != NULL, NULL);

  /* The fast path found it already (its rules were not even parsed). */
  if (seccomp->alias_insns != NULL)
    return program_new (
        g_memdup2 (seccomp->alias_insns, seccomp->alias_n_insns * sizeof (struct sock_filter)),
        seccomp->alias_n_insns);
  if (!use_store)
    return nook_seccomp_compile (seccomp, warnings, error);

  nook_seccomp_key (seccomp, key);
  /* libseccomp's native architecture token is the AUDIT_ARCH value. */
  guint32 arch = seccomp_arch_native ();

  g_autoptr (NookFilterStore) store = nook_seccomp_store_open (&store_error);
  if (store == NULL)
    {
      NookBpfProgram *program = nook_seccomp_compile (seccomp, warnings, error);
      add_warning (warnings, g_strdup_printf ("not using the seccomp filter store: %s",
                                              store_error->message));
      return program;
    }

  g_autoptr (GPtrArray) compile_warnings = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (NookBpfProgram) program = NULL;
  switch (
      nook_filter_store_lookup (store, key, arch, &insns, &n_insns, compile_warnings, &store_error))
    {
    case NOOK_FILTER_STORE_HIT:
      program = program_new (insns, n_insns);
      saved = TRUE;
      break;
    case NOOK_FILTER_STORE_DISCARDED:
      store_warning = nook_seccomp_discarded_warning (store_error);
      break;
    case NOOK_FILTER_STORE_MISS:
      break;
    }

  if (program == NULL)
    {
      program = nook_seccomp_compile (seccomp, compile_warnings, error);
      if (program != NULL)
        {
          g_autofree char *save_warning
              = save (store, key, arch, program, compile_warnings, warnings);
          saved = save_warning == NULL;
          if (store_warning == NULL)
            store_warning = g_steal_pointer (&save_warning);
        }
    }
  /* The next start of this very config.json takes the fast path: a link
   * to the entry, when there is one to link to. */
  if (program != NULL && seccomp->has_alias_key && saved)
    nook_filter_alias_publish (NULL, nook_filter_store_get_secret (store), seccomp->alias_key, key);
  take_warnings (warnings, compile_warnings);
  add_warning (warnings, g_steal_pointer (&store_warning));
  return g_steal_pointer (&program);
}
