/* nook: the container's network: loopback up in a fresh network namespace
 * (child), and pasta for --net=pasta (parent). */
#pragma once

#include <glib.h>
#include <sys/types.h>

/* --net */
typedef enum
{
  NOOK_NET_CONFIG, /* what linux.namespaces says */
  NOOK_NET_HOST,   /* the caller's network namespace */
  NOOK_NET_NONE,   /* a fresh namespace with loopback only */
  NOOK_NET_PASTA,  /* a fresh namespace connected through pasta (package passt) */
} NookNetMode;

/* Parses a --net value; NULL: the default. */
gboolean nook_net_mode_parse (const char *value, NookNetMode *out_mode, GError **error);
/* The --net value of a mode ("config" for NOOK_NET_CONFIG). */
const char *nook_net_mode_name (NookNetMode mode);

typedef struct NookPasta NookPasta;

/* Finds pasta and prepares its argv, before clone(). Not installed: an
 * error naming the passt package. */
NookPasta *nook_pasta_new (GError **error);

/* Connects the network namespace of pid (in its user namespace) and returns
 * once pasta has configured it and gone to the background. pid_dir: where
 * pasta writes its pid file (the container's state directory, so that the
 * state names it), or NULL for a temporary file. */
gboolean nook_pasta_start (NookPasta *pasta, pid_t pid, const char *pid_dir, GError **error);

/* Stops pasta and waits until it is gone. Safe to call twice. */
void nook_pasta_stop (NookPasta *pasta);

/* After nook died (SIGKILL): stops the pasta whose pid file is in the
 * container's state directory dir, if that pid is still the pasta that
 * wrote it (the user's, named pasta, started before the file was
 * written: not a process that got the pid later). */
void nook_pasta_collect (const char *dir);

/* A detached container keeps its pasta: forget it here (delete stops it
 * through nook_pasta_collect, from its pid file in the state directory). */
void nook_pasta_detach (NookPasta *pasta);

/* Stops pasta if it runs. */
void nook_pasta_free (NookPasta *pasta);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (NookPasta, nook_pasta_free)
