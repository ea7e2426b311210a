/* nook: what this nook supports, as the OCI runtime-spec features document
 * (features.md): `nook features`. */
#pragma once

#include <glib.h>

/* The document as pretty-printed JSON. Every list comes from the table or
 * the check that decides it at run time (the config loader's tables,
 * libseccomp, the running kernel), not from a copy. */
char *nook_features_to_json (void);
