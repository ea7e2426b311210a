/* nook: the config.json of an imported bundle (import.h). */
#include "launcher/lifecycle/import.h"

#include <fcntl.h>
#include <json-glib/json-glib.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "launcher/config/spec.h"
#include "launcher/container/userdb.h"
#include "launcher/errors.h"
#include "launcher/init/resolve.h"
#include "storage/autofd.h"

/* podman's default set: what a distribution's root needs to install
 * packages (apt drops to _apt with setgroups and setuid, dpkg chowns), in
 * a namespace where root is the user anyway. */
static const char *const desktop_caps[] = {
  "CAP_CHOWN",   "CAP_DAC_OVERRIDE",     "CAP_FOWNER",     "CAP_FSETID",
  "CAP_KILL",    "CAP_NET_BIND_SERVICE", "CAP_SETFCAP",    "CAP_SETGID",
  "CAP_SETPCAP", "CAP_SETUID",           "CAP_SYS_CHROOT", NULL,
};

static JsonNode *
strv_node (const char *const *values)
{
  JsonArray *a = json_array_new ();
  JsonNode *n = json_node_new (JSON_NODE_ARRAY);

  for (gsize i = 0; values != NULL && values[i] != NULL; i++)
    json_array_add_string_element (a, values[i]);
  json_node_take_array (n, a);
  return n;
}

/* Does path exist in the rootfs, resolved inside it (/bin is often a link
 * to usr/bin)? */
static gboolean
exists_in_root (int rootfd, const char *path)
{
  nook_autofd int fd = nook_open_in_root (rootfd, path, O_PATH);

  return fd >= 0;
}

static char **
login_shell (int rootfd)
{
  const char *shell = exists_in_root (rootfd, "bin/bash") ? "/bin/bash" : "/bin/sh";

  return g_strdupv ((char *[]){ (char *)shell, (char *)"-l", NULL });
}

/* The image's command: Entrypoint then Cmd, as the image spec joins them. */
static char **
image_command (const NookOciImage *image)
{
  GStrvBuilder *b = g_strv_builder_new ();
  char **out;

  if (image != NULL && image->entrypoint != NULL)
    g_strv_builder_addv (b, (const char **)image->entrypoint);
  if (image != NULL && image->cmd != NULL)
    g_strv_builder_addv (b, (const char **)image->cmd);
  out = g_strv_builder_end (b);
  g_strv_builder_unref (b);
  if (out[0] == NULL)
    g_clear_pointer (&out, g_strfreev);
  return out;
}

/* One side of USER[:GROUP]: a number, or a name of the rootfs's files. */
static gboolean
resolve_id (int rootfd, const char *value, gboolean group, guint32 *out_id, guint32 *out_gid)
{
  g_autofree char *db = nook_userdb_read (rootfd, group ? "etc/group" : "etc/passwd");
  char *end;
  guint64 n = g_ascii_strtoull (value, &end, 10);

  if (*value != '\0' && *end == '\0' && n <= G_MAXUINT32)
    {
      *out_id = (guint32)n;
      return TRUE;
    }
  if (db == NULL)
    return FALSE;
  return group ? nook_userdb_find_group (db, value, out_id)
               : nook_userdb_find_user (db, value, out_id, out_gid, NULL);
}

static gboolean
set_user (JsonObject *process, int rootfd, const char *user, GError **error)
{
  g_auto (GStrv) parts = g_strsplit (user, ":", 2);
  guint32 uid = 0, gid = 0;
  JsonObject *u = json_object_get_object_member (process, "user");

  if (!resolve_id (rootfd, parts[0], FALSE, &uid, &gid)
      || (parts[1] != NULL && !resolve_id (rootfd, parts[1], TRUE, &gid, NULL)))
    {
      g_set_error (error, NOOK_ERROR, NOOK_ERROR_FAILED,
                   "the image's config: User \"%s\": no such user or group in the rootfs's "
                   "/etc/passwd and /etc/group",
                   user);
      return FALSE;
    }
  json_object_set_int_member (u, "uid", uid);
  json_object_set_int_member (u, "gid", gid);
  return TRUE;
}

/* The image's environment, with PATH and TERM when it lacks them. */
static char **
image_env (const NookOciImage *image, JsonArray *spec_env)
{
  GStrvBuilder *b = g_strv_builder_new ();
  char **out;

  g_strv_builder_addv (b, (const char **)image->env);
  for (guint i = 0; i < json_array_get_length (spec_env); i++)
    {
      const char *kv = json_array_get_string_element (spec_env, i);
      g_autofree char *key = g_strndup (kv, strcspn (kv, "="));

      if (g_environ_getenv (image->env, key) == NULL)
        g_strv_builder_add (b, kv);
    }
  out = g_strv_builder_end (b);
  g_strv_builder_unref (b);
  return out;
}

gboolean
nook_import_write_config (const char *bundle, const NookOciImage *image, GError **error)
{
  g_autofree char *spec = nook_spec_generate (TRUE);
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (JsonGenerator) gen = json_generator_new ();
  g_autofree char *rootfs = g_build_filename (bundle, "rootfs", NULL);
  g_autofree char *path = g_build_filename (bundle, "config.json", NULL);
  g_autofree char *json = NULL;
  g_autofree char *text = NULL;
  g_auto (GStrv) args = image_command (image);
  nook_autofd int rootfd = open (rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
  JsonObject *top, *process, *caps;

  if (!json_parser_load_from_data (parser, spec, -1, error))
    return FALSE;
  top = json_node_get_object (json_parser_get_root (parser));
  process = json_object_get_object_member (top, "process");
  json_object_set_boolean_member (json_object_get_object_member (top, "root"), "readonly", FALSE);
  json_object_set_boolean_member (process, "terminal", TRUE);
  if (args == NULL)
    args = login_shell (rootfd);
  json_object_set_member (process, "args", strv_node ((const char *const *)args));
  if (image != NULL && image->env != NULL)
    {
      g_auto (GStrv) env = image_env (image, json_object_get_array_member (process, "env"));

      json_object_set_member (process, "env", strv_node ((const char *const *)env));
    }
  if (image != NULL && image->working_dir != NULL)
    json_object_set_string_member (process, "cwd", image->working_dir);
  if (image != NULL && image->user != NULL && !set_user (process, rootfd, image->user, error))
    return FALSE;
  caps = json_object_get_object_member (process, "capabilities");
  json_object_set_member (caps, "bounding", strv_node (desktop_caps));
  json_object_set_member (caps, "effective", strv_node (desktop_caps));
  json_object_set_member (caps, "permitted", strv_node (desktop_caps));

  json_generator_set_root (gen, json_parser_get_root (parser));
  json_generator_set_pretty (gen, TRUE);
  json_generator_set_indent (gen, 2);
  json = json_generator_to_data (gen, NULL);
  text = g_strconcat (json, "\n", NULL);
  if (!g_file_set_contents_full (path, text, -1, G_FILE_SET_CONTENTS_CONSISTENT, 0644, error))
    return FALSE;
  return TRUE;
}
