/* nook: the container's account database, child side: the caller's
 * entries for --userns=keep-id, and for a toolbox the sudo group and a
 * sudoers file. Everything here is best effort (a container without the
 * files keeps what it has) and allocation-free (it runs after clone()). */
#include "launcher/init/step.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Appends line to the id database at path (/etc/passwd, /etc/group)
 * unless an entry has id already. Best effort: a container without the
 * file, one too large to read here, or one that cannot be written keeps
 * what it has. The buffer is static: the child does not allocate. */
static void
add_id_entry (const char *path, guint32 id, const char *line)
{
  static char buf[256 * 1024];
  char want[16];
  ssize_t n, len = 0;
  int fd = open (path, O_RDWR | O_APPEND | O_NOFOLLOW | O_CLOEXEC);

  if (fd < 0)
    return;
  while (len < (ssize_t)sizeof buf - 1 && (n = read (fd, buf + len, sizeof buf - 1 - len)) != 0)
    {
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        break;
      len += n;
    }
  if (len >= (ssize_t)sizeof buf - 1)
    {
      close (fd);
      return;
    }
  buf[len] = '\0';
  /* The third field of some line: "name:x:ID:" */
  snprintf (want, sizeof want, ":%u:", (unsigned)id);
  for (char *l = buf; l != NULL && *l != '\0';)
    {
      char *end = strchr (l, '\n');
      char *first = strchr (l, ':');
      char *second = first ? strchr (first + 1, ':') : NULL;

      if (second != NULL && (end == NULL || second < end)
          && strncmp (second, want, strlen (want)) == 0)
        {
          close (fd);
          return;
        }
      l = end ? end + 1 : NULL;
    }
  if (len > 0 && buf[len - 1] != '\n' && write (fd, "\n", 1) < 0)
    {
      close (fd);
      return;
    }
  if (write (fd, line, strlen (line)) < 0)
    {
      /* Read-only or full: the process runs without the entry. */
    }
  close (fd);
}

/* Reads path whole into buf (NUL-terminated); -1 when it is missing,
 * unreadable or does not fit. */
static ssize_t
read_small_file (const char *path, char *buf, size_t size)
{
  ssize_t n, len = 0;
  int fd = open (path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);

  if (fd < 0)
    return -1;
  while (len < (ssize_t)size - 1 && (n = read (fd, buf + len, size - 1 - len)) != 0)
    {
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        break;
      len += n;
    }
  close (fd);
  if (len >= (ssize_t)size - 1)
    return -1;
  buf[len] = '\0';
  return len;
}

/* Is user in the comma-separated member list that starts at members and
 * ends at end? */
static gboolean
is_member (const char *members, const char *end, const char *user)
{
  size_t ulen = strlen (user);

  for (const char *m = members; m < end;)
    {
      const char *comma = memchr (m, ',', end - m);
      const char *stop = comma ? comma : end;

      if ((size_t)(stop - m) == ulen && strncmp (m, user, ulen) == 0)
        return TRUE;
      m = stop + 1;
    }
  return FALSE;
}

/* A toolbox: the caller in the sudo group (Debian) or else wheel (Fedora,
 * Arch), as toolbox and distrobox do. Best effort, like add_id_entry. */
static void
add_sudo_group_member (const char *user)
{
  static char buf[256 * 1024];
  static const char *const groups[] = { "sudo:", "wheel:" };
  ssize_t len = read_small_file ("/etc/group", buf, sizeof buf);

  for (size_t g = 0; len >= 0 && g < G_N_ELEMENTS (groups); g++)
    for (char *l = buf; l != NULL && *l != '\0';)
      {
        char *end = strchrnul (l, '\n');
        char *f2 = strncmp (l, groups[g], strlen (groups[g])) == 0 ? strchr (l, ':') : NULL;
        char *f3 = f2 ? memchr (f2 + 1, ':', end - f2 - 1) : NULL;
        char *members = f3 ? memchr (f3 + 1, ':', end - f3 - 1) : NULL;
        int fd;

        if (members == NULL)
          {
            l = *end ? end + 1 : NULL;
            continue;
          }
        members++;
        if (is_member (members, end, user))
          return;
        /* name:x:gid:members -> name:x:gid:members,user */
        fd = open ("/etc/group", O_WRONLY | O_TRUNC | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
          return;
        if (write (fd, buf, end - buf) < 0 || (end > members && write (fd, ",", 1) < 0)
            || write (fd, user, strlen (user)) < 0 || write (fd, end, len - (end - buf)) < 0)
          {
            /* Half-written: nothing better to do than what add_id_entry does. */
          }
        close (fd);
        return;
      }
}

/* A toolbox: the caller's /etc/shadow entry, "NAME:*:::::::" (no
 * password, no ageing), unless there is one. Without it PAM's account
 * check (pam_unix) fails and sudo refuses even with NOPASSWD. */
static void
add_shadow_entry (const char *user)
{
  static char buf[256 * 1024];
  size_t ulen = strlen (user);
  ssize_t len = read_small_file ("/etc/shadow", buf, sizeof buf);
  int fd;

  if (len < 0)
    return;
  for (char *l = buf; l != NULL && *l != '\0';)
    {
      if (strncmp (l, user, ulen) == 0 && l[ulen] == ':')
        return;
      l = strchr (l, '\n');
      l = l ? l + 1 : NULL;
    }
  fd = open ("/etc/shadow", O_WRONLY | O_APPEND | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0)
    return;
  if ((len > 0 && buf[len - 1] != '\n' && write (fd, "\n", 1) < 0) || write (fd, user, ulen) < 0
      || write (fd, ":*:::::::\n", 10) < 0)
    {
      /* Full or read-only: sudo then refuses, as without the entry. */
    }
  close (fd);
}

/* A toolbox: passwordless sudo for the caller, when the container has
 * sudo (its /etc/sudoers.d). Made by the container's root (the step runs
 * before the user switch), mode 0440, as sudo requires. */
static void
add_sudoers (const char *line)
{
  int fd = open ("/etc/sudoers.d/nook-toolbox",
                 O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0440);

  if (fd < 0)
    return;
  if (write (fd, line, strlen (line)) < 0)
    {
      /* Full: sudo then asks for a password, which the user has not. */
    }
  /* Root's, as sudo requires: under keep-id's fuse-overlayfs mapping a
   * file the init creates would otherwise show as the caller's. */
  if (fchown (fd, 0, 0) < 0 || fchmod (fd, 0440) < 0)
    unlink ("/etc/sudoers.d/nook-toolbox");
  close (fd);
}

/* --userns=keep-id: the caller's name in the container's /etc/passwd and
 * /etc/group, so that whoami, ls -l and shells know it. Only in a writable
 * layer (it must not write into the bundle), after pivot_root (the
 * container's own files) and before the root may turn read-only. */
int
nook_init_step_keep_id_user (NookInit *init)
{
  const NookContainer *c = init->container;

  if (c->passwd_line == NULL || c->rootfs == NULL || c->rootfs->layer == NULL
      || init->config->root_readonly)
    return 0;
  add_id_entry ("/etc/passwd", c->uid, c->passwd_line);
  add_id_entry ("/etc/group", c->gid, c->group_line);
  if (c->sudoers_line != NULL)
    {
      add_shadow_entry (c->user_name);
      add_sudo_group_member (c->user_name);
      add_sudoers (c->sudoers_line);
    }
  return 0;
}
