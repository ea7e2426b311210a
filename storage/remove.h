/* nook: the one recursive removal of the tree (rm -rf), by descriptor.
 *
 * Every step is relative to an open directory (openat, unlinkat, fstatat)
 * and nothing follows a symbolic link: a link is removed, never what it
 * points to, so a tree a container wrote cannot lead the removal out of
 * it. The walk is iterative with one open directory per level: there is no
 * depth limit that leaves files behind; a tree deeper than the descriptors
 * the process may open fails with an error that says so. */
#pragma once

#include <glib.h>

/* Removes name (a file, a link or a directory with everything in it) in the
 * directory parent_fd; path names it in error messages. A missing name is
 * no error. Errors are G_FILE_ERROR, G_FILE_ERROR_ACCES for files the
 * caller may not remove (EACCES, EPERM: files of other ids). */
gboolean nook_remove_tree_at (int parent_fd, const char *name, const char *path, GError **error);

/* Removes everything in the directory dir_fd except its entry keep (NULL:
 * everything); dir_fd itself stays. */
gboolean nook_remove_contents_at (int dir_fd, const char *path, const char *keep, GError **error);

/* nook_remove_tree_at of an absolute or relative path. */
gboolean nook_remove_tree (const char *path, GError **error);
