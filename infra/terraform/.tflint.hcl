# tflint configuration for the binlake module and its examples. Only the
# terraform ruleset bundled with tflint is used, so `tflint --init` (which
# downloads plugins) is never needed: no `source` or `version` below.
#
#   cd infra/terraform && tflint --chdir=modules/binlake --config=$PWD/.tflint.hcl
#   (make tf-check runs it on the module and on examples/complete)

config {
  # Lint the module calls of the examples as well as their root module.
  call_module_type = "local"
}

plugin "terraform" {
  enabled = true
  preset  = "all"
}
