/* nook: the build id of the running nook, for the keys of its stores.
 *
 * The version string stays the same across many commits; a store entry
 * written by one build must never be used by another (a fixed compiler,
 * another serialisation), so every store key covers the build id: the GNU
 * build-id note the linker writes into the executable (meson.build makes
 * the build fail when the linker cannot write one). */
#pragma once

#include <glib.h>

/* The build id of the main program, read from its loaded PT_NOTE segments
 * (no file I/O): a pointer into the mapped note, valid for the life of the
 * process, and its length in *out_len. When the note is missing (removed
 * after linking), a fixed text that says so, so that keys still differ from
 * every real build's. */
const guint8 *nook_build_id (gsize *out_len);

/* The build id in lowercase hex, as `readelf -n` prints it. */
char *nook_build_id_to_hex (void);
