/* Unit tests for launcher/seccomp-compile.c and launcher/seccomp-load.c.
 *
 * Profiles are built by hand as NookSeccomp structs (or read from the fixtures
 * by a small json-glib reader below), so these tests do not depend on the
 * config loader. Whether a compiled program does what it should is checked by
 * loading it in a forked child: the child runs its checks with plain syscalls
 * only (it is a copy of a GLib process) and reports by its exit status, 0 when
 * every check passed; a failed check also writes its expression to stderr. */
#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "launcher/errors.h"
#include "launcher/seccomp/seccomp.h"
#include "tests/unit/test-profile.h"

static void
profile_set_architectures (TestProfile *profile, const char *const *architectures)
{
  g_strfreev (profile->architectures);
  profile->architectures = g_strdupv ((char **)architectures);
}

/* Whether this host can load filters with every action the tests use: seccomp(2)
 * with SECCOMP_GET_ACTION_AVAIL and SECCOMP_RET_KILL_PROCESS (Linux 4.14),
 * which is also what libseccomp needs for its API level 3. Valgrind 3.19 does
 * not know seccomp(2), so under it only the compile tests run. */
static gboolean
require_seccomp (void)
{
  guint32 action = SECCOMP_RET_KILL_PROCESS;
  const char *why = "seccomp(2) cannot load filters here (valgrind, or an old kernel)";

  if (syscall (SYS_seccomp, SECCOMP_GET_ACTION_AVAIL, 0, &action) == 0)
    return TRUE;
  /* Like bubblewrap's BWRAP_MUST_WORK: CI says when skipping is a failure. */
  if (g_strcmp0 (g_getenv ("NOOK_TESTS_MUST_WORK"), "1") == 0)
    g_error ("%s (NOOK_TESTS_MUST_WORK=1)", why);
  g_test_skip (why);
  return FALSE;
}

/* --- Compiling --- */

static NookBpfProgram *
compile_ok (const TestProfile *profile, guint expected_warnings)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) warnings = g_ptr_array_new_with_free_func (g_free);

  NookBpfProgram *program = nook_seccomp_compile (profile, warnings, &error);
  g_assert_no_error (error);
  g_assert_nonnull (program);
  for (guint i = 0; i < warnings->len; i++)
    g_test_message ("warning: %s", (const char *)warnings->pdata[i]);
  g_assert_cmpuint (warnings->len, ==, expected_warnings);
  g_assert_nonnull (program->insns);
  g_assert_cmpuint (program->n_insns, >, 0);
  g_assert_cmpuint (program->n_insns, <=, BPF_MAXINSNS);
  return program;
}

static void
compile_fails (const TestProfile *profile, NookError code, const char *message_part)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) warnings = g_ptr_array_new_with_free_func (g_free);

  g_autoptr (NookBpfProgram) program = nook_seccomp_compile (profile, warnings, &error);
  g_assert_null (program);
  g_assert_error (error, NOOK_ERROR, (int)code);
  g_test_message ("error: %s", error->message);
  g_assert_nonnull (strstr (error->message, message_part));
}

static gboolean
programs_equal (const NookBpfProgram *a, const NookBpfProgram *b)
{
  return a->n_insns == b->n_insns
         && memcmp (a->insns, b->insns, a->n_insns * sizeof (struct sock_filter)) == 0;
}

/* Whether the program has a "ret #k" instruction. */
static gboolean
program_returns (const NookBpfProgram *program, guint32 k)
{
  for (guint i = 0; i < program->n_insns; i++)
    {
      if (program->insns[i].code == (BPF_RET | BPF_K) && program->insns[i].k == k)
        return TRUE;
    }
  return FALSE;
}

static void
test_compile_small (void)
{
  g_autoptr (TestProfile) profile = profile_new (NOOK_SECCOMP_ACT_ERRNO, TRUE, EPERM);
  profile_add_rule (profile, NOOK_SECCOMP_ACT_ALLOW, FALSE, 0,
                    NAMES ("read", "write", "exit_group", "getpid"));

  g_autoptr (NookBpfProgram) program = compile_ok (profile, 0);

  /* Every libseccomp filter starts by checking the architecture. */
  g_assert_cmpuint (program->insns[0].code, ==, BPF_LD | BPF_W | BPF_ABS);
  g_assert_cmpuint (program->insns[0].k, ==, offsetof (struct seccomp_data, arch));
}

static void
test_compile_unknown_syscall (void)
{
  g_autoptr (TestProfile) profile = profile_new (NOOK_SECCOMP_ACT_ERRNO, FALSE, 0);
  profile_add_rule (profile, NOOK_SECCOMP_ACT_ALLOW, FALSE, 0,
                    NAMES ("read", "nook_no_such_syscall", "write"));
  profile_add_rule (profile, NOOK_SECCOMP_ACT_ERRNO, TRUE, EACCES,
                    NAMES ("nook_other_unknown", "mkdir"));
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) warnings = g_ptr_array_new_with_free_func (g_free);

  g_autoptr (NookBpfProgram) program = nook_seccomp_compile (profile, warnings, &error);
  g_assert_no_error (error);
  g_assert_nonnull (program);
  g_assert_cmpuint (warnings->len, ==, 2);
  g_assert_cmpstr (warnings->pdata[0], ==,
                   "seccomp: unknown syscall \"nook_no_such_syscall\" skipped");
  g_assert_cmpstr (warnings->pdata[1], ==,
                   "seccomp: unknown syscall \"nook_other_unknown\" skipped");

  /* Warnings are optional. */
  g_autoptr (NookBpfProgram) again = nook_seccomp_compile (profile, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (programs_equal (program, again));
}

static void
test_compile_notify_default (void)
{
  g_autoptr (TestProfile) profile = profile_new (NOOK_SECCOMP_ACT_NOTIFY, FALSE, 0);
  profile_add_rule (profile, NOOK_SECCOMP_ACT_ALLOW, FALSE, 0, NAMES ("read"));

  compile_fails (profile, NOOK_ERROR_FAILED, "seccomp: SCMP_ACT_NOTIFY is not supported yet");
}

static void
test_compile_notify_rule (void)
{
  g_autoptr (TestProfile) profile = profile_new (NOOK_SECCOMP_ACT_ALLOW, FALSE, 0);
  profile_add_rule (profile, NOOK_SECCOMP_ACT_ERRNO, FALSE, 0, NAMES ("mkdir"));
  profile_add_rule (profile, NOOK_SECCOMP_ACT_NOTIFY, FALSE, 0, NAMES ("openat"));

  compile_fails (profile, NOOK_ERROR_FAILED, "seccomp: SCMP_ACT_NOTIFY is not supported yet");
}

static void
test_compile_errno_out_of_range (void)
{
  g_autoptr (TestProfile) profile = profile_new (NOOK_SECCOMP_ACT_ALLOW, FALSE, 0);
  profile_add_rule (profile, NOOK_SECCOMP_ACT_ERRNO, TRUE, 70000, NAMES ("mkdir"));

  compile_fails (profile, NOOK_ERROR_CONFIG, "linux.seccomp.syscalls[0]: errno 70000");

  g_autoptr (TestProfile) by_default = profile_new (NOOK_SECCOMP_ACT_ERRNO, TRUE, 4096);
  compile_fails (by_default, NOOK_ERROR_CONFIG, "linux.seccomp.defaultAction: errno 4096");
}

static void
test_compile_arg_index_out_of_range (void)
{
  g_autoptr (TestProfile) profile = profile_new (NOOK_SECCOMP_ACT_ALLOW, FALSE, 0);
  profile_add_rule (profile, NOOK_SECCOMP_ACT_ALLOW, FALSE, 0, NAMES ("read"));
  NookSeccompRule *rule
      = profile_add_rule (profile, NOOK_SECCOMP_ACT_ERRNO, FALSE, 0, NAMES ("personality"));
  rule_add_arg (rule, 6, NOOK_SECCOMP_OP_EQ, 1, 0);

  compile_fails (profile, NOOK_ERROR_CONFIG, "linux.seccomp.syscalls[1]: args[0]: index 6");
}

static void
test_compile_libseccomp_refuses_rule (void)
{
#if defined(__x86_64__)
  /* On x86 (32-bit) socket() also goes through socketcall(), where the
   * arguments cannot be seen: both rules become "socketcall(SYS_SOCKET)" with
   * different actions, which libseccomp refuses (EEXIST). The error names
   * the rule and the syscall. */
  g_autoptr (TestProfile) profile = profile_new (NOOK_SECCOMP_ACT_ERRNO, FALSE, 0);
  profile_set_architectures (profile, NAMES ("SCMP_ARCH_X86_64", "SCMP_ARCH_X86"));
  NookSeccompRule *rule
      = profile_add_rule (profile, NOOK_SECCOMP_ACT_ALLOW, FALSE, 0, NAMES ("socket"));
  rule_add_arg (rule, 0, NOOK_SECCOMP_OP_NE, AF_VSOCK, 0);
  rule = profile_add_rule (profile, NOOK_SECCOMP_ACT_ERRNO, TRUE, EAFNOSUPPORT, NAMES ("socket"));
  rule_add_arg (rule, 0, NOOK_SECCOMP_OP_EQ, AF_VSOCK, 0);

  compile_fails (profile, NOOK_ERROR_FAILED,
                 "linux.seccomp.syscalls[1]: adding a rule for syscall \"socket\"");
#else
  g_test_skip ("the architecture names are those of x86_64");
#endif
}

static void
test_compile_unknown_architecture (void)
{
  g_autoptr (TestProfile) profile = profile_new (NOOK_SECCOMP_ACT_ALLOW, FALSE, 0);
  profile_set_architectures (profile, NAMES ("SCMP_ARCH_X86_64", "SCMP_ARCH_NOOK"));

  compile_fails (profile, NOOK_ERROR_CONFIG, "SCMP_ARCH_NOOK");

  profile_set_architectures (profile, NAMES ("x86_64"));
  compile_fails (profile, NOOK_ERROR_CONFIG, "unknown architecture \"x86_64\"");
}

static void
test_compile_architectures (void)
{
#if defined(__x86_64__)
  g_autoptr (TestProfile) profile = profile_new (NOOK_SECCOMP_ACT_ERRNO, FALSE, 0);
  profile_add_rule (profile, NOOK_SECCOMP_ACT_ALLOW, FALSE, 0, NAMES ("read", "write"));
  g_autoptr (NookBpfProgram) native = compile_ok (profile, 0);

  /* Listing the native architecture changes nothing. */
  profile_set_architectures (profile, NAMES ("SCMP_ARCH_X86_64"));
  g_autoptr (NookBpfProgram) listed = compile_ok (profile, 0);
  g_assert_true (programs_equal (native, listed));

  profile_set_architectures (profile, NAMES ("SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"));
  g_autoptr (NookBpfProgram) multi = compile_ok (profile, 0);
  g_assert_cmpuint (multi->n_insns, >, native->n_insns);
#else
  g_test_skip ("the architecture names are those of x86_64");
#endif
}

static void
test_compile_rule_equal_to_default (void)
{
  g_autoptr (TestProfile) profile = profile_new (NOOK_SECCOMP_ACT_ERRNO, TRUE, EPERM);
  profile_add_rule (profile, NOOK_SECCOMP_ACT_ALLOW, FALSE, 0, NAMES ("read", "write"));
  g_autoptr (NookBpfProgram) plain = compile_ok (profile, 0);

  /* libseccomp refuses these (EACCES); they change nothing, so they are
   * skipped: errno EPERM given explicitly, given by default, with args. */
  profile_add_rule (profile, NOOK_SECCOMP_ACT_ERRNO, TRUE, EPERM, NAMES ("mount", "reboot"));
  profile_add_rule (profile, NOOK_SECCOMP_ACT_ERRNO, FALSE, 0, NAMES ("kexec_load"));
  NookSeccompRule *rule
      = profile_add_rule (profile, NOOK_SECCOMP_ACT_ERRNO, FALSE, 0, NAMES ("personality"));
  rule_add_arg (rule, 0, NOOK_SECCOMP_OP_EQ, 8, 0);
  g_autoptr (NookBpfProgram) with_equal = compile_ok (profile, 0);
  g_assert_true (programs_equal (plain, with_equal));

  /* Unknown names in such a rule are reported all the same. */
  profile_add_rule (profile, NOOK_SECCOMP_ACT_ERRNO, FALSE, 0, NAMES ("nook_no_such_syscall"));
  g_autoptr (NookBpfProgram) with_unknown = compile_ok (profile, 1);
  g_assert_true (programs_equal (plain, with_unknown));

  /* A different errno is a different action. */
  profile_add_rule (profile, NOOK_SECCOMP_ACT_ERRNO, TRUE, EACCES, NAMES ("mount"));
  g_autoptr (NookBpfProgram) with_other = compile_ok (profile, 1);
  g_assert_false (programs_equal (plain, with_other));
}

static void
test_compile_same_arg_twice (void)
{
  /* libseccomp alone refuses two conditions on one argument (EINVAL). */
  g_autoptr (TestProfile) profile = profile_new (NOOK_SECCOMP_ACT_ALLOW, FALSE, 0);
  NookSeccompRule *rule
      = profile_add_rule (profile, NOOK_SECCOMP_ACT_ERRNO, FALSE, 0, NAMES ("personality"));
  rule_add_arg (rule, 0, NOOK_SECCOMP_OP_EQ, 0xffffffff, 0);
  g_autoptr (NookBpfProgram) one = compile_ok (profile, 0);

  rule_add_arg (&profile->rules[0], 0, NOOK_SECCOMP_OP_EQ, PER_LINUX32, 0);
  g_autoptr (NookBpfProgram) two = compile_ok (profile, 0);
  g_assert_cmpuint (two->n_insns, >, one->n_insns);
}

static void
test_compile_all_actions (void)
{
  if (!require_seccomp ())
    return;

  g_autoptr (TestProfile) profile = profile_new (NOOK_SECCOMP_ACT_KILL_PROCESS, FALSE, 0);
  profile_add_rule (profile, NOOK_SECCOMP_ACT_ALLOW, FALSE, 0, NAMES ("read"));
  profile_add_rule (profile, NOOK_SECCOMP_ACT_ERRNO, TRUE, 0, NAMES ("write"));
  profile_add_rule (profile, NOOK_SECCOMP_ACT_TRACE, TRUE, 7, NAMES ("getpid"));
  profile_add_rule (profile, NOOK_SECCOMP_ACT_TRACE, FALSE, 0, NAMES ("getppid"));
  profile_add_rule (profile, NOOK_SECCOMP_ACT_TRAP, FALSE, 0, NAMES ("mkdir"));
  profile_add_rule (profile, NOOK_SECCOMP_ACT_LOG, FALSE, 0, NAMES ("rmdir"));
  profile_add_rule (profile, NOOK_SECCOMP_ACT_KILL_THREAD, FALSE, 0, NAMES ("unlink"));

  g_autoptr (NookBpfProgram) program = compile_ok (profile, 0);

  g_assert_true (program_returns (program, SECCOMP_RET_KILL_PROCESS));
  g_assert_true (program_returns (program, SECCOMP_RET_ALLOW));
  g_assert_true (program_returns (program, SECCOMP_RET_ERRNO | 0));
  g_assert_true (program_returns (program, SECCOMP_RET_TRACE | 7));
  g_assert_true (program_returns (program, SECCOMP_RET_TRACE | 0));
  g_assert_true (program_returns (program, SECCOMP_RET_TRAP));
  g_assert_true (program_returns (program, SECCOMP_RET_LOG));
  g_assert_true (program_returns (program, SECCOMP_RET_KILL_THREAD));
  g_assert_false (program_returns (program, SECCOMP_RET_ERRNO | EPERM));
}

static void
test_load_flags (void)
{
  g_autoptr (TestProfile) profile = profile_new (NOOK_SECCOMP_ACT_ALLOW, FALSE, 0);

  g_assert_cmphex (nook_seccomp_load_flags (profile), ==, SECCOMP_FILTER_FLAG_SPEC_ALLOW);

  /* flags present but empty: nothing, not the default. */
  profile->has_flags = TRUE;
  profile->flags = 0;
  g_assert_cmphex (nook_seccomp_load_flags (profile), ==, 0);

  profile->flags = SECCOMP_FILTER_FLAG_LOG | SECCOMP_FILTER_FLAG_TSYNC;
  g_assert_cmphex (nook_seccomp_load_flags (profile), ==,
                   SECCOMP_FILTER_FLAG_LOG | SECCOMP_FILTER_FLAG_TSYNC);
}

/* --- Loading, in children --- */

static size_t
format_uint (char *out, unsigned int value)
{
  char digits[12];
  size_t n = 0;

  do
    {
      digits[n++] = '0' + value % 10;
      value /= 10;
    }
  while (value != 0);
  for (size_t i = 0; i < n; i++)
    out[i] = digits[n - 1 - i];
  return n;
}

/* Only write(2): children must not allocate, and may run under a filter
 * that denies most syscalls. */
static void
child_report (const char *expression, int line, int saved_errno)
{
  static const char prefix[] = "test-seccomp child: check failed at line ";
  char buf[32];
  size_t n;

  (void)!write (STDERR_FILENO, prefix, sizeof prefix - 1);
  n = format_uint (buf, line);
  buf[n++] = ':';
  buf[n++] = ' ';
  (void)!write (STDERR_FILENO, buf, n);
  (void)!write (STDERR_FILENO, expression, strlen (expression));
  memcpy (buf, " (errno ", 8);
  n = 8 + format_uint (buf + 8, saved_errno);
  buf[n++] = ')';
  buf[n++] = '\n';
  (void)!write (STDERR_FILENO, buf, n);
}

#define CHILD_CHECK(expression)                                                                    \
  do                                                                                               \
    {                                                                                              \
      errno = 0;                                                                                   \
      if (!(expression))                                                                           \
        {                                                                                          \
          child_report (#expression, __LINE__, errno);                                             \
          return 1;                                                                                \
        }                                                                                          \
    }                                                                                              \
  while (0)

typedef int (*ChildFunc) (gconstpointer data);

/* Runs func in a forked child and returns its wait status. */
static int
run_in_child (ChildFunc func, gconstpointer data)
{
  int status;

  fflush (stdout);
  fflush (stderr);
  pid_t pid = fork ();
  g_assert_cmpint (pid, >=, 0);
  if (pid == 0)
    {
      /* Children killed by SIGSYS on purpose must not leave core files. */
      struct rlimit no_core = { 0, 0 };
      setrlimit (RLIMIT_CORE, &no_core);
      _exit (func (data));
    }

  while (waitpid (pid, &status, 0) < 0)
    g_assert_cmpint (errno, ==, EINTR);
  return status;
}

static void
assert_child_passed (int status)
{
  if (WIFSIGNALED (status))
    g_test_message ("child killed by signal %d", WTERMSIG (status));
  g_assert_true (WIFEXITED (status));
  g_assert_cmpint (WEXITSTATUS (status), ==, 0);
}

static int
child_load (const NookBpfProgram *program, unsigned int flags)
{
  /* Unprivileged users may only load a filter under no_new_privs. */
  if (prctl (PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
    return -errno;
  return nook_seccomp_load (program->insns, program->n_insns, flags);
}

typedef struct
{
  const NookBpfProgram *program;
  unsigned int flags;
  const char *path; /* a directory that does not exist */
  int expected_errno;
} MkdirCase;

/* mkdir and mkdirat fail with the expected errno; other syscalls work. */
static int
child_mkdir_denied (gconstpointer data)
{
  const MkdirCase *c = data;
  int fds[2];
  char byte = 'x';

  CHILD_CHECK (pipe2 (fds, O_CLOEXEC) == 0);
  CHILD_CHECK (child_load (c->program, c->flags) == 0);

#ifdef SYS_mkdir
  CHILD_CHECK (syscall (SYS_mkdir, c->path, 0700) == -1 && errno == c->expected_errno);
#endif
  CHILD_CHECK (syscall (SYS_mkdirat, AT_FDCWD, c->path, 0700) == -1 && errno == c->expected_errno);
  CHILD_CHECK (syscall (SYS_getpid) > 1);
  CHILD_CHECK (write (fds[1], &byte, 1) == 1);
  CHILD_CHECK (read (fds[0], &byte, 1) == 1 && byte == 'x');
  return 0;
}

/* A fresh path under a new temporary directory; *out_dir must be removed. */
static char *
make_missing_dir_path (char **out_dir)
{
  g_autoptr (GError) error = NULL;

  *out_dir = g_dir_make_tmp ("nook-test-seccomp-XXXXXX", &error);
  g_assert_no_error (error);
  return g_build_filename (*out_dir, "denied", NULL);
}

static void
assert_mkdir_denied (const NookBpfProgram *program, unsigned int flags, int expected_errno)
{
  g_autofree char *dir = NULL;
  g_autofree char *path = make_missing_dir_path (&dir);
  MkdirCase c = { program, flags, path, expected_errno };

  int status = run_in_child (child_mkdir_denied, &c);
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
  g_assert_cmpint (g_rmdir (dir), ==, 0);
  assert_child_passed (status);
}

static TestProfile *
profile_deny_mkdir (NookSeccompAction action, gboolean has_errno_ret, guint32 errno_ret)
{
  TestProfile *profile = profile_new (NOOK_SECCOMP_ACT_ALLOW, FALSE, 0);
  profile_add_rule (profile, action, has_errno_ret, errno_ret, NAMES ("mkdir", "mkdirat"));
  return profile;
}

static void
test_load_errno_eperm (void)
{
  if (!require_seccomp ())
    return;

  g_autoptr (TestProfile) profile = profile_deny_mkdir (NOOK_SECCOMP_ACT_ERRNO, TRUE, EPERM);
  g_autoptr (NookBpfProgram) program = compile_ok (profile, 0);

  assert_mkdir_denied (program, nook_seccomp_load_flags (profile), EPERM);
}

static void
test_load_errno_eacces (void)
{
  if (!require_seccomp ())
    return;

  g_autoptr (TestProfile) profile = profile_deny_mkdir (NOOK_SECCOMP_ACT_ERRNO, TRUE, EACCES);
  g_autoptr (NookBpfProgram) program = compile_ok (profile, 0);

  assert_mkdir_denied (program, nook_seccomp_load_flags (profile), EACCES);
}

static void
test_load_errno_absent (void)
{
  if (!require_seccomp ())
    return;

  g_autoptr (TestProfile) profile = profile_deny_mkdir (NOOK_SECCOMP_ACT_ERRNO, FALSE, 0);
  g_autoptr (NookBpfProgram) program = compile_ok (profile, 0);

  assert_mkdir_denied (program, nook_seccomp_load_flags (profile), EPERM);
}

static void
test_load_trace_without_tracer (void)
{
  if (!require_seccomp ())
    return;

  /* With no tracer attached the kernel fails a SECCOMP_RET_TRACE syscall
   * with ENOSYS. */
  g_autoptr (TestProfile) profile = profile_deny_mkdir (NOOK_SECCOMP_ACT_TRACE, FALSE, 0);
  g_autoptr (NookBpfProgram) program = compile_ok (profile, 0);

  assert_mkdir_denied (program, nook_seccomp_load_flags (profile), ENOSYS);
}

/* child_mkdir_denied with its report of the failed check silenced. */
static int
child_mkdir_denied_quiet (gconstpointer data)
{
  int fd = open ("/dev/null", O_WRONLY | O_CLOEXEC);
  if (fd >= 0)
    dup2 (fd, STDERR_FILENO);
  return child_mkdir_denied (data);
}

/* The checks of child_mkdir_denied must be able to fail. */
static void
test_load_control_allow_all (void)
{
  if (!require_seccomp ())
    return;

  g_autoptr (TestProfile) profile = profile_new (NOOK_SECCOMP_ACT_ALLOW, FALSE, 0);
  profile_add_rule (profile, NOOK_SECCOMP_ACT_ERRNO, TRUE, EPERM, NAMES ("rmdir"));
  g_autoptr (NookBpfProgram) program = compile_ok (profile, 0);
  g_autofree char *dir = NULL;
  g_autofree char *path = make_missing_dir_path (&dir);
  MkdirCase c = { program, 0, path, EPERM };

  int status = run_in_child (child_mkdir_denied_quiet, &c);
  g_assert_true (g_file_test (path, G_FILE_TEST_IS_DIR));
  g_assert_cmpint (g_rmdir (path), ==, 0);
  g_assert_cmpint (g_rmdir (dir), ==, 0);
  g_assert_true (WIFEXITED (status));
  g_assert_cmpint (WEXITSTATUS (status), !=, 0);
}

static void
test_load_default_errno (void)
{
  if (!require_seccomp ())
    return;

  /* Everything not listed fails with the default errno, ENOTSUP here. The
   * list is what the child, and a sanitizer or valgrind around it, needs. */
  g_autoptr (TestProfile) profile = profile_new (NOOK_SECCOMP_ACT_ERRNO, TRUE, ENOTSUP);
  profile_add_rule (profile, NOOK_SECCOMP_ACT_ALLOW, FALSE, 0,
                    NAMES ("read", "write", "getpid", "gettid", "exit", "exit_group",
                           "rt_sigreturn", "rt_sigprocmask", "rt_sigaction", "tgkill", "kill",
                           "mmap", "munmap", "mprotect", "brk", "madvise", "futex", "sched_yield",
                           "close", "clock_gettime", "nanosleep", "clock_nanosleep",
                           "sigaltstack"));
  g_autoptr (NookBpfProgram) program = compile_ok (profile, 0);

  assert_mkdir_denied (program, nook_seccomp_load_flags (profile), ENOTSUP);
}

static int
child_personality (gconstpointer data)
{
  const NookBpfProgram *program = data;

  long current = syscall (SYS_personality, 0xffffffffUL);
  CHILD_CHECK (current >= 0);
  CHILD_CHECK (child_load (program, SECCOMP_FILTER_FLAG_SPEC_ALLOW) == 0);

  CHILD_CHECK (syscall (SYS_personality, 0xffffffffUL) == -1 && errno == EPERM);
  CHILD_CHECK (syscall (SYS_personality, (unsigned long)current) == current);
  return 0;
}

static void
test_load_arg_condition (void)
{
  if (!require_seccomp ())
    return;

  /* Denies only the query form, personality(0xffffffff). */
  g_autoptr (TestProfile) profile = profile_new (NOOK_SECCOMP_ACT_ALLOW, FALSE, 0);
  NookSeccompRule *rule
      = profile_add_rule (profile, NOOK_SECCOMP_ACT_ERRNO, TRUE, EPERM, NAMES ("personality"));
  rule_add_arg (rule, 0, NOOK_SECCOMP_OP_EQ, 0xffffffff, 0);
  g_autoptr (NookBpfProgram) program = compile_ok (profile, 0);

  assert_child_passed (run_in_child (child_personality, program));
}

static int
child_personality_or (gconstpointer data)
{
  const NookBpfProgram *program = data;

  long current = syscall (SYS_personality, 0xffffffffUL);
  CHILD_CHECK (current >= 0 && current != PER_LINUX32);
  CHILD_CHECK (child_load (program, SECCOMP_FILTER_FLAG_SPEC_ALLOW) == 0);

  CHILD_CHECK (syscall (SYS_personality, 0xffffffffUL) == -1 && errno == EPERM);
  CHILD_CHECK (syscall (SYS_personality, (unsigned long)PER_LINUX32) == -1 && errno == EPERM);
  CHILD_CHECK (syscall (SYS_personality, (unsigned long)current) == current);
  return 0;
}

static void
test_load_same_arg_twice_is_or (void)
{
  if (!require_seccomp ())
    return;

  /* As runc and crun: conditions on the same argument are ORed. */
  g_autoptr (TestProfile) profile = profile_new (NOOK_SECCOMP_ACT_ALLOW, FALSE, 0);
  NookSeccompRule *rule
      = profile_add_rule (profile, NOOK_SECCOMP_ACT_ERRNO, TRUE, EPERM, NAMES ("personality"));
  rule_add_arg (rule, 0, NOOK_SECCOMP_OP_EQ, 0xffffffff, 0);
  rule_add_arg (rule, 0, NOOK_SECCOMP_OP_EQ, PER_LINUX32, 0);
  g_autoptr (NookBpfProgram) program = compile_ok (profile, 0);

  assert_child_passed (run_in_child (child_personality_or, program));
}

static int
child_fcntl_and (gconstpointer data)
{
  const NookBpfProgram *program = data;
  int fds[2];

  CHILD_CHECK (pipe2 (fds, O_CLOEXEC) == 0);
  CHILD_CHECK (dup2 (fds[0], 100) == 100);
  CHILD_CHECK (child_load (program, 0) == 0);

  CHILD_CHECK (fcntl (100, F_GETFD) == -1 && errno == EACCES);
  CHILD_CHECK (fcntl (100, F_GETFL) >= 0);
  CHILD_CHECK (fcntl (fds[0], F_GETFD) == FD_CLOEXEC);
  return 0;
}

static void
test_load_args_and (void)
{
  if (!require_seccomp ())
    return;

  /* Conditions on different arguments are ANDed: fcntl(100, F_GETFD) only. */
  g_autoptr (TestProfile) profile = profile_new (NOOK_SECCOMP_ACT_ALLOW, FALSE, 0);
  NookSeccompRule *rule
      = profile_add_rule (profile, NOOK_SECCOMP_ACT_ERRNO, TRUE, EACCES, NAMES ("fcntl"));
  rule_add_arg (rule, 0, NOOK_SECCOMP_OP_EQ, 100, 0);
  rule_add_arg (rule, 1, NOOK_SECCOMP_OP_EQ, F_GETFD, 0);
  g_autoptr (NookBpfProgram) program = compile_ok (profile, 0);

  assert_child_passed (run_in_child (child_fcntl_and, program));
}

typedef struct
{
  const NookBpfProgram *program;
  gboolean denied[4]; /* by fcntl command: F_GETFD (1), F_SETFD (2), F_GETFL (3) */
} OperatorCase;

static int
child_fcntl_commands (gconstpointer data)
{
  const OperatorCase *c = data;
  int fds[2];

  CHILD_CHECK (pipe2 (fds, 0) == 0);
  CHILD_CHECK (dup2 (fds[0], 100) == 100);
  CHILD_CHECK (child_load (c->program, 0) == 0);

  for (int cmd = F_GETFD; cmd <= F_GETFL; cmd++)
    {
      if (c->denied[cmd])
        CHILD_CHECK (fcntl (100, cmd, 0) == -1 && errno == EACCES);
      else
        CHILD_CHECK (fcntl (100, cmd, 0) >= 0);
    }
  return 0;
}

static void
test_load_arg_operators (void)
{
  if (!require_seccomp ())
    return;

  /* fcntl(100, cmd) is denied when cmd OP 2 (2 is F_SETFD); MASKED_EQ denies
   * the odd commands: (cmd & 1) == 1. */
  static const struct
  {
    NookSeccompOp op;
    guint64 value;
    guint64 value_two;
    gboolean denied[4];
  } cases[] = {
    { NOOK_SECCOMP_OP_NE, 2, 0, { FALSE, TRUE, FALSE, TRUE } },
    { NOOK_SECCOMP_OP_LT, 2, 0, { FALSE, TRUE, FALSE, FALSE } },
    { NOOK_SECCOMP_OP_LE, 2, 0, { FALSE, TRUE, TRUE, FALSE } },
    { NOOK_SECCOMP_OP_EQ, 2, 0, { FALSE, FALSE, TRUE, FALSE } },
    { NOOK_SECCOMP_OP_GE, 2, 0, { FALSE, FALSE, TRUE, TRUE } },
    { NOOK_SECCOMP_OP_GT, 2, 0, { FALSE, FALSE, FALSE, TRUE } },
    { NOOK_SECCOMP_OP_MASKED_EQ, 1, 1, { FALSE, TRUE, FALSE, TRUE } },
  };

  g_assert_cmpint (F_GETFD, ==, 1);
  g_assert_cmpint (F_SETFD, ==, 2);
  g_assert_cmpint (F_GETFL, ==, 3);
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (TestProfile) profile = profile_new (NOOK_SECCOMP_ACT_ALLOW, FALSE, 0);
      NookSeccompRule *rule
          = profile_add_rule (profile, NOOK_SECCOMP_ACT_ERRNO, TRUE, EACCES, NAMES ("fcntl"));
      rule_add_arg (rule, 0, NOOK_SECCOMP_OP_EQ, 100, 0);
      rule_add_arg (rule, 1, cases[i].op, cases[i].value, cases[i].value_two);
      g_autoptr (NookBpfProgram) program = compile_ok (profile, 0);
      OperatorCase c = { .program = program };
      memcpy (c.denied, cases[i].denied, sizeof c.denied);

      g_test_message ("operator %d", (int)cases[i].op);
      assert_child_passed (run_in_child (child_fcntl_commands, &c));
    }
}

static int
child_mkdir_once (gconstpointer data)
{
  const MkdirCase *c = data;

  CHILD_CHECK (child_load (c->program, c->flags) == 0);
  syscall (SYS_mkdirat, AT_FDCWD, c->path, 0700);
  return 0;
}

static void
assert_mkdir_kills (NookSeccompAction action)
{
  if (!require_seccomp ())
    return;

  g_autoptr (TestProfile) profile = profile_deny_mkdir (action, FALSE, 0);
  g_autoptr (NookBpfProgram) program = compile_ok (profile, 0);
  g_autofree char *dir = NULL;
  g_autofree char *path = make_missing_dir_path (&dir);
  MkdirCase c = { program, 0, path, 0 };

  int status = run_in_child (child_mkdir_once, &c);
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
  g_assert_cmpint (g_rmdir (dir), ==, 0);
  g_assert_true (WIFSIGNALED (status));
  g_assert_cmpint (WTERMSIG (status), ==, SIGSYS);
}

static void
test_load_kill_process (void)
{
  assert_mkdir_kills (NOOK_SECCOMP_ACT_KILL_PROCESS);
}

static void
test_load_kill_thread (void)
{
  /* The child has one thread: killing it ends the process. */
  assert_mkdir_kills (NOOK_SECCOMP_ACT_KILL_THREAD);
}

static void
test_load_trap (void)
{
  /* SIGSYS with its default disposition. */
  assert_mkdir_kills (NOOK_SECCOMP_ACT_TRAP);
}

static int
child_no_retry_without_flags (gconstpointer data)
{
  const MkdirCase *c = data;
  static const struct sock_filter empty[1];

  CHILD_CHECK (prctl (PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0);
  /* A program the kernel refuses whatever the flags: the error comes back. */
  CHILD_CHECK (nook_seccomp_load (empty, 0, SECCOMP_FILTER_FLAG_SPEC_ALLOW) == -EINVAL);
  /* A flag no kernel knows: refused, not loaded again without it (the
   * parent drops such flags, with a warning, before the child runs). */
  CHILD_CHECK (nook_seccomp_load (c->program->insns, c->program->n_insns, 1u << 30) == -EINVAL);
  CHILD_CHECK (prctl (PR_GET_SECCOMP, 0, 0, 0, 0) == 0);
  CHILD_CHECK (nook_seccomp_load (c->program->insns, c->program->n_insns, 0) == 0);
  CHILD_CHECK (syscall (SYS_mkdirat, AT_FDCWD, c->path, 0700) == -1 && errno == EPERM);
  return 0;
}

static void
test_load_no_retry_without_flags (void)
{
  if (!require_seccomp ())
    return;

  g_autoptr (TestProfile) profile = profile_deny_mkdir (NOOK_SECCOMP_ACT_ERRNO, TRUE, EPERM);
  g_autoptr (NookBpfProgram) program = compile_ok (profile, 0);
  g_autofree char *dir = NULL;
  g_autofree char *path = make_missing_dir_path (&dir);
  MkdirCase c = { program, 0, path, EPERM };

  int status = run_in_child (child_no_retry_without_flags, &c);
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
  g_assert_cmpint (g_rmdir (dir), ==, 0);
  assert_child_passed (status);
}

/* The flags the child loads with: the config's, minus those the kernel
 * would refuse, each of those named in a warning; nook's own default
 * (SPEC_ALLOW) never warns. */
static void
test_kernel_flags (void)
{
  g_autoptr (TestProfile) profile = profile_deny_mkdir (NOOK_SECCOMP_ACT_ERRNO, TRUE, EPERM);
  g_autoptr (GPtrArray) warnings = g_ptr_array_new_with_free_func (g_free);

  if (!require_seccomp ())
    return;
  g_assert_cmphex (nook_seccomp_kernel_flags (profile, warnings), ==,
                   SECCOMP_FILTER_FLAG_SPEC_ALLOW);
  g_assert_cmpuint (warnings->len, ==, 0);

  profile->has_flags = TRUE;
  profile->flags = SECCOMP_FILTER_FLAG_LOG | SECCOMP_FILTER_FLAG_SPEC_ALLOW;
  g_assert_cmphex (nook_seccomp_kernel_flags (profile, warnings), ==, profile->flags);
  g_assert_cmpuint (warnings->len, ==, 0);

  /* Refused by every kernel without a notify listener, which nook never
   * creates; and a bit no kernel knows. */
  profile->flags = SECCOMP_FILTER_FLAG_LOG | (1u << 5) | (1u << 30);
  g_assert_cmphex (nook_seccomp_kernel_flags (profile, warnings), ==, SECCOMP_FILTER_FLAG_LOG);
  g_assert_cmpuint (warnings->len, ==, 2);
  g_assert_nonnull (strstr (warnings->pdata[0], "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"));
  g_assert_nonnull (strstr (warnings->pdata[0], "loaded without it"));
  g_assert_nonnull (strstr (warnings->pdata[1], "not supported by this kernel"));
}

/* --- The fixtures --- */

static void
test_fixture_deny_mkdir (void)
{
  if (!require_seccomp ())
    return;

  g_autoptr (TestProfile) profile = profile_load_fixture ("seccomp-deny-mkdir.json");
  g_assert_cmpuint (profile->n_rules, ==, 1);
  g_autoptr (NookBpfProgram) program = compile_ok (profile, 0);

  assert_mkdir_denied (program, nook_seccomp_load_flags (profile), EPERM);
}

static guint
count_names (const TestProfile *profile)
{
  guint n = 0;

  for (guint i = 0; i < profile->n_rules; i++)
    n += g_strv_length (profile->rules[i].names);
  return n;
}

static void
test_fixture_default_compiles (void)
{
  g_autoptr (TestProfile) profile = profile_load_fixture ("seccomp-default.json");

  g_test_message ("%u rules, %u names", profile->n_rules, count_names (profile));
  g_assert_cmpuint (profile->n_rules, >=, 18);
  g_assert_cmpuint (profile->n_rules, <=, 26);
  g_assert_cmpuint (count_names (profile), >=, 400);
  g_assert_cmpint (profile->default_action, ==, NOOK_SECCOMP_ACT_ERRNO);
  g_assert_true (profile->has_default_errno_ret);
  g_assert_cmpuint (profile->default_errno_ret, ==, EPERM);

  /* Every name is known to the libseccomp nook is built with. */
  g_autoptr (NookBpfProgram) program = compile_ok (profile, 0);
  g_test_message ("%u instructions", program->n_insns);
}

#ifdef __x86_64__
static pid_t
clone_new_user (void)
{
  /* fork-like raw clone: should it succeed, the new child leaves at once. */
  long pid = syscall (SYS_clone, (unsigned long)(CLONE_NEWUSER | SIGCHLD), NULL, NULL, NULL, 0UL);
  if (pid == 0)
    _exit (0);
  if (pid > 0)
    waitpid (pid, NULL, 0);
  return pid;
}

static int
child_default_profile (gconstpointer data)
{
  const NookBpfProgram *program = data;
  char *const argv[] = { (char *)"/bin/true", NULL };
  char *const envp[] = { NULL };
  int status;
  pid_t pid;

  CHILD_CHECK (child_load (program, SECCOMP_FILTER_FLAG_SPEC_ALLOW) == 0);

  /* Allowed: fork and execve of a dynamically linked program... */
  pid = fork ();
  CHILD_CHECK (pid >= 0);
  if (pid == 0)
    {
      execve (argv[0], argv, envp);
      _exit (127);
    }
  CHILD_CHECK (waitpid (pid, &status, 0) == pid && WIFEXITED (status) && WEXITSTATUS (status) == 0);

  /* ...and posix_spawn, which needs clone3's ENOSYS to fall back to clone. */
  CHILD_CHECK (posix_spawn (&pid, argv[0], NULL, NULL, argv, envp) == 0);
  CHILD_CHECK (waitpid (pid, &status, 0) == pid && WIFEXITED (status) && WEXITSTATUS (status) == 0);

  int fd = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  CHILD_CHECK (fd >= 0);
  close (fd);
  CHILD_CHECK (syscall (SYS_personality, 0xffffffffUL) >= 0);

  /* Denied with EPERM. The arguments are invalid, so that even as root these
   * would fail harmlessly (and not with EPERM) if the filter let them through. */
  CHILD_CHECK (syscall (SYS_kexec_load, 0UL, 0UL, NULL, 0x8000UL) == -1 && errno == EPERM);
  CHILD_CHECK (syscall (SYS_reboot, 0, 0, 0, NULL) == -1 && errno == EPERM);
  CHILD_CHECK (syscall (SYS_mount, "none", "/nonexistent/nook-test", "nook-no-such-fs", 0UL, NULL)
                   == -1
               && errno == EPERM);

  /* These succeed or fail otherwise for anybody without a filter. */
  CHILD_CHECK (syscall (SYS_unshare, 0) == -1 && errno == EPERM);
  CHILD_CHECK (syscall (SYS_setns, -1, 0) == -1 && errno == EPERM);
  CHILD_CHECK (syscall (SYS_clone3, NULL, 0) == -1 && errno == ENOSYS);
  CHILD_CHECK (clone_new_user () == -1 && errno == EPERM);
  CHILD_CHECK (socket (AF_VSOCK, SOCK_STREAM, 0) == -1 && errno == EPERM);
  CHILD_CHECK (syscall (SYS_personality, 0x1234UL) == -1 && errno == EPERM);
  return 0;
}
#endif

static void
test_fixture_default_loads (void)
{
  if (!require_seccomp ())
    return;

#ifdef __x86_64__
  g_autoptr (TestProfile) profile = profile_load_fixture ("seccomp-default.json");
  g_autoptr (NookBpfProgram) program = compile_ok (profile, 0);

  assert_child_passed (run_in_child (child_default_profile, program));
#else
  g_test_skip ("the fixture is for x86");
#endif
}

#ifdef __x86_64__
#define MARKER_ERRNO EHWPOISON

static int
child_default_marker (gconstpointer data)
{
  const NookBpfProgram *program = data;

  CHILD_CHECK (child_load (program, SECCOMP_FILTER_FLAG_SPEC_ALLOW) == 0);

  /* Not listed anywhere: the default errno (without a filter: ENOSYS). */
  CHILD_CHECK (syscall (1000) == -1 && errno == MARKER_ERRNO);
  /* Listed in the explicit EPERM rules. */
  CHILD_CHECK (syscall (SYS_kexec_load, 0UL, 0UL, NULL, 0x8000UL) == -1 && errno == EPERM);
  CHILD_CHECK (syscall (SYS_reboot, 0, 0, 0, NULL) == -1 && errno == EPERM);
  CHILD_CHECK (syscall (SYS_mount, "none", "/nonexistent/nook-test", "nook-no-such-fs", 0UL, NULL)
                   == -1
               && errno == EPERM);
  CHILD_CHECK (syscall (SYS_unshare, 0) == -1 && errno == EPERM);
  CHILD_CHECK (syscall (SYS_getpid) > 1);
  return 0;
}
#endif

static void
test_fixture_default_other_default_errno (void)
{
  if (!require_seccomp ())
    return;

#ifdef __x86_64__
  /* The explicit EPERM rules of the fixture compile to nothing while they
   * equal the default; with another default errno they must take over. */
  g_autoptr (TestProfile) profile = profile_load_fixture ("seccomp-default.json");
  profile->default_errno_ret = MARKER_ERRNO;
  g_autoptr (NookBpfProgram) program = compile_ok (profile, 0);

  assert_child_passed (run_in_child (child_default_marker, program));
#else
  g_test_skip ("the fixture is for x86");
#endif
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/seccomp/compile/small", test_compile_small);
  g_test_add_func ("/seccomp/compile/unknown-syscall", test_compile_unknown_syscall);
  g_test_add_func ("/seccomp/compile/notify-default", test_compile_notify_default);
  g_test_add_func ("/seccomp/compile/notify-rule", test_compile_notify_rule);
  g_test_add_func ("/seccomp/compile/errno-out-of-range", test_compile_errno_out_of_range);
  g_test_add_func ("/seccomp/compile/arg-index-out-of-range", test_compile_arg_index_out_of_range);
  g_test_add_func ("/seccomp/compile/unknown-architecture", test_compile_unknown_architecture);
  g_test_add_func ("/seccomp/compile/libseccomp-refuses-rule",
                   test_compile_libseccomp_refuses_rule);
  g_test_add_func ("/seccomp/compile/architectures", test_compile_architectures);
  g_test_add_func ("/seccomp/compile/rule-equal-to-default", test_compile_rule_equal_to_default);
  g_test_add_func ("/seccomp/compile/same-arg-twice", test_compile_same_arg_twice);
  g_test_add_func ("/seccomp/compile/all-actions", test_compile_all_actions);
  g_test_add_func ("/seccomp/load-flags", test_load_flags);
  g_test_add_func ("/seccomp/load/errno-eperm", test_load_errno_eperm);
  g_test_add_func ("/seccomp/load/errno-eacces", test_load_errno_eacces);
  g_test_add_func ("/seccomp/load/errno-absent", test_load_errno_absent);
  g_test_add_func ("/seccomp/load/trace-without-tracer", test_load_trace_without_tracer);
  g_test_add_func ("/seccomp/load/control-allow-all", test_load_control_allow_all);
  g_test_add_func ("/seccomp/load/default-errno", test_load_default_errno);
  g_test_add_func ("/seccomp/load/arg-condition", test_load_arg_condition);
  g_test_add_func ("/seccomp/load/same-arg-twice-is-or", test_load_same_arg_twice_is_or);
  g_test_add_func ("/seccomp/load/args-and", test_load_args_and);
  g_test_add_func ("/seccomp/load/arg-operators", test_load_arg_operators);
  g_test_add_func ("/seccomp/load/kill-process", test_load_kill_process);
  g_test_add_func ("/seccomp/load/kill-thread", test_load_kill_thread);
  g_test_add_func ("/seccomp/load/trap", test_load_trap);
  g_test_add_func ("/seccomp/load/no-retry-without-flags", test_load_no_retry_without_flags);
  g_test_add_func ("/seccomp/kernel-flags", test_kernel_flags);
  g_test_add_func ("/seccomp/fixture/deny-mkdir", test_fixture_deny_mkdir);
  g_test_add_func ("/seccomp/fixture/default-compiles", test_fixture_default_compiles);
  g_test_add_func ("/seccomp/fixture/default-loads", test_fixture_default_loads);
  g_test_add_func ("/seccomp/fixture/default-other-default-errno",
                   test_fixture_default_other_default_errno);

  return g_test_run ();
}
