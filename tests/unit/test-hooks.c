/* nook: unit tests for hooks: parsing config.json's hooks and annotations
 * (launcher/config/config-hooks.c), the state a hook reads and running
 * hooks from nook itself (launcher/lifecycle/hooks.c,
 * launcher/container/hook-spawn.c).
 *
 * JSON is written with single quotes, turned into double quotes before
 * parsing (as in test-config.c). Each test gets its own bundle in a
 * temporary directory; the hooks it runs are /bin/sh scripts written there. */
#include <ftw.h>
#include <json-glib/json-glib.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "launcher/config/config.h"
#include "launcher/errors.h"
#include "launcher/lifecycle/hooks.h"

#define LABEL "bundle/config.json"
#define BASE "'root':{'path':'rootfs'},'process':{'args':['sh']}"

typedef struct
{
  char *dir; /* the bundle, absolute */
} Fixture;

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *rootfs = NULL;

  f->dir = g_dir_make_tmp ("nook-test-hooks-XXXXXX", &error);
  g_assert_no_error (error);
  rootfs = g_build_filename (f->dir, "rootfs", NULL);
  g_assert_no_errno (mkdir (rootfs, 0755));
}

static int
remove_entry (const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
  return remove (path);
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  g_assert_no_errno (nftw (f->dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS));
  g_free (f->dir);
}

/* text is the inside of the top-level object after BASE; @D@ stands for
 * the bundle directory. */
static NookConfig *
parse (Fixture *f, const char *text, GError **error)
{
  g_autoptr (GString) json = g_string_new ("{" BASE);

  if (*text != '\0')
    g_string_append_printf (json, ",%s", text);
  g_string_append (json, "}");
  g_strdelimit (json->str, "'", '"');
  g_string_replace (json, "@D@", f->dir, 0);
  return nook_config_parse (json->str, json->len, LABEL, f->dir, error);
}

static NookConfig *
parse_ok (Fixture *f, const char *text)
{
  g_autoptr (GError) error = NULL;
  NookConfig *config = parse (f, text, &error);

  g_assert_no_error (error);
  g_assert_nonnull (config);
  return config;
}

/* ---- parsing ---- */

static void
test_parse_absent (Fixture *f, gconstpointer data)
{
  g_autoptr (NookConfig) config = parse_ok (f, "");

  for (guint kind = 0; kind < NOOK_HOOK_KIND_COUNT; kind++)
    {
      g_assert_cmpuint (config->n_hooks[kind], ==, 0);
      g_assert_null (config->hooks[kind]);
    }
  g_assert_cmpuint (config->n_annotations, ==, 0);
}

static void
test_parse_all_kinds (Fixture *f, gconstpointer data)
{
  g_autoptr (NookConfig) config = parse_ok (
      f, "'hooks':{'prestart':[{'path':'/p0'},{'path':'/p1'}],'createRuntime':[{'path':'/cr'}],"
         "'createContainer':[{'path':'/cc'}],'startContainer':[{'path':'/sc'}],"
         "'poststart':[{'path':'/ps'}],'poststop':[{'path':'/pt'}],'unknown':[1]}");
  static const char *const first[NOOK_HOOK_KIND_COUNT]
      = { "/p0", "/cr", "/cc", "/sc", "/ps", "/pt" };

  g_assert_cmpuint (config->n_hooks[NOOK_HOOK_PRESTART], ==, 2);
  g_assert_cmpstr (config->hooks[NOOK_HOOK_PRESTART][1].path, ==, "/p1");
  for (guint kind = 0; kind < NOOK_HOOK_KIND_COUNT; kind++)
    g_assert_cmpstr (config->hooks[kind][0].path, ==, first[kind]);
}

static void
test_parse_fields (Fixture *f, gconstpointer data)
{
  g_autoptr (NookConfig) config
      = parse_ok (f, "'hooks':{'poststart':[{'path':'/bin/x','args':['name','-a','b c'],"
                     "'env':['A=1','B='],'timeout':7}]}");
  const NookHook *h = &config->hooks[NOOK_HOOK_POSTSTART][0];
  const char *const args[] = { "name", "-a", "b c", NULL };
  const char *const env[] = { "A=1", "B=", NULL };

  g_assert_cmpstrv (h->args, args);
  g_assert_cmpstrv (h->env, env);
  g_assert_cmpuint (h->timeout, ==, 7);
}

/* Without args the hook's argv is its path; without env it gets none. */
static void
test_parse_defaults (Fixture *f, gconstpointer data)
{
  g_autoptr (NookConfig) config
      = parse_ok (f, "'hooks':{'prestart':[{'path':'/bin/x'},{'path':'/bin/y','args':[]}]}");
  const char *const x[] = { "/bin/x", NULL };
  const char *const y[] = { "/bin/y", NULL };
  const char *const none[] = { NULL };

  g_assert_cmpstrv (config->hooks[NOOK_HOOK_PRESTART][0].args, x);
  g_assert_cmpstrv (config->hooks[NOOK_HOOK_PRESTART][1].args, y);
  g_assert_cmpstrv (config->hooks[NOOK_HOOK_PRESTART][0].env, none);
  g_assert_cmpuint (config->hooks[NOOK_HOOK_PRESTART][0].timeout, ==, 0);
}

static void
test_parse_annotations (Fixture *f, gconstpointer data)
{
  g_autoptr (NookConfig) config = parse_ok (f, "'annotations':{'z.last':'1','a.first':'two'}");

  g_assert_cmpuint (config->n_annotations, ==, 2);
  g_assert_cmpstr (config->annotations[0].key, ==, "z.last");
  g_assert_cmpstr (config->annotations[0].value, ==, "1");
  g_assert_cmpstr (config->annotations[1].key, ==, "a.first");
  g_assert_cmpstr (config->annotations[1].value, ==, "two");
}

typedef struct
{
  const char *json;
  const char *message; /* after "FILE: " */
} ErrorCase;

static const ErrorCase error_cases[] = {
  { "'hooks':[]", "hooks: expected an object" },
  { "'hooks':{'prestart':{}}", "hooks.prestart: expected an array" },
  { "'hooks':{'prestart':[1]}", "hooks.prestart[0]: expected an object" },
  { "'hooks':{'prestart':[{}]}", "hooks.prestart[0].path: missing required field" },
  { "'hooks':{'prestart':[{'path':'x'}]}", "hooks.prestart[0].path: must be an absolute path" },
  { "'hooks':{'createRuntime':[{'path':'/a'},{'path':'rel'}]}",
    "hooks.createRuntime[1].path: must be an absolute path" },
  { "'hooks':{'poststop':[{'path':'/a','args':'x'}]}",
    "hooks.poststop[0].args: expected an array" },
  { "'hooks':{'poststop':[{'path':'/a','args':[1]}]}",
    "hooks.poststop[0].args[0]: expected a string" },
  { "'hooks':{'startContainer':[{'path':'/a','env':['A=1','B']}]}",
    "hooks.startContainer[0].env[1]: \"B\" is not of the form NAME=VALUE" },
  { "'hooks':{'createContainer':[{'path':'/a','timeout':0}]}",
    "hooks.createContainer[0].timeout: must be greater than zero" },
  { "'hooks':{'createContainer':[{'path':'/a','timeout':-1}]}",
    "hooks.createContainer[0].timeout: -1 is out of range (0..2147483)" },
  { "'hooks':{'poststart':[{'path':'/a','timeout':1.5}]}",
    "hooks.poststart[0].timeout: expected an integer" },
  { "'annotations':[]", "annotations: expected an object" },
  { "'annotations':{'a':1}", "annotations.a: expected a string" },
  { "'annotations':{'':'x'}", "annotations: a key must not be empty" },
};

static void
test_parse_errors (Fixture *f, gconstpointer data)
{
  for (gsize i = 0; i < G_N_ELEMENTS (error_cases); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (NookConfig) config = NULL;
      g_autofree char *expected = g_strdup_printf (LABEL ": %s", error_cases[i].message);

      g_test_message ("config: %s", error_cases[i].json);
      config = parse (f, error_cases[i].json, &error);
      g_assert_null (config);
      g_assert_error (error, NOOK_ERROR, NOOK_ERROR_CONFIG);
      g_assert_cmpstr (error->message, ==, expected);
    }
}

static void
test_kind_names (void)
{
  static const char *const names[NOOK_HOOK_KIND_COUNT] = { "prestart",        "createRuntime",
                                                           "createContainer", "startContainer",
                                                           "poststart",       "poststop" };

  for (guint kind = 0; kind < NOOK_HOOK_KIND_COUNT; kind++)
    g_assert_cmpstr (nook_hook_kind_name (kind), ==, names[kind]);
}

/* ---- the state ---- */

static void
assert_state (JsonObject *o, const char *status, gint64 pid, const char *bundle)
{
  g_assert_cmpstr (json_object_get_string_member (o, "ociVersion"), ==, "1.0.2");
  g_assert_cmpstr (json_object_get_string_member (o, "id"), ==, "c1");
  g_assert_cmpstr (json_object_get_string_member (o, "status"), ==, status);
  g_assert_cmpstr (json_object_get_string_member (o, "bundle"), ==, bundle);
  if (pid > 0)
    g_assert_cmpint (json_object_get_int_member (o, "pid"), ==, pid);
  else
    g_assert_false (json_object_has_member (o, "pid"));
}

static void
test_state_json (Fixture *f, gconstpointer data)
{
  g_autoptr (NookConfig) config = parse_ok (f, "'annotations':{'k':'v \\'q\\''}");
  static const char *const status[NOOK_HOOK_KIND_COUNT]
      = { "creating", "creating", "creating", "created", "running", "stopped" };

  for (guint kind = 0; kind < NOOK_HOOK_KIND_COUNT; kind++)
    {
      g_autoptr (JsonParser) parser = json_parser_new ();
      g_autoptr (GError) error = NULL;
      g_autofree char *json = nook_hooks_state_json (config, kind, "c1", kind == 5 ? 0 : 4242);
      JsonObject *o;

      json_parser_load_from_data (parser, json, -1, &error);
      g_assert_no_error (error);
      o = json_node_get_object (json_parser_get_root (parser));
      assert_state (o, status[kind], kind == 5 ? 0 : 4242, f->dir);
      g_assert_cmpstr (
          json_object_get_string_member (json_object_get_object_member (o, "annotations"), "k"), ==,
          "v \"q\"");
    }
}

/* ---- running hooks from nook ---- */

/* A /bin/sh script in the bundle; returns its path. */
static char *
write_script (Fixture *f, const char *name, const char *body)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *text = g_strdup_printf ("#!/bin/sh\n%s\n", body);
  char *path = g_build_filename (f->dir, name, NULL);

  g_file_set_contents (path, text, -1, &error);
  g_assert_no_error (error);
  g_assert_no_errno (chmod (path, 0755));
  return path;
}

static char *
read_out (Fixture *f, const char *name)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *path = g_build_filename (f->dir, name, NULL);
  char *text = NULL;

  g_file_get_contents (path, &text, NULL, &error);
  g_assert_no_error (error);
  return text;
}

/* hooks: the inside of a "hooks" object, with @D@ for the bundle. */
static gboolean
run_hooks (Fixture *f, const char *hooks, NookHookKind kind, GError **error)
{
  g_autofree char *text = g_strdup_printf ("'hooks':{%s}", hooks);
  g_autoptr (NookConfig) config = parse_ok (f, text);

  return nook_hooks_run (config, kind, "c1", 4242, error);
}

/* argv exactly as args gives it, args[0] included; env exactly env. The
 * hook is sh itself, so that its argv[0] is not the script's path (as the
 * kernel makes it for a script) and /proc/PID/cmdline shows it. */
static void
test_run_args_env (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *script
      = write_script (f, "h.sh",
                      "o=\"${0%/*}/out\"; /usr/bin/tr '\\0' '|' < /proc/$$/cmdline > \"$o\"\n"
                      "echo >> \"$o\"; /usr/bin/env | /usr/bin/sort >> \"$o\"");
  g_autofree char *want = NULL;

  g_assert_true (run_hooks (f,
                            "'prestart':[{'path':'/bin/sh','args':['my-argv0','@D@/h.sh','a b',''],"
                            "'env':['ONE=1','TWO=two words']}]",
                            NOOK_HOOK_PRESTART, &error));
  g_assert_no_error (error);
  out = read_out (f, "out");
  want = g_strdup_printf ("my-argv0|%s|a b||\n", script);
  g_assert_true (g_str_has_prefix (out, want));
  g_assert_nonnull (strstr (out, "\nONE=1\n"));
  g_assert_nonnull (strstr (out, "\nTWO=two words\n"));
  /* sh adds PWD (and may add SHLVL): nothing of the caller's comes through. */
  g_assert_null (strstr (out, "HOME="));
  g_assert_null (strstr (out, "PATH="));
  g_assert_null (strstr (out, "G_TEST"));
}

static void
test_run_stdin (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *a = NULL, *b = NULL;
  g_autofree char *script = write_script (f, "h.sh", "cat > \"$1\"");

  g_assert_nonnull (script);
  g_assert_true (run_hooks (f,
                            "'createRuntime':[{'path':'@D@/h.sh','args':['h','@D@/a']},"
                            "{'path':'@D@/h.sh','args':['h','@D@/b']}]",
                            NOOK_HOOK_CREATE_RUNTIME, &error));
  g_assert_no_error (error);
  a = read_out (f, "a");
  b = read_out (f, "b");
  /* Each hook reads the whole state, not what the one before left. */
  g_assert_cmpstr (a, ==, b);
  g_assert_nonnull (strstr (a, "\"status\":\"creating\""));
  g_assert_nonnull (strstr (a, "\"pid\":4242"));
}

typedef struct
{
  const char *hooks;
  const char *message; /* @D@: the bundle */
} FailCase;

static const FailCase fail_cases[] = {
  { "'prestart':[{'path':'@D@/h.sh','args':['h','exit 3']}]",
    "hooks.prestart[0] (@D@/h.sh): exited with status 3" },
  { "'prestart':[{'path':'@D@/h.sh','args':['h','true']},{'path':'@D@/h.sh','args':['h','exit "
    "1']}]",
    "hooks.prestart[1] (@D@/h.sh): exited with status 1" },
  { "'prestart':[{'path':'@D@/h.sh','args':['h','kill -TERM $$']}]",
    "hooks.prestart[0] (@D@/h.sh): killed by signal 15 (SIGTERM)" },
  { "'prestart':[{'path':'@D@/missing'}]",
    "hooks.prestart[0] (@D@/missing): cannot execute: No such file or directory" },
  { "'prestart':[{'path':'@D@/rootfs'}]",
    "hooks.prestart[0] (@D@/rootfs): cannot execute: Permission denied" },
  /* exec sleep: the shell's child would outlive a killed shell. */
  { "'prestart':[{'path':'@D@/h.sh','args':['h','exec sleep 600'],'timeout':1}]",
    "hooks.prestart[0] (@D@/h.sh): timed out after 1 s (killed)" },
};

static void
test_run_failures (Fixture *f, gconstpointer data)
{
  g_autofree char *script = write_script (f, "h.sh", "PATH=/usr/bin:/bin; eval \"$1\"");

  g_assert_nonnull (script);
  for (gsize i = 0; i < G_N_ELEMENTS (fail_cases); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (GString) expected = g_string_new (fail_cases[i].message);

      g_string_replace (expected, "@D@", f->dir, 0);
      g_test_message ("hooks: %s", fail_cases[i].hooks);
      g_assert_false (run_hooks (f, fail_cases[i].hooks, NOOK_HOOK_PRESTART, &error));
      g_assert_error (error, NOOK_ERROR, NOOK_ERROR_FAILED);
      g_assert_cmpstr (error->message, ==, expected->str);
    }
}

/* The first failure stops a kind that fails create; the rest never run. */
static void
test_run_stops (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *script = write_script (f, "h.sh", "echo \"$1\" >> \"${0%/*}/log\"; exit $2");
  g_autofree char *log = NULL;

  g_assert_nonnull (script);
  g_assert_false (run_hooks (f,
                             "'prestart':[{'path':'@D@/h.sh','args':['@D@/h.sh','a','0']},"
                             "{'path':'@D@/h.sh','args':['@D@/h.sh','b','2']},"
                             "{'path':'@D@/h.sh','args':['@D@/h.sh','c','0']}]",
                             NOOK_HOOK_PRESTART, &error));
  log = read_out (f, "log");
  g_assert_cmpstr (log, ==, "a\nb\n");
}

/* poststart/poststop: every hook runs, each failure is a warning. */
static void
test_run_warn (Fixture *f, gconstpointer data)
{
  g_autoptr (NookConfig) config = NULL;
  g_autoptr (GPtrArray) warnings = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *script = write_script (f, "h.sh", "echo \"$1\" >> \"${0%/*}/log\"; exit $2");
  g_autofree char *log = NULL;
  g_autofree char *expected = NULL;

  config = parse_ok (f, "'hooks':{'poststop':[{'path':'@D@/h.sh','args':['@D@/h.sh','a','4']},"
                        "{'path':'@D@/h.sh','args':['@D@/h.sh','b','0']}]}");
  nook_hooks_run_warn (config, NOOK_HOOK_POSTSTOP, "c1", 0, warnings);
  log = read_out (f, "log");
  g_assert_cmpstr (log, ==, "a\nb\n");
  g_assert_cmpuint (warnings->len, ==, 1);
  expected = g_strdup_printf ("hooks.poststop[0] (%s): exited with status 4", script);
  g_assert_cmpstr (warnings->pdata[0], ==, expected);
}

/* A config without hooks gets no glue: its launch is the same as before. */
static void
test_no_hooks_no_glue (Fixture *f, gconstpointer data)
{
  g_autoptr (NookConfig) config = parse_ok (f, "'hooks':{'prestart':[]}");

  g_assert_null (nook_hooks_new (config, "c1"));
}

#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  ADD ("/hooks/parse/absent", test_parse_absent);
  ADD ("/hooks/parse/all-kinds", test_parse_all_kinds);
  ADD ("/hooks/parse/fields", test_parse_fields);
  ADD ("/hooks/parse/defaults", test_parse_defaults);
  ADD ("/hooks/parse/annotations", test_parse_annotations);
  ADD ("/hooks/parse/errors", test_parse_errors);
  g_test_add_func ("/hooks/kind-names", test_kind_names);
  ADD ("/hooks/state/json", test_state_json);
  ADD ("/hooks/run/args-env", test_run_args_env);
  ADD ("/hooks/run/stdin", test_run_stdin);
  ADD ("/hooks/run/failures", test_run_failures);
  ADD ("/hooks/run/stops-at-first-failure", test_run_stops);
  ADD ("/hooks/run/warn", test_run_warn);
  ADD ("/hooks/no-hooks-no-glue", test_no_hooks_no_glue);
  return g_test_run ();
}
