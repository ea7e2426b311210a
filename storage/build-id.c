/* nook: the build id of the running nook (build-id.h). */
#include "storage/build-id.h"

#include <elf.h>
#include <link.h>
#include <string.h>

/* Only reached by an executable whose note was removed after linking (the
 * build itself refuses a linker without --build-id): such builds cannot be
 * told apart, so they share their store entries with one another, as every
 * build did before keys covered the build id; never with a build that has
 * its note. Entries stay verified by their MAC whatever the key. */
#define NO_BUILD_ID "nook " NOOK_VERSION " without a GNU build-id note"

typedef struct
{
  const guint8 *id;
  gsize len;
} Found;

/* Notes are 4-byte aligned, or 8 in a segment aligned to 8 (gABI). */
static gsize
note_align (gsize n, gsize align)
{
  return (n + align - 1) & ~(align - 1);
}

static gboolean
find_in_segment (const guint8 *p, gsize size, gsize align, Found *found)
{
  while (size >= sizeof (ElfW (Nhdr)))
    {
      const ElfW (Nhdr) *nh = (const ElfW (Nhdr) *)p;
      gsize name_off = sizeof *nh;
      gsize desc_off = name_off + note_align (nh->n_namesz, align);
      gsize next = desc_off + note_align (nh->n_descsz, align);

      if (nh->n_namesz > size || nh->n_descsz > size || desc_off + nh->n_descsz > size)
        return FALSE;
      if (nh->n_type == NT_GNU_BUILD_ID && nh->n_namesz == sizeof ELF_NOTE_GNU
          && memcmp (p + name_off, ELF_NOTE_GNU, sizeof ELF_NOTE_GNU) == 0 && nh->n_descsz > 0)
        {
          found->id = p + desc_off;
          found->len = nh->n_descsz;
          return TRUE;
        }
      if (next >= size)
        return FALSE;
      p += next;
      size -= next;
    }
  return FALSE;
}

/* The first object dl_iterate_phdr reports is the main program. */
static int
first_object (struct dl_phdr_info *info, size_t size, void *data)
{
  Found *found = data;

  for (ElfW (Half) i = 0; i < info->dlpi_phnum; i++)
    {
      const ElfW (Phdr) *ph = &info->dlpi_phdr[i];

      if (ph->p_type == PT_NOTE
          && find_in_segment ((const guint8 *)(info->dlpi_addr + ph->p_vaddr), ph->p_memsz,
                              ph->p_align == 8 ? 8 : 4, found))
        break;
    }
  return 1;
}

const guint8 *
nook_build_id (gsize *out_len)
{
  Found found = { NULL, 0 };

  dl_iterate_phdr (first_object, &found);
  if (found.id == NULL)
    {
      found.id = (const guint8 *)NO_BUILD_ID;
      found.len = strlen (NO_BUILD_ID);
    }
  *out_len = found.len;
  return found.id;
}

char *
nook_build_id_to_hex (void)
{
  gsize len;
  const guint8 *id = nook_build_id (&len);
  GString *hex = g_string_sized_new (2 * len);

  for (gsize i = 0; i < len; i++)
    g_string_append_printf (hex, "%02x", id[i]);
  return g_string_free (hex, FALSE);
}
