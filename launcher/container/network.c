/* nook: the container's network namespace.
 *
 * Child: a fresh network namespace starts with lo down; init brings it up
 * with one ioctl (no ip binary, no allocation).
 *
 * Parent: with --net=pasta, pasta joins the child's user and network
 * namespaces once the maps are written and before the child goes on (sync
 * 1), creates a tap interface with the host's address and default route, and
 * forwards the container's traffic through sockets of the caller. It
 * daemonizes when the namespace is ready; nook stops it when the container
 * has ended. */
#include "launcher/container/network.h"

#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "launcher/errors.h"
#include "launcher/init/step.h"
#include "launcher/proc-ref.h"

static const struct
{
  const char *name;
  NookNetMode mode;
} net_modes[] = {
  { "host", NOOK_NET_HOST },
  { "none", NOOK_NET_NONE },
  { "pasta", NOOK_NET_PASTA },
};

const char *
nook_net_mode_name (NookNetMode mode)
{
  for (gsize i = 0; i < G_N_ELEMENTS (net_modes); i++)
    if (net_modes[i].mode == mode)
      return net_modes[i].name;
  return "config";
}

gboolean
nook_net_mode_parse (const char *value, NookNetMode *out_mode, GError **error)
{
  *out_mode = NOOK_NET_CONFIG;
  if (value == NULL)
    return TRUE;
  for (gsize i = 0; i < G_N_ELEMENTS (net_modes); i++)
    if (strcmp (value, net_modes[i].name) == 0)
      {
        *out_mode = net_modes[i].mode;
        return TRUE;
      }
  g_set_error (error, NOOK_ERROR, NOOK_ERROR_USAGE,
               "run: --net: unknown mode '%s' (host, none or pasta)", value);
  return FALSE;
}

/* A new network namespace only has lo, and it is down: 127.0.0.1 would not
 * even reach the container itself. */
int
nook_init_step_network (NookInit *init)
{
  struct ifreq ifr;
  int fd;

  if (!init->container->lo_up)
    return 0;
  fd = socket (AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return nook_init_fail (init, errno, "socket for configuring lo");
  memset (&ifr, 0, sizeof (ifr));
  memcpy (ifr.ifr_name, "lo", sizeof ("lo"));
  if (ioctl (fd, SIOCGIFFLAGS, &ifr) < 0)
    {
      int err = errno;
      close (fd);
      return nook_init_fail (init, err, "reading the flags of lo");
    }
  ifr.ifr_flags |= IFF_UP;
  if (ioctl (fd, SIOCSIFFLAGS, &ifr) < 0)
    {
      int err = errno;
      close (fd);
      return nook_init_fail (init, err, "bringing lo up");
    }
  close (fd);
  return 0;
}

struct NookPasta
{
  char *path;            /* the pasta binary */
  char *pid_file;        /* where it wrote its pid, once started */
  gboolean own_pid_file; /* a temporary file nook removes */
  pid_t pid;             /* the daemon, 0 when not running */
  NookProcRef proc;      /* to signal and wait for it without pid reuse races;
                            proc.pid 0 when not held */
};

NookPasta *
nook_pasta_new (GError **error)
{
  g_autofree char *path = g_find_program_in_path ("pasta");
  NookPasta *pasta;

  if (path == NULL && access ("/usr/bin/pasta", X_OK) == 0)
    path = g_strdup ("/usr/bin/pasta");
  if (path == NULL)
    {
      g_set_error (error, NOOK_ERROR, NOOK_ERROR_FAILED,
                   "--net=pasta: pasta not found: install the passt package");
      return NULL;
    }
  pasta = g_new0 (NookPasta, 1);
  pasta->path = g_steal_pointer (&path);
  pasta->proc.pidfd = -1;
  return pasta;
}

/* pasta starts with nook's blocked signals otherwise, and could not be
 * stopped with SIGTERM. */
static void
reset_signal_mask (gpointer data)
{
  sigset_t none;

  sigemptyset (&none);
  sigprocmask (SIG_SETMASK, &none, NULL);
}

static gboolean
read_pid_file (NookPasta *pasta, GError **error)
{
  g_autofree char *text = NULL;
  gint64 pid;

  if (!g_file_get_contents (pasta->pid_file, &text, NULL, error))
    {
      g_prefix_error (error, "pasta pid file: ");
      return FALSE;
    }
  pid = g_ascii_strtoll (text, NULL, 10);
  if (pid <= 1 || pid > G_MAXINT)
    {
      g_set_error (error, NOOK_ERROR, NOOK_ERROR_FAILED, "pasta wrote no pid to %s",
                   pasta->pid_file);
      return FALSE;
    }
  pasta->pid = (pid_t)pid;
  if (!nook_proc_ref_open (&pasta->proc, pasta->pid, 0))
    pasta->proc.pid = 0;
  return TRUE;
}

/* When pid started, in seconds since the epoch; 0 if unknown. */
static gint64
process_start_time (pid_t pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/stat", (int)pid);
  g_autofree char *stat = NULL, *proc_stat = NULL;
  const char *after_comm, *btime;
  guint64 start_ticks = 0;
  long hz = sysconf (_SC_CLK_TCK);

  if (!g_file_get_contents (path, &stat, NULL, NULL)
      || !g_file_get_contents ("/proc/stat", &proc_stat, NULL, NULL)
      || (after_comm = strrchr (stat, ')')) == NULL
      || (btime = strstr (proc_stat, "\nbtime ")) == NULL || hz <= 0)
    return 0;
  /* Field 22, starttime; after the comm, field 3 comes first. */
  if (sscanf (after_comm + 2,
              "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u %*d %*d %*d %*d "
              "%*d %*d %" G_GUINT64_FORMAT,
              &start_ticks)
      != 1)
    return 0;
  return g_ascii_strtoll (btime + 7, NULL, 10) + (gint64)(start_ticks / (guint64)hz);
}

/* The real uid of pid, from /proc/PID/status (its /proc files are root's
 * when it made itself non-dumpable, as pasta does). */
static gboolean
process_uid (pid_t pid, uid_t *out_uid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/status", (int)pid);
  g_autofree char *status = NULL;
  const char *line;

  if (!g_file_get_contents (path, &status, NULL, NULL)
      || (line = strstr (status, "\nUid:")) == NULL)
    return FALSE;
  *out_uid = (uid_t)g_ascii_strtoull (line + 5, NULL, 10);
  return TRUE;
}

/* SIGTERM, then SIGKILL, to the process ref holds. */
static void
stop_process (const NookProcRef *ref)
{
  nook_proc_ref_signal (ref, SIGTERM);
  if (!nook_proc_ref_wait_gone (ref, 2000))
    nook_proc_ref_signal (ref, SIGKILL);
}

/* Is pid one of the caller's pasta processes started with --pid pid_file? */
static gboolean
is_pasta_of (pid_t pid, const char *pid_file)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/cmdline", (int)pid);
  g_autofree char *args = NULL;
  g_autofree char *base = NULL;
  gsize len;
  uid_t owner;

  if (!process_uid (pid, &owner) || owner != getuid ()
      || !g_file_get_contents (path, &args, &len, NULL) || len == 0 || args[len - 1] != '\0')
    return FALSE;
  base = g_path_get_basename (args);
  if (!g_str_has_prefix (base, "pasta") && !g_str_has_prefix (base, "passt"))
    return FALSE;
  for (const char *a = args; a < args + len; a += strlen (a) + 1)
    if (strcmp (a, "--pid") == 0 && a + strlen (a) + 1 < args + len
        && strcmp (a + strlen (a) + 1, pid_file) == 0)
      return TRUE;
  return FALSE;
}

/* A nook killed while pasta starts leaves a pasta that writes its pid
 * file only once it has daemonized: after the state was collected, or
 * into a directory that is gone. Its command line names the pid file. */
static void
collect_starting_pasta (const char *pid_file)
{
  g_autoptr (GDir) proc = g_dir_open ("/proc", 0, NULL);
  const char *name;

  while (proc != NULL && (name = g_dir_read_name (proc)) != NULL)
    {
      pid_t pid = (pid_t)g_ascii_strtoll (name, NULL, 10);
      NookProcRef ref = { .pidfd = -1 };

      if (pid <= 1 || !is_pasta_of (pid, pid_file))
        continue;
      /* Checked again once held: the pid cannot be mistaken for another now. */
      if (!nook_proc_ref_open (&ref, pid, 0))
        continue;
      if (is_pasta_of (pid, pid_file))
        stop_process (&ref);
      nook_proc_ref_clear (&ref);
    }
}

void
nook_pasta_collect (const char *dir)
{
  g_autofree char *pid_file = g_build_filename (dir, "pasta.pid", NULL);
  g_autofree char *text = NULL, *comm_path = NULL, *comm = NULL;
  struct stat st;
  gint64 pid, started;
  uid_t owner;
  NookProcRef proc = { .pidfd = -1 };

  collect_starting_pasta (pid_file);
  if (lstat (pid_file, &st) < 0 || !S_ISREG (st.st_mode) || st.st_uid != getuid ()
      || !g_file_get_contents (pid_file, &text, NULL, NULL))
    return;
  pid = g_ascii_strtoll (text, NULL, 10);
  if (pid <= 1 || pid > G_MAXINT)
    return;
  /* Held first: from here on a reused pid is not mistaken for it. */
  if (!nook_proc_ref_open (&proc, (pid_t)pid, 0))
    return;
  comm_path = g_strdup_printf ("/proc/%d/comm", (int)pid);
  started = process_start_time ((pid_t)pid);
  /* pasta re-executes itself as passt.avx2 where the CPU has AVX2. Start
   * times are whole seconds on both sides: a second of slack. */
  if (g_file_get_contents (comm_path, &comm, NULL, NULL)
      && (g_str_has_prefix (comm, "pasta") || g_str_has_prefix (comm, "passt"))
      && process_uid ((pid_t)pid, &owner) && owner == getuid () && started > 0
      && started <= (gint64)st.st_mtime + 1)
    {
      stop_process (&proc);
    }
  nook_proc_ref_clear (&proc);
}

static gboolean
choose_pid_file (NookPasta *pasta, const char *pid_dir, GError **error)
{
  int fd;

  if (pid_dir != NULL)
    {
      pasta->pid_file = g_build_filename (pid_dir, "pasta.pid", NULL);
      return TRUE;
    }
  fd = g_file_open_tmp ("nook-pasta-XXXXXX.pid", &pasta->pid_file, error);
  if (fd < 0)
    return FALSE;
  close (fd);
  pasta->own_pid_file = TRUE;
  return TRUE;
}

gboolean
nook_pasta_start (NookPasta *pasta, pid_t pid, const char *pid_dir, GError **error)
{
  g_autofree char *target = g_strdup_printf ("%d", (int)pid);
  g_autofree char *err_text = NULL;
  g_autoptr (GError) local_error = NULL;
  int wait_status = 0;

  if (!choose_pid_file (pasta, pid_dir, error))
    return FALSE;

  /* No port forwarding either way (-t/-u/-T/-U none) and no mapping of the
   * gateway address to the host (--no-map-gw): the container gets outbound
   * connectivity, not the host's loopback services. */
  const char *argv[] = {
    pasta->path, "--config-net", "--quiet", "-t",   "none",        "-u",    "none",
    "-T",        "none",         "-U",      "none", "--no-map-gw", "--pid", pasta->pid_file,
    target,      NULL,
  };

  if (!g_spawn_sync (NULL, (char **)argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_CLOEXEC_PIPES,
                     reset_signal_mask, NULL, NULL, &err_text, &wait_status, &local_error))
    {
      g_set_error (error, NOOK_ERROR, NOOK_ERROR_FAILED, "--net=pasta: running %s: %s", pasta->path,
                   local_error->message);
      return FALSE;
    }
  if (!g_spawn_check_wait_status (wait_status, &local_error))
    {
      g_auto (GStrv) lines = g_strsplit (err_text ? err_text : "", "\n", -1);
      const char *why = local_error->message;

      /* Without a syslog pasta complains about it on every line: keep the
       * last line that says something else. */
      for (char **l = lines; *l; l++)
        if (**l && strstr (*l, "syslog") == NULL)
          why = *l;
      g_set_error (error, NOOK_ERROR, NOOK_ERROR_FAILED, "--net=pasta: pasta failed: %s", why);
      /* pasta forks its daemon before it is done: one killed in between
       * leaves a daemon that wrote no pid file yet, and must not outlive
       * this failure. */
      collect_starting_pasta (pasta->pid_file);
      return FALSE;
    }
  return read_pid_file (pasta, error);
}

void
nook_pasta_stop (NookPasta *pasta)
{
  if (pasta == NULL || pasta->pid == 0)
    return;
  /* pasta keeps the network namespace alive and does not notice that the
   * container ended: stop it, and wait so that it is gone when nook exits. */
  if (pasta->proc.pid > 0)
    {
      nook_proc_ref_signal (&pasta->proc, SIGTERM);
      if (!nook_proc_ref_wait_gone (&pasta->proc, 2000))
        {
          nook_proc_ref_signal (&pasta->proc, SIGKILL);
          nook_proc_ref_wait_gone (&pasta->proc, 2000);
        }
      nook_proc_ref_clear (&pasta->proc);
      pasta->proc.pid = 0;
    }
  pasta->pid = 0;
  if (pasta->pid_file != NULL)
    unlink (pasta->pid_file);
}

void
nook_pasta_detach (NookPasta *pasta)
{
  if (pasta == NULL)
    return;
  nook_proc_ref_clear (&pasta->proc);
  pasta->proc.pid = 0;
  pasta->pid = 0;
  pasta->own_pid_file = FALSE;
}

void
nook_pasta_free (NookPasta *pasta)
{
  if (pasta == NULL)
    return;
  nook_pasta_stop (pasta);
  if (pasta->own_pid_file && pasta->pid_file != NULL)
    unlink (pasta->pid_file);
  g_free (pasta->path);
  g_free (pasta->pid_file);
  g_free (pasta);
}
