/* nook: the key of a seccomp profile in the per-user filter store.
 *
 * Every field goes into the hash with a type tag and, for strings and lists,
 * a length in front, so that no two different profiles serialise to the same
 * bytes: ["ab","c"] and ["a","bc"] differ in their lengths, an absent
 * errnoRet and errnoRet 0 differ in their presence marker. Actions and
 * operators are written by name, not by enum value, so that reordering an
 * enum cannot make an old entry match a different profile. */
#include "launcher/seccomp/seccomp-key.h"
#include "launcher/seccomp/seccomp.h"

#include <seccomp.h>
#include <string.h>
#include <sys/utsname.h>

#include "storage/build-id.h"

/* Bump when the serialisation changes. */
#define KEY_SCHEME "nook-seccomp-key-2"
#define ALIAS_SCHEME "nook-seccomp-alias-3"

static void
put_u32 (GChecksum *sum, guint32 value)
{
  guint32 le = GUINT32_TO_LE (value);

  g_checksum_update (sum, (const guchar *)&le, sizeof le);
}

static void
put_u64 (GChecksum *sum, guint64 value)
{
  guint64 le = GUINT64_TO_LE (value);

  g_checksum_update (sum, (const guchar *)&le, sizeof le);
}

static void
put_str (GChecksum *sum, const char *s)
{
  gsize len = strlen (s);

  put_u64 (sum, len);
  g_checksum_update (sum, (const guchar *)s, len);
}

static void
put_tag (GChecksum *sum, const char *tag)
{
  put_str (sum, tag);
}

static void
put_strv (GChecksum *sum, char **strv)
{
  guint n = strv != NULL ? g_strv_length (strv) : 0;

  put_u32 (sum, n);
  for (guint i = 0; i < n; i++)
    put_str (sum, strv[i]);
}

/* An optional value: a presence marker, then the value only when present. */
static void
put_opt_u32 (GChecksum *sum, gboolean present, guint32 value)
{
  put_u32 (sum, present ? 1 : 0);
  if (present)
    put_u32 (sum, value);
}

static const char *
action_name (NookSeccompAction action)
{
  switch (action)
    {
    case NOOK_SECCOMP_ACT_KILL_THREAD:
      return "SCMP_ACT_KILL_THREAD";
    case NOOK_SECCOMP_ACT_KILL_PROCESS:
      return "SCMP_ACT_KILL_PROCESS";
    case NOOK_SECCOMP_ACT_TRAP:
      return "SCMP_ACT_TRAP";
    case NOOK_SECCOMP_ACT_ERRNO:
      return "SCMP_ACT_ERRNO";
    case NOOK_SECCOMP_ACT_TRACE:
      return "SCMP_ACT_TRACE";
    case NOOK_SECCOMP_ACT_ALLOW:
      return "SCMP_ACT_ALLOW";
    case NOOK_SECCOMP_ACT_LOG:
      return "SCMP_ACT_LOG";
    case NOOK_SECCOMP_ACT_NOTIFY:
      return "SCMP_ACT_NOTIFY";
    }
  return NULL;
}

static const char *
op_name (NookSeccompOp op)
{
  switch (op)
    {
    case NOOK_SECCOMP_OP_NE:
      return "SCMP_CMP_NE";
    case NOOK_SECCOMP_OP_LT:
      return "SCMP_CMP_LT";
    case NOOK_SECCOMP_OP_LE:
      return "SCMP_CMP_LE";
    case NOOK_SECCOMP_OP_EQ:
      return "SCMP_CMP_EQ";
    case NOOK_SECCOMP_OP_GE:
      return "SCMP_CMP_GE";
    case NOOK_SECCOMP_OP_GT:
      return "SCMP_CMP_GT";
    case NOOK_SECCOMP_OP_MASKED_EQ:
      return "SCMP_CMP_MASKED_EQ";
    }
  return NULL;
}

/* Unknown values (which the compiler refuses anyway) still hash apart. */
static void
put_enum (GChecksum *sum, const char *name, int value)
{
  if (name != NULL)
    put_str (sum, name);
  else
    {
      g_autofree char *other = g_strdup_printf ("?%d", value);
      put_str (sum, other);
    }
}

static void
put_bytes (GChecksum *sum, const guint8 *bytes, gsize len)
{
  put_u64 (sum, len);
  g_checksum_update (sum, bytes, len);
}

static void
put_environment (GChecksum *sum, const guint8 *build_id, gsize build_id_len)
{
  const struct scmp_version *v = seccomp_version ();
  struct utsname u;

  put_tag (sum, KEY_SCHEME);
  put_u32 (sum, NOOK_FILTER_STORE_FORMAT_VERSION);
  put_str (sum, NOOK_VERSION);
  /* The version stays the same across many builds; an entry must not
   * outlive the build that wrote it (storage/build-id.h). */
  put_bytes (sum, build_id, build_id_len);
  put_u32 (sum, v->major);
  put_u32 (sum, v->minor);
  put_u32 (sum, v->micro);
  /* The same profile compiles to another program at another level. */
  put_u32 (sum, NOOK_SECCOMP_OPTIMIZE);
  /* uname cannot fail with a valid buffer; an empty machine still hashes. */
  if (uname (&u) < 0)
    u.machine[0] = '\0';
  put_str (sum, u.machine);
}

static void
put_rule (GChecksum *sum, const NookSeccompRule *rule)
{
  put_tag (sum, "rule");
  put_strv (sum, rule->names);
  put_enum (sum, action_name (rule->action), rule->action);
  put_opt_u32 (sum, rule->has_errno_ret, rule->errno_ret);
  put_u32 (sum, rule->n_args);
  for (guint i = 0; i < rule->n_args; i++)
    {
      const NookSeccompArg *arg = &rule->args[i];

      put_u32 (sum, arg->index);
      put_u64 (sum, arg->value);
      put_u64 (sum, arg->value_two);
      put_enum (sum, op_name (arg->op), arg->op);
    }
}

void
nook_seccomp_key_for_build (const NookSeccomp *seccomp, const guint8 *build_id, gsize build_id_len,
                            guint8 out_key[NOOK_FILTER_STORE_KEY_SIZE])
{
  g_autoptr (GChecksum) sum = g_checksum_new (G_CHECKSUM_SHA256);
  gsize len = NOOK_FILTER_STORE_KEY_SIZE;

  put_environment (sum, build_id, build_id_len);
  put_tag (sum, "profile");
  put_enum (sum, action_name (seccomp->default_action), seccomp->default_action);
  put_opt_u32 (sum, seccomp->has_default_errno_ret, seccomp->default_errno_ret);
  put_strv (sum, seccomp->architectures);
  put_u32 (sum, seccomp->n_rules);
  for (guint i = 0; i < seccomp->n_rules; i++)
    put_rule (sum, &seccomp->rules[i]);

  g_checksum_get_digest (sum, out_key, &len);
}

void
nook_seccomp_key (const NookSeccomp *seccomp, guint8 out_key[NOOK_FILTER_STORE_KEY_SIZE])
{
  gsize build_id_len;
  const guint8 *build_id = nook_build_id (&build_id_len);

  nook_seccomp_key_for_build (seccomp, build_id, build_id_len, out_key);
}

void
nook_seccomp_alias_key_for_build (const char *seccomp_text, gsize length, const guint8 *build_id,
                                  gsize build_id_len, guint8 out_key[NOOK_FILTER_STORE_KEY_SIZE])
{
  g_autoptr (GChecksum) sum = g_checksum_new (G_CHECKSUM_SHA256);
  gsize digest_len = NOOK_FILTER_STORE_KEY_SIZE;

  put_tag (sum, ALIAS_SCHEME);
  put_environment (sum, build_id, build_id_len);
  put_u64 (sum, length);
  g_checksum_update (sum, (const guchar *)seccomp_text, length);
  g_checksum_get_digest (sum, out_key, &digest_len);
}

void
nook_seccomp_alias_key (const char *seccomp_text, gsize length,
                        guint8 out_key[NOOK_FILTER_STORE_KEY_SIZE])
{
  gsize build_id_len;
  const guint8 *build_id = nook_build_id (&build_id_len);

  nook_seccomp_alias_key_for_build (seccomp_text, length, build_id, build_id_len, out_key);
}
