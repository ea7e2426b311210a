/* nook: unit tests for hooks: parsing config.json's hooks and annotations
 * (launcher/config/config-hooks.c).
 *
 * JSON is written with single quotes, turned into double quotes before
 * parsing (as in test-config.c). Each test gets its own bundle in a
 * temporary directory. */
#include <ftw.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "launcher/config/config.h"
#include "launcher/errors.h"

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
  return g_test_run ();
}
