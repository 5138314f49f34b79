# The functions, the ingest task, the checkpoint schedule, the lag alarm and
# Glue/Athena, planned with a mocked AWS provider (Terraform 1.7 or later).
# The last run applies against the mock (nothing is created anywhere) so that
# values Terraform knows only after apply, such as the store URL inside the
# task definition, can be checked too.

mock_provider "aws" {
  mock_data "aws_caller_identity" {
    defaults = {
      account_id = "123456789012"
    }
  }
  mock_data "aws_region" {
    defaults = {
      id = "eu-west-1"
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
  # The provider checks that ARN arguments look like ARNs, also against the
  # mock: made-up ARNs for what the apply run passes around.
  mock_resource "aws_iam_role" {
    defaults = {
      arn = "arn:aws:iam::123456789012:role/mock"
    }
  }
  mock_resource "aws_kms_key" {
    defaults = {
      arn = "arn:aws:kms:eu-west-1:123456789012:key/00000000-0000-0000-0000-000000000000"
    }
  }
  mock_resource "aws_lambda_function" {
    defaults = {
      arn = "arn:aws:lambda:eu-west-1:123456789012:function:mock"
    }
  }
  mock_resource "aws_cloudwatch_event_rule" {
    defaults = {
      arn = "arn:aws:events:eu-west-1:123456789012:rule/mock"
    }
  }
  mock_resource "aws_cloudwatch_log_group" {
    defaults = {
      arn = "arn:aws:logs:eu-west-1:123456789012:log-group:mock"
    }
  }
  mock_resource "aws_s3_bucket" {
    defaults = {
      arn = "arn:aws:s3:::mock"
    }
  }
  mock_data "aws_iam_policy_document" {
    defaults = {
      json          = "{\"Version\":\"2012-10-17\",\"Statement\":[]}"
      minified_json = "{\"Version\":\"2012-10-17\",\"Statement\":[]}"
    }
  }
}

variables {
  name       = "binlake-test"
  lambda_dir = "../../tests/fixtures/lambda"

  ingest_image             = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/binlake:v1"
  source_secret_arn        = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:binlake/source-AbCdEf"
  vpc_id                   = "vpc-0123456789abcdef0"
  subnet_ids               = ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"]
  source_security_group_id = "sg-0123456789abcdef0"
  alarm_actions            = ["arn:aws:sns:eu-west-1:123456789012:binlake-alarms"]

  glue_tables = {
    shop_orders = {
      database = "shop"
      table    = "orders"
      key      = "id"
      columns = [
        { name = "id", type = "bigint" },
        { name = "status", type = "string" },
      ]
    }
  }
}

run "four_functions_on_provided_al2023_with_own_roles" {
  command = plan

  assert {
    condition     = toset(keys(aws_lambda_function.function)) == toset(["query", "recover", "verify", "checkpoint"])
    error_message = "the module must deploy exactly the query, recover, verify and checkpoint functions"
  }
  assert {
    condition = alltrue([for k, f in aws_lambda_function.function :
      f.function_name == "binlake-test-${k}" && f.runtime == "provided.al2023" && f.handler == "bootstrap" && toset(f.architectures) == toset(["x86_64"])
    ])
    error_message = "every function must be <name>-<job>, provided.al2023 with a bootstrap handler, on x86_64"
  }
  assert {
    condition     = alltrue([for k, f in aws_lambda_function.function : f.memory_size == 2048 && one(f.ephemeral_storage).size == 2048])
    error_message = "functions must default to 2048 MB of memory and of /tmp"
  }
  assert {
    condition = (aws_lambda_function.function["query"].timeout == 60 && aws_lambda_function.function["recover"].timeout == 300 &&
    aws_lambda_function.function["verify"].timeout == 900 && aws_lambda_function.function["checkpoint"].timeout == 900)
    error_message = "function timeouts must default to query 60 s, recover 300 s, verify and checkpoint 900 s"
  }
  assert {
    condition = alltrue([for k, f in aws_lambda_function.function :
      one(f.environment).variables["BINLAKE_CACHE"] == "/tmp/binlake" && contains(keys(one(f.environment).variables), "BINLAKE_STORE") &&
      contains(keys(one(f.environment).variables), "BINLAKE_RESULTS") == (k == "query")
    ])
    error_message = "every function needs BINLAKE_STORE and BINLAKE_CACHE; only query gets BINLAKE_RESULTS"
  }
  assert {
    condition     = toset(keys(aws_iam_role.function)) == toset(keys(aws_lambda_function.function)) && length(distinct([for r in aws_iam_role.function : r.name])) == 4
    error_message = "each function must have a role of its own"
  }
  assert {
    condition     = toset(keys(aws_iam_role_policy.function)) == toset(keys(aws_lambda_function.function))
    error_message = "each function role must have its one inline policy"
  }
  assert {
    condition     = alltrue([for k, g in aws_cloudwatch_log_group.function : g.name == "/aws/lambda/binlake-test-${k}" && g.retention_in_days == 90])
    error_message = "each function must have its log group, with retention"
  }
  assert {
    condition     = length(aws_lambda_function_url.query) == 1 && aws_lambda_function_url.query[0].authorization_type == "AWS_IAM" && aws_lambda_function_url.query[0].function_name == "binlake-test-query"
    error_message = "the query function URL must use AWS_IAM auth"
  }
  assert {
    condition = anytrue([for s in data.aws_iam_policy_document.recover.statement :
      s.sid == "WritePatches" && toset(s.actions) == toset(["s3:PutObject"])
    ])
    error_message = "the recover role must write patches/"
  }
}

run "exactly_one_ingest_task" {
  command = plan

  assert {
    condition     = length(aws_ecs_service.ingest) == 1 && length(aws_ecs_cluster.ingest) == 1 && length(aws_ecs_task_definition.ingest) == 1
    error_message = "ingest_enabled must deploy one cluster, one task definition and one service"
  }
  assert {
    condition     = aws_ecs_service.ingest[0].desired_count == 1
    error_message = "the ingest service must run exactly one task"
  }
  assert {
    condition     = aws_ecs_service.ingest[0].deployment_minimum_healthy_percent == 0 && aws_ecs_service.ingest[0].deployment_maximum_percent == 100
    error_message = "a deployment must stop the running task before starting the next (0 % / 100 %)"
  }
  assert {
    condition     = aws_ecs_service.ingest[0].launch_type == "FARGATE" && aws_ecs_service.ingest[0].enable_execute_command == false
    error_message = "ingest must run on Fargate without ECS Exec"
  }
  assert {
    condition     = toset(one(aws_ecs_service.ingest[0].network_configuration).subnets) == toset(["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"]) && one(aws_ecs_service.ingest[0].network_configuration).assign_public_ip == false
    error_message = "the task must run in the given subnets without a public IP"
  }
  assert {
    condition     = aws_ecs_task_definition.ingest[0].network_mode == "awsvpc" && toset(aws_ecs_task_definition.ingest[0].requires_compatibilities) == toset(["FARGATE"]) && aws_ecs_task_definition.ingest[0].cpu == "1024" && aws_ecs_task_definition.ingest[0].memory == "2048"
    error_message = "the task definition must be an awsvpc Fargate task of 1024 CPU units and 2048 MB"
  }
  assert {
    condition     = length(aws_vpc_security_group_egress_rule.ingest_source_sg) == 1 && aws_vpc_security_group_egress_rule.ingest_source_sg[0].from_port == 3306 && aws_vpc_security_group_egress_rule.ingest_source_sg[0].referenced_security_group_id == "sg-0123456789abcdef0"
    error_message = "the ingest security group must allow egress to the primary's security group on 3306"
  }
  assert {
    condition     = aws_vpc_security_group_egress_rule.ingest_https[0].from_port == 443 && aws_vpc_security_group_egress_rule.ingest_https[0].to_port == 443
    error_message = "the ingest security group must allow HTTPS egress"
  }
  assert {
    condition = anytrue([for s in data.aws_iam_policy_document.ingest_execution[0].statement :
      s.sid == "ReadSourceSecret" && toset(s.resources) == toset(["arn:aws:secretsmanager:eu-west-1:123456789012:secret:binlake/source-AbCdEf"])
    ])
    error_message = "the execution role must read the source secret, and only it"
  }
}

run "checkpoint_schedule_and_lag_alarm" {
  command = plan

  assert {
    condition     = length(aws_cloudwatch_event_rule.checkpoint) == 1 && aws_cloudwatch_event_rule.checkpoint[0].schedule_expression == "rate(1 hour)"
    error_message = "the checkpoint schedule rule must exist and default to rate(1 hour)"
  }
  assert {
    condition     = aws_cloudwatch_event_target.checkpoint[0].input == "{}" && aws_cloudwatch_event_target.checkpoint[0].rule == "binlake-test-checkpoint"
    error_message = "the schedule must send checkpoint_input to the checkpoint function"
  }
  assert {
    condition     = aws_lambda_permission.checkpoint_schedule[0].principal == "events.amazonaws.com" && aws_lambda_permission.checkpoint_schedule[0].function_name == "binlake-test-checkpoint"
    error_message = "EventBridge must be allowed to invoke the checkpoint function"
  }
  assert {
    condition     = aws_cloudwatch_metric_alarm.replication_lag.metric_name == "ReplicationLagSeconds" && aws_cloudwatch_metric_alarm.replication_lag.namespace == "binlake"
    error_message = "the alarm must watch binlake/ReplicationLagSeconds"
  }
  assert {
    condition = (aws_cloudwatch_metric_alarm.replication_lag.threshold == 60 && aws_cloudwatch_metric_alarm.replication_lag.comparison_operator == "GreaterThanThreshold" &&
    aws_cloudwatch_metric_alarm.replication_lag.evaluation_periods == 5 && aws_cloudwatch_metric_alarm.replication_lag.period == 60)
    error_message = "the alarm must fire above 60 s of lag for five one-minute periods"
  }
  assert {
    condition     = aws_cloudwatch_metric_alarm.replication_lag.treat_missing_data == "breaching"
    error_message = "a stopped ingest (missing data) must count as breaching"
  }
  assert {
    condition     = toset(aws_cloudwatch_metric_alarm.replication_lag.alarm_actions) == toset(["arn:aws:sns:eu-west-1:123456789012:binlake-alarms"]) && toset(aws_cloudwatch_metric_alarm.replication_lag.ok_actions) == toset(["arn:aws:sns:eu-west-1:123456789012:binlake-alarms"])
    error_message = "the alarm must notify alarm_actions on ALARM and on OK"
  }
}

run "glue_tables_and_athena_queries" {
  command = plan

  assert {
    condition     = aws_glue_catalog_database.this[0].name == "binlake_test" && aws_athena_workgroup.this[0].name == "binlake-test"
    error_message = "the Glue database must be the name with underscores, the workgroup the name"
  }
  assert {
    condition     = toset(keys(aws_glue_catalog_table.segments)) == toset(["shop_orders"]) && aws_glue_catalog_table.segments["shop_orders"].name == "shop_orders_segments" && aws_glue_catalog_table.checkpoints["shop_orders"].name == "shop_orders_checkpoints"
    error_message = "each glue_tables entry must give <key>_segments and <key>_checkpoints"
  }
  assert {
    condition     = [for c in one(aws_glue_catalog_table.segments["shop_orders"].storage_descriptor).columns : c.name] == ["_commit", "_seq", "_op", "_time", "_gtid", "before", "after"]
    error_message = "segment tables must have the change columns, then before and after"
  }
  assert {
    condition     = one(aws_glue_catalog_table.segments["shop_orders"].storage_descriptor).columns[6].type == "struct<id:bigint,status:string>"
    error_message = "after must be a struct of the table's columns"
  }
  assert {
    condition     = one(one(one(aws_athena_workgroup.this[0].configuration).result_configuration).encryption_configuration).encryption_option == "SSE_KMS"
    error_message = "Athena results must be encrypted with SSE-KMS"
  }
  assert {
    condition     = length(aws_athena_named_query.asof) == 1 && length(aws_athena_named_query.changes) == 1 && strcontains(aws_athena_named_query.asof["shop_orders"].query, "shop_orders_checkpoints")
    error_message = "each table with a key must get an as-of query and a change-feed query"
  }
}

# Against the mock, apply creates nothing: it fills every computed value with
# a made-up one, so the wiring between resources can be checked.
run "wiring_after_apply" {
  assert {
    condition     = output.store_url == "s3://${output.bucket_name}/lake"
    error_message = "store_url must be s3://<bucket>/<store_prefix>"
  }
  assert {
    condition     = alltrue([for f in aws_lambda_function.function : one(f.environment).variables["BINLAKE_STORE"] == output.store_url])
    error_message = "every function must get the store URL as BINLAKE_STORE"
  }
  assert {
    condition     = one(aws_lambda_function.function["query"].environment).variables["BINLAKE_RESULTS"] == "s3://${output.results_bucket_name}/results"
    error_message = "the query function must put large answers in the results bucket, never in the store"
  }
  assert {
    condition     = jsondecode(aws_ecs_task_definition.ingest[0].container_definitions)[0].command == ["ingest", "--store", output.store_url]
    error_message = "the ingest container must run `ingest --store <store url>`"
  }
  assert {
    condition     = jsondecode(aws_ecs_task_definition.ingest[0].container_definitions)[0].secrets == [{ name = "BINLAKE_SOURCE", valueFrom = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:binlake/source-AbCdEf" }]
    error_message = "the source URL must come from the secret, as BINLAKE_SOURCE"
  }
  assert {
    condition     = !strcontains(aws_ecs_task_definition.ingest[0].container_definitions, "mysql://")
    error_message = "no source URL may appear in the task definition"
  }
  assert {
    condition     = aws_cloudwatch_metric_alarm.replication_lag.dimensions["Store"] == output.store_url
    error_message = "the alarm must watch the lag of this store (dimension Store = store URL)"
  }
  assert {
    condition     = aws_ecs_service.ingest[0].task_definition == aws_ecs_task_definition.ingest[0].arn && aws_ecs_service.ingest[0].cluster == aws_ecs_cluster.ingest[0].id
    error_message = "the service must run the task definition in the ingest cluster"
  }
  assert {
    condition     = aws_cloudwatch_event_target.checkpoint[0].arn == aws_lambda_function.function["checkpoint"].arn
    error_message = "the schedule must target the checkpoint function"
  }
  assert {
    condition     = output.query_function_url == aws_lambda_function_url.query[0].function_url
    error_message = "query_function_url must be the query function's URL"
  }
}
