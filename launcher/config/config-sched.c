/* nook: the fields that tune how the process is scheduled and placed:
 * process.oomScoreAdj, process.ioPriority, process.scheduler,
 * linux.personality, linux.memoryPolicy. Each is turned into the value its
 * syscall takes, so the child only makes the call. */
#include <linux/ioprio.h>
#include <linux/mempolicy.h>
#include <sched.h>
#include <string.h>
#include <sys/personality.h>

#include "launcher/config/config-private.h"

#ifndef SCHED_DEADLINE
#define SCHED_DEADLINE 6
#endif
#ifndef SCHED_FLAG_RESET_ON_FORK
#define SCHED_FLAG_RESET_ON_FORK 0x01
#define SCHED_FLAG_RECLAIM 0x02
#define SCHED_FLAG_DL_OVERRUN 0x04
#define SCHED_FLAG_KEEP_POLICY 0x08
#define SCHED_FLAG_KEEP_PARAMS 0x10
#define SCHED_FLAG_UTIL_CLAMP_MIN 0x20
#define SCHED_FLAG_UTIL_CLAMP_MAX 0x40
#endif
#ifndef MPOL_WEIGHTED_INTERLEAVE
#define MPOL_WEIGHTED_INTERLEAVE 6
#endif

typedef struct
{
  const char *name;
  guint64 value;
} NookName;

/* Looks the string at node up in table; the error lists what is known. */
static gboolean
lookup_name (NookConfigCtx *ctx, const NookJson *node, const char *path, const NookName *table,
             gsize n, guint64 *out, GError **error)
{
  const char *name = nook_config_get_string (ctx, node, path, error);
  g_autoptr (GString) known = g_string_new (NULL);
  g_autofree char *quoted = NULL;

  if (name == NULL)
    return FALSE;
  for (gsize i = 0; i < n; i++)
    {
      if (strcmp (name, table[i].name) == 0)
        {
          *out = table[i].value;
          return TRUE;
        }
      g_string_append_printf (known, "%s%s", i ? ", " : "", table[i].name);
    }
  quoted = nook_config_quote (name);
  return nook_config_fail (ctx, error, path, "unknown value %s (known: %s)", quoted, known->str);
}

/* A string array of names whose values are or'ed into *out. */
static gboolean
lookup_flags (NookConfigCtx *ctx, const NookJson *node, const char *path, const NookName *table,
              gsize n, guint64 *out, GError **error)
{
  const NookJson *array = nook_config_get_array (ctx, node, path, error);

  if (array == NULL)
    return FALSE;
  for (guint i = 0; i < (array)->n; i++)
    {
      g_autofree char *element_path = nook_config_path_index (path, i);
      guint64 flag;

      if (!lookup_name (ctx, &(array)->v.elements[i], element_path, table, n, &flag, error))
        return FALSE;
      *out |= flag;
    }
  return TRUE;
}

static gboolean
get_int_range (NookConfigCtx *ctx, const NookJson *node, const char *path, gint64 min, gint64 max,
               gint64 *out, GError **error)
{
  if (!nook_json_is (node, NOOK_JSON_INT))
    return nook_config_fail (ctx, error, path, "expected an integer");
  *out = node->v.i;
  if (*out < min || *out > max)
    return nook_config_fail (ctx, error, path,
                             "%" G_GINT64_FORMAT " is out of range (%" G_GINT64_FORMAT
                             "..%" G_GINT64_FORMAT ")",
                             *out, min, max);
  return TRUE;
}

gboolean
nook_config_parse_oom_score_adj (NookConfigCtx *ctx, const NookJson *node, const char *path,
                                 gpointer out, GError **error)
{
  return get_int_range (ctx, node, path, -1000, 1000, out, error);
}

/* ---- process.ioPriority ---- */

static const NookName ioprio_classes[] = {
  { "IOPRIO_CLASS_RT", IOPRIO_CLASS_RT },
  { "IOPRIO_CLASS_BE", IOPRIO_CLASS_BE },
  { "IOPRIO_CLASS_IDLE", IOPRIO_CLASS_IDLE },
};

gboolean
nook_config_parse_io_priority (NookConfigCtx *ctx, const NookJson *node, const char *path,
                               gpointer out, GError **error)
{
  const NookJson *object = nook_config_get_object (ctx, node, path, error);
  g_autofree char *class_path = nook_config_path_member (path, "class");
  g_autofree char *prio_path = nook_config_path_member (path, "priority");
  const NookJson *class_node, *prio_node;
  guint64 class = 0;
  gint64 level = 0;

  if (object == NULL)
    return FALSE;
  class_node = nook_json_get (object, "class");
  if (class_node == NULL || nook_json_is (class_node, NOOK_JSON_NULL))
    return nook_config_fail (ctx, error, class_path, "missing required field");
  if (!lookup_name (ctx, class_node, class_path, ioprio_classes, G_N_ELEMENTS (ioprio_classes),
                    &class, error))
    return FALSE;
  prio_node = nook_json_get (object, "priority");
  if (prio_node != NULL && !nook_json_is (prio_node, NOOK_JSON_NULL)
      && !get_int_range (ctx, prio_node, prio_path, 0, 7, &level, error))
    return FALSE;
  *(int *)out = IOPRIO_PRIO_VALUE (class, level);
  return TRUE;
}

/* ---- process.scheduler ---- */

static const NookName sched_policies[] = {
  { "SCHED_OTHER", SCHED_OTHER }, { "SCHED_FIFO", SCHED_FIFO },
  { "SCHED_RR", SCHED_RR },       { "SCHED_BATCH", SCHED_BATCH },
  { "SCHED_IDLE", SCHED_IDLE },   { "SCHED_DEADLINE", SCHED_DEADLINE },
};

static const NookName sched_flags[] = {
  { "SCHED_FLAG_RESET_ON_FORK", SCHED_FLAG_RESET_ON_FORK },
  { "SCHED_FLAG_RECLAIM", SCHED_FLAG_RECLAIM },
  { "SCHED_FLAG_DL_OVERRUN", SCHED_FLAG_DL_OVERRUN },
  { "SCHED_FLAG_KEEP_POLICY", SCHED_FLAG_KEEP_POLICY },
  { "SCHED_FLAG_KEEP_PARAMS", SCHED_FLAG_KEEP_PARAMS },
  { "SCHED_FLAG_UTIL_CLAMP_MIN", SCHED_FLAG_UTIL_CLAMP_MIN },
  { "SCHED_FLAG_UTIL_CLAMP_MAX", SCHED_FLAG_UTIL_CLAMP_MAX },
};

typedef struct
{
  guint64 policy;
  gint64 nice;
  gint64 priority;
  guint64 flags;
  guint64 runtime;
  guint64 deadline;
  guint64 period;
  gboolean has_policy;
} NookSchedSection;

static gboolean
parse_policy (NookConfigCtx *ctx, const NookJson *node, const char *path, gpointer out,
              GError **error)
{
  return lookup_name (ctx, node, path, sched_policies, G_N_ELEMENTS (sched_policies), out, error);
}

static gboolean
parse_nice (NookConfigCtx *ctx, const NookJson *node, const char *path, gpointer out,
            GError **error)
{
  return get_int_range (ctx, node, path, -20, 19, out, error);
}

static gboolean
parse_rt_priority (NookConfigCtx *ctx, const NookJson *node, const char *path, gpointer out,
                   GError **error)
{
  return get_int_range (ctx, node, path, 0, 99, out, error);
}

static gboolean
parse_sched_flags (NookConfigCtx *ctx, const NookJson *node, const char *path, gpointer out,
                   GError **error)
{
  return lookup_flags (ctx, node, path, sched_flags, G_N_ELEMENTS (sched_flags), out, error);
}

static const NookConfigField sched_fields[] = {
  NOOK_FIELD_HAS ("policy", parse_policy, NookSchedSection, policy, has_policy),
  NOOK_FIELD ("nice", parse_nice, NookSchedSection, nice, 0),
  NOOK_FIELD ("priority", parse_rt_priority, NookSchedSection, priority, 0),
  NOOK_FIELD ("flags", parse_sched_flags, NookSchedSection, flags, 0),
  NOOK_FIELD ("runtime", nook_config_parse_uint64, NookSchedSection, runtime, 0),
  NOOK_FIELD ("deadline", nook_config_parse_uint64, NookSchedSection, deadline, 0),
  NOOK_FIELD ("period", nook_config_parse_uint64, NookSchedSection, period, 0),
};

gboolean
nook_config_parse_scheduler (NookConfigCtx *ctx, const NookJson *node, const char *path,
                             gpointer out, GError **error)
{
  NookSchedAttr *attr = out;
  NookSchedSection s = { 0 };
  g_autofree char *policy_path = nook_config_path_member (path, "policy");

  if (!nook_config_parse_table (ctx, node, path, sched_fields, &s, error))
    return FALSE;
  if (!s.has_policy)
    return nook_config_fail (ctx, error, policy_path, "missing required field");
  memset (attr, 0, sizeof (*attr));
  attr->size = sizeof (*attr);
  attr->sched_policy = s.policy;
  attr->sched_flags = s.flags;
  attr->sched_nice = s.nice;
  attr->sched_priority = s.priority;
  attr->sched_runtime = s.runtime;
  attr->sched_deadline = s.deadline;
  attr->sched_period = s.period;
  return TRUE;
}

/* ---- linux.personality ---- */

static const NookName personality_domains[] = {
  { "LINUX", PER_LINUX },
  { "LINUX32", PER_LINUX32 },
};

gboolean
nook_config_parse_personality (NookConfigCtx *ctx, const NookJson *node, const char *path,
                               gpointer out, GError **error)
{
  const NookJson *object = nook_config_get_object (ctx, node, path, error);
  g_autofree char *domain_path = nook_config_path_member (path, "domain");
  g_autofree char *flags_path = nook_config_path_member (path, "flags");
  const NookJson *domain, *flags;
  guint64 value = 0;

  if (object == NULL)
    return FALSE;
  domain = nook_json_get (object, "domain");
  if (domain == NULL || nook_json_is (domain, NOOK_JSON_NULL))
    return nook_config_fail (ctx, error, domain_path, "missing required field");
  if (!lookup_name (ctx, domain, domain_path, personality_domains,
                    G_N_ELEMENTS (personality_domains), &value, error))
    return FALSE;
  /* The spec defines no flag names yet; runc and crun refuse them too. */
  flags = nook_json_get (object, "flags");
  if (flags != NULL && nook_json_is (flags, NOOK_JSON_ARRAY) && (flags)->n > 0)
    return nook_config_fail (ctx, error, flags_path, "personality flags are not supported");
  *(unsigned long *)out = value;
  return TRUE;
}

/* ---- linux.memoryPolicy ---- */

static const NookName mempolicy_modes[] = {
  { "MPOL_DEFAULT", MPOL_DEFAULT },
  { "MPOL_PREFERRED", MPOL_PREFERRED },
  { "MPOL_BIND", MPOL_BIND },
  { "MPOL_INTERLEAVE", MPOL_INTERLEAVE },
  { "MPOL_LOCAL", MPOL_LOCAL },
  { "MPOL_PREFERRED_MANY", MPOL_PREFERRED_MANY },
  { "MPOL_WEIGHTED_INTERLEAVE", MPOL_WEIGHTED_INTERLEAVE },
};

static const NookName mempolicy_flags[] = {
  { "MPOL_F_NUMA_BALANCING", MPOL_F_NUMA_BALANCING },
  { "MPOL_F_RELATIVE_NODES", MPOL_F_RELATIVE_NODES },
  { "MPOL_F_STATIC_NODES", MPOL_F_STATIC_NODES },
};

/* "0-3,7" into a node mask, as the kernel's nodelist format. */
static gboolean
parse_nodes (NookConfigCtx *ctx, const char *text, const char *path, NookConfig *config,
             GError **error)
{
  g_auto (GStrv) ranges = g_strsplit (text, ",", -1);
  const guint64 max = NOOK_MEMPOLICY_MAX_NODES - 1;
  const gsize bits = 8 * sizeof (unsigned long);

  for (guint i = 0; ranges[i] != NULL; i++)
    {
      guint64 first, last;
      char *end;

      if (*ranges[i] == '\0' && ranges[1] == NULL)
        break;
      if (!g_ascii_isdigit (*ranges[i]))
        return nook_config_fail (ctx, error, path, "\"%s\" is not a node list such as 0-3,7", text);
      first = last = g_ascii_strtoull (ranges[i], &end, 10);
      if (*end == '-' && g_ascii_isdigit (end[1]))
        last = g_ascii_strtoull (end + 1, &end, 10);
      if (*end != '\0' || first > last)
        return nook_config_fail (ctx, error, path, "\"%s\" is not a node list such as 0-3,7", text);
      if (last > max)
        return nook_config_fail (
            ctx, error, path, "node %" G_GUINT64_FORMAT " is above %" G_GUINT64_FORMAT, last, max);
      for (guint64 n = first; n <= last; n++)
        config->mempolicy_nodes[n / bits] |= 1UL << (n % bits);
    }
  return TRUE;
}

gboolean
nook_config_parse_memory_policy (NookConfigCtx *ctx, const NookJson *node, const char *path,
                                 gpointer out, GError **error)
{
  NookConfig *config = out;
  const NookJson *object = nook_config_get_object (ctx, node, path, error);
  g_autofree char *mode_path = nook_config_path_member (path, "mode");
  g_autofree char *nodes_path = nook_config_path_member (path, "nodes");
  g_autofree char *flags_path = nook_config_path_member (path, "flags");
  const NookJson *mode, *nodes, *flags;
  guint64 value = 0, flag_bits = 0;
  const char *text;

  if (object == NULL)
    return FALSE;
  mode = nook_json_get (object, "mode");
  if (mode == NULL || nook_json_is (mode, NOOK_JSON_NULL))
    return nook_config_fail (ctx, error, mode_path, "missing required field");
  if (!lookup_name (ctx, mode, mode_path, mempolicy_modes, G_N_ELEMENTS (mempolicy_modes), &value,
                    error))
    return FALSE;
  flags = nook_json_get (object, "flags");
  if (flags != NULL && !nook_json_is (flags, NOOK_JSON_NULL)
      && !lookup_flags (ctx, flags, flags_path, mempolicy_flags, G_N_ELEMENTS (mempolicy_flags),
                        &flag_bits, error))
    return FALSE;
  nodes = nook_json_get (object, "nodes");
  if (nodes != NULL && !nook_json_is (nodes, NOOK_JSON_NULL))
    {
      text = nook_config_get_string (ctx, nodes, nodes_path, error);
      if (text == NULL || !parse_nodes (ctx, text, nodes_path, config, error))
        return FALSE;
    }
  config->has_memory_policy = TRUE;
  config->mempolicy_mode = (int)(value | flag_bits);
  return TRUE;
}
