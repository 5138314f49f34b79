# The ingest task: one Fargate task that follows the primary's binlog and
# extends the chain. Exactly one: desired_count = 1 and a deployment that
# stops the old task before starting the new one (minimum 0 %, maximum
# 100 %), so two never run at once. Were a second writer to run anyway (a
# manual `run-task`, a laptop), the chain's conditional manifest create
# would fence it: it fails cleanly on its first flush and adds nothing.

locals {
  ingest_count = var.ingest_enabled ? 1 : 0

  source_secret_value_from = var.source_secret_json_key == null ? var.source_secret_arn : "${var.source_secret_arn}:${var.source_secret_json_key}::"
}

resource "aws_ecs_cluster" "ingest" {
  count = local.ingest_count

  name = "${var.name}-ingest"

  setting {
    name  = "containerInsights"
    value = "enabled"
  }

  tags = var.tags
}

resource "aws_cloudwatch_log_group" "ingest" {
  count = local.ingest_count

  name              = "/ecs/${var.name}-ingest"
  retention_in_days = var.log_retention_days

  tags = var.tags
}

# No ingress. Egress: HTTPS (S3, CloudWatch, Secrets Manager, the registry,
# or their VPC endpoints) and the primary's port.
resource "aws_security_group" "ingest" {
  count = local.ingest_count

  name_prefix = "${var.name}-ingest-"
  description = "binlake ingest task: no ingress; egress to HTTPS and the primary"
  vpc_id      = var.vpc_id

  tags = var.tags

  lifecycle {
    create_before_destroy = true

    precondition {
      condition     = var.vpc_id != null && length(var.subnet_ids) > 0
      error_message = "ingest_enabled needs vpc_id and subnet_ids (or set ingest_enabled = false)."
    }
  }
}

resource "aws_vpc_security_group_egress_rule" "ingest_https" {
  count = local.ingest_count

  security_group_id = aws_security_group.ingest[0].id
  description       = "HTTPS to AWS APIs"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  cidr_ipv4         = "0.0.0.0/0"
}

resource "aws_vpc_security_group_egress_rule" "ingest_source_cidr" {
  for_each = var.ingest_enabled ? toset(var.source_cidr_blocks) : toset([])

  security_group_id = aws_security_group.ingest[0].id
  description       = "The primary"
  ip_protocol       = "tcp"
  from_port         = var.source_port
  to_port           = var.source_port
  cidr_ipv4         = each.value
}

resource "aws_vpc_security_group_egress_rule" "ingest_source_sg" {
  count = var.ingest_enabled && var.source_security_group_id != null ? 1 : 0

  security_group_id            = aws_security_group.ingest[0].id
  description                  = "The primary"
  ip_protocol                  = "tcp"
  from_port                    = var.source_port
  to_port                      = var.source_port
  referenced_security_group_id = var.source_security_group_id
}

resource "aws_ecs_task_definition" "ingest" {
  count = local.ingest_count

  family                   = "${var.name}-ingest"
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = var.ingest_cpu
  memory                   = var.ingest_memory_mb
  execution_role_arn       = aws_iam_role.ingest_execution[0].arn
  task_role_arn            = aws_iam_role.ingest_task[0].arn

  runtime_platform {
    operating_system_family = "LINUX"
    cpu_architecture        = "X86_64"
  }

  # `binlake ingest` reads --source from BINLAKE_SOURCE, which ECS fills from
  # the secret: the password never shows in the task definition or command.
  container_definitions = jsonencode([
    {
      name       = "ingest"
      image      = var.ingest_image
      essential  = true
      entryPoint = var.ingest_entrypoint
      command    = concat(["ingest", "--store", local.store_url], var.ingest_extra_args)
      environment = [
        { name = "BINLAKE_STORE", value = local.store_url },
        { name = "BINLAKE_CACHE", value = "/tmp/binlake" },
        # publishes binlake/ReplicationLagSeconds, which the lag alarm watches
        { name = "BINLAKE_CLOUDWATCH_METRICS", value = "1" },
      ]
      secrets = [
        { name = "BINLAKE_SOURCE", valueFrom = local.source_secret_value_from },
      ]
      logConfiguration = {
        logDriver = "awslogs"
        options = {
          awslogs-group         = aws_cloudwatch_log_group.ingest[0].name
          awslogs-region        = local.region
          awslogs-stream-prefix = "ingest"
        }
      }
      # Time to flush pending commits after SIGTERM (the Fargate maximum).
      stopTimeout = 120
      linuxParameters = {
        initProcessEnabled = true
      }
    },
  ])

  tags = var.tags

  lifecycle {
    precondition {
      condition     = var.ingest_image != null && var.source_secret_arn != null
      error_message = "ingest_enabled needs ingest_image and source_secret_arn (or set ingest_enabled = false)."
    }
  }
}

resource "aws_ecs_service" "ingest" {
  count = local.ingest_count

  name             = "${var.name}-ingest"
  cluster          = aws_ecs_cluster.ingest[0].id
  task_definition  = aws_ecs_task_definition.ingest[0].arn
  launch_type      = "FARGATE"
  platform_version = "LATEST"

  # One writer. Never scale this service; a deployment stops the running
  # task before it starts the next.
  desired_count                      = 1
  deployment_minimum_healthy_percent = 0
  deployment_maximum_percent         = 100

  enable_execute_command = false
  propagate_tags         = "SERVICE"

  deployment_circuit_breaker {
    enable   = true
    rollback = true
  }

  network_configuration {
    subnets          = var.subnet_ids
    security_groups  = concat([aws_security_group.ingest[0].id], var.ingest_security_group_ids)
    assign_public_ip = var.assign_public_ip
  }

  tags = var.tags
}
