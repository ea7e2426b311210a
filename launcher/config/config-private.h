/* nook: what the config loader's files share: the parse context, error and
 * JSON-path helpers, and the declarative field tables every section is read with.
 * Not for use outside launcher/config*.c. */
#pragma once

#include "storage/json.h"
#include <sys/stat.h>

#include "launcher/config/config.h"
#include "launcher/errors.h"

typedef struct
{
  const char *file;       /* label used in messages */
  const char *bundle_dir; /* absolute */
  NookConfig *config;     /* being filled: later sections look at earlier ones */
  /* linux.seccomp.syscalls is not read: the caller has the compiled program
   * of exactly this linux.seccomp text (launcher/lifecycle/load.c). */
  gboolean skip_seccomp_rules;
} NookConfigCtx;

/* Converts node (never NULL, never JSON null) found at path into *out. */
typedef gboolean (*NookConfigParseFunc) (NookConfigCtx *ctx, const NookJson *node, const char *path,
                                         gpointer out, GError **error);

typedef enum
{
  NOOK_FIELD_REQUIRED = 1 << 0,
  /* Set the gboolean at present_offset when the member is there (and not null). */
  NOOK_FIELD_PRESENCE = 1 << 1,
} NookConfigFieldFlags;

typedef struct
{
  const char *name; /* JSON member name */
  NookConfigParseFunc parse;
  gsize offset; /* where in the target struct parse writes */
  NookConfigFieldFlags flags;
  gsize present_offset;
} NookConfigField;

/* clang-format off */
/* A member parsed into one struct member. */
#define NOOK_FIELD(json_name, func, type, member, field_flags)                                     \
  { json_name, func, G_STRUCT_OFFSET (type, member), field_flags, 0 }
/* The same, recording presence in a gboolean member (has_umask, has_flags, ...). */
#define NOOK_FIELD_HAS(json_name, func, type, member, has_member)                                  \
  { json_name, func, G_STRUCT_OFFSET (type, member), NOOK_FIELD_PRESENCE,                          \
    G_STRUCT_OFFSET (type, has_member) }
/* A member whose parser fills several struct members (an array and its length,
 * a nested object flattened into the struct): it gets the whole struct. */
#define NOOK_SECTION(json_name, func, field_flags) { json_name, func, 0, field_flags, 0 }
/* clang-format on */

/* Checks that node is an object and runs each field of the table over it, in
 * table order (so errors come in a fixed order). Unknown members are ignored
 * and JSON null counts as absent, as the OCI spec asks. */
gboolean nook_config_parse_fields (NookConfigCtx *ctx, const NookJson *node, const char *path,
                                   const NookConfigField *fields, gsize n_fields, gpointer base,
                                   GError **error);
#define nook_config_parse_table(ctx, node, path, fields, base, error)                              \
  nook_config_parse_fields (ctx, node, path, fields, G_N_ELEMENTS (fields), base, error)

/* Sets a NOOK_ERROR_CONFIG "FILE: PATH: what" (or "FILE: what" for an empty
 * path) and returns FALSE, so parsers can `return nook_config_fail (...)`. */
gboolean nook_config_fail (NookConfigCtx *ctx, GError **error, const char *path, const char *format,
                           ...) G_GNUC_PRINTF (4, 5);

/* JSON paths as they appear in messages: process.args[2], linux.sysctl."net.ipv4.ip_forward". */
char *nook_config_path_member (const char *parent, const char *key);
char *nook_config_path_index (const char *parent, guint index);

/* A value from the config, for a message: escaped so the message stays one line. */
char *nook_config_escape (const char *value);
/* The same in double quotes. */
char *nook_config_quote (const char *value);

/* Type checks: NULL/FALSE with "expected ..." set when node has another type. */
const NookJson *nook_config_get_object (NookConfigCtx *ctx, const NookJson *node, const char *path,
                                        GError **error);
const NookJson *nook_config_get_array (NookConfigCtx *ctx, const NookJson *node, const char *path,
                                       GError **error);
const char *nook_config_get_string (NookConfigCtx *ctx, const NookJson *node, const char *path,
                                    GError **error);
/* An integer in 0..max. */
gboolean nook_config_get_uint (NookConfigCtx *ctx, const NookJson *node, const char *path,
                               guint64 max, guint64 *out, GError **error);

/* Checks one element of a string array; value is the element. */
typedef gboolean (*NookConfigCheckFunc) (NookConfigCtx *ctx, const char *value, const char *path,
                                         GError **error);
/* A string array into a NULL-terminated vector (never NULL), each element
 * passed to check when it is not NULL. */
gboolean nook_config_get_strv (NookConfigCtx *ctx, const NookJson *node, const char *path,
                               NookConfigCheckFunc check, char ***out, GError **error);

/* Parses one element of an array into element. */
typedef gboolean (*NookConfigElementFunc) (NookConfigCtx *ctx, const NookJson *node,
                                           const char *path, gpointer element, GError **error);
/* An array of objects (or values) into a new C array of n elements of
 * element_size bytes, zeroed, each parsed by parse with path "PATH[i]".
 * *out (freed first) and *out_n are set before the first element is
 * parsed, so that a failure leaves what nook_config_free frees. */
gboolean nook_config_parse_array (NookConfigCtx *ctx, const NookJson *node, const char *path,
                                  gsize element_size, NookConfigElementFunc parse, gpointer *out,
                                  guint *out_n, GError **error);

/* Parse functions for the field tables (out points at the member). */
gboolean nook_config_parse_string (NookConfigCtx *ctx, const NookJson *node, const char *path,
                                   gpointer out, GError **error); /* char ** */
gboolean nook_config_parse_bool (NookConfigCtx *ctx, const NookJson *node, const char *path,
                                 gpointer out, GError **error); /* gboolean * */
gboolean nook_config_parse_strv (NookConfigCtx *ctx, const NookJson *node, const char *path,
                                 gpointer out, GError **error); /* char *** */
/* An env array (process.env, hooks[].env): every entry NAME=VALUE. */
gboolean nook_config_parse_env (NookConfigCtx *ctx, const NookJson *node, const char *path,
                                gpointer out, GError **error); /* char *** */
gboolean nook_config_parse_abs_path (NookConfigCtx *ctx, const NookJson *node, const char *path,
                                     gpointer out, GError **error); /* char ** */
gboolean nook_config_parse_abs_path_strv (NookConfigCtx *ctx, const NookJson *node,
                                          const char *path, gpointer out,
                                          GError **error); /* char *** */
gboolean nook_config_parse_uint32 (NookConfigCtx *ctx, const NookJson *node, const char *path,
                                   gpointer out, GError **error); /* guint32 *, 0..2^32-1 */
gboolean nook_config_parse_uint64 (NookConfigCtx *ctx, const NookJson *node, const char *path,
                                   gpointer out, GError **error); /* guint64 * */

/* An empty array or object, or null: asks for nothing. */
gboolean nook_config_is_empty (const NookJson *node);

/* Lists the header promises as "may be empty" are never NULL, so the setup code
 * can iterate without checking. */
void nook_config_ensure_strv (char ***strv);

gboolean nook_config_check_abs_path (NookConfigCtx *ctx, const char *value, const char *path,
                                     GError **error);

/* Resolves a path from the config against the bundle and checks it exists
 * (stat, so a dangling symlink does not). */
char *nook_config_resolve_existing (NookConfigCtx *ctx, const char *value, const char *path,
                                    struct stat *out_st, GError **error);

/* The sections, one per file. */
gboolean nook_config_parse_process (NookConfigCtx *ctx, const NookJson *node, const char *path,
                                    gpointer out, GError **error); /* NookProcess * */
gboolean nook_config_parse_mounts (NookConfigCtx *ctx, const NookJson *node, const char *path,
                                   gpointer out, GError **error); /* NookConfig * */
gboolean nook_config_parse_linux (NookConfigCtx *ctx, const NookJson *node, const char *path,
                                  gpointer out, GError **error); /* NookConfig * */
gboolean nook_config_parse_hooks (NookConfigCtx *ctx, const NookJson *node, const char *path,
                                  gpointer out, GError **error); /* NookConfig * */
gboolean nook_config_parse_annotations (NookConfigCtx *ctx, const NookJson *node, const char *path,
                                        gpointer out, GError **error); /* NookConfig * */
gboolean nook_config_parse_seccomp (NookConfigCtx *ctx, const NookJson *node, const char *path,
                                    gpointer out, GError **error); /* NookSeccomp ** */

/* Frees the hooks and annotations of a config (config-hooks.c). */
void nook_config_hooks_clear (NookConfig *config);
/* config-sched.c */
gboolean nook_config_parse_oom_score_adj (NookConfigCtx *ctx, const NookJson *node,
                                          const char *path, gpointer out,
                                          GError **error); /* gint64 * */
gboolean nook_config_parse_io_priority (NookConfigCtx *ctx, const NookJson *node, const char *path,
                                        gpointer out, GError **error); /* int * */
gboolean nook_config_parse_scheduler (NookConfigCtx *ctx, const NookJson *node, const char *path,
                                      gpointer out, GError **error); /* NookSchedAttr * */
gboolean nook_config_parse_personality (NookConfigCtx *ctx, const NookJson *node, const char *path,
                                        gpointer out, GError **error); /* unsigned long * */
gboolean nook_config_parse_memory_policy (NookConfigCtx *ctx, const NookJson *node,
                                          const char *path, gpointer out,
                                          GError **error); /* NookConfig * */

/* config-devices.c */
gboolean nook_config_parse_devices (NookConfigCtx *ctx, const NookJson *node, const char *path,
                                    gpointer out, GError **error); /* NookConfig * */

/* Propagation names shared by mount options and linux.rootfsPropagation:
 * FALSE for an unknown name. */
gboolean nook_config_lookup_propagation (const char *name, unsigned long *out_flags);
