#!/usr/bin/env bats
# Configs that other tools generate, run as they come: annotations nook
# keeps but does not act on.

load helpers

setup_file ()
{
  nook_default_setup_file
}

setup ()
{
  nook_default_setup
}

teardown ()
{
  nook_default_teardown
}

@test "generated configs: annotations (run.oci.* included) are accepted quietly" {
  edit_config "$B" 'c["annotations"] = {"run.oci.keep_original_groups": "1", "run.oci.systemd.subgroup": "x", "org.example.note": "kept"}'
  run --separate-stderr "$NOOK" run "$B" echo ran
  assert_status 0
  assert_output ran
  assert_stderr ""
}

@test "generated configs: an annotation that is not a string is refused naming it" {
  edit_config "$B" 'c["annotations"] = {"org.example.count": 3}'
  run --separate-stderr "$NOOK" run "$B" true
  assert_nook_error 125 'config.json: annotations."org.example.count": expected a string'
}
