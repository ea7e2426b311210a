/* nook: the preparation that run and create share (lifecycle/ only). */
#pragma once

#include "launcher/lifecycle/lifecycle.h"
#include "storage/state.h"

/* A container ready to launch: its config, the prepared container (with
 * its rootfs and layer) and its claimed state directory. */
typedef struct
{
  NookConfig *config;
  NookContainer *container;
  NookState *state;
} NookPrepared;

void nook_prepared_clear (NookPrepared *prepared);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (NookPrepared, nook_prepared_clear)

/* Loads, builds, checks the rootfs mode, claims the state and makes the
 * layer; warnings are printed. On failure everything made is released. */
gboolean nook_lifecycle_prepare (const NookRequest *request, NookPrepared *out, GError **error);

/* The run options that shaped the container, key, value, ..., NULL, as
 * its state records them for exec (create.c); strings made go to owned. */
GPtrArray *nook_lifecycle_option_pairs (const NookRequest *request, const NookConfig *config,
                                        GPtrArray *owned);

/* The container ended (or never started): its daemon goes, and an
 * ephemeral layer with it. A layer that cannot be removed is left for
 * `nook list` to clean, with a warning. The daemon's failure, when it
 * explains error, is prefixed to it. */
void nook_lifecycle_finish_rootfs (NookContainer *container, gboolean started, GError **error);

/* Printing belongs to the command line; run and create have no other way
 * to show warnings before the container takes over the terminal. */
void nook_lifecycle_print_warnings (GPtrArray *warnings);
