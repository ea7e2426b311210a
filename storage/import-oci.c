/* nook: reading an OCI image layout for `nook import` (import.h).
 *
 * index.json -> (image index ->) manifest -> config and layers, as the
 * image spec lays them out: every blob is blobs/ALG/HEX. Errors name the
 * file and the JSON path, as the config loader's do. */
#include "storage/import.h"

#include <string.h>
#include <sys/utsname.h>

#include "storage/json.h"
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

/* The file, parsed; NULL unless it holds an object. */
static NookJsonDoc *
load_object (const char *file, GError **error)
{
  g_autoptr (GError) local = NULL;
  g_autoptr (NookJsonDoc) doc = nook_json_parse_file (file, &local);

  if (doc == NULL)
    {
      g_set_error (error, NOOK_STORAGE_ERROR, NOOK_STORAGE_ERROR_FAILED, "%s", local->message);
      return NULL;
    }
  if (!nook_json_is (nook_json_doc_root (doc), NOOK_JSON_OBJECT))
    {
      bad (error, file, "$", "not a JSON object");
      return NULL;
    }
  return g_steal_pointer (&doc);
}

static const NookJson *
root_of (const NookJsonDoc *doc)
{
  return doc != NULL ? nook_json_doc_root (doc) : NULL;
}

static const char *
get_string (const NookJson *o, const char *member)
{
  return nook_json_get_string (o, member, NULL);
}

static const NookJson *
get_object (const NookJson *o, const char *member)
{
  return nook_json_get_object (o, member);
}

static const NookJson *
get_array (const NookJson *o, const char *member)
{
  return nook_json_get_array (o, member);
}

/* The blob file of a descriptor's digest, which must exist. */
static char *
blob_path (const char *dir, const NookJson *descriptor, const char *file, const char *where,
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
static const NookJson *
pick_manifest (const NookJson *index, const char *file, const char *tag, gboolean nested,
               GError **error)
{
  const NookJson *manifests = get_array (index, "manifests");
  guint n = manifests ? manifests->n : 0;
  g_autoptr (GString) tags = g_string_new (NULL);
  const NookJson *found = NULL;

  if (n == 0)
    {
      bad (error, file, "manifests", "no manifest in the image layout");
      return NULL;
    }
  for (guint i = 0; i < n; i++)
    {
      const NookJson *d = nook_json_is (&manifests->v.elements[i], NOOK_JSON_OBJECT)
                              ? &manifests->v.elements[i]
                              : NULL;
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
get_strv (const NookJson *o, const char *member)
{
  const NookJson *a = get_array (o, member);
  g_autoptr (GPtrArray) out = NULL;

  if (a == NULL)
    return NULL;
  out = g_ptr_array_new ();
  for (guint i = 0; i < a->n; i++)
    {
      const NookJson *n = &a->v.elements[i];

      if (nook_json_is (n, NOOK_JSON_STRING))
        g_ptr_array_add (out, g_strdup (n->v.s));
    }
  g_ptr_array_add (out, NULL);
  return (char **)g_ptr_array_free (g_steal_pointer (&out), FALSE);
}

static gboolean
read_image_config (NookOciImage *image, const char *path, GError **error)
{
  g_autoptr (NookJsonDoc) top = load_object (path, error);
  const NookJson *config;
  const char *s;

  if (top == NULL)
    return FALSE;
  config = get_object (root_of (top), "config");
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
read_layers (NookOciImage *image, const char *dir, const NookJson *manifest, const char *file,
             GError **error)
{
  const NookJson *layers = get_array (manifest, "layers");
  g_autoptr (GPtrArray) paths = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GPtrArray) digests = g_ptr_array_new_with_free_func (g_free);

  if (layers == NULL)
    return bad (error, file, "layers", "missing");
  for (guint i = 0; i < layers->n; i++)
    {
      const NookJson *d
          = nook_json_is (&layers->v.elements[i], NOOK_JSON_OBJECT) ? &layers->v.elements[i] : NULL;
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
  g_autoptr (NookJsonDoc) index = load_object (file, error);
  g_autoptr (NookJsonDoc) manifest = NULL;
  g_autoptr (NookJsonDoc) nested = NULL;
  g_autofree char *manifest_path = NULL;
  g_autofree char *config_path = NULL;
  const NookJson *d;
  const char *type;

  if (index == NULL)
    return NULL;
  d = pick_manifest (root_of (index), file, tag, FALSE, error);
  if (d == NULL)
    return NULL;
  manifest_path = blob_path (dir, d, file, "manifests", error);
  if (manifest_path == NULL)
    return NULL;
  manifest = load_object (manifest_path, error);
  type = get_string (d, "mediaType");
  if (manifest != NULL
      && (g_strcmp0 (type, MT_INDEX) == 0 || g_strcmp0 (type, MT_DOCKER_LIST) == 0
          || get_array (root_of (manifest), "manifests") != NULL))
    {
      /* An image index (skopeo copy --all): this machine's manifest. */
      nested = g_steal_pointer (&manifest);
      g_clear_pointer (&file, g_free);
      file = g_steal_pointer (&manifest_path);
      d = pick_manifest (root_of (nested), file, NULL, TRUE, error);
      manifest_path = d ? blob_path (dir, d, file, "manifests", error) : NULL;
      manifest = manifest_path ? load_object (manifest_path, error) : NULL;
    }
  if (manifest == NULL)
    return NULL;
  config_path
      = blob_path (dir, get_object (root_of (manifest), "config"), manifest_path, "config", error);
  if (config_path == NULL || !read_image_config (image, config_path, error))
    return NULL;
  if (!read_layers (image, dir, root_of (manifest), manifest_path, error))
    return NULL;
  return g_steal_pointer (&image);
}
