/* nook: the OCI runtime configuration as plain C structs.
 *
 * JSON is read only while loading (storage/json.h): everything the container setup needs is
 * copied into these structs, validated, and (where it helps the child) already
 * converted to the form the syscalls take, so the child never parses or allocates. */
#pragma once

#include <glib.h>
#include <linux/filter.h>
#include <stdint.h>

#include "storage/json.h"

#include "userns/idmap.h"

/* The runtime-spec version the loader follows and `nook spec` writes. */
#define NOOK_OCI_VERSION "1.0.2"

typedef enum
{
  NOOK_NS_USER,
  NOOK_NS_MOUNT,
  NOOK_NS_PID,
  NOOK_NS_UTS,
  NOOK_NS_IPC,
  NOOK_NS_NETWORK,
  NOOK_NS_CGROUP,
  NOOK_NS_COUNT
} NookNsType;

typedef struct
{
  gboolean requested; /* listed in linux.namespaces */
  char *path;         /* join this one with setns(); NULL: create a new one */
} NookNamespace;

typedef struct
{
  char *destination; /* absolute, as in the config */
  char *type;        /* may be NULL (bind mounts) */
  char *source;      /* for bind mounts: absolute (relative ones resolved against the bundle) */
  char **options;    /* NULL-terminated, as in the config */
  /* Derived from options by the loader: */
  unsigned long flags; /* MS_* flags other than propagation (MS_BIND, MS_REC, MS_RDONLY, ...) */
  unsigned long clear_flags; /* flags the options asked to clear (rw, suid, dev, exec, ...) */
  unsigned long propagation; /* MS_PRIVATE/MS_SHARED/MS_SLAVE/MS_UNBINDABLE (| MS_REC), or 0 */
  char *data;                /* options that are not flags, joined with ',' (or NULL) */
  gboolean is_bind;          /* type "bind" or a bind/rbind option */
} NookMount;

typedef struct
{
  char *name;   /* as in the config, e.g. "RLIMIT_NOFILE" */
  int resource; /* RLIMIT_* */
  guint64 soft;
  guint64 hard;
} NookRlimit;

/* Capability sets as bit masks (bit N = capability number N). */
typedef struct
{
  guint64 bounding;
  guint64 effective;
  guint64 permitted;
  guint64 inheritable;
  guint64 ambient;
} NookCaps;

/* struct sched_attr of the kernel (linux/sched/types.h clashes with
 * glibc's sched.h), as sched_setattr(2) takes it: SCHED_ATTR_SIZE_VER0. */
typedef struct
{
  guint32 size;
  guint32 sched_policy;
  guint64 sched_flags;
  gint32 sched_nice;
  guint32 sched_priority;
  guint64 sched_runtime;
  guint64 sched_deadline;
  guint64 sched_period;
} NookSchedAttr;

typedef struct
{
  gboolean terminal;
  char **args; /* NULL-terminated, at least one element */
  char **env;  /* NULL-terminated, may be empty */
  char *cwd;   /* absolute; "/" when absent */
  guint32 uid;
  guint32 gid;
  guint32 *additional_gids;
  guint n_additional_gids;
  gboolean has_umask;
  guint32 umask;
  gboolean has_capabilities; /* process.capabilities present: otherwise all caps are dropped */
  NookCaps caps;
  NookRlimit *rlimits;
  guint n_rlimits;
  gboolean no_new_privileges;
  gboolean has_oom_score_adj;
  gint64 oom_score_adj; /* -1000..1000 */
  gboolean has_io_priority;
  int io_priority; /* IOPRIO_PRIO_VALUE (class, level), for ioprio_set */
  gboolean has_scheduler;
  NookSchedAttr sched;    /* for sched_setattr, size set */
  char *apparmor_profile; /* NULL when absent */
  char *selinux_label;    /* NULL when absent */
  gboolean has_console_size;
  guint32 console_height;         /* process.consoleSize: the pty's size when the caller's */
  guint32 console_width;          /* stdin is no terminal to take it from */
  gboolean has_exec_cpu_affinity; /* process.execCPUAffinity: warned about (nook exec) */
} NookProcess;

typedef struct
{
  char *path;    /* absolute, in the container; also the host node bound there */
  char type;     /* 'c', 'b' or 'p' ("u" is read as 'c') */
  guint32 major; /* checked against the host's node at path */
  guint32 minor;
  char *host_path; /* --device PATH:CPATH: the host's node bound at path; NULL: path */
} NookDevice;

#define NOOK_MEMPOLICY_MAX_NODES 1024

typedef enum
{
  NOOK_SECCOMP_ACT_KILL_THREAD, /* SCMP_ACT_KILL and SCMP_ACT_KILL_THREAD */
  NOOK_SECCOMP_ACT_KILL_PROCESS,
  NOOK_SECCOMP_ACT_TRAP,
  NOOK_SECCOMP_ACT_ERRNO,
  NOOK_SECCOMP_ACT_TRACE,
  NOOK_SECCOMP_ACT_ALLOW,
  NOOK_SECCOMP_ACT_LOG,
  NOOK_SECCOMP_ACT_NOTIFY,
} NookSeccompAction;

typedef enum
{
  NOOK_SECCOMP_OP_NE,
  NOOK_SECCOMP_OP_LT,
  NOOK_SECCOMP_OP_LE,
  NOOK_SECCOMP_OP_EQ,
  NOOK_SECCOMP_OP_GE,
  NOOK_SECCOMP_OP_GT,
  NOOK_SECCOMP_OP_MASKED_EQ,
} NookSeccompOp;

typedef struct
{
  guint32 index; /* 0..5 */
  guint64 value;
  guint64 value_two;
  NookSeccompOp op;
} NookSeccompArg;

typedef struct
{
  char **names; /* NULL-terminated syscall names ("name" and "names" merged) */
  NookSeccompAction action;
  gboolean has_errno_ret;
  guint32 errno_ret;
  NookSeccompArg *args;
  guint n_args;
} NookSeccompRule;

typedef struct
{
  NookSeccompAction default_action;
  gboolean has_default_errno_ret;
  guint32 default_errno_ret;
  char **architectures; /* NULL-terminated, as in the config ("SCMP_ARCH_X86_64"), may be empty */
  gboolean has_flags;   /* linux.seccomp.flags present (even empty) */
  guint32 flags;        /* SECCOMP_FILTER_FLAG_* bits */
  NookSeccompRule *rules;
  guint n_rules;
  /* The store's fast path (launcher/seccomp-alias.h): a key over the whole
   * config.json, and the program the store holds under it. With a program
   * the rules were not parsed: n_rules is 0 and says nothing. */
  gboolean has_alias_key;
  guint8 alias_key[32];
  struct sock_filter *alias_insns;
  guint alias_n_insns;
} NookSeccomp;

typedef struct
{
  char *key; /* "net.ipv4.ip_forward" */
  char *value;
} NookSysctl;

/* The hook kinds of the runtime spec, in the order of the lifecycle. */
typedef enum
{
  NOOK_HOOK_PRESTART,
  NOOK_HOOK_CREATE_RUNTIME,
  NOOK_HOOK_CREATE_CONTAINER,
  NOOK_HOOK_START_CONTAINER,
  NOOK_HOOK_POSTSTART,
  NOOK_HOOK_POSTSTOP,
  NOOK_HOOK_KIND_COUNT
} NookHookKind;

typedef struct
{
  char *path;    /* absolute; the file executed */
  char **args;   /* argv as given (args[0] is argv[0]); { path } when absent or empty */
  char **env;    /* the hook's whole environment, NULL-terminated, may be empty */
  guint timeout; /* seconds; 0: none */
} NookHook;

typedef struct
{
  char *key;
  char *value;
} NookAnnotation;

typedef struct
{
  char *config_path; /* the file it was read from, as given (for messages) */
  char *bundle_dir;  /* absolute */
  char *oci_version;
  char *root_path; /* absolute: root.path resolved against the bundle */
  gboolean root_readonly;
  NookProcess process;
  char *hostname;   /* NULL when absent */
  char *domainname; /* NULL when absent */
  NookMount *mounts;
  guint n_mounts;
  NookNamespace namespaces[NOOK_NS_COUNT];
  NookIdMapping *uid_mappings;
  guint n_uid_mappings;
  NookIdMapping *gid_mappings;
  guint n_gid_mappings;
  char **masked_paths;   /* NULL-terminated, may be empty */
  char **readonly_paths; /* NULL-terminated, may be empty */
  NookSysctl *sysctl;
  guint n_sysctl;
  NookSeccomp *seccomp;                  /* NULL when linux.seccomp is absent */
  gboolean has_resources;                /* linux.resources asks for at least one limit */
  unsigned long rootfs_propagation;      /* MS_* | MS_REC, or 0 when absent */
  NookHook *hooks[NOOK_HOOK_KIND_COUNT]; /* hooks.<kind>, in order */
  guint n_hooks[NOOK_HOOK_KIND_COUNT];
  NookAnnotation *annotations; /* in the order of the file */
  guint n_annotations;
  NookDevice *devices; /* linux.devices: bound from the host (rootless cannot mknod) */
  guint n_devices;
  gboolean has_personality;
  unsigned long personality; /* PER_LINUX or PER_LINUX32 */
  gboolean has_memory_policy;
  int mempolicy_mode; /* MPOL_* | MPOL_F_* flags, for set_mempolicy */
  unsigned long mempolicy_nodes[NOOK_MEMPOLICY_MAX_NODES / (8 * sizeof (unsigned long))];
  gboolean has_intel_rdt; /* linux.intelRdt present: warned about, not applied */
  char *mount_label;      /* linux.mountLabel (SELinux), NULL when absent */
} NookConfig;

/* Reads and validates a config file. bundle_dir is the bundle (root.path and
 * relative bind sources are resolved against it); config_path NULL means
 * bundle_dir/config.json. Errors are NOOK_ERROR_CONFIG with a message
 * "FILE: JSON.PATH: what is wrong" (or "FILE: line L, column C: ..." for syntax
 * errors). */
NookConfig *nook_config_load (const char *bundle_dir, const char *config_path, GError **error);

/* The first half of nook_config_load: checks bundle_dir and reads the file.
 * *out_path: the file read, for messages. */
GString *nook_config_read (const char *bundle_dir, const char *config_path, char **out_path,
                           GError **error);

/* The same on a buffer; file_label is used in messages. Filesystem checks
 * (rootfs is a directory, bind sources exist) are done here too. */
NookConfig *nook_config_parse (const char *data, gssize length, const char *file_label,
                               const char *bundle_dir, GError **error);

/* The two halves of nook_config_parse, for a caller that looks at the
 * JSON in between: the text read (NOOK_ERROR_CONFIG naming file_label),
 * and a config from it. skip_seccomp_rules: linux.seccomp.syscalls is
 * not read (the caller has the program compiled from that very text). */
NookJsonDoc *nook_config_parse_text (const char *data, gsize length, const char *file_label,
                                     GError **error);
NookConfig *nook_config_parse_json (const NookJson *root, const char *file_label,
                                    const char *bundle_dir, gboolean skip_seccomp_rules,
                                    GError **error);

void nook_config_free (NookConfig *config);
/* Frees what process holds and zeroes it. */
void nook_config_process_clear (NookProcess *process);
void nook_config_seccomp_free (NookSeccomp *seccomp);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (NookConfig, nook_config_free)

/* A runtime-spec process object on its own (nook exec --process FILE, as
 * engines write it): parsed and checked as config.json's process is, with
 * errors naming FILE and the JSON path. */
gboolean nook_config_load_process (const char *file, NookProcess *out, GError **error);

/* The number of a capability name ("CAP_NET_RAW", or "NET_RAW", any case),
 * or -1 when unknown. */
int nook_config_cap_from_name (const char *name);

const char *nook_ns_type_name (NookNsType type);     /* "user", "mount", "pid", ... (OCI names) */
int nook_ns_type_clone_flag (NookNsType type);       /* CLONE_NEWUSER, ... */
const char *nook_hook_kind_name (NookHookKind kind); /* "prestart", "createRuntime", ... */

/* What the loader accepts, for `nook features`. These are the loader's own
 * tables, so that the features document cannot drift from what it parses. */
typedef struct
{
  const char *name; /* as in config.json: "SCMP_ACT_ERRNO", "SCMP_CMP_EQ", ... */
  guint value;      /* NookSeccompAction, NookSeccompOp or SECCOMP_FILTER_FLAG_* */
} NookConfigName;

const NookConfigName *nook_config_seccomp_actions (gsize *out_n);
const NookConfigName *nook_config_seccomp_operators (gsize *out_n);
const NookConfigName *nook_config_seccomp_flags (gsize *out_n);
const char *const *nook_config_seccomp_archs (void);            /* NULL-terminated */
const char *const *nook_config_capability_names (gsize *out_n); /* by number */
/* Every mount option name the loader knows (flags and propagation), in a new
 * NULL-terminated array. */
char **nook_config_mount_option_names (void);
