# What the module's switches turn off, and what stays whatever they say,
# planned with a mocked AWS provider (Terraform 1.7 or later). This is the
# LocalStack shape (localstack/localstack.tfvars): no ECS, no Glue/Athena.

mock_provider "aws" {
  mock_data "aws_caller_identity" {
    defaults = {
      account_id = "123456789012"
    }
  }
  mock_data "aws_region" {
    defaults = {
      id = "us-east-1"
    }
  }
  mock_data "aws_partition" {
    defaults = {
      partition = "aws"
    }
  }
  # The provider checks that role trust policies are JSON policies: a mocked
  # document must be one (the statements themselves are asserted on the
  # data sources' arguments).
  mock_data "aws_iam_policy_document" {
    defaults = {
      json          = "{\"Version\":\"2012-10-17\",\"Statement\":[]}"
      minified_json = "{\"Version\":\"2012-10-17\",\"Statement\":[]}"
    }
  }
}

variables {
  name       = "binlake-local"
  lambda_dir = "../../tests/fixtures/lambda"

  ingest_enabled               = false
  glue_enabled                 = false
  checkpoint_schedule          = null
  query_function_url_enabled   = false
  store_prefix                 = ""
  object_lock_retention_days   = 1
  iam_permissions_boundary_arn = "arn:aws:iam::123456789012:policy/boundary"
  tags = {
    team = "data"
  }
}

run "everything_optional_off" {
  command = plan

  assert {
    condition = (length(aws_ecs_cluster.ingest) + length(aws_ecs_service.ingest) + length(aws_ecs_task_definition.ingest) +
      length(aws_security_group.ingest) + length(aws_iam_role.ingest_task) + length(aws_iam_role.ingest_execution) +
    length(aws_cloudwatch_log_group.ingest)) == 0
    error_message = "ingest_enabled = false must deploy nothing of the ingest task"
  }
  assert {
    condition     = length(aws_glue_catalog_database.this) + length(aws_athena_workgroup.this) + length(aws_glue_catalog_table.segments) + length(aws_athena_named_query.changes) == 0
    error_message = "glue_enabled = false must deploy no Glue or Athena resource"
  }
  assert {
    condition     = length(aws_cloudwatch_event_rule.checkpoint) + length(aws_cloudwatch_event_target.checkpoint) + length(aws_lambda_permission.checkpoint_schedule) == 0
    error_message = "checkpoint_schedule = null must deploy no schedule"
  }
  assert {
    condition     = length(aws_lambda_function_url.query) == 0
    error_message = "query_function_url_enabled = false must deploy no function URL"
  }
}

run "store_and_functions_stay" {
  command = plan

  assert {
    condition     = length(aws_lambda_function.function) == 4
    error_message = "the four functions must be deployed whatever the switches"
  }
  assert {
    condition     = one(one(aws_s3_bucket_object_lock_configuration.store.rule).default_retention).mode == "COMPLIANCE" && one(one(aws_s3_bucket_object_lock_configuration.store.rule).default_retention).days == 1
    error_message = "the store stays in COMPLIANCE mode with the configured retention"
  }
  assert {
    condition     = aws_cloudwatch_metric_alarm.replication_lag.alarm_name == "binlake-local-replication-lag"
    error_message = "the lag alarm stays (ingest may run elsewhere and publish the metric)"
  }
  assert {
    condition     = alltrue([for r in aws_iam_role.function : r.permissions_boundary == "arn:aws:iam::123456789012:policy/boundary"])
    error_message = "iam_permissions_boundary_arn must be set on every role"
  }
  assert {
    condition     = aws_s3_bucket.store.tags["team"] == "data" && aws_lambda_function.function["query"].tags["team"] == "data"
    error_message = "tags must reach the resources"
  }
}
