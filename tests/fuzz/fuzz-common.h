/* nook: what the libFuzzer targets share (tests/fuzz/README.md).
 *
 * Every target makes GLib criticals and warnings fatal: a g_return_if_fail that trips
 * on some input is a bug in nook, not noise. Targets that read files get
 * a private temporary directory, removed at exit. */
#pragma once

#include <glib.h>
#include <glib/gstdio.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerInitialize (int *argc, char ***argv);
int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

/* The target's temporary directory (made once). */
const char *fuzz_tmpdir (void);

/* Makes criticals and warnings abort, so libFuzzer reports them as crashes
 * (with abort(), not GLib's breakpoint trap, which libFuzzer does not
 * catch: the input would not be saved). */
void fuzz_fatal_criticals (void);

/* A property of the code under test does not hold: print and abort. */
void fuzz_fail (const char *format, ...) G_GNUC_PRINTF (1, 2) G_GNUC_NORETURN;

/* Writes size bytes to path, replacing the file; aborts on failure (the
 * harness, not the code under test, failed). */
void fuzz_write_file (const char *path, const uint8_t *data, size_t size, int mode);
