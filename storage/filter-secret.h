/* nook: the per-user secret that keys the MACs of the filter store.
 *
 * Entries of the store (filter-store.c) and links of its index
 * (filter-alias.c) carry an HMAC-SHA256 keyed by this secret: an entry
 * proves that a process holding the secret wrote it. The secret lives in
 * the kernel, in the user's persistent keyring of the user namespace nook
 * runs in, where no container in a user namespace of its own can reach it
 * (filter-secret.c says why, and what that takes). */
#pragma once

#include <glib.h>

#define NOOK_FILTER_SECRET_SIZE 32
#define NOOK_FILTER_MAC_SIZE 32 /* HMAC-SHA256 */

typedef struct
{
  guint8 bytes[NOOK_FILTER_SECRET_SIZE];
} NookFilterSecret;

/* The user's secret, created (32 bytes from getrandom) when there is none
 * yet; *out_created (may be NULL) says so: entries written before cannot be
 * checked any more. Fails (NOOK_STORAGE_ERROR_FAILED, naming the keyctl
 * operation) where the kernel has no keyrings or no persistent keyrings,
 * or keyctl is filtered out: the caller then does without the store. */
gboolean nook_filter_secret_load (NookFilterSecret *out, gboolean *out_created, GError **error);

/* An HMAC-SHA256 keyed by the secret, already fed with tag (and its NUL),
 * so that MACs made for one purpose never verify for another. */
GHmac *nook_filter_secret_hmac (const NookFilterSecret *secret, const char *tag);

/* Finishes hmac into out and frees it. */
void nook_filter_secret_hmac_finish (GHmac *hmac, guint8 out[NOOK_FILTER_MAC_SIZE]);

/* Compares two MACs in constant time. */
gboolean nook_filter_mac_equal (const guint8 *a, const guint8 *b);
