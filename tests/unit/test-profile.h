/* Seccomp profiles for the unit tests: built by hand, or loaded from
 * tests/fixtures through nook's own config loader. */
#pragma once

#include "launcher/config/config.h"

/* A profile made by a test: owns all it points to. */
typedef NookSeccomp TestProfile;

void test_profile_free (TestProfile *profile);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TestProfile, test_profile_free)

#define NAMES(...) ((const char *const[]){ __VA_ARGS__, NULL })

TestProfile *profile_new (NookSeccompAction default_action, gboolean has_errno_ret,
                          guint32 errno_ret);

/* The returned rule is valid until the next profile_add_rule. */
NookSeccompRule *profile_add_rule (TestProfile *profile, NookSeccompAction action,
                                   gboolean has_errno_ret, guint32 errno_ret,
                                   const char *const *names);

void rule_add_arg (NookSeccompRule *rule, guint32 index, NookSeccompOp op, guint64 value,
                   guint64 value_two);

/* tests/fixtures/FILE_NAME holds a linux.seccomp object: it is parsed as
 * part of a minimal config by nook_config_parse, so the tests see exactly
 * what nook run would. */
TestProfile *profile_load_fixture (const char *file_name);
