/* nook: libFuzzer target for the filter store's key of a seccomp profile
 * (nook_seccomp_key). The input is turned into a NookSeccomp field by
 * field (counts, enum values outside their enums, strings of any bytes),
 * so the serialisation sees shapes the config loader never hands it.
 * The key must not depend on anything but the profile: computed twice, on
 * a copy of the profile, it is the same. */
#include "tests/fuzz/fuzz-common.h"

#include <string.h>

#include "launcher/seccomp/seccomp-key.h"

typedef struct
{
  const uint8_t *p;
  size_t left;
} Bytes;

static guint32
take_u32 (Bytes *b, guint32 bound)
{
  guint32 v = 0;

  for (int i = 0; i < 4 && b->left > 0; i++, b->p++, b->left--)
    v = (v << 8) | *b->p;
  return bound ? v % bound : v;
}

static guint64
take_u64 (Bytes *b)
{
  return ((guint64)take_u32 (b, 0) << 32) | take_u32 (b, 0);
}

/* A string of up to 15 bytes (NUL-free: the model holds C strings). */
static char *
take_str (Bytes *b)
{
  gsize want = take_u32 (b, 16);
  gsize n = MIN (want, b->left);
  char *s = g_strndup ((const char *)b->p, n);

  b->p += n;
  b->left -= n;
  return s;
}

static char **
take_strv (Bytes *b)
{
  guint n = take_u32 (b, 5);
  char **v = g_new0 (char *, n + 1);

  for (guint i = 0; i < n; i++)
    v[i] = take_str (b);
  return v;
}

static NookSeccomp *
take_seccomp (Bytes *b)
{
  NookSeccomp *s = g_new0 (NookSeccomp, 1);

  s->default_action = (NookSeccompAction)take_u32 (b, 10);
  s->has_default_errno_ret = take_u32 (b, 2);
  s->default_errno_ret = take_u32 (b, 0);
  s->architectures = take_strv (b);
  s->n_rules = take_u32 (b, 8);
  s->rules = g_new0 (NookSeccompRule, s->n_rules);
  for (guint i = 0; i < s->n_rules; i++)
    {
      NookSeccompRule *r = &s->rules[i];

      r->names = take_strv (b);
      r->action = (NookSeccompAction)take_u32 (b, 10);
      r->has_errno_ret = take_u32 (b, 2);
      r->errno_ret = take_u32 (b, 0);
      r->n_args = take_u32 (b, 7);
      r->args = g_new0 (NookSeccompArg, r->n_args);
      for (guint j = 0; j < r->n_args; j++)
        {
          r->args[j].index = take_u32 (b, 0);
          r->args[j].value = take_u64 (b);
          r->args[j].value_two = take_u64 (b);
          r->args[j].op = (NookSeccompOp)take_u32 (b, 9);
        }
    }
  return s;
}

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  fuzz_fatal_criticals ();
  return 0;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  Bytes b = { data, size }, again = { data, size };
  NookSeccomp *s = take_seccomp (&b);
  NookSeccomp *copy = take_seccomp (&again);
  guint8 k1[NOOK_FILTER_STORE_KEY_SIZE], k2[NOOK_FILTER_STORE_KEY_SIZE];

  nook_seccomp_key (s, k1);
  nook_seccomp_key (copy, k2);
  if (memcmp (k1, k2, sizeof k1) != 0)
    fuzz_fail ("fuzz-seccomp-key: two keys for one profile");
  nook_config_seccomp_free (s);
  nook_config_seccomp_free (copy);
  return 0;
}
