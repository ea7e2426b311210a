/* nook: libFuzzer target for mount option parsing (launcher/config/
 * config-mounts.c). The input, split at NUL bytes, is the options list of
 * one tmpfs mount and one bind mount in an otherwise fixed config; it goes
 * through the config loader, as options only ever do.
 *
 * Checked on every mount that loads: no flag is both set and cleared; propagation is one of the
 * eight the names spell; every option is kept; a bind mount has MS_BIND. */
#include "tests/fuzz/fuzz-common.h"

#include <json-glib/json-glib.h>
#include <string.h>
#include <sys/mount.h>

#include "launcher/config/config.h"

static char *bundle;

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  g_autofree char *rootfs = NULL;

  fuzz_fatal_criticals ();
  bundle = g_build_filename (fuzz_tmpdir (), "bundle", NULL);
  rootfs = g_build_filename (bundle, "rootfs", NULL);
  if (g_mkdir_with_parents (rootfs, 0755) < 0)
    fuzz_fail ("fuzz-mount-options: cannot make %s", rootfs);
  return 0;
}

static char *
config_text (char **options)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autoptr (JsonGenerator) gen = json_generator_new ();
  g_autoptr (JsonNode) root = NULL;
  const char *const types[] = { "tmpfs", "bind" };

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "root");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "path");
  json_builder_add_string_value (b, "rootfs");
  json_builder_end_object (b);
  json_builder_set_member_name (b, "process");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "args");
  json_builder_begin_array (b);
  json_builder_add_string_value (b, "sh");
  json_builder_end_array (b);
  json_builder_end_object (b);
  json_builder_set_member_name (b, "mounts");
  json_builder_begin_array (b);
  for (gsize t = 0; t < G_N_ELEMENTS (types); t++)
    {
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "destination");
      json_builder_add_string_value (b, "/mnt");
      json_builder_set_member_name (b, "type");
      json_builder_add_string_value (b, types[t]);
      json_builder_set_member_name (b, "source");
      json_builder_add_string_value (b, "rootfs");
      json_builder_set_member_name (b, "options");
      json_builder_begin_array (b);
      for (guint i = 0; options[i] != NULL; i++)
        json_builder_add_string_value (b, options[i]);
      json_builder_end_array (b);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  json_generator_set_root (gen, root);
  return json_generator_to_data (gen, NULL);
}

static gboolean
is_propagation (unsigned long p)
{
  unsigned long kind = p & ~(unsigned long)MS_REC;

  return p == 0 || kind == MS_PRIVATE || kind == MS_SHARED || kind == MS_SLAVE
         || kind == MS_UNBINDABLE;
}

static void
check_mount (const NookMount *m, char **options)
{
  if ((m->flags & m->clear_flags) != 0)
    fuzz_fail ("fuzz-mount-options: flags 0x%lx both set and cleared", m->flags & m->clear_flags);
  if (!is_propagation (m->propagation))
    fuzz_fail ("fuzz-mount-options: propagation 0x%lx", m->propagation);
  if (m->is_bind && (m->flags & MS_BIND) == 0)
    fuzz_fail ("fuzz-mount-options: a bind mount without MS_BIND");
  if (g_strv_length (m->options) != g_strv_length (options))
    fuzz_fail ("fuzz-mount-options: options lost");
  if (m->data != NULL && strlen (m->data) == 0)
    fuzz_fail ("fuzz-mount-options: empty data instead of none");
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autoptr (GPtrArray) options = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GError) error = NULL;
  g_autoptr (NookConfig) config = NULL;
  g_autofree char *text = NULL;
  const uint8_t *p = data, *end = data + size;

  while (p < end)
    {
      const uint8_t *nul = memchr (p, '\0', (size_t)(end - p));
      const uint8_t *stop = nul != NULL ? nul : end;
      char *option = g_strndup ((const char *)p, (gsize)(stop - p));

      /* JSON strings are UTF-8: other bytes cannot reach the loader. */
      if (g_utf8_validate (option, -1, NULL))
        g_ptr_array_add (options, option);
      else
        g_free (option);
      p = stop + 1;
    }
  g_ptr_array_add (options, NULL);
  text = config_text ((char **)options->pdata);
  config = nook_config_parse (text, -1, "config.json", bundle, &error);
  if (config == NULL)
    return 0;
  if (config->n_mounts != 2)
    fuzz_fail ("fuzz-mount-options: %u mounts", config->n_mounts);
  for (guint i = 0; i < config->n_mounts; i++)
    check_mount (&config->mounts[i], (char **)options->pdata);
  if ((config->mounts[1].flags & MS_BIND) == 0)
    fuzz_fail ("fuzz-mount-options: type bind without MS_BIND");
  return 0;
}
