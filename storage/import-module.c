/* nook: the table nook-import.so exports (import-module.h). */
#include "storage/import-module.h"

/* The tree is built with -fvisibility=hidden: this is the one name the
 * module exports. */
__attribute__ ((visibility ("default"))) const NookImportModule NOOK_IMPORT_MODULE_ENTRY = {
  .version = NOOK_VERSION,
  .import_tar = nook_import_tar,
  .import_tree = nook_import_tree,
};
