/* nook: reading an OCI image layout for `nook import` (import.h).
 *
 * index.json -> (image index ->) manifest -> config and layers, as the
 * image spec lays them out: every blob is blobs/ALG/HEX. Errors name the
 * file and the JSON path, as the config loader's do. */
#include "storage/import.h"

#include <json-glib/json-glib.h>
#include <string.h>
#include <sys/utsname.h>

#include "storage/xdg.h"

#define MT_INDEX "application/vnd.oci.image.index.v1+json"
#define MT_DOCKER_LIST "application/vnd.docker.distribution.manifest.list.v2+json"
#define REF_NAME "org.opencontainers.image.ref.name"

void
nook_oci_image_free (NookOciImage *image)
{
  if (image == NULL)
    return;
  g_strfreev (image->layers);
  g_strfreev (image->digests);
  g_strfreev (image->env);
  g_strfreev (image->entrypoint);
  g_strfreev (image->cmd);
  g_free (image->working_dir);
  g_free (image->user);
  g_free (image);
}

gboolean
nook_oci_is_layout (const char *dir)
{
  g_autofree char *layout = g_build_filename (dir, "oci-layout", NULL);
  g_autofree char *index = g_build_filename (dir, "index.json", NULL);

  return g_file_test (layout, G_FILE_TEST_IS_REGULAR)
         && g_file_test (index, G_FILE_TEST_IS_REGULAR);
}

static gboolean
bad (GError **error, const char *file, const char *where, const char *why)
{
  g_set_error (error, NOOK_STORAGE_ERROR, NOOK_STORAGE_ERROR_FAILED, "%s: %s: %s", file, where,
               why);
  return FALSE;
}

/* The object in file, parsed. */
static JsonObject *
load_object (const char *file, GError **error)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) local = NULL;
  JsonNode *root;

  if (!json_parser_load_from_file (parser, file, &local))
    {
      g_set_error (error, NOOK_STORAGE_ERROR, NOOK_STORAGE_ERROR_FAILED, "%s: %s", file,
                   local->message);
      return NULL;
    }
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      bad (error, file, "$", "not a JSON object");
      return NULL;
    }
  return json_object_ref (json_node_get_object (root));
}

static const char *
get_string (JsonObject *o, const char *member)
{
  JsonNode *n = o ? json_object_get_member (o, member) : NULL;

  if (n == NULL || !JSON_NODE_HOLDS_VALUE (n) || json_node_get_value_type (n) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (n);
}

static JsonObject *
get_object (JsonObject *o, const char *member)
{
  JsonNode *n = o ? json_object_get_member (o, member) : NULL;

  return n != NULL && JSON_NODE_HOLDS_OBJECT (n) ? json_node_get_object (n) : NULL;
}

static JsonArray *
get_array (JsonObject *o, const char *member)
{
  JsonNode *n = o ? json_object_get_member (o, member) : NULL;

  return n != NULL && JSON_NODE_HOLDS_ARRAY (n) ? json_node_get_array (n) : NULL;
}

/* The blob file of a descriptor's digest, which must exist. */
static char *
blob_path (const char *dir, JsonObject *descriptor, const char *file, const char *where,
           GError **error)
{
  const char *digest = get_string (descriptor, "digest");
  g_autofree char *path = NULL;
  const char *colon;

  if (digest == NULL)
    {
      bad (error, file, where, "no \"digest\"");
      return NULL;
    }
  colon = strchr (digest, ':');
  if (colon == NULL || colon == digest || colon[1] == '\0' || strchr (digest, '/') != NULL
      || strstr (digest, "..") != NULL)
    {
      g_autofree char *why = g_strdup_printf ("digest \"%s\" is not ALGORITHM:HEX", digest);
      bad (error, file, where, why);
      return NULL;
    }
  path = g_strdup_printf ("%s/blobs/%.*s/%s", dir, (int)(colon - digest), digest, colon + 1);
  if (!g_file_test (path, G_FILE_TEST_IS_REGULAR))
    {
      g_autofree char *why = g_strdup_printf ("blob %s is missing (%s)", digest, path);
      bad (error, file, where, why);
      return NULL;
    }
  return g_steal_pointer (&path);
}

/* GOARCH of this machine, as image platforms name architectures. */
static const char *
machine_arch (void)
{
  static const struct
  {
    const char *uname, *oci;
  } arches[] = {
    { "x86_64", "amd64" }, { "aarch64", "arm64" },   { "i686", "386" },    { "i386", "386" },
    { "armv7l", "arm" },   { "ppc64le", "ppc64le" }, { "s390x", "s390x" }, { "riscv64", "riscv64" },
  };
  static struct utsname u;

  if (uname (&u) < 0)
    return "";
  for (gsize i = 0; i < G_N_ELEMENTS (arches); i++)
    if (strcmp (u.machine, arches[i].uname) == 0)
      return arches[i].oci;
  return u.machine;
}

/* The manifest descriptor of an index: the one tagged tag, or the only
 * one; in a nested image index, the one for this machine. */
static JsonObject *
pick_manifest (JsonObject *index, const char *file, const char *tag, gboolean nested,
               GError **error)
{
  JsonArray *manifests = get_array (index, "manifests");
  guint n = manifests ? json_array_get_length (manifests) : 0;
  g_autoptr (GString) tags = g_string_new (NULL);
  JsonObject *found = NULL;

  if (n == 0)
    {
      bad (error, file, "manifests", "no manifest in the image layout");
      return NULL;
    }
  for (guint i = 0; i < n; i++)
    {
      JsonObject *d = json_array_get_object_element (manifests, i);
      const char *name = get_string (get_object (d, "annotations"), REF_NAME);
      const char *arch = get_string (get_object (d, "platform"), "architecture");

      if (nested)
        {
          if (arch == NULL || strcmp (arch, machine_arch ()) == 0)
            return d;
          continue;
        }
      if (name != NULL)
        g_string_append_printf (tags, "%s%s", tags->len ? ", " : "", name);
      if (tag != NULL && g_strcmp0 (name, tag) == 0)
        return d;
      if (tag == NULL && n == 1)
        found = d;
    }
  if (found != NULL)
    return found;
  if (nested)
    {
      g_autofree char *why
          = g_strdup_printf ("no manifest for this machine's architecture (%s)", machine_arch ());
      bad (error, file, "manifests", why);
    }
  else if (tag != NULL)
    {
      g_autofree char *why = g_strdup_printf ("no image tagged \"%s\" (tags: %s)", tag,
                                              tags->len ? tags->str : "none");
      bad (error, file, "manifests", why);
    }
  else
    {
      g_autofree char *why
          = g_strdup_printf ("%u images in the layout: choose one with DIR:TAG or --tag (tags: %s)",
                             n, tags->len ? tags->str : "none");
      bad (error, file, "manifests", why);
    }
  return NULL;
}

static char **
get_strv (JsonObject *o, const char *member)
{
  JsonArray *a = get_array (o, member);
  g_autoptr (GPtrArray) out = NULL;

  if (a == NULL)
    return NULL;
  out = g_ptr_array_new ();
  for (guint i = 0; i < json_array_get_length (a); i++)
    {
      JsonNode *n = json_array_get_element (a, i);

      if (JSON_NODE_HOLDS_VALUE (n) && json_node_get_value_type (n) == G_TYPE_STRING)
        g_ptr_array_add (out, g_strdup (json_node_get_string (n)));
    }
  g_ptr_array_add (out, NULL);
  return (char **)g_ptr_array_free (g_steal_pointer (&out), FALSE);
}

static gboolean
read_image_config (NookOciImage *image, const char *path, GError **error)
{
  g_autoptr (JsonObject) top = load_object (path, error);
  JsonObject *config;
  const char *s;

  if (top == NULL)
    return FALSE;
  config = get_object (top, "config");
  image->env = get_strv (config, "Env");
  image->entrypoint = get_strv (config, "Entrypoint");
  image->cmd = get_strv (config, "Cmd");
  s = get_string (config, "WorkingDir");
  image->working_dir = s && *s ? g_strdup (s) : NULL;
  s = get_string (config, "User");
  image->user = s && *s ? g_strdup (s) : NULL;
  return TRUE;
}

static gboolean
read_layers (NookOciImage *image, const char *dir, JsonObject *manifest, const char *file,
             GError **error)
{
  JsonArray *layers = get_array (manifest, "layers");
  g_autoptr (GPtrArray) paths = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GPtrArray) digests = g_ptr_array_new_with_free_func (g_free);

  if (layers == NULL)
    return bad (error, file, "layers", "missing");
  for (guint i = 0; i < json_array_get_length (layers); i++)
    {
      JsonObject *d = json_array_get_object_element (layers, i);
      g_autofree char *where = g_strdup_printf ("layers[%u]", i);
      const char *type = get_string (d, "mediaType");
      char *path;

      if (type != NULL && strstr (type, "tar") == NULL)
        {
          g_autofree char *why = g_strdup_printf ("media type %s is not a tar layer", type);
          return bad (error, file, where, why);
        }
      path = blob_path (dir, d, file, where, error);
      if (path == NULL)
        return FALSE;
      g_ptr_array_add (paths, path);
      g_ptr_array_add (digests, g_strdup (get_string (d, "digest")));
    }
  g_ptr_array_add (paths, NULL);
  g_ptr_array_add (digests, NULL);
  image->layers = (char **)g_ptr_array_free (g_steal_pointer (&paths), FALSE);
  image->digests = (char **)g_ptr_array_free (g_steal_pointer (&digests), FALSE);
  return TRUE;
}

NookOciImage *
nook_oci_image_load (const char *dir, const char *tag, GError **error)
{
  g_autoptr (NookOciImage) image = g_new0 (NookOciImage, 1);
  g_autofree char *file = g_build_filename (dir, "index.json", NULL);
  g_autoptr (JsonObject) index = load_object (file, error);
  g_autoptr (JsonObject) manifest = NULL;
  g_autofree char *manifest_path = NULL;
  g_autofree char *config_path = NULL;
  JsonObject *d;
  const char *type;

  if (index == NULL)
    return NULL;
  d = pick_manifest (index, file, tag, FALSE, error);
  if (d == NULL)
    return NULL;
  manifest_path = blob_path (dir, d, file, "manifests", error);
  if (manifest_path == NULL)
    return NULL;
  manifest = load_object (manifest_path, error);
  type = get_string (d, "mediaType");
  if (manifest != NULL
      && (g_strcmp0 (type, MT_INDEX) == 0 || g_strcmp0 (type, MT_DOCKER_LIST) == 0
          || get_array (manifest, "manifests") != NULL))
    {
      /* An image index (skopeo copy --all): this machine's manifest. */
      g_autoptr (JsonObject) nested = g_steal_pointer (&manifest);

      g_clear_pointer (&file, g_free);
      file = g_steal_pointer (&manifest_path);
      d = pick_manifest (nested, file, NULL, TRUE, error);
      manifest_path = d ? blob_path (dir, d, file, "manifests", error) : NULL;
      manifest = manifest_path ? load_object (manifest_path, error) : NULL;
    }
  if (manifest == NULL)
    return NULL;
  config_path = blob_path (dir, get_object (manifest, "config"), manifest_path, "config", error);
  if (config_path == NULL || !read_image_config (image, config_path, error))
    return NULL;
  if (!read_layers (image, dir, manifest, manifest_path, error))
    return NULL;
  return g_steal_pointer (&image);
}
