/* nook: the container's own /etc/passwd and /etc/group, read by the
 * parent to turn names into ids (exec -u NAME) and to find a user's home
 * (HOME when process.env has none, as runc and crun set it).
 *
 * The files are read through a directory fd of the container's root,
 * resolved inside it (nook_open_in_root: openat2 RESOLVE_IN_ROOT, or the
 * same by hand), so a symlink in the rootfs cannot point the lookup at
 * the host's files. Lines are parsed as passwd(5) and group(5); a damaged
 * line is skipped, as getpwnam does. */
#pragma once

#include <glib.h>

/* The text of "etc/passwd" or "etc/group" under rootfd (at most 4 MiB);
 * NULL when the file is missing or unreadable. */
char *nook_userdb_read (int rootfd, const char *relpath);

/* The passwd entry whose name is name (or, with name NULL, whose uid is
 * uid): TRUE with *uid, *gid and *home (g_free; NULL when the field is not
 * an absolute path) filled in; FALSE when there is none. Any output may be
 * NULL. */
gboolean nook_userdb_find_user (const char *passwd, const char *name, guint32 *uid, guint32 *gid,
                                char **home);

/* The login shell of uid's passwd entry (g_free); NULL when it has none
 * or the field is not an absolute path. */
char *nook_userdb_find_shell (const char *passwd, guint32 uid);

/* The gid of the group named name in group text. */
gboolean nook_userdb_find_group (const char *group, const char *name, guint32 *gid);
