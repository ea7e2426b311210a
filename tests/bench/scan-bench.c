/* nook: the seccomp fast path's hand-written scanner against json-glib
 * (tests/bench/README.md, "The syscalls scanner").
 *
 *   scan-bench CONFIG.JSON [ITERATIONS [scanner|cut|json-glib]]
 *
 * Times, per iteration, on the same text:
 *   scanner alone  nook_seccomp_alias_find_rules;
 *   scanner  nook_seccomp_alias_find_rules, then json-glib on the text
 *            with linux.seccomp.syscalls cut to [] (what a warm start does);
 *   json-glib  json-glib on the whole text, then linux.seccomp.syscalls
 *            removed from the tree (the same job without the scanner).
 * With a third argument only that one runs (for callgrind's counts). */
#include <json-glib/json-glib.h>
#include <stdio.h>
#include <stdlib.h>

#include "launcher/seccomp/seccomp-alias.h"

static gboolean
with_scanner (const char *text, gsize len)
{
  g_autoptr (JsonParser) parser = json_parser_new_immutable ();
  g_autoptr (GString) cut = NULL;
  gsize begin, end;

  if (!nook_seccomp_alias_find_rules (text, len, &begin, &end))
    return FALSE;
  cut = g_string_sized_new (len - (end - begin) + 2);
  g_string_append_len (cut, text, begin);
  g_string_append (cut, "[]");
  g_string_append_len (cut, text + end, len - end);
  return json_parser_load_from_data (parser, cut->str, cut->len, NULL);
}

static gboolean
scanner_only (const char *text, gsize len)
{
  gsize begin, end;

  return nook_seccomp_alias_find_rules (text, len, &begin, &end);
}

static gboolean
with_json_glib (const char *text, gsize len)
{
  g_autoptr (JsonParser) parser = json_parser_new_immutable ();
  JsonObject *seccomp;

  if (!json_parser_load_from_data (parser, text, len, NULL))
    return FALSE;
  seccomp = json_object_get_object_member (
      json_object_get_object_member (json_node_get_object (json_parser_get_root (parser)), "linux"),
      "seccomp");
  if (seccomp == NULL || !json_object_has_member (seccomp, "syscalls"))
    return FALSE;
  json_object_remove_member (seccomp, "syscalls");
  return TRUE;
}

static double
time_it (gboolean (*func) (const char *, gsize), const char *text, gsize len, long n)
{
  gint64 start = g_get_monotonic_time ();

  for (long i = 0; i < n; i++)
    if (!func (text, len))
      {
        fprintf (stderr, "scan-bench: the text has no linux.seccomp.syscalls\n");
        exit (1);
      }
  return (double)(g_get_monotonic_time () - start) / (double)n;
}

int
main (int argc, char **argv)
{
  g_autofree char *text = NULL;
  g_autoptr (GError) error = NULL;
  gsize len;
  long n;

  if (argc < 2)
    {
      fprintf (stderr, "usage: scan-bench CONFIG.JSON [ITERATIONS]\n");
      return 2;
    }
  n = argc > 2 ? atol (argv[2]) : 2000;
  if (!g_file_get_contents (argv[1], &text, &len, &error))
    {
      fprintf (stderr, "scan-bench: %s\n", error->message);
      return 1;
    }
  /* Once each before timing: page faults and lazy binding. */
  time_it (with_scanner, text, len, 1);
  time_it (with_json_glib, text, len, 1);
  if (argc > 3)
    {
      gboolean (*func) (const char *, gsize) = g_str_equal (argv[3], "scanner") ? scanner_only
                                               : g_str_equal (argv[3], "cut")   ? with_scanner
                                                                                : with_json_glib;
      printf ("%s: %8.1f us\n", argv[3], time_it (func, text, len, n));
      return 0;
    }
  printf ("%zu bytes, %ld iterations\n", len, n);
  printf ("scanner alone:                       %8.1f us\n", time_it (scanner_only, text, len, n));
  printf ("scanner + json-glib on the cut text: %8.1f us\n", time_it (with_scanner, text, len, n));
  printf ("json-glib on the whole text:         %8.1f us\n",
          time_it (with_json_glib, text, len, n));
  return 0;
}
