/* nook: unit tests for the OCI config loader (launcher/config*.c).
 *
 * JSON in this file is written with single quotes, turned into double quotes
 * before parsing, so the test cases stay readable. Each test gets its own
 * bundle in a temporary directory: rootfs/ (a directory), data/ (a directory)
 * and file.txt (a regular file). */
#include <ftw.h>
#include <sched.h>
#include <stdio.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "launcher/config/config.h"
#include "launcher/errors.h"

#define LABEL "bundle/config.json"
#define ROOT "'root':{'path':'rootfs'}"
#define PROC "'process':{'args':['sh']}"
#define BASE ROOT "," PROC

typedef struct
{
  char *dir; /* the bundle, absolute */
} Fixture;

static void
write_file (const char *path, const char *contents)
{
  g_autoptr (GError) error = NULL;

  g_file_set_contents (path, contents, -1, &error);
  g_assert_no_error (error);
}

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *rootfs = NULL;
  g_autofree char *data_dir = NULL;
  g_autofree char *file = NULL;

  f->dir = g_dir_make_tmp ("nook-test-config-XXXXXX", &error);
  g_assert_no_error (error);
  rootfs = g_build_filename (f->dir, "rootfs", NULL);
  data_dir = g_build_filename (f->dir, "data", NULL);
  file = g_build_filename (f->dir, "file.txt", NULL);
  g_assert_no_errno (mkdir (rootfs, 0755));
  g_assert_no_errno (mkdir (data_dir, 0755));
  write_file (file, "x");
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

static NookConfig *
parse (Fixture *f, const char *text, GError **error)
{
  g_autofree char *json = g_strdelimit (g_strdup (text), "'", '"');

  return nook_config_parse (json, -1, LABEL, f->dir, error);
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

/* expected is the message after "FILE: ", with @B@ standing for the bundle. */
static void
assert_error (Fixture *f, const char *text, const char *expected)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (NookConfig) config = NULL;
  g_autoptr (GString) message = g_string_new (LABEL ": ");

  g_string_append (message, expected);
  g_string_replace (message, "@B@", f->dir, 0);
  g_test_message ("config: %s", text);
  config = parse (f, text, &error);
  g_assert_null (config);
  g_assert_error (error, NOOK_ERROR, NOOK_ERROR_CONFIG);
  g_assert_cmpstr (error->message, ==, message->str);
}

typedef struct
{
  const char *json;
  const char *message;
} ErrorCase;

typedef struct
{
  const ErrorCase *cases;
  gsize n_cases;
} ErrorTable;

static void
test_errors (Fixture *f, gconstpointer data)
{
  const ErrorTable *table = data;

  for (gsize i = 0; i < table->n_cases; i++)
    assert_error (f, table->cases[i].json, table->cases[i].message);
}

/* ---- loading from files ---- */

static void
test_load_default_path (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (NookConfig) config = NULL;
  g_autofree char *path = g_build_filename (f->dir, "config.json", NULL);
  g_autofree char *rootfs = g_build_filename (f->dir, "rootfs", NULL);

  write_file (path, "{\"root\": {\"path\": \"rootfs\"}, \"process\": {\"args\": [\"true\"]}}");
  config = nook_config_load (f->dir, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (config->config_path, ==, path);
  g_assert_cmpstr (config->bundle_dir, ==, f->dir);
  g_assert_cmpstr (config->root_path, ==, rootfs);
  g_assert_cmpstr (config->process.args[0], ==, "true");
}

static void
test_load_explicit_path (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (NookConfig) config = NULL;
  g_autofree char *path = g_build_filename (f->dir, "data", "other.json", NULL);

  write_file (path, "{\"root\": {\"path\": \"rootfs\"}, \"process\": {\"args\": [\"id\"]}}");
  config = nook_config_load (f->dir, path, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (config->config_path, ==, path);
  g_assert_cmpstr (config->process.args[0], ==, "id");
}

/* bundle_dir in the struct is absolute even when given relative. */
static void
test_load_relative_bundle (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (NookConfig) config = NULL;
  g_autofree char *saved_cwd = g_get_current_dir ();
  g_autofree char *parent = g_path_get_dirname (f->dir);
  g_autofree char *base = g_path_get_basename (f->dir);
  g_autofree char *path = g_build_filename (f->dir, "config.json", NULL);
  g_autofree char *rootfs = g_build_filename (f->dir, "rootfs", NULL);
  g_autofree char *label = g_build_filename (base, "config.json", NULL);

  write_file (path, "{\"root\": {\"path\": \"rootfs\"}, \"process\": {\"args\": [\"sh\"]}}");
  g_assert_no_errno (chdir (parent));
  config = nook_config_load (base, NULL, &error);
  g_assert_no_errno (chdir (saved_cwd));
  g_assert_no_error (error);
  g_assert_cmpstr (config->bundle_dir, ==, f->dir);
  g_assert_cmpstr (config->root_path, ==, rootfs);
  g_assert_cmpstr (config->config_path, ==, label);
}

static void
assert_load_error (const char *bundle, const char *config_path, const char *expected)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (NookConfig) config = nook_config_load (bundle, config_path, &error);

  g_assert_null (config);
  g_assert_error (error, NOOK_ERROR, NOOK_ERROR_CONFIG);
  g_assert_cmpstr (error->message, ==, expected);
}

static void
test_load_errors (Fixture *f, gconstpointer data)
{
  g_autofree char *missing = g_build_filename (f->dir, "nope", NULL);
  g_autofree char *file = g_build_filename (f->dir, "file.txt", NULL);
  g_autofree char *config = g_build_filename (f->dir, "config.json", NULL);
  g_autofree char *data_dir = g_build_filename (f->dir, "data", NULL);
  g_autofree char *msg = NULL;

  msg = g_strdup_printf ("%s: No such file or directory", missing);
  assert_load_error (missing, NULL, msg);
  g_free (msg);
  msg = g_strdup_printf ("%s: is not a directory", file);
  assert_load_error (file, NULL, msg);
  g_free (msg);
  msg = g_strdup_printf ("%s: No such file or directory", config);
  assert_load_error (f->dir, NULL, msg);
  g_free (msg);
  msg = g_strdup_printf ("%s: Is a directory", data_dir);
  assert_load_error (f->dir, data_dir, msg);
  g_free (msg);

  /* Errors inside the file name it as it was given. */
  write_file (config, "{\"root\": {\"path\": \"rootfs\"}, \"process\": {\"args\": []}}");
  msg = g_strdup_printf ("%s: process.args: must not be empty", config);
  assert_load_error (f->dir, NULL, msg);
}

/* ---- JSON level ---- */

static void
test_json_syntax (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (NookConfig) config = NULL;

  config = parse (f, "{\n  'root': {'path': 'rootfs'},\n  'process': {'args': [}\n}", &error);
  g_assert_null (config);
  g_assert_error (error, NOOK_ERROR, NOOK_ERROR_CONFIG);
  g_test_message ("%s", error->message);
  /* Line and column from json-glib, with the file instead of "<data>". */
  g_assert_true (
      g_regex_match_simple ("^" LABEL ": line 3, column [0-9]+: ", error->message, 0, 0));
  g_assert_null (strchr (error->message, '\n'));
}

static const ErrorCase json_errors[] = {
  { "", "empty file, expected a JSON object" },
  { "[1]", "expected a JSON object at the top level" },
  { "{" PROC "}", "root: missing required field" },
  { "{" ROOT "}", "process: missing required field" },
  { "{'root':null," PROC "}", "root: missing required field" },
  { "{'root':'rootfs'," PROC "}", "root: expected an object" },
  { "{" BASE ",'ociVersion':1}", "ociVersion: expected a string" },
  { "{" BASE ",'hostname':['a']}", "hostname: expected a string" },
  { "{" BASE ",'domainname':true}", "domainname: expected a string" },
  { "{" BASE ",'mounts':{}}", "mounts: expected an array" },
  { "{" BASE ",'linux':[]}", "linux: expected an object" },
};

/* Unknown members are ignored at every level, and null means absent. */
static void
test_json_lenient (Fixture *f, gconstpointer data)
{
  g_autoptr (NookConfig) config = parse_ok (
      f, "{'ociVersion':'1.0.2','x-extra':{'a':[1,2]},'annotations':{'a':'b'},'hooks':{},"
         "'root':{'path':'rootfs','foo':1},"
         "'process':{'args':['sh'],'env':null,'cwd':null,'user':null,'capabilities':null,"
         "'consoleSize':{'height':1,'width':2},'apparmorProfile':'x','rlimits':null},"
         "'hostname':null,'mounts':null,"
         "'linux':{'seccomp':null,'resources':null,'namespaces':null,'unknown':true}}");

  g_assert_cmpstr (config->oci_version, ==, "1.0.2");
  g_assert_cmpstr (config->process.cwd, ==, "/");
  g_assert_nonnull (config->process.env);
  g_assert_null (config->process.env[0]);
  g_assert_false (config->process.has_capabilities);
  g_assert_null (config->hostname);
  g_assert_cmpuint (config->n_mounts, ==, 0);
  g_assert_null (config->seccomp);
  g_assert_false (config->has_resources);
  for (guint i = 0; i < NOOK_NS_COUNT; i++)
    g_assert_false (config->namespaces[i].requested);
}

/* ---- root ---- */

static void
test_root (Fixture *f, gconstpointer data)
{
  g_autofree char *rootfs = g_build_filename (f->dir, "rootfs", NULL);
  g_autofree char *json
      = g_strdup_printf ("{'root':{'path':'%s','readonly':true}," PROC "}", rootfs);
  g_autoptr (NookConfig) relative = parse_ok (f, "{'root':{'path':'./rootfs/'}," PROC "}");
  g_autoptr (NookConfig) absolute = parse_ok (f, json);

  g_assert_cmpstr (relative->root_path, ==, rootfs);
  g_assert_false (relative->root_readonly);
  g_assert_cmpstr (absolute->root_path, ==, rootfs);
  g_assert_true (absolute->root_readonly);
  g_assert_cmpstr (absolute->bundle_dir, ==, f->dir);
  g_assert_cmpstr (absolute->config_path, ==, LABEL);
}

static const ErrorCase root_errors[] = {
  { "{'root':{}," PROC "}", "root.path: missing required field" },
  { "{'root':{'path':7}," PROC "}", "root.path: expected a string" },
  { "{'root':{'path':'nope'}," PROC "}", "root.path: @B@/nope: No such file or directory" },
  { "{'root':{'path':'file.txt'}," PROC "}", "root.path: @B@/file.txt: is not a directory" },
  { "{'root':{'path':'rootfs','readonly':'yes'}," PROC "}", "root.readonly: expected a boolean" },
};

/* ---- process ---- */

static void
test_process_fields (Fixture *f, gconstpointer data)
{
  g_autoptr (NookConfig) config
      = parse_ok (f, "{" ROOT ",'process':{'terminal':true,'args':['/bin/sh','-c','echo hi'],"
                     "'env':['PATH=/usr/bin:/bin','EMPTY=','A=b=c'],'cwd':'/work',"
                     "'user':{'uid':1000,'gid':100,'additionalGids':[5,4294967294],'umask':18},"
                     "'noNewPrivileges':true}}");
  NookProcess *p = &config->process;

  g_assert_true (p->terminal);
  g_assert_cmpuint (g_strv_length (p->args), ==, 3);
  g_assert_cmpstr (p->args[0], ==, "/bin/sh");
  g_assert_cmpstr (p->args[2], ==, "echo hi");
  g_assert_cmpuint (g_strv_length (p->env), ==, 3);
  g_assert_cmpstr (p->env[0], ==, "PATH=/usr/bin:/bin");
  g_assert_cmpstr (p->env[1], ==, "EMPTY=");
  g_assert_cmpstr (p->env[2], ==, "A=b=c");
  g_assert_cmpstr (p->cwd, ==, "/work");
  g_assert_cmpuint (p->uid, ==, 1000);
  g_assert_cmpuint (p->gid, ==, 100);
  g_assert_cmpuint (p->n_additional_gids, ==, 2);
  g_assert_cmpuint (p->additional_gids[0], ==, 5);
  g_assert_cmpuint (p->additional_gids[1], ==, 4294967294u);
  g_assert_true (p->has_umask);
  g_assert_cmpuint (p->umask, ==, 022);
  g_assert_true (p->no_new_privileges);
  g_assert_false (p->has_capabilities);
}

static void
test_process_defaults (Fixture *f, gconstpointer data)
{
  g_autoptr (NookConfig) config = parse_ok (f, "{" BASE "}");
  NookProcess *p = &config->process;

  g_assert_false (p->terminal);
  g_assert_cmpstr (p->args[0], ==, "sh");
  g_assert_null (p->args[1]);
  g_assert_nonnull (p->env);
  g_assert_null (p->env[0]);
  g_assert_cmpstr (p->cwd, ==, "/");
  g_assert_cmpuint (p->uid, ==, 0);
  g_assert_cmpuint (p->gid, ==, 0);
  g_assert_cmpuint (p->n_additional_gids, ==, 0);
  g_assert_false (p->has_umask);
  g_assert_false (p->has_capabilities);
  g_assert_cmpuint (p->n_rlimits, ==, 0);
  g_assert_false (p->no_new_privileges);
  g_assert_null (config->oci_version);
  g_assert_nonnull (config->masked_paths);
  g_assert_null (config->masked_paths[0]);
  g_assert_nonnull (config->readonly_paths);
  g_assert_null (config->readonly_paths[0]);
  g_assert_cmpuint (config->rootfs_propagation, ==, 0);
}

#define P(body) "{" ROOT ",'process':{" body "}}"
#define PA(body) P ("'args':['sh']," body)

static const ErrorCase process_errors[] = {
  { P (""), "process.args: missing required field" },
  { P ("'args':'sh'"), "process.args: expected an array" },
  { P ("'args':[]"), "process.args: must not be empty" },
  { P ("'args':['a','b',3]"), "process.args[2]: expected a string" },
  { P ("'args':['a',null]"), "process.args[1]: expected a string" },
  /* Indices of more than one digit (config-json.c writes them by hand). */
  { P ("'args':['0','1','2','3','4','5','6','7','8','9','10','11',[]]"),
    "process.args[12]: expected a string" },
  { "{" ROOT ",'process':[]}", "process: expected an object" },
  { PA ("'terminal':1"), "process.terminal: expected a boolean" },
  { PA ("'env':['A=1','FOO']"), "process.env[1]: \"FOO\" is not of the form NAME=VALUE" },
  { PA ("'env':['A\\nB']"), "process.env[0]: \"A\\nB\" is not of the form NAME=VALUE" },
  { PA ("'cwd':'work'"), "process.cwd: must be an absolute path" },
  { PA ("'noNewPrivileges':'true'"), "process.noNewPrivileges: expected a boolean" },
  { PA ("'user':{'gid':0}"), "process.user.uid: missing required field" },
  { PA ("'user':{'uid':0}"), "process.user.gid: missing required field" },
  { PA ("'user':{'uid':-1,'gid':0}"), "process.user.uid: -1 is out of range (0..4294967294)" },
  { PA ("'user':{'uid':4294967295,'gid':0}"),
    "process.user.uid: 4294967295 is out of range (0..4294967294)" },
  { PA ("'user':{'uid':'0','gid':0}"), "process.user.uid: expected an integer" },
  { PA ("'user':{'uid':1.0,'gid':0}"), "process.user.uid: expected an integer" },
  { PA ("'user':{'uid':0,'gid':true}"), "process.user.gid: expected an integer" },
  { PA ("'user':{'uid':0,'gid':0,'additionalGids':[1,-2]}"),
    "process.user.additionalGids[1]: -2 is out of range (0..4294967294)" },
  { PA ("'user':{'uid':0,'gid':0,'umask':512}"),
    "process.user.umask: 512 is out of range (0..511)" },
  { PA ("'capabilities':{'bounding':['CAP_CHOWN','CAP_KILL','CAP_SETUID','CAP_FOO']}"),
    "process.capabilities.bounding[3]: unknown capability \"CAP_FOO\"" },
  { PA ("'capabilities':{'ambient':['chown']}"),
    "process.capabilities.ambient[0]: unknown capability \"chown\"" },
  { PA ("'capabilities':{'effective':'CAP_CHOWN'}"),
    "process.capabilities.effective: expected an array" },
  { PA ("'capabilities':['CAP_CHOWN']"), "process.capabilities: expected an object" },
  { PA ("'rlimits':[{'type':'RLIMIT_FOO','soft':1,'hard':1}]"),
    "process.rlimits[0].type: unknown rlimit \"RLIMIT_FOO\"" },
  { PA ("'rlimits':[{'type':'RLIMIT_NOFILE','soft':1,'hard':2},"
        "{'type':'RLIMIT_CORE','soft':0,'hard':0},{'type':'RLIMIT_NOFILE','soft':3,'hard':3}]"),
    "process.rlimits[2].type: duplicate rlimit \"RLIMIT_NOFILE\" (also in process.rlimits[0])" },
  { PA ("'rlimits':[{'type':'RLIMIT_NOFILE','soft':10,'hard':5}]"),
    "process.rlimits[0]: soft limit 10 is above hard limit 5" },
  { PA ("'rlimits':[{'type':'RLIMIT_NOFILE','soft':10}]"),
    "process.rlimits[0].hard: missing required field" },
  { PA ("'rlimits':[{'soft':1,'hard':1}]"), "process.rlimits[0].type: missing required field" },
  { PA ("'rlimits':[{'type':'RLIMIT_NOFILE','soft':'1','hard':1}]"),
    "process.rlimits[0].soft: expected an integer" },
  { PA ("'rlimits':{}"), "process.rlimits: expected an array" },
};

static void
test_process_capabilities (Fixture *f, gconstpointer data)
{
  g_autoptr (NookConfig) config
      = parse_ok (f, PA ("'capabilities':{'bounding':['CAP_CHOWN','CAP_NET_BIND_SERVICE',"
                         "'CAP_CHECKPOINT_RESTORE'],'effective':['CAP_KILL','CAP_KILL'],"
                         "'permitted':['CAP_SYS_ADMIN'],'inheritable':[],'ambient':['CAP_BPF']}"));
  g_autoptr (NookConfig) empty = parse_ok (f, PA ("'capabilities':{}"));
  const NookCaps *caps = &config->process.caps;

  g_assert_true (config->process.has_capabilities);
  g_assert_cmphex (caps->bounding, ==, (1ull << 0) | (1ull << 10) | (1ull << 40));
  g_assert_cmphex (caps->effective, ==, 1ull << 5);
  g_assert_cmphex (caps->permitted, ==, 1ull << 21);
  g_assert_cmphex (caps->inheritable, ==, 0);
  g_assert_cmphex (caps->ambient, ==, 1ull << 39);

  /* Present but empty: every capability dropped, on purpose. */
  g_assert_true (empty->process.has_capabilities);
  g_assert_cmphex (empty->process.caps.bounding, ==, 0);
  g_assert_cmphex (empty->process.caps.effective, ==, 0);
}

static void
test_process_rlimits (Fixture *f, gconstpointer data)
{
  g_autoptr (NookConfig) config = parse_ok (
      f, PA ("'rlimits':[{'type':'RLIMIT_NOFILE','soft':1024,'hard':4096},"
             "{'type':'RLIMIT_CORE','soft':18446744073709551615,'hard':18446744073709551615},"
             "{'type':'RLIMIT_RTTIME','soft':0,'hard':9223372036854775807}]"));
  const NookRlimit *r = config->process.rlimits;

  g_assert_cmpuint (config->process.n_rlimits, ==, 3);
  g_assert_cmpstr (r[0].name, ==, "RLIMIT_NOFILE");
  g_assert_cmpint (r[0].resource, ==, RLIMIT_NOFILE);
  g_assert_cmpuint (r[0].soft, ==, 1024);
  g_assert_cmpuint (r[0].hard, ==, 4096);
  /* RLIM_INFINITY as podman writes it. */
  g_assert_cmpstr (r[1].name, ==, "RLIMIT_CORE");
  g_assert_cmpint (r[1].resource, ==, RLIMIT_CORE);
  g_assert_cmpuint (r[1].soft, ==, G_MAXUINT64);
  g_assert_cmpuint (r[1].hard, ==, RLIM_INFINITY);
  g_assert_cmpint (r[2].resource, ==, RLIMIT_RTTIME);
  g_assert_cmpuint (r[2].hard, ==, G_MAXINT64);
}

/* ---- hostname ---- */

static void
test_hostname (Fixture *f, gconstpointer data)
{
  g_autoptr (NookConfig) config
      = parse_ok (f, "{" BASE ",'hostname':'box','domainname':'example.org'}");

  g_assert_cmpstr (config->hostname, ==, "box");
  g_assert_cmpstr (config->domainname, ==, "example.org");
}

/* ---- mounts ---- */

typedef struct
{
  const char *option;
  unsigned long flags;
  unsigned long clear_flags;
  unsigned long propagation;
} OptionCase;

static const OptionCase option_cases[] = {
  { "ro", MS_RDONLY, 0, 0 },
  { "rw", 0, MS_RDONLY, 0 },
  { "nosuid", MS_NOSUID, 0, 0 },
  { "suid", 0, MS_NOSUID, 0 },
  { "nodev", MS_NODEV, 0, 0 },
  { "dev", 0, MS_NODEV, 0 },
  { "noexec", MS_NOEXEC, 0, 0 },
  { "exec", 0, MS_NOEXEC, 0 },
  { "sync", MS_SYNCHRONOUS, 0, 0 },
  { "async", 0, MS_SYNCHRONOUS, 0 },
  { "dirsync", MS_DIRSYNC, 0, 0 },
  { "mand", MS_MANDLOCK, 0, 0 },
  { "nomand", 0, MS_MANDLOCK, 0 },
  { "noatime", MS_NOATIME, 0, 0 },
  { "atime", 0, MS_NOATIME, 0 },
  { "nodiratime", MS_NODIRATIME, 0, 0 },
  { "diratime", 0, MS_NODIRATIME, 0 },
  { "relatime", MS_RELATIME, 0, 0 },
  { "norelatime", 0, MS_RELATIME, 0 },
  { "strictatime", MS_STRICTATIME, 0, 0 },
  { "nostrictatime", 0, MS_STRICTATIME, 0 },
  { "remount", MS_REMOUNT, 0, 0 },
  { "silent", MS_SILENT, 0, 0 },
  { "defaults", 0, 0, 0 },
  { "private", 0, 0, MS_PRIVATE },
  { "rprivate", 0, 0, MS_PRIVATE | MS_REC },
  { "shared", 0, 0, MS_SHARED },
  { "rshared", 0, 0, MS_SHARED | MS_REC },
  { "slave", 0, 0, MS_SLAVE },
  { "rslave", 0, 0, MS_SLAVE | MS_REC },
  { "unbindable", 0, 0, MS_UNBINDABLE },
  { "runbindable", 0, 0, MS_UNBINDABLE | MS_REC },
};

static void
test_mount_options (Fixture *f, gconstpointer data)
{
  for (gsize i = 0; i < G_N_ELEMENTS (option_cases); i++)
    {
      const OptionCase *c = &option_cases[i];
      g_autofree char *json = g_strdup_printf (
          "{" BASE ",'mounts':[{'destination':'/tmp','type':'tmpfs','source':'tmpfs',"
          "'options':['%s']}]}",
          c->option);
      g_autoptr (NookConfig) config = parse_ok (f, json);
      const NookMount *m = &config->mounts[0];

      g_test_message ("option %s", c->option);
      g_assert_cmphex (m->flags, ==, c->flags);
      g_assert_cmphex (m->clear_flags, ==, c->clear_flags);
      g_assert_cmphex (m->propagation, ==, c->propagation);
      g_assert_null (m->data);
      g_assert_false (m->is_bind);
      g_assert_cmpstr (m->options[0], ==, c->option);
    }
}

static void
test_mounts (Fixture *f, gconstpointer data)
{
  g_autofree char *data_dir = g_build_filename (f->dir, "data", NULL);
  g_autofree char *file = g_build_filename (f->dir, "file.txt", NULL);
  g_autoptr (NookConfig) config = parse_ok (
      f, "{" BASE ",'mounts':["
         "{'destination':'/proc','type':'proc','source':'proc'},"
         "{'destination':'/dev/pts','type':'devpts','source':'devpts','options':['nosuid',"
         "'noexec','newinstance','ptmxmode=0666','mode=0620','gid=5']},"
         "{'destination':'/data','type':'bind','source':'data','options':['ro','rprivate']},"
         "{'destination':'/etc/f','source':'./file.txt','options':['rbind','nosuid','ro','rw']},"
         "{'destination':'/usr','type':'none','source':'/usr','options':['bind','shared']},"
         "{'destination':'/tmp','type':'tmpfs','source':'tmpfs','options':['mode=1777',"
         "'size=65536k','private']}]}");
  const NookMount *m = config->mounts;

  g_assert_cmpuint (config->n_mounts, ==, 6);
  g_assert_cmpstr (m[0].destination, ==, "/proc");
  g_assert_cmpstr (m[0].type, ==, "proc");
  g_assert_cmpstr (m[0].source, ==, "proc");
  g_assert_nonnull (m[0].options);
  g_assert_null (m[0].options[0]);
  g_assert_cmphex (m[0].flags, ==, 0);
  g_assert_null (m[0].data);
  g_assert_false (m[0].is_bind);

  g_assert_cmphex (m[1].flags, ==, MS_NOSUID | MS_NOEXEC);
  g_assert_cmpstr (m[1].data, ==, "newinstance,ptmxmode=0666,mode=0620,gid=5");
  g_assert_cmpuint (g_strv_length (m[1].options), ==, 6);

  /* type "bind": a relative source is taken from the bundle. */
  g_assert_true (m[2].is_bind);
  g_assert_cmpstr (m[2].source, ==, data_dir);
  g_assert_cmphex (m[2].flags, ==, MS_BIND | MS_RDONLY);
  g_assert_cmphex (m[2].propagation, ==, MS_PRIVATE | MS_REC);
  g_assert_null (m[2].data);

  /* No type, rbind option; "rw" after "ro" wins. */
  g_assert_true (m[3].is_bind);
  g_assert_null (m[3].type);
  g_assert_cmpstr (m[3].source, ==, file);
  g_assert_cmphex (m[3].flags, ==, MS_BIND | MS_REC | MS_NOSUID);
  g_assert_cmphex (m[3].clear_flags, ==, MS_RDONLY);

  g_assert_true (m[4].is_bind);
  g_assert_cmpstr (m[4].source, ==, "/usr");
  g_assert_cmphex (m[4].flags, ==, MS_BIND);
  g_assert_cmphex (m[4].propagation, ==, MS_SHARED);

  g_assert_false (m[5].is_bind);
  g_assert_cmpstr (m[5].data, ==, "mode=1777,size=65536k");
  g_assert_cmphex (m[5].propagation, ==, MS_PRIVATE);
}

#define M(body) "{" BASE ",'mounts':[{'destination':'/proc','type':'proc'}," body "]}"

static const ErrorCase mount_errors[] = {
  { M ("{'destination':'tmp','type':'tmpfs'}"), "mounts[1].destination: must be an absolute path" },
  { M ("{'type':'tmpfs'}"), "mounts[1].destination: missing required field" },
  { M ("{'destination':'/x','source':'nope','type':'bind'}"),
    "mounts[1].source: @B@/nope: No such file or directory" },
  { M ("{'destination':'/x','source':'/nonexistent/nook-test','options':['rbind']}"),
    "mounts[1].source: /nonexistent/nook-test: No such file or directory" },
  { M ("{'destination':'/x','type':'bind'}"), "mounts[1].source: required for a bind mount" },
  { M ("{'destination':'/x','type':'tmpfs','options':'ro'}"),
    "mounts[1].options: expected an array" },
  { M ("{'destination':'/x','type':'tmpfs','options':['ro',1]}"),
    "mounts[1].options[1]: expected a string" },
  { M ("{'destination':'/x','type':7}"), "mounts[1].type: expected a string" },
  { M ("'/x'"), "mounts[1]: expected an object" },
};

/* ---- linux ---- */

#define L(body) "{" BASE ",'linux':{" body "}}"

static void
test_namespaces (Fixture *f, gconstpointer data)
{
  g_autoptr (NookConfig) config
      = parse_ok (f, L ("'namespaces':[{'type':'pid'},{'type':'network','path':'/proc/1/ns/net'},"
                        "{'type':'ipc'},{'type':'uts'},{'type':'mount'},{'type':'user'},"
                        "{'type':'cgroup','path':null}]"));
  g_autoptr (NookConfig) some = parse_ok (f, L ("'namespaces':[{'type':'mount'}]"));

  for (guint i = 0; i < NOOK_NS_COUNT; i++)
    g_assert_true (config->namespaces[i].requested);
  g_assert_cmpstr (config->namespaces[NOOK_NS_NETWORK].path, ==, "/proc/1/ns/net");
  g_assert_null (config->namespaces[NOOK_NS_PID].path);
  g_assert_null (config->namespaces[NOOK_NS_CGROUP].path);

  g_assert_true (some->namespaces[NOOK_NS_MOUNT].requested);
  g_assert_false (some->namespaces[NOOK_NS_USER].requested);
  g_assert_false (some->namespaces[NOOK_NS_PID].requested);
}

static void
test_ns_type_names (void)
{
  static const struct
  {
    NookNsType type;
    const char *name;
    int flag;
  } expected[] = {
    { NOOK_NS_USER, "user", CLONE_NEWUSER },       { NOOK_NS_MOUNT, "mount", CLONE_NEWNS },
    { NOOK_NS_PID, "pid", CLONE_NEWPID },          { NOOK_NS_UTS, "uts", CLONE_NEWUTS },
    { NOOK_NS_IPC, "ipc", CLONE_NEWIPC },          { NOOK_NS_NETWORK, "network", CLONE_NEWNET },
    { NOOK_NS_CGROUP, "cgroup", CLONE_NEWCGROUP },
  };

  G_STATIC_ASSERT (G_N_ELEMENTS (expected) == NOOK_NS_COUNT);
  for (gsize i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      g_assert_cmpstr (nook_ns_type_name (expected[i].type), ==, expected[i].name);
      g_assert_cmphex (nook_ns_type_clone_flag (expected[i].type), ==, expected[i].flag);
    }
}

static void
test_mappings_and_paths (Fixture *f, gconstpointer data)
{
  g_autoptr (NookConfig) config = parse_ok (
      f, L ("'uidMappings':[{'containerID':0,'hostID':1000,'size':1},"
            "{'containerID':1,'hostID':100000,'size':65536}],"
            "'gidMappings':[{'containerID':0,'hostID':4294967295,'size':1}],"
            "'maskedPaths':['/proc/kcore','/sys/firmware'],'readonlyPaths':['/proc/sys']"));

  g_assert_cmpuint (config->n_uid_mappings, ==, 2);
  g_assert_cmpuint (config->uid_mappings[0].container_id, ==, 0);
  g_assert_cmpuint (config->uid_mappings[0].host_id, ==, 1000);
  g_assert_cmpuint (config->uid_mappings[0].size, ==, 1);
  g_assert_cmpuint (config->uid_mappings[1].container_id, ==, 1);
  g_assert_cmpuint (config->uid_mappings[1].host_id, ==, 100000);
  g_assert_cmpuint (config->uid_mappings[1].size, ==, 65536);
  g_assert_cmpuint (config->n_gid_mappings, ==, 1);
  g_assert_cmpuint (config->gid_mappings[0].host_id, ==, 4294967295u);
  g_assert_cmpuint (g_strv_length (config->masked_paths), ==, 2);
  g_assert_cmpstr (config->masked_paths[1], ==, "/sys/firmware");
  g_assert_cmpuint (g_strv_length (config->readonly_paths), ==, 1);
  g_assert_cmpstr (config->readonly_paths[0], ==, "/proc/sys");
}

static void
test_sysctl (Fixture *f, gconstpointer data)
{
  g_autoptr (NookConfig) config = parse_ok (
      f, L ("'namespaces':[{'type':'network'},{'type':'ipc'},{'type':'uts'}],"
            "'sysctl':{'net.ipv4.ip_forward':'1','kernel.shmmax':'65536',"
            "'fs.mqueue.msg_max':'20','kernel.domainname':'example.org','net.core.x':null}"));

  g_assert_cmpuint (config->n_sysctl, ==, 4);
  g_assert_cmpstr (config->sysctl[0].key, ==, "net.ipv4.ip_forward");
  g_assert_cmpstr (config->sysctl[0].value, ==, "1");
  g_assert_cmpstr (config->sysctl[1].key, ==, "kernel.shmmax");
  g_assert_cmpstr (config->sysctl[2].key, ==, "fs.mqueue.msg_max");
  g_assert_cmpstr (config->sysctl[3].key, ==, "kernel.domainname");
  g_assert_cmpstr (config->sysctl[3].value, ==, "example.org");
}

static void
test_rootfs_propagation (Fixture *f, gconstpointer data)
{
  static const struct
  {
    const char *name;
    unsigned long flags;
  } cases[] = {
    { "private", MS_PRIVATE },       { "rprivate", MS_PRIVATE | MS_REC },
    { "shared", MS_SHARED },         { "rshared", MS_SHARED | MS_REC },
    { "slave", MS_SLAVE },           { "rslave", MS_SLAVE | MS_REC },
    { "unbindable", MS_UNBINDABLE }, { "runbindable", MS_UNBINDABLE | MS_REC },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *json = g_strdup_printf (L ("'rootfsPropagation':'%s'"), cases[i].name);
      g_autoptr (NookConfig) config = parse_ok (f, json);

      g_assert_cmphex (config->rootfs_propagation, ==, cases[i].flags);
    }
}

static void
test_resources (Fixture *f, gconstpointer data)
{
  static const struct
  {
    const char *resources;
    gboolean expected;
  } cases[] = {
    { "{}", FALSE },
    { "{'memory':{},'cpu':{'shares':null},'pids':null,'hugepageLimits':[]}", FALSE },
    { "{'devices':[{'allow':false,'access':'rwm'}]}", FALSE },
    { "{'memory':{'disableOOMKiller':false}}", FALSE },
    { "{'memory':{'limit':1048576}}", TRUE },
    { "{'pids':{'limit':10}}", TRUE },
    { "{'cpu':{'cpus':'0-1'}}", TRUE },
    { "{'cpu':{'quota':0}}", TRUE },
    { "{'devices':[{'allow':false},{'allow':true,'type':'c','major':1,'minor':3}]}", TRUE },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *json = g_strdup_printf (L ("'resources':%s"), cases[i].resources);
      g_autoptr (NookConfig) config = parse_ok (f, json);

      g_test_message ("resources %s", cases[i].resources);
      g_assert_cmpint (config->has_resources, ==, cases[i].expected);
    }
}

static const ErrorCase linux_errors[] = {
  { L ("'namespaces':[{'type':'pid'},{'type':'uts'},{'type':'ipc'},{'type':'foo'}]"),
    "linux.namespaces[3].type: unknown namespace type \"foo\"" },
  { L ("'namespaces':[{'type':'time'}]"),
    "linux.namespaces[0].type: namespace type \"time\" is not supported" },
  { L ("'namespaces':[{'type':'pid'},{'type':'uts'},{'type':'pid'}]"),
    "linux.namespaces[2].type: duplicate namespace \"pid\" (also in linux.namespaces[0])" },
  { L ("'namespaces':[{'type':'network','path':'proc/1/ns/net'}]"),
    "linux.namespaces[0].path: must be an absolute path" },
  { L ("'namespaces':[{'path':'/proc/1/ns/net'}]"),
    "linux.namespaces[0].type: missing required field" },
  { L ("'namespaces':['pid']"), "linux.namespaces[0]: expected an object" },
  { L ("'uidMappings':[{'containerID':0,'hostID':1000,'size':0}]"),
    "linux.uidMappings[0].size: must be greater than 0" },
  { L ("'gidMappings':[{'containerID':0,'hostID':1000,'size':1},"
       "{'containerID':1,'hostID':-5,'size':1}]"),
    "linux.gidMappings[1].hostID: -5 is out of range (0..4294967295)" },
  { L ("'uidMappings':[{'containerID':4294967296,'hostID':0,'size':1}]"),
    "linux.uidMappings[0].containerID: 4294967296 is out of range (0..4294967295)" },
  { L ("'uidMappings':[{'containerID':0,'hostID':1000}]"),
    "linux.uidMappings[0].size: missing required field" },
  { L ("'uidMappings':[{'containerID':2,'hostID':0,'size':4294967295}]"),
    "linux.uidMappings[0]: range goes beyond id 4294967295" },
  { L ("'maskedPaths':['/proc/kcore','sys']"), "linux.maskedPaths[1]: must be an absolute path" },
  { L ("'readonlyPaths':[1]"), "linux.readonlyPaths[0]: expected a string" },
  { L ("'namespaces':[{'type':'network'}],'sysctl':{'net.ipv4.ip_forward':'1',"
       "'vm.swappiness':'10'}"),
    "linux.sysctl.\"vm.swappiness\": not a namespaced sysctl" },
  { L ("'sysctl':{'net.ipv4.ip_forward':'1'}"),
    "linux.sysctl.\"net.ipv4.ip_forward\": needs namespace \"network\" in linux.namespaces" },
  { L ("'namespaces':[{'type':'network'}],'sysctl':{'kernel.msgmax':'8192'}"),
    "linux.sysctl.\"kernel.msgmax\": needs namespace \"ipc\" in linux.namespaces" },
  { L ("'sysctl':{'kernel.hostname':'x'}"),
    "linux.sysctl.\"kernel.hostname\": needs namespace \"uts\" in linux.namespaces" },
  { L ("'sysctl':{'kernel.pid_max':'10'}"),
    "linux.sysctl.\"kernel.pid_max\": not a namespaced sysctl" },
  { L ("'namespaces':[{'type':'network'}],'sysctl':{'net.ipv4.ip_forward':1}"),
    "linux.sysctl.\"net.ipv4.ip_forward\": expected a string" },
  { L ("'sysctl':['net.ipv4.ip_forward=1']"), "linux.sysctl: expected an object" },
  { L ("'rootfsPropagation':'rprivat'"),
    "linux.rootfsPropagation: unknown propagation \"rprivat\"" },
  { L ("'resources':[]"), "linux.resources: expected an object" },
};

/* ---- seccomp ---- */

static void
test_seccomp (Fixture *f, gconstpointer data)
{
  g_autoptr (NookConfig) config = parse_ok (
      f, L ("'seccomp':{'defaultAction':'SCMP_ACT_ERRNO','defaultErrnoRet':38,"
            "'architectures':['SCMP_ARCH_X86_64','SCMP_ARCH_X86','SCMP_ARCH_X32'],"
            "'flags':['SECCOMP_FILTER_FLAG_TSYNC','SECCOMP_FILTER_FLAG_SPEC_ALLOW',"
            "'SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV'],'listenerPath':'/run/x.sock',"
            "'syscalls':["
            "{'names':['read','write'],'action':'SCMP_ACT_ALLOW'},"
            "{'names':['personality'],'action':'SCMP_ACT_ALLOW','args':[{'index':0,"
            "'value':4294967295,'op':'SCMP_CMP_EQ'},{'index':5,'value':18446744073709551615,"
            "'valueTwo':8,'op':'SCMP_CMP_MASKED_EQ'}]},"
            "{'names':['mount'],'name':'umount2','action':'SCMP_ACT_ERRNO','errnoRet':1},"
            "{'name':'ptrace','action':'SCMP_ACT_KILL'}]}"));
  const NookSeccomp *s = config->seccomp;

  g_assert_nonnull (s);
  g_assert_cmpint (s->default_action, ==, NOOK_SECCOMP_ACT_ERRNO);
  g_assert_true (s->has_default_errno_ret);
  g_assert_cmpuint (s->default_errno_ret, ==, 38);
  g_assert_cmpuint (g_strv_length (s->architectures), ==, 3);
  g_assert_cmpstr (s->architectures[0], ==, "SCMP_ARCH_X86_64");
  g_assert_cmpstr (s->architectures[2], ==, "SCMP_ARCH_X32");
  g_assert_true (s->has_flags);
  g_assert_cmphex (s->flags, ==, 1 | 4 | 32);
  g_assert_cmpuint (s->n_rules, ==, 4);

  g_assert_cmpuint (g_strv_length (s->rules[0].names), ==, 2);
  g_assert_cmpstr (s->rules[0].names[1], ==, "write");
  g_assert_cmpint (s->rules[0].action, ==, NOOK_SECCOMP_ACT_ALLOW);
  g_assert_false (s->rules[0].has_errno_ret);
  g_assert_cmpuint (s->rules[0].n_args, ==, 0);

  g_assert_cmpuint (s->rules[1].n_args, ==, 2);
  g_assert_cmpuint (s->rules[1].args[0].index, ==, 0);
  g_assert_cmpuint (s->rules[1].args[0].value, ==, 4294967295u);
  g_assert_cmpuint (s->rules[1].args[0].value_two, ==, 0);
  g_assert_cmpint (s->rules[1].args[0].op, ==, NOOK_SECCOMP_OP_EQ);
  g_assert_cmpuint (s->rules[1].args[1].index, ==, 5);
  g_assert_cmpuint (s->rules[1].args[1].value, ==, G_MAXUINT64);
  g_assert_cmpuint (s->rules[1].args[1].value_two, ==, 8);
  g_assert_cmpint (s->rules[1].args[1].op, ==, NOOK_SECCOMP_OP_MASKED_EQ);

  /* "names" then "name". */
  g_assert_cmpuint (g_strv_length (s->rules[2].names), ==, 2);
  g_assert_cmpstr (s->rules[2].names[0], ==, "mount");
  g_assert_cmpstr (s->rules[2].names[1], ==, "umount2");
  g_assert_true (s->rules[2].has_errno_ret);
  g_assert_cmpuint (s->rules[2].errno_ret, ==, 1);

  g_assert_cmpstr (s->rules[3].names[0], ==, "ptrace");
  g_assert_null (s->rules[3].names[1]);
  g_assert_cmpint (s->rules[3].action, ==, NOOK_SECCOMP_ACT_KILL_THREAD);
}

static void
test_seccomp_names (Fixture *f, gconstpointer data)
{
  static const struct
  {
    const char *name;
    NookSeccompAction action;
  } actions[] = {
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
  static const struct
  {
    const char *name;
    NookSeccompOp op;
  } ops[] = {
    { "SCMP_CMP_NE", NOOK_SECCOMP_OP_NE },
    { "SCMP_CMP_LT", NOOK_SECCOMP_OP_LT },
    { "SCMP_CMP_LE", NOOK_SECCOMP_OP_LE },
    { "SCMP_CMP_EQ", NOOK_SECCOMP_OP_EQ },
    { "SCMP_CMP_GE", NOOK_SECCOMP_OP_GE },
    { "SCMP_CMP_GT", NOOK_SECCOMP_OP_GT },
    { "SCMP_CMP_MASKED_EQ", NOOK_SECCOMP_OP_MASKED_EQ },
  };
  static const char *const arches[] = {
    "SCMP_ARCH_X86",     "SCMP_ARCH_X86_64",   "SCMP_ARCH_X32",         "SCMP_ARCH_ARM",
    "SCMP_ARCH_AARCH64", "SCMP_ARCH_MIPS",     "SCMP_ARCH_MIPS64",      "SCMP_ARCH_MIPS64N32",
    "SCMP_ARCH_MIPSEL",  "SCMP_ARCH_MIPSEL64", "SCMP_ARCH_MIPSEL64N32", "SCMP_ARCH_PPC",
    "SCMP_ARCH_PPC64",   "SCMP_ARCH_PPC64LE",  "SCMP_ARCH_S390",        "SCMP_ARCH_S390X",
    "SCMP_ARCH_PARISC",  "SCMP_ARCH_PARISC64", "SCMP_ARCH_RISCV64",
  };

  for (gsize i = 0; i < G_N_ELEMENTS (actions); i++)
    {
      g_autofree char *json = g_strdup_printf (
          L ("'seccomp':{'defaultAction':'%s','syscalls':[{'names':['x'],'action':'%s'}]}"),
          actions[i].name, actions[i].name);
      g_autoptr (NookConfig) config = parse_ok (f, json);

      g_assert_cmpint (config->seccomp->default_action, ==, actions[i].action);
      g_assert_cmpint (config->seccomp->rules[0].action, ==, actions[i].action);
    }
  for (gsize i = 0; i < G_N_ELEMENTS (ops); i++)
    {
      g_autofree char *json = g_strdup_printf (
          L ("'seccomp':{'defaultAction':'SCMP_ACT_ALLOW','syscalls':[{'names':['x'],"
             "'action':'SCMP_ACT_ERRNO','args':[{'index':1,'value':2,'op':'%s'}]}]}"),
          ops[i].name);
      g_autoptr (NookConfig) config = parse_ok (f, json);

      g_assert_cmpint (config->seccomp->rules[0].args[0].op, ==, ops[i].op);
    }
  for (gsize i = 0; i < G_N_ELEMENTS (arches); i++)
    {
      g_autofree char *json = g_strdup_printf (
          L ("'seccomp':{'defaultAction':'SCMP_ACT_ALLOW','architectures':['%s']}"), arches[i]);
      g_autoptr (NookConfig) config = parse_ok (f, json);

      g_assert_cmpstr (config->seccomp->architectures[0], ==, arches[i]);
    }
}

static void
test_seccomp_defaults (Fixture *f, gconstpointer data)
{
  g_autoptr (NookConfig) minimal = parse_ok (f, L ("'seccomp':{'defaultAction':'SCMP_ACT_ALLOW'}"));
  g_autoptr (NookConfig) empty_flags
      = parse_ok (f, L ("'seccomp':{'defaultAction':'SCMP_ACT_LOG','flags':[],'syscalls':[]}"));

  g_assert_cmpint (minimal->seccomp->default_action, ==, NOOK_SECCOMP_ACT_ALLOW);
  g_assert_false (minimal->seccomp->has_default_errno_ret);
  g_assert_nonnull (minimal->seccomp->architectures);
  g_assert_null (minimal->seccomp->architectures[0]);
  g_assert_false (minimal->seccomp->has_flags);
  g_assert_cmpuint (minimal->seccomp->n_rules, ==, 0);

  /* An empty flags list is not the same as none: it says "no TSYNC" on purpose. */
  g_assert_true (empty_flags->seccomp->has_flags);
  g_assert_cmphex (empty_flags->seccomp->flags, ==, 0);
}

#define S(body) L ("'seccomp':{" body "}")
#define SA(body) S ("'defaultAction':'SCMP_ACT_ALLOW'," body)
#define RULE(body) SA ("'syscalls':[{'names':['read'],'action':'SCMP_ACT_ALLOW'},{" body "}]")
#define ARG(body) RULE ("'names':['x'],'action':'SCMP_ACT_ERRNO','args':[{" body "}]")

static const ErrorCase seccomp_errors[] = {
  { S ("'syscalls':[]"), "linux.seccomp.defaultAction: missing required field" },
  { S ("'defaultAction':'SCMP_ACT_FOO'"),
    "linux.seccomp.defaultAction: unknown action \"SCMP_ACT_FOO\"" },
  { S ("'defaultAction':0"), "linux.seccomp.defaultAction: expected a string" },
  { SA ("'defaultErrnoRet':-1"),
    "linux.seccomp.defaultErrnoRet: -1 is out of range (0..4294967295)" },
  { SA ("'architectures':['SCMP_ARCH_X86_64','SCMP_ARCH_VAX']"),
    "linux.seccomp.architectures[1]: unknown architecture \"SCMP_ARCH_VAX\"" },
  { SA ("'flags':['SECCOMP_FILTER_FLAG_LOG','SECCOMP_FILTER_FLAG_NEW_LISTENER']"),
    "linux.seccomp.flags[1]: unknown flag \"SECCOMP_FILTER_FLAG_NEW_LISTENER\"" },
  { SA ("'flags':'SECCOMP_FILTER_FLAG_LOG'"), "linux.seccomp.flags: expected an array" },
  { SA ("'syscalls':{}"), "linux.seccomp.syscalls: expected an array" },
  { RULE ("'names':['write'],'action':'SCMP_ACT_BOGUS'"),
    "linux.seccomp.syscalls[1].action: unknown action \"SCMP_ACT_BOGUS\"" },
  { RULE ("'names':['write']"), "linux.seccomp.syscalls[1].action: missing required field" },
  { RULE ("'action':'SCMP_ACT_ERRNO'"), "linux.seccomp.syscalls[1]: no syscall names" },
  { RULE ("'names':[],'action':'SCMP_ACT_ERRNO'"), "linux.seccomp.syscalls[1]: no syscall names" },
  { RULE ("'names':['a',2],'action':'SCMP_ACT_ERRNO'"),
    "linux.seccomp.syscalls[1].names[1]: expected a string" },
  { RULE ("'name':['a'],'action':'SCMP_ACT_ERRNO'"),
    "linux.seccomp.syscalls[1].name: expected a string" },
  { RULE ("'names':['a'],'action':'SCMP_ACT_ERRNO','errnoRet':'EPERM'"),
    "linux.seccomp.syscalls[1].errnoRet: expected an integer" },
  { ARG ("'index':0,'value':1,'op':'SCMP_CMP_FOO'"),
    "linux.seccomp.syscalls[1].args[0].op: unknown operator \"SCMP_CMP_FOO\"" },
  { ARG ("'index':6,'value':1,'op':'SCMP_CMP_EQ'"),
    "linux.seccomp.syscalls[1].args[0].index: 6 is out of range (0..5)" },
  { ARG ("'index':0,'op':'SCMP_CMP_EQ'"),
    "linux.seccomp.syscalls[1].args[0].value: missing required field" },
  { ARG ("'index':0,'value':1"), "linux.seccomp.syscalls[1].args[0].op: missing required field" },
  { ARG ("'index':0,'value':1.5,'op':'SCMP_CMP_EQ'"),
    "linux.seccomp.syscalls[1].args[0].value: expected an integer" },
  { ARG ("'index':0,'value':'1','op':'SCMP_CMP_EQ'"),
    "linux.seccomp.syscalls[1].args[0].value: expected an integer" },
  { L ("'seccomp':'unconfined'"), "linux.seccomp: expected an object" },
};

/* ---- a realistic config, as `runc spec --rootless` writes it ---- */

static void
test_full (Fixture *f, gconstpointer data)
{
  g_autoptr (NookConfig) config = parse_ok (
      f,
      "{'ociVersion':'1.0.2-dev','process':{'terminal':true,'user':{'uid':0,'gid':0},"
      "'args':['sh'],'env':['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',"
      "'TERM=xterm'],'cwd':'/','capabilities':{'bounding':['CAP_AUDIT_WRITE','CAP_KILL',"
      "'CAP_NET_BIND_SERVICE'],'effective':['CAP_AUDIT_WRITE','CAP_KILL',"
      "'CAP_NET_BIND_SERVICE'],'permitted':['CAP_AUDIT_WRITE','CAP_KILL',"
      "'CAP_NET_BIND_SERVICE'],'ambient':['CAP_AUDIT_WRITE','CAP_KILL',"
      "'CAP_NET_BIND_SERVICE']},'rlimits':[{'type':'RLIMIT_NOFILE','hard':1024,'soft':1024}],"
      "'noNewPrivileges':true},'root':{'path':'rootfs','readonly':true},'hostname':'runc',"
      "'mounts':[{'destination':'/proc','type':'proc','source':'proc'},"
      "{'destination':'/dev','type':'tmpfs','source':'tmpfs','options':['nosuid',"
      "'strictatime','mode=755','size=65536k']},"
      "{'destination':'/dev/pts','type':'devpts','source':'devpts','options':['nosuid',"
      "'noexec','newinstance','ptmxmode=0666','mode=0620']},"
      "{'destination':'/dev/shm','type':'tmpfs','source':'shm','options':['nosuid','noexec',"
      "'nodev','mode=1777','size=65536k']},"
      "{'destination':'/dev/mqueue','type':'mqueue','source':'mqueue','options':['nosuid',"
      "'noexec','nodev']},"
      "{'destination':'/sys','type':'none','source':'/sys','options':['rbind','nosuid',"
      "'noexec','nodev','ro']}],"
      "'linux':{'uidMappings':[{'containerID':0,'hostID':1000,'size':1}],"
      "'gidMappings':[{'containerID':0,'hostID':1000,'size':1}],"
      "'namespaces':[{'type':'pid'},{'type':'ipc'},{'type':'uts'},{'type':'mount'},"
      "{'type':'cgroup'},{'type':'user'}],"
      "'maskedPaths':['/proc/acpi','/proc/asound','/proc/kcore','/proc/keys',"
      "'/proc/latency_stats','/proc/timer_list','/proc/timer_stats','/proc/sched_debug',"
      "'/sys/firmware','/proc/scsi'],"
      "'readonlyPaths':['/proc/bus','/proc/fs','/proc/irq','/proc/sys','/proc/sysrq-trigger']}}");

  g_assert_cmpstr (config->oci_version, ==, "1.0.2-dev");
  g_assert_true (config->root_readonly);
  g_assert_cmpstr (config->hostname, ==, "runc");
  g_assert_cmphex (config->process.caps.ambient, ==, (1ull << 29) | (1ull << 5) | (1ull << 10));
  g_assert_cmpuint (config->n_mounts, ==, 6);
  g_assert_cmphex (config->mounts[1].flags, ==, MS_NOSUID | MS_STRICTATIME);
  g_assert_cmpstr (config->mounts[1].data, ==, "mode=755,size=65536k");
  g_assert_true (config->mounts[5].is_bind);
  g_assert_cmphex (config->mounts[5].flags, ==,
                   MS_BIND | MS_REC | MS_NOSUID | MS_NOEXEC | MS_NODEV | MS_RDONLY);
  g_assert_false (config->namespaces[NOOK_NS_NETWORK].requested);
  g_assert_true (config->namespaces[NOOK_NS_USER].requested);
  g_assert_cmpuint (g_strv_length (config->masked_paths), ==, 10);
  g_assert_cmpuint (g_strv_length (config->readonly_paths), ==, 5);
  g_assert_null (config->seccomp);
  g_assert_false (config->has_resources);
}

static void
test_free_null (void)
{
  nook_config_free (NULL);
}

/* ---- issue 11: annotations, scheduling fields, devices ---- */

static void
test_annotations (Fixture *f, gconstpointer data)
{
  g_autoptr (NookConfig) config
      = parse_ok (f, "{" BASE ",'annotations':{'run.oci.keep_original_groups':'1','org.b':'x'}}");

  g_assert_cmpuint (config->n_annotations, ==, 2);
  g_assert_cmpstr (config->annotations[0].key, ==, "run.oci.keep_original_groups");
  g_assert_cmpstr (config->annotations[0].value, ==, "1");
  g_assert_cmpstr (config->annotations[1].key, ==, "org.b");
  g_assert_cmpstr (config->annotations[1].value, ==, "x");
}

static void
test_sched_fields (Fixture *f, gconstpointer data)
{
  g_autoptr (NookConfig) config = parse_ok (
      f, "{" ROOT ",'process':{'args':['sh'],'oomScoreAdj':-17,"
         "'ioPriority':{'class':'IOPRIO_CLASS_BE','priority':6},"
         "'scheduler':{'policy':'SCHED_BATCH','nice':5,'flags':['SCHED_FLAG_RESET_ON_FORK']},"
         "'apparmorProfile':'p','selinuxLabel':'l'},"
         "'linux':{'personality':{'domain':'LINUX32'},"
         "'memoryPolicy':{'mode':'MPOL_BIND','nodes':'0-2,65','flags':['MPOL_F_STATIC_NODES']},"
         "'intelRdt':{}}}");
  const NookProcess *p = &config->process;

  g_assert_true (p->has_oom_score_adj);
  g_assert_cmpint (p->oom_score_adj, ==, -17);
  g_assert_true (p->has_io_priority);
  g_assert_cmpint (p->io_priority, ==, (2 << 13) | 6);
  g_assert_true (p->has_scheduler);
  g_assert_cmpuint (p->sched.size, ==, sizeof (NookSchedAttr));
  g_assert_cmpuint (p->sched.sched_policy, ==, 3);
  g_assert_cmpint (p->sched.sched_nice, ==, 5);
  g_assert_cmpuint (p->sched.sched_flags, ==, 1);
  g_assert_cmpstr (p->apparmor_profile, ==, "p");
  g_assert_cmpstr (p->selinux_label, ==, "l");
  g_assert_true (config->has_personality);
  g_assert_cmpuint (config->personality, ==, 8);
  g_assert_true (config->has_memory_policy);
  g_assert_cmpint (config->mempolicy_mode, ==, 2 | (1 << 15));
  g_assert_cmpuint (config->mempolicy_nodes[0], ==, 0x7);
  g_assert_cmpuint (config->mempolicy_nodes[1], ==, 0x2);
  g_assert_true (config->has_intel_rdt);
}

static void
test_devices (Fixture *f, gconstpointer data)
{
  g_autoptr (NookConfig) config = parse_ok (
      f, "{" BASE ",'linux':{'devices':[{'path':'/dev/null','type':'u','major':1,'minor':3},"
         "{'path':'/dev/fifo','type':'p'}]}}");

  g_assert_cmpuint (config->n_devices, ==, 2);
  g_assert_cmpstr (config->devices[0].path, ==, "/dev/null");
  g_assert_cmpint (config->devices[0].type, ==, 'c');
  g_assert_cmpint (config->devices[1].type, ==, 'p');
}

static const ErrorCase issue11_errors[] = {
  { PA ("'oomScoreAdj':1001"), "process.oomScoreAdj: 1001 is out of range (-1000..1000)" },
  { PA ("'ioPriority':{'class':'IOPRIO_CLASS_X'}"),
    "process.ioPriority.class: unknown value \"IOPRIO_CLASS_X\" (known: IOPRIO_CLASS_RT, "
    "IOPRIO_CLASS_BE, IOPRIO_CLASS_IDLE)" },
  { PA ("'ioPriority':{'class':'IOPRIO_CLASS_BE','priority':8}"),
    "process.ioPriority.priority: 8 is out of range (0..7)" },
  { PA ("'ioPriority':{}"), "process.ioPriority.class: missing required field" },
  { PA ("'scheduler':{'nice':1}"), "process.scheduler.policy: missing required field" },
  { PA ("'scheduler':{'policy':'SCHED_OTHER','nice':20}"),
    "process.scheduler.nice: 20 is out of range (-20..19)" },
  { PA ("'scheduler':{'policy':'SCHED_OTHER','flags':['SCHED_FLAG_NO']}"),
    "process.scheduler.flags[0]: unknown value \"SCHED_FLAG_NO\" (known: "
    "SCHED_FLAG_RESET_ON_FORK, SCHED_FLAG_RECLAIM, SCHED_FLAG_DL_OVERRUN, "
    "SCHED_FLAG_KEEP_POLICY, SCHED_FLAG_KEEP_PARAMS, SCHED_FLAG_UTIL_CLAMP_MIN, "
    "SCHED_FLAG_UTIL_CLAMP_MAX)" },
  { PA ("'apparmorProfile':1"), "process.apparmorProfile: expected a string" },
  { L ("'personality':{'domain':'LINUX64'}"),
    "linux.personality.domain: unknown value \"LINUX64\" (known: LINUX, LINUX32)" },
  { L ("'personality':{'domain':'LINUX','flags':['X']}"),
    "linux.personality.flags: personality flags are not supported" },
  { L ("'memoryPolicy':{'nodes':'0'}"), "linux.memoryPolicy.mode: missing required field" },
  { L ("'memoryPolicy':{'mode':'MPOL_BIND','nodes':'1-x'}"),
    "linux.memoryPolicy.nodes: \"1-x\" is not a node list such as 0-3,7" },
  { L ("'memoryPolicy':{'mode':'MPOL_BIND','nodes':'5000'}"),
    "linux.memoryPolicy.nodes: node 5000 is above 1023" },
  { L ("'intelRdt':[]"), "linux.intelRdt: expected an object" },
  { L ("'devices':[{'path':'/dev/x','type':'q'}]"),
    "linux.devices[0].type: unknown device type \"q\" (c, b, u or p)" },
  { L ("'devices':[{'path':'dev/x','type':'c'}]"),
    "linux.devices[0].path: must be an absolute path" },
  { L ("'devices':[{'path':'/dev/null','type':'b','major':1,'minor':3}]"),
    "linux.devices[0]: /dev/null: rootless nook cannot create device nodes, and the host's node "
    "there is c 1:3, not b 1:3" },
  { "{" BASE ",'annotations':{'a':1}}", "annotations.a: expected a string" },
  { "{" BASE ",'annotations':[]}", "annotations: expected an object" },
  { "{" BASE ",'mounts':[{'destination':'/m','type':'tmpfs','uidMappings':[{'containerID':0,"
    "'hostID':1,'size':1}]}]}",
    "mounts[0].uidMappings: idmapped mounts are not supported (rootless nook cannot idmap the "
    "host's filesystems)" },
  { L ("'timeOffsets':{'monotonic':{'secs':1}}"),
    "linux.timeOffsets: not supported (nook creates no time namespace)" },
  { L ("'netDevices':{'eth1':{}}"),
    "linux.netDevices: not supported (moving a host network device needs CAP_NET_ADMIN on the "
    "host)" },
  { PA ("'consoleSize':{'height':24}"), "process.consoleSize.width: missing required field" },
};

#define ERRORS(name) static const ErrorTable name##_table = { name, G_N_ELEMENTS (name) }
ERRORS (json_errors);
ERRORS (root_errors);
ERRORS (process_errors);
ERRORS (mount_errors);
ERRORS (linux_errors);
ERRORS (seccomp_errors);
ERRORS (issue11_errors);

#define ADD(path, func, data)                                                                      \
  g_test_add (path, Fixture, data, fixture_set_up, func, fixture_tear_down)

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  ADD ("/config/load/default-path", test_load_default_path, NULL);
  ADD ("/config/load/explicit-path", test_load_explicit_path, NULL);
  ADD ("/config/load/relative-bundle", test_load_relative_bundle, NULL);
  ADD ("/config/load/errors", test_load_errors, NULL);
  ADD ("/config/json/syntax-error", test_json_syntax, NULL);
  ADD ("/config/json/errors", test_errors, &json_errors_table);
  ADD ("/config/json/unknown-and-null", test_json_lenient, NULL);
  ADD ("/config/root/path", test_root, NULL);
  ADD ("/config/root/errors", test_errors, &root_errors_table);
  ADD ("/config/process/fields", test_process_fields, NULL);
  ADD ("/config/process/defaults", test_process_defaults, NULL);
  ADD ("/config/process/capabilities", test_process_capabilities, NULL);
  ADD ("/config/process/rlimits", test_process_rlimits, NULL);
  ADD ("/config/process/errors", test_errors, &process_errors_table);
  ADD ("/config/hostname", test_hostname, NULL);
  ADD ("/config/mounts/options", test_mount_options, NULL);
  ADD ("/config/mounts/fields", test_mounts, NULL);
  ADD ("/config/mounts/errors", test_errors, &mount_errors_table);
  ADD ("/config/linux/namespaces", test_namespaces, NULL);
  ADD ("/config/linux/mappings-and-paths", test_mappings_and_paths, NULL);
  ADD ("/config/linux/sysctl", test_sysctl, NULL);
  ADD ("/config/linux/rootfs-propagation", test_rootfs_propagation, NULL);
  ADD ("/config/linux/resources", test_resources, NULL);
  ADD ("/config/linux/errors", test_errors, &linux_errors_table);
  ADD ("/config/seccomp/fields", test_seccomp, NULL);
  ADD ("/config/seccomp/names", test_seccomp_names, NULL);
  ADD ("/config/seccomp/defaults", test_seccomp_defaults, NULL);
  ADD ("/config/seccomp/errors", test_errors, &seccomp_errors_table);
  ADD ("/config/full", test_full, NULL);
  ADD ("/config/annotations", test_annotations, NULL);
  ADD ("/config/process/scheduling", test_sched_fields, NULL);
  ADD ("/config/linux/devices", test_devices, NULL);
  ADD ("/config/issue11/errors", test_errors, &issue11_errors_table);
  g_test_add_func ("/config/ns-type-names", test_ns_type_names);
  g_test_add_func ("/config/free-null", test_free_null);

  return g_test_run ();
}
