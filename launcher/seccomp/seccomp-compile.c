/* nook: compiling linux.seccomp into a BPF program with libseccomp (parent side).
 *
 * This runs in the parent, before clone(): it may allocate, and it is the only
 * file that links libseccomp. The child only ever sees the exported
 * struct sock_filter array (see seccomp-load.c). */
#include "launcher/seccomp/seccomp.h"

#include "storage/autofd.h"

#include <errno.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "launcher/errors.h"

/* The errno of SCMP_ACT_ERRNO when the config gives none (defaultErrnoRet or a
 * rule's errnoRet), as runc and crun. */
#define NOOK_SECCOMP_DEFAULT_ERRNO EPERM

/* The kernel turns SECCOMP_RET_ERRNO data above MAX_ERRNO into MAX_ERRNO: a
 * larger errnoRet would silently become another errno, so it is refused. */
#define NOOK_SECCOMP_MAX_ERRNO 4095

#define NOOK_SECCOMP_MAX_ARGS 6

G_DEFINE_AUTO_CLEANUP_FREE_FUNC (scmp_filter_ctx, seccomp_release, NULL)

static gboolean
action_to_scmp (NookSeccompAction action, gboolean has_errno_ret, guint32 errno_ret,
                const char *where, uint32_t *out_action, GError **error)
{
  switch (action)
    {
    case NOOK_SECCOMP_ACT_KILL_THREAD:
      *out_action = SCMP_ACT_KILL_THREAD;
      return TRUE;
    case NOOK_SECCOMP_ACT_KILL_PROCESS:
      *out_action = SCMP_ACT_KILL_PROCESS;
      return TRUE;
    case NOOK_SECCOMP_ACT_TRAP:
      *out_action = SCMP_ACT_TRAP;
      return TRUE;
    case NOOK_SECCOMP_ACT_ALLOW:
      *out_action = SCMP_ACT_ALLOW;
      return TRUE;
    case NOOK_SECCOMP_ACT_LOG:
      *out_action = SCMP_ACT_LOG;
      return TRUE;
    case NOOK_SECCOMP_ACT_ERRNO:
      if (!has_errno_ret)
        errno_ret = NOOK_SECCOMP_DEFAULT_ERRNO;
      if (errno_ret > NOOK_SECCOMP_MAX_ERRNO)
        {
          g_set_error (error, NOOK_ERROR, NOOK_ERROR_CONFIG,
                       "seccomp: %s: errno %" G_GUINT32_FORMAT " is out of range (0..%d)", where,
                       errno_ret, NOOK_SECCOMP_MAX_ERRNO);
          return FALSE;
        }
      *out_action = SCMP_ACT_ERRNO (errno_ret);
      return TRUE;
    case NOOK_SECCOMP_ACT_TRACE:
      if (!has_errno_ret)
        errno_ret = 0;
      if (errno_ret > SECCOMP_RET_DATA)
        {
          g_set_error (error, NOOK_ERROR, NOOK_ERROR_CONFIG,
                       "seccomp: %s: trace value %" G_GUINT32_FORMAT " is out of range (0..%u)",
                       where, errno_ret, SECCOMP_RET_DATA);
          return FALSE;
        }
      *out_action = SCMP_ACT_TRACE (errno_ret);
      return TRUE;
    case NOOK_SECCOMP_ACT_NOTIFY:
      /* Needs a listener fd passed to a supervisor; dropping the rule instead
       * would run the container with a weaker filter than it asked for. */
      g_set_error (error, NOOK_ERROR, NOOK_ERROR_FAILED,
                   "seccomp: SCMP_ACT_NOTIFY is not supported yet");
      return FALSE;
    }

  g_set_error (error, NOOK_ERROR, NOOK_ERROR_FAILED, "seccomp: %s: unknown action %d", where,
               (int)action);
  return FALSE;
}

static gboolean
op_to_scmp (NookSeccompOp op, enum scmp_compare *out_op)
{
  switch (op)
    {
    case NOOK_SECCOMP_OP_NE:
      *out_op = SCMP_CMP_NE;
      return TRUE;
    case NOOK_SECCOMP_OP_LT:
      *out_op = SCMP_CMP_LT;
      return TRUE;
    case NOOK_SECCOMP_OP_LE:
      *out_op = SCMP_CMP_LE;
      return TRUE;
    case NOOK_SECCOMP_OP_EQ:
      *out_op = SCMP_CMP_EQ;
      return TRUE;
    case NOOK_SECCOMP_OP_GE:
      *out_op = SCMP_CMP_GE;
      return TRUE;
    case NOOK_SECCOMP_OP_GT:
      *out_op = SCMP_CMP_GT;
      return TRUE;
    case NOOK_SECCOMP_OP_MASKED_EQ:
      *out_op = SCMP_CMP_MASKED_EQ;
      return TRUE;
    }
  return FALSE;
}

gboolean
nook_seccomp_action_supported (NookSeccompAction action)
{
  uint32_t scmp_action = 0;

  return action_to_scmp (action, FALSE, 0, "", &scmp_action, NULL);
}

/* libseccomp's token for "SCMP_ARCH_X86_64", or 0. */
static uint32_t
arch_token (const char *name)
{
  g_autofree char *lower = NULL;

  if (!g_str_has_prefix (name, "SCMP_ARCH_"))
    return 0;
  lower = g_ascii_strdown (name + strlen ("SCMP_ARCH_"), -1);
  return seccomp_arch_resolve_name (lower);
}

gboolean
nook_seccomp_arch_supported (const char *name)
{
  return arch_token (name) != 0;
}

static gboolean
add_architectures (scmp_filter_ctx ctx, char **architectures, GError **error)
{
  for (gsize i = 0; architectures != NULL && architectures[i] != NULL; i++)
    {
      const char *name = architectures[i];
      uint32_t token = arch_token (name);

      if (token == 0)
        {
          g_set_error (error, NOOK_ERROR, NOOK_ERROR_CONFIG, "seccomp: unknown architecture \"%s\"",
                       name);
          return FALSE;
        }

      /* The native architecture is always in a new filter: EEXIST. */
      int rc = seccomp_arch_add (ctx, token);
      if (rc < 0 && rc != -EEXIST)
        {
          g_set_error (error, NOOK_ERROR, NOOK_ERROR_FAILED,
                       "seccomp: adding architecture \"%s\": %s", name, g_strerror (-rc));
          return FALSE;
        }
    }
  return TRUE;
}

/* Fills cmps (rule->n_args entries); *out_same_index tells whether an argument
 * is compared more than once. */
static gboolean
build_arg_cmps (const NookSeccompRule *rule, const char *where, struct scmp_arg_cmp *cmps,
                gboolean *out_same_index, GError **error)
{
  guint count[NOOK_SECCOMP_MAX_ARGS] = { 0 };

  *out_same_index = FALSE;
  for (guint i = 0; i < rule->n_args; i++)
    {
      const NookSeccompArg *arg = &rule->args[i];
      enum scmp_compare op;

      if (arg->index >= NOOK_SECCOMP_MAX_ARGS)
        {
          g_set_error (error, NOOK_ERROR, NOOK_ERROR_CONFIG,
                       "seccomp: %s: args[%u]: index %" G_GUINT32_FORMAT " is out of range (0..%d)",
                       where, i, arg->index, NOOK_SECCOMP_MAX_ARGS - 1);
          return FALSE;
        }
      if (!op_to_scmp (arg->op, &op))
        {
          g_set_error (error, NOOK_ERROR, NOOK_ERROR_CONFIG,
                       "seccomp: %s: args[%u]: unknown operator %d", where, i, (int)arg->op);
          return FALSE;
        }

      if (++count[arg->index] > 1)
        *out_same_index = TRUE;

      cmps[i] = (struct scmp_arg_cmp){
        .arg = arg->index,
        .op = op,
        .datum_a = arg->value,
        .datum_b = arg->value_two,
      };
    }
  return TRUE;
}

static gboolean
add_rule (scmp_filter_ctx ctx, uint32_t default_action, const NookSeccompRule *rule,
          guint rule_index, GPtrArray *warnings, GError **error)
{
  g_autofree char *where = g_strdup_printf ("linux.seccomp.syscalls[%u]", rule_index);
  uint32_t action;
  gboolean same_index;

  if (!action_to_scmp (rule->action, rule->has_errno_ret, rule->errno_ret, where, &action, error))
    return FALSE;

  g_autofree struct scmp_arg_cmp *cmps = g_new0 (struct scmp_arg_cmp, MAX (rule->n_args, 1));
  if (!build_arg_cmps (rule, where, cmps, &same_index, error))
    return FALSE;

  /* libseccomp refuses a rule whose action is the default one (EACCES); such
   * a rule changes nothing, so it is not added, as crun and runc do. Its
   * names are still resolved so that a misspelt one is reported all the same. */
  gboolean skip = action == default_action;

  for (gsize i = 0; rule->names != NULL && rule->names[i] != NULL; i++)
    {
      const char *name = rule->names[i];
      int rc = 0;

      /* Names of other architectures' syscalls resolve to libseccomp's pseudo
       * numbers; only names it does not know at all fail here. */
      int nr = seccomp_syscall_resolve_name (name);
      if (nr == __NR_SCMP_ERROR)
        {
          if (warnings != NULL)
            g_ptr_array_add (warnings,
                             g_strdup_printf ("seccomp: unknown syscall \"%s\" skipped", name));
          continue;
        }
      if (skip)
        continue;

      /* libseccomp ANDs the conditions of a rule and refuses two on the same
       * argument (EINVAL). runc and crun give that case OR semantics by adding
       * one rule per condition; nook does the same so profiles behave alike. */
      if (same_index)
        {
          for (guint j = 0; j < rule->n_args && rc == 0; j++)
            rc = seccomp_rule_add_array (ctx, action, nr, 1, &cmps[j]);
        }
      else
        rc = seccomp_rule_add_array (ctx, action, nr, rule->n_args, rule->n_args > 0 ? cmps : NULL);

      if (rc < 0)
        {
          g_set_error (error, NOOK_ERROR, NOOK_ERROR_FAILED,
                       "seccomp: %s: adding a rule for syscall \"%s\": %s", where, name,
                       g_strerror (-rc));
          return FALSE;
        }
    }
  return TRUE;
}

static gboolean
read_all_at (int fd, void *buf, size_t size, GError **error)
{
  size_t done = 0;

  while (done < size)
    {
      ssize_t n = pread (fd, (char *)buf + done, size - done, done);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          int saved_errno = errno;
          g_set_error (error, NOOK_ERROR, NOOK_ERROR_FAILED,
                       "seccomp: reading the exported filter: %s", g_strerror (saved_errno));
          return FALSE;
        }
      if (n == 0)
        {
          g_set_error (error, NOOK_ERROR, NOOK_ERROR_FAILED,
                       "seccomp: reading the exported filter: unexpected end of file");
          return FALSE;
        }
      done += n;
    }
  return TRUE;
}

/* libseccomp 2.5 can only export to a file descriptor (seccomp_export_bpf_mem
 * is 2.6), so the program goes through an anonymous memory file. */
static NookBpfProgram *
export_program (scmp_filter_ctx ctx, GError **error)
{
  nook_autofd int fd = memfd_create ("nook-seccomp", MFD_CLOEXEC);
  if (fd < 0)
    {
      int saved_errno = errno;
      g_set_error (error, NOOK_ERROR, NOOK_ERROR_FAILED, "seccomp: memfd_create: %s",
                   g_strerror (saved_errno));
      return NULL;
    }

  int rc = seccomp_export_bpf (ctx, fd);
  if (rc < 0)
    {
      g_set_error (error, NOOK_ERROR, NOOK_ERROR_FAILED, "seccomp: exporting the filter: %s",
                   g_strerror (-rc));
      return NULL;
    }

  struct stat st;
  if (fstat (fd, &st) < 0)
    {
      int saved_errno = errno;
      g_set_error (error, NOOK_ERROR, NOOK_ERROR_FAILED, "seccomp: reading the exported filter: %s",
                   g_strerror (saved_errno));
      return NULL;
    }

  if (st.st_size <= 0 || st.st_size % sizeof (struct sock_filter) != 0)
    {
      g_set_error (error, NOOK_ERROR, NOOK_ERROR_FAILED,
                   "seccomp: the exported filter has an invalid size (%lld bytes)",
                   (long long)st.st_size);
      return NULL;
    }

  /* The kernel refuses longer programs; better to say so here, in the parent,
   * than as a bare EINVAL from the child. */
  gsize n_insns = st.st_size / sizeof (struct sock_filter);
  if (n_insns > BPF_MAXINSNS)
    {
      g_set_error (error, NOOK_ERROR, NOOK_ERROR_FAILED,
                   "seccomp: the filter has %" G_GSIZE_FORMAT
                   " instructions, more than the kernel's limit of %d",
                   n_insns, BPF_MAXINSNS);
      return NULL;
    }

  g_autofree struct sock_filter *insns = g_new (struct sock_filter, n_insns);
  if (!read_all_at (fd, insns, st.st_size, error))
    return NULL;

  NookBpfProgram *program = g_new0 (NookBpfProgram, 1);
  program->insns = g_steal_pointer (&insns);
  program->n_insns = n_insns;
  return program;
}

NookBpfProgram *
nook_seccomp_compile (const NookSeccomp *seccomp, GPtrArray *warnings, GError **error)
{
  uint32_t default_action;

  g_return_val_if_fail (seccomp != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);
  /* Rules left out by the store's fast path: compiling the rest would make
   * a filter that allows what the profile denies. */
  if (seccomp->alias_insns != NULL)
    {
      g_set_error (error, NOOK_ERROR, NOOK_ERROR_FAILED,
                   "seccomp: the profile's rules were not parsed (internal error)");
      return NULL;
    }

  if (!action_to_scmp (seccomp->default_action, seccomp->has_default_errno_ret,
                       seccomp->default_errno_ret, "linux.seccomp.defaultAction", &default_action,
                       error))
    return NULL;

  /* libseccomp checks actions against what the running kernel supports (its
   * "API level"): SCMP_ACT_KILL_PROCESS and SCMP_ACT_LOG need level 3. */
  g_auto (scmp_filter_ctx) ctx = seccomp_init (default_action);
  if (ctx == NULL)
    {
      g_set_error (error, NOOK_ERROR, NOOK_ERROR_FAILED,
                   "seccomp: linux.seccomp.defaultAction: not supported by libseccomp at API "
                   "level %u (the running kernel's)",
                   seccomp_api_get ());
      return NULL;
    }

  /* nook sets no_new_privs itself, when process.noNewPrivileges asks for it;
   * the attribute only matters to seccomp_load, but keep the context honest. */
  int rc = seccomp_attr_set (ctx, SCMP_FLTATR_CTL_NNP, 0);
  if (rc < 0)
    {
      g_set_error (error, NOOK_ERROR, NOOK_ERROR_FAILED,
                   "seccomp: clearing the no_new_privs attribute: %s", g_strerror (-rc));
      return NULL;
    }

  /* A binary tree of syscall numbers instead of one long list: a profile
   * of ~440 names is ~1000 instructions either way, but as a list every
   * syscall walks most of it, and so does the kernel when it attaches the
   * filter (it evaluates the program once per syscall number and
   * architecture to build its allow cache: milliseconds for a list). */
  rc = seccomp_attr_set (ctx, SCMP_FLTATR_CTL_OPTIMIZE, NOOK_SECCOMP_OPTIMIZE);
  if (rc < 0)
    {
      g_set_error (error, NOOK_ERROR, NOOK_ERROR_FAILED,
                   "seccomp: setting the binary-tree optimization: %s", g_strerror (-rc));
      return NULL;
    }

  if (!add_architectures (ctx, seccomp->architectures, error))
    return NULL;

  for (guint i = 0; i < seccomp->n_rules; i++)
    {
      if (!add_rule (ctx, default_action, &seccomp->rules[i], i, warnings, error))
        return NULL;
    }

  return export_program (ctx, error);
}

void
nook_bpf_program_free (NookBpfProgram *program)
{
  if (program == NULL)
    return;
  g_free (program->insns);
  g_free (program);
}

unsigned int
nook_seccomp_load_flags (const NookSeccomp *seccomp)
{
  /* Without SPEC_ALLOW the kernel turns on speculative store bypass mitigation
   * for the whole container, which costs a lot and is not what the config
   * asked for. crun passes it by default too. */
  if (seccomp->has_flags)
    return seccomp->flags;
  return SECCOMP_FILTER_FLAG_SPEC_ALLOW;
}
