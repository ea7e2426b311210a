/* nook: a child that works as root in a fresh user namespace.
 *
 *   parent                               child
 *   fork                   ------------> unshare(CLONE_NEWUSER)
 *   read "U" from report   <------------ write "U"
 *   newuidmap/newgidmap
 *   write a byte on go     ------------> read it: root in the namespace,
 *                                        every capability there
 *                                        work (data, report)
 *   read the report        <------------ what work writes, exit
 *   wait
 *
 * The parent blocks on pipes, never on a clock. nook is single-threaded
 * here, so the child may allocate. Used by the removal of layers with
 * files of subordinate ids (rootfs.c) and by `nook import`. */
#pragma once

#include <glib.h>

#include "userns/idmap.h"

/* Runs in the child once its maps are written; writes what the parent
 * should know on report_fd and returns the child's exit status. */
typedef int (*NookUsernsChildFunc) (gpointer data, int report_fd);

typedef enum
{
  NOOK_USERNS_CHILD_DEFAULT = 0,
  /* The caller holds signals blocked (to clean up after a Ctrl-C): the
   * child unblocks them all first, it may die of them. */
  NOOK_USERNS_CHILD_UNBLOCK_SIGNALS = 1 << 0,
  /* The child's own failure (unshare) goes on the report as a line
   * "error TEXT", as in a line protocol of work's; else as bare text. */
  NOOK_USERNS_CHILD_ERROR_LINE = 1 << 1,
} NookUsernsChildFlags;

/* Forks a child that unshares a user namespace, waits for the maps of
 * plan and returns work's status. FALSE (error) only when no child could
 * run: pipe, fork, or the maps not written (the child is reaped). Else
 * out_report is everything the child wrote on its report and out_status
 * its waitpid status (-1 if waitpid failed); a child that failed before
 * work leaves a nonzero status. */
gboolean nook_userns_child_run (const NookIdMapPlan *plan, NookUsernsChildFlags flags,
                                NookUsernsChildFunc work, gpointer data, char **out_report,
                                int *out_status, GError **error);
