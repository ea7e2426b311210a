/* nook: the caller's subordinate uid and gid ranges (/etc/subuid, /etc/subgid,
 * or, when /etc/nsswitch.conf names a subid module, libsubid). */
#pragma once

#include <glib.h>
#include <sys/types.h>

typedef struct
{
  guint32 start;
  guint32 count;
} NookSubidRange;

typedef struct
{
  NookSubidRange *uids; /* in the order the source lists them */
  guint n_uids;
  NookSubidRange *gids;
  guint n_gids;
  const char *unavailable; /* why libsubid could not be loaded, or NULL */
} NookSubids;

void nook_subids_free (NookSubids *subids);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (NookSubids, nook_subids_free)

/* Reads the subordinate ranges of user (a name, may be NULL) and of the
 * numeric uid (/etc/subuid may list either), normalized against the caller's
 * own uid and gid. No ranges, or a source that cannot be read (no
 * /etc/subuid at all), gives empty arrays: the caller falls back to its own
 * id and says how to get more. */
NookSubids *nook_subids_lookup (const char *user, uid_t uid, gid_t gid);

typedef enum
{
  NOOK_SUBID_SOURCE_AUTO,     /* the files, or libsubid when nsswitch.conf says */
  NOOK_SUBID_SOURCE_FILES,    /* /etc/subuid and /etc/subgid, read by nook */
  NOOK_SUBID_SOURCE_LIBSUBID, /* shadow's libsubid, whatever it is set up to ask */
} NookSubidSource;

/* nook_subids_lookup with the source chosen (the tests compare the two). */
NookSubids *nook_subids_lookup_from (NookSubidSource source, const char *user, uid_t uid,
                                     gid_t gid);

/* The ranges a /etc/subuid (or subgid) text lists for user (may be NULL)
 * and for the numeric uid, read as shadow reads it: OWNER:START:COUNT
 * lines, decimal numbers, any other line ignored. The name's ranges come
 * first, then the number's, each in file order; not normalized. */
NookSubidRange *nook_subid_parse_file (const char *text, const char *user, uid_t uid, guint *out_n);

/* Cleans ranges as read (pure, for the unit tests): drops empty ones and
 * the ids an earlier range already holds (overlapping lines would map a
 * host id twice, which makes the kernel refuse the map), cuts ranges short
 * at the largest id 4294967294, and cuts own_id out of any range that
 * holds it (the caller's own id is mapped on its own). Keeps the order.
 * Returns a new array of *out_n ranges. */
NookSubidRange *nook_subid_ranges_normalize (const NookSubidRange *ranges, guint n, guint32 own_id,
                                             guint *out_n);

/* The ranges as text for messages: "100000-165535, 200000-200099", or "none". */
char *nook_subid_ranges_describe (const NookSubidRange *ranges, guint n);
