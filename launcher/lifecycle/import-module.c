/* nook: finding and loading nook-import.so for `nook import` (import.h,
 * storage/import-module.h).
 *
 * libarchive and the dozen libraries it brings cost the dynamic loader
 * on every start of a nook that links them, for the one command that
 * uses them. The module is looked for where nook-init is: next to nook's
 * own executable first (the build tree), then where meson installs it.
 * It is never unloaded: the error quarks it registers and the strings of
 * an image it read stay valid for the life of the process. */
#include "launcher/lifecycle/import.h"

#include <dlfcn.h>
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "launcher/errors.h"

const NookImportModule *
nook_import_module_open (const char *path, GError **error)
{
  const NookImportModule *module;
  void *handle = dlopen (path, RTLD_NOW | RTLD_LOCAL);

  if (handle == NULL)
    {
      g_set_error (error, NOOK_ERROR, NOOK_ERROR_FAILED,
                   "import: cannot load nook's import module: %s", dlerror ());
      return NULL;
    }
  module = dlsym (handle, NOOK_IMPORT_MODULE_SYMBOL);
  if (module == NULL)
    g_set_error (error, NOOK_ERROR, NOOK_ERROR_FAILED,
                 "import: %s is not nook's import module (it has no %s): install nook and its "
                 "module together",
                 path, NOOK_IMPORT_MODULE_SYMBOL);
  else if (strcmp (module->version, NOOK_VERSION) != 0)
    g_set_error (error, NOOK_ERROR, NOOK_ERROR_FAILED,
                 "import: %s is the import module of nook %s, not of this nook %s: install nook "
                 "and its module together",
                 path, module->version, NOOK_VERSION);
  else
    return module;
  dlclose (handle);
  return NULL;
}

const NookImportModule *
nook_import_module_load (GError **error)
{
  g_autofree char *exe = g_file_read_link ("/proc/self/exe", NULL);
  g_autofree char *dir = exe ? g_path_get_dirname (exe) : NULL;
  g_autofree char *beside = dir ? g_build_filename (dir, NOOK_IMPORT_MODULE_FILE, NULL) : NULL;
  g_autofree char *installed = g_build_filename (NOOK_MODULEDIR, NOOK_IMPORT_MODULE_FILE, NULL);

  if (beside != NULL && access (beside, F_OK) == 0)
    return nook_import_module_open (beside, error);
  if (access (installed, F_OK) == 0 || errno != ENOENT)
    return nook_import_module_open (installed, error);
  g_set_error (error, NOOK_ERROR, NOOK_ERROR_FAILED,
               "import: the import module %s is missing (looked in %s, then %s): install it "
               "with nook (meson install)",
               NOOK_IMPORT_MODULE_FILE, dir ? dir : "nook's directory", NOOK_MODULEDIR);
  return NULL;
}
