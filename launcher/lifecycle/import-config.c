/* nook: the config.json of an imported bundle (import.h). */
#include "launcher/lifecycle/import.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "launcher/config/spec.h"
#include "launcher/container/userdb.h"
#include "launcher/errors.h"
#include "launcher/init/resolve.h"
#include "storage/autofd.h"
#include "storage/json.h"

/* podman's default set: what a distribution's root needs to install
 * packages (apt drops to _apt with setgroups and setuid, dpkg chowns), in
 * a namespace where root is the user anyway. */
static const char *const desktop_caps[] = {
  "CAP_CHOWN",   "CAP_DAC_OVERRIDE",     "CAP_FOWNER",     "CAP_FSETID",
  "CAP_KILL",    "CAP_NET_BIND_SERVICE", "CAP_SETFCAP",    "CAP_SETGID",
  "CAP_SETPCAP", "CAP_SETUID",           "CAP_SYS_CHROOT", NULL,
};

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
resolve_user (int rootfd, const char *user, guint32 *out_uid, guint32 *out_gid, GError **error)
{
  g_auto (GStrv) parts = g_strsplit (user, ":", 2);
  guint32 uid = 0, gid = 0;

  if (!resolve_id (rootfd, parts[0], FALSE, &uid, &gid)
      || (parts[1] != NULL && !resolve_id (rootfd, parts[1], TRUE, &gid, NULL)))
    {
      g_set_error (error, NOOK_ERROR, NOOK_ERROR_FAILED,
                   "the image's config: User \"%s\": no such user or group in the rootfs's "
                   "/etc/passwd and /etc/group",
                   user);
      return FALSE;
    }
  *out_uid = uid;
  *out_gid = gid;
  return TRUE;
}

/* The image's environment, with PATH and TERM when it lacks them. */
static char **
image_env (const NookOciImage *image, const NookJson *spec_env)
{
  GStrvBuilder *b = g_strv_builder_new ();
  char **out;

  g_strv_builder_addv (b, (const char **)image->env);
  for (guint i = 0; spec_env != NULL && i < spec_env->n; i++)
    {
      const char *kv = spec_env->v.elements[i].v.s;
      g_autofree char *key = g_strndup (kv, strcspn (kv, "="));

      if (g_environ_getenv (image->env, key) == NULL)
        g_strv_builder_add (b, kv);
    }
  out = g_strv_builder_end (b);
  g_strv_builder_unref (b);
  return out;
}

typedef struct
{
  char **args;
  char **env; /* NULL: the spec's */
  const char *cwd;
  gboolean has_user;
  guint32 uid;
  guint32 gid;
} ImportProcess;

/* The spec's process with the image's command, environment, directory,
 * user and podman's capabilities in place of its own. */
static void
write_process (NookJsonWriter *w, const NookJson *process, const ImportProcess *p)
{
  nook_json_writer_begin_object (w);
  for (guint i = 0; i < process->n; i++)
    {
      const char *name = process->v.members[i].name;
      const NookJson *value = &process->v.members[i].value;

      if (strcmp (name, "terminal") == 0)
        nook_json_writer_member_bool (w, name, TRUE);
      else if (strcmp (name, "args") == 0)
        nook_json_writer_member_strv (w, name, (const char *const *)p->args);
      else if (strcmp (name, "env") == 0 && p->env != NULL)
        nook_json_writer_member_strv (w, name, (const char *const *)p->env);
      else if (strcmp (name, "cwd") == 0 && p->cwd != NULL)
        nook_json_writer_member_string (w, name, p->cwd);
      else if (strcmp (name, "user") == 0 && p->has_user)
        {
          nook_json_writer_member (w, name);
          nook_json_writer_begin_object (w);
          nook_json_writer_member_int (w, "uid", p->uid);
          nook_json_writer_member_int (w, "gid", p->gid);
          nook_json_writer_end_object (w);
        }
      else if (strcmp (name, "capabilities") == 0)
        {
          nook_json_writer_member (w, name);
          nook_json_writer_begin_object (w);
          nook_json_writer_member_strv (w, "bounding", desktop_caps);
          nook_json_writer_member_strv (w, "effective", desktop_caps);
          nook_json_writer_member_strv (w, "permitted", desktop_caps);
          nook_json_writer_end_object (w);
        }
      else
        {
          nook_json_writer_member (w, name);
          nook_json_writer_value (w, value);
        }
    }
  nook_json_writer_end_object (w);
}

gboolean
nook_import_write_config (const char *bundle, const NookOciImage *image, GError **error)
{
  g_autofree char *spec = nook_spec_generate (TRUE);
  g_autoptr (NookJsonDoc) doc = NULL;
  g_autoptr (NookJsonWriter) w = nook_json_writer_new (TRUE);
  g_autofree char *rootfs = g_build_filename (bundle, "rootfs", NULL);
  g_autofree char *path = g_build_filename (bundle, "config.json", NULL);
  g_autofree char *json = NULL;
  g_autofree char *text = NULL;
  g_auto (GStrv) args = image_command (image);
  g_auto (GStrv) env = NULL;
  nook_autofd int rootfd = open (rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
  ImportProcess p = { 0 };
  const NookJson *top;

  doc = nook_json_parse (spec, strlen (spec), error);
  if (doc == NULL)
    return FALSE;
  top = nook_json_doc_root (doc);
  if (args == NULL)
    args = login_shell (rootfd);
  p.args = args;
  if (image != NULL && image->env != NULL)
    p.env = env
        = image_env (image, nook_json_get_array (nook_json_get_object (top, "process"), "env"));
  if (image != NULL)
    p.cwd = image->working_dir;
  if (image != NULL && image->user != NULL)
    {
      if (!resolve_user (rootfd, image->user, &p.uid, &p.gid, error))
        return FALSE;
      p.has_user = TRUE;
    }

  nook_json_writer_begin_object (w);
  for (guint i = 0; i < top->n; i++)
    {
      const char *name = top->v.members[i].name;
      const NookJson *value = &top->v.members[i].value;

      nook_json_writer_member (w, name);
      if (strcmp (name, "process") == 0)
        write_process (w, value, &p);
      else if (strcmp (name, "root") == 0)
        {
          nook_json_writer_begin_object (w);
          nook_json_writer_member_string (w, "path",
                                          nook_json_get_string (value, "path", "rootfs"));
          nook_json_writer_member_bool (w, "readonly", FALSE);
          nook_json_writer_end_object (w);
        }
      else
        nook_json_writer_value (w, value);
    }
  nook_json_writer_end_object (w);
  json = nook_json_writer_finish (g_steal_pointer (&w), NULL);
  text = g_strconcat (json, "\n", NULL);
  if (!g_file_set_contents_full (path, text, -1, G_FILE_SET_CONTENTS_CONSISTENT, 0644, error))
    return FALSE;
  return TRUE;
}
