/* nook: linux.seccomp. Names are checked and turned into enums here;
 * syscall names are not (an unknown syscall is a warning when compiling the
 * filter, where libseccomp knows the architecture). */
#include <string.h>

#include "launcher/config/config-private.h"

static const NookConfigName action_names[] = {
  /* SCMP_ACT_KILL is the old name of SCMP_ACT_KILL_THREAD. */
  { "SCMP_ACT_KILL", NOOK_SECCOMP_ACT_KILL_THREAD },
  { "SCMP_ACT_KILL_THREAD", NOOK_SECCOMP_ACT_KILL_THREAD },
  { "SCMP_ACT_KILL_PROCESS", NOOK_SECCOMP_ACT_KILL_PROCESS },
  { "SCMP_ACT_TRAP", NOOK_SECCOMP_ACT_TRAP },
  { "SCMP_ACT_ERRNO", NOOK_SECCOMP_ACT_ERRNO },
  { "SCMP_ACT_TRACE", NOOK_SECCOMP_ACT_TRACE },
  { "SCMP_ACT_ALLOW", NOOK_SECCOMP_ACT_ALLOW },
  { "SCMP_ACT_LOG", NOOK_SECCOMP_ACT_LOG },
  { "SCMP_ACT_NOTIFY", NOOK_SECCOMP_ACT_NOTIFY },
};

/* The flag values of linux/seccomp.h, written out so the loader does not
 * depend on how new the installed kernel headers are. */
static const NookConfigName flag_names[] = {
  { "SECCOMP_FILTER_FLAG_TSYNC", 1 },
  { "SECCOMP_FILTER_FLAG_LOG", 2 },
  { "SECCOMP_FILTER_FLAG_SPEC_ALLOW", 4 },
  { "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV", 32 },
};

static const NookConfigName op_names[] = {
  { "SCMP_CMP_NE", NOOK_SECCOMP_OP_NE },
  { "SCMP_CMP_LT", NOOK_SECCOMP_OP_LT },
  { "SCMP_CMP_LE", NOOK_SECCOMP_OP_LE },
  { "SCMP_CMP_EQ", NOOK_SECCOMP_OP_EQ },
  { "SCMP_CMP_GE", NOOK_SECCOMP_OP_GE },
  { "SCMP_CMP_GT", NOOK_SECCOMP_OP_GT },
  { "SCMP_CMP_MASKED_EQ", NOOK_SECCOMP_OP_MASKED_EQ },
};

/* The architectures libseccomp 2.5 can build a filter for. */
static const char *const arch_names[] = {
  "SCMP_ARCH_X86",     "SCMP_ARCH_X86_64",   "SCMP_ARCH_X32",         "SCMP_ARCH_ARM",
  "SCMP_ARCH_AARCH64", "SCMP_ARCH_MIPS",     "SCMP_ARCH_MIPS64",      "SCMP_ARCH_MIPS64N32",
  "SCMP_ARCH_MIPSEL",  "SCMP_ARCH_MIPSEL64", "SCMP_ARCH_MIPSEL64N32", "SCMP_ARCH_PPC",
  "SCMP_ARCH_PPC64",   "SCMP_ARCH_PPC64LE",  "SCMP_ARCH_S390",        "SCMP_ARCH_S390X",
  "SCMP_ARCH_PARISC",  "SCMP_ARCH_PARISC64", "SCMP_ARCH_RISCV64",     NULL,
};

const NookConfigName *
nook_config_seccomp_actions (gsize *out_n)
{
  *out_n = G_N_ELEMENTS (action_names);
  return action_names;
}

const NookConfigName *
nook_config_seccomp_operators (gsize *out_n)
{
  *out_n = G_N_ELEMENTS (op_names);
  return op_names;
}

const NookConfigName *
nook_config_seccomp_flags (gsize *out_n)
{
  *out_n = G_N_ELEMENTS (flag_names);
  return flag_names;
}

const char *const *
nook_config_seccomp_archs (void)
{
  return arch_names;
}

/* what is "action", "flag", "operator": the word used in the message. */
static gboolean
lookup_name (NookConfigCtx *ctx, const NookConfigName *table, gsize n, const char *what,
             const NookJson *node, const char *path, guint *out, GError **error)
{
  const char *name = nook_config_get_string (ctx, node, path, error);
  g_autofree char *quoted = NULL;

  if (name == NULL)
    return FALSE;
  for (gsize i = 0; i < n; i++)
    if (strcmp (name, table[i].name) == 0)
      {
        *out = table[i].value;
        return TRUE;
      }
  quoted = nook_config_quote (name);
  return nook_config_fail (ctx, error, path, "unknown %s %s", what, quoted);
}

static gboolean
parse_action (NookConfigCtx *ctx, const NookJson *node, const char *path, gpointer out,
              GError **error)
{
  NookSeccompAction *action = out;
  guint value = 0;

  if (!lookup_name (ctx, action_names, G_N_ELEMENTS (action_names), "action", node, path, &value,
                    error))
    return FALSE;
  *action = value;
  return TRUE;
}

static gboolean
parse_op (NookConfigCtx *ctx, const NookJson *node, const char *path, gpointer out, GError **error)
{
  NookSeccompOp *op = out;
  guint value = 0;

  if (!lookup_name (ctx, op_names, G_N_ELEMENTS (op_names), "operator", node, path, &value, error))
    return FALSE;
  *op = value;
  return TRUE;
}

static gboolean
parse_flags (NookConfigCtx *ctx, const NookJson *node, const char *path, gpointer out,
             GError **error)
{
  guint32 *flags = out;
  const NookJson *array = nook_config_get_array (ctx, node, path, error);

  if (array == NULL)
    return FALSE;
  *flags = 0;
  for (guint i = 0; i < (array)->n; i++)
    {
      g_autofree char *element_path = nook_config_path_index (path, i);
      guint flag = 0;

      if (!lookup_name (ctx, flag_names, G_N_ELEMENTS (flag_names), "flag", &(array)->v.elements[i],
                        element_path, &flag, error))
        return FALSE;
      *flags |= flag;
    }
  return TRUE;
}

static gboolean
check_arch (NookConfigCtx *ctx, const char *value, const char *path, GError **error)
{
  g_autofree char *quoted = NULL;

  if (g_strv_contains (arch_names, value))
    return TRUE;
  quoted = nook_config_quote (value);
  return nook_config_fail (ctx, error, path, "unknown architecture %s", quoted);
}

static gboolean
parse_architectures (NookConfigCtx *ctx, const NookJson *node, const char *path, gpointer out,
                     GError **error)
{
  return nook_config_get_strv (ctx, node, path, check_arch, out, error);
}

static gboolean
parse_arg_index (NookConfigCtx *ctx, const NookJson *node, const char *path, gpointer out,
                 GError **error)
{
  guint32 *index = out;
  guint64 value;

  /* seccomp_data has six syscall arguments. */
  if (!nook_config_get_uint (ctx, node, path, 5, &value, error))
    return FALSE;
  *index = (guint32)value;
  return TRUE;
}

static const NookConfigField arg_fields[] = {
  NOOK_FIELD ("index", parse_arg_index, NookSeccompArg, index, NOOK_FIELD_REQUIRED),
  NOOK_FIELD ("value", nook_config_parse_uint64, NookSeccompArg, value, NOOK_FIELD_REQUIRED),
  NOOK_FIELD ("valueTwo", nook_config_parse_uint64, NookSeccompArg, value_two, 0),
  NOOK_FIELD ("op", parse_op, NookSeccompArg, op, NOOK_FIELD_REQUIRED),
};

static gboolean
parse_arg (NookConfigCtx *ctx, const NookJson *node, const char *path, gpointer out, GError **error)
{
  return nook_config_parse_table (ctx, node, path, arg_fields, out, error);
}

static gboolean
parse_args (NookConfigCtx *ctx, const NookJson *node, const char *path, gpointer out,
            GError **error)
{
  NookSeccompRule *rule = out;

  return nook_config_parse_array (ctx, node, path, sizeof (NookSeccompArg), parse_arg,
                                  (gpointer *)&rule->args, &rule->n_args, error);
}

/* The single "name" of older Docker profiles, added after "names". */
static gboolean
parse_name (NookConfigCtx *ctx, const NookJson *node, const char *path, gpointer out,
            GError **error)
{
  char ***names = out;
  const char *name = nook_config_get_string (ctx, node, path, error);
  g_autoptr (GStrvBuilder) builder = NULL;

  if (name == NULL)
    return FALSE;
  builder = g_strv_builder_new ();
  if (*names != NULL)
    g_strv_builder_addv (builder, (const char **)*names);
  g_strv_builder_add (builder, name);
  g_strfreev (*names);
  *names = g_strv_builder_end (builder);
  return TRUE;
}

static const NookConfigField rule_fields[] = {
  NOOK_FIELD ("names", nook_config_parse_strv, NookSeccompRule, names, 0),
  NOOK_FIELD ("name", parse_name, NookSeccompRule, names, 0),
  NOOK_FIELD ("action", parse_action, NookSeccompRule, action, NOOK_FIELD_REQUIRED),
  NOOK_FIELD_HAS ("errnoRet", nook_config_parse_uint32, NookSeccompRule, errno_ret, has_errno_ret),
  NOOK_SECTION ("args", parse_args, 0),
};

static gboolean
parse_rule (NookConfigCtx *ctx, const NookJson *node, const char *path, gpointer out,
            GError **error)
{
  NookSeccompRule *rule = out;

  if (!nook_config_parse_table (ctx, node, path, rule_fields, rule, error))
    return FALSE;
  if (rule->names == NULL || rule->names[0] == NULL)
    return nook_config_fail (ctx, error, path, "no syscall names");
  return TRUE;
}

static gboolean
parse_rules (NookConfigCtx *ctx, const NookJson *node, const char *path, gpointer out,
             GError **error)
{
  NookSeccomp *seccomp = out;

  if (ctx->skip_seccomp_rules)
    return TRUE;
  return nook_config_parse_array (ctx, node, path, sizeof (NookSeccompRule), parse_rule,
                                  (gpointer *)&seccomp->rules, &seccomp->n_rules, error);
}

/* listenerPath and listenerMetadata are not read: nook has no seccomp agent. */
static const NookConfigField seccomp_fields[] = {
  NOOK_FIELD ("defaultAction", parse_action, NookSeccomp, default_action, NOOK_FIELD_REQUIRED),
  NOOK_FIELD_HAS ("defaultErrnoRet", nook_config_parse_uint32, NookSeccomp, default_errno_ret,
                  has_default_errno_ret),
  NOOK_FIELD ("architectures", parse_architectures, NookSeccomp, architectures, 0),
  NOOK_FIELD_HAS ("flags", parse_flags, NookSeccomp, flags, has_flags),
  NOOK_SECTION ("syscalls", parse_rules, 0),
};

gboolean
nook_config_parse_seccomp (NookConfigCtx *ctx, const NookJson *node, const char *path, gpointer out,
                           GError **error)
{
  NookSeccomp **target = out;
  NookSeccomp *seccomp;

  /* Attached before parsing, so nook_config_free frees what a failure leaves. */
  g_return_val_if_fail (*target == NULL, FALSE);
  seccomp = *target = g_new0 (NookSeccomp, 1);
  if (!nook_config_parse_table (ctx, node, path, seccomp_fields, seccomp, error))
    return FALSE;
  nook_config_ensure_strv (&seccomp->architectures);
  return TRUE;
}
