# The four functions: provided.al2023 custom runtime (a Go `bootstrap`),
# x86_64, each with its own role (iam.tf) and log group. The cache of
# verified store objects lives in /tmp.

locals {
  functions = {
    query      = "binlake query: as-of reads, SQL, log, diffs (reads the store)"
    recover    = "binlake recover: SQL patches that undo commits (writes only patches/)"
    verify     = "binlake verify: the chain's links and every object hash (reads the store)"
    checkpoint = "binlake checkpoint: table checkpoints and the manifests linking them"
  }

  function_environment = {
    for name in keys(local.functions) : name => merge(
      var.lambda_environment,
      {
        BINLAKE_STORE = local.store_url
        BINLAKE_CACHE = "/tmp/binlake"
      },
      name == "query" ? { BINLAKE_RESULTS = local.results_url } : {},
    )
  }
}

resource "aws_cloudwatch_log_group" "function" {
  for_each = local.functions

  name              = "/aws/lambda/${var.name}-${each.key}"
  retention_in_days = var.log_retention_days

  tags = var.tags
}

resource "aws_lambda_function" "function" {
  for_each = local.functions

  function_name = "${var.name}-${each.key}"
  description   = each.value
  role          = aws_iam_role.function[each.key].arn

  runtime          = "provided.al2023"
  handler          = "bootstrap"
  architectures    = ["x86_64"]
  filename         = "${var.lambda_dir}/${each.key}.zip"
  source_code_hash = filebase64sha256("${var.lambda_dir}/${each.key}.zip")

  memory_size = var.lambda_memory_mb
  timeout     = var.lambda_timeout_seconds[each.key]

  ephemeral_storage {
    size = var.lambda_ephemeral_storage_mb
  }

  environment {
    variables = local.function_environment[each.key]
  }

  tags = var.tags

  # The log group first, so that Lambda does not create it without retention;
  # the policy first, so that the first invocation has its rights.
  depends_on = [
    aws_cloudwatch_log_group.function,
    aws_iam_role_policy.function,
  ]
}

resource "aws_lambda_function_url" "query" {
  count = var.query_function_url_enabled ? 1 : 0

  function_name      = aws_lambda_function.function["query"].function_name
  authorization_type = "AWS_IAM"
}
