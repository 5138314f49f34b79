# Every role and policy. Least privilege, per job:
#
#   role            reads                 writes (s3:PutObject)
#   query           the store             results/ in the results bucket (never the store)
#   verify          the store             nothing
#   recover         the store             patches/
#   checkpoint      the store             checkpoints/ and manifests/ (one manifest per run
#                                         links the new checkpoints into the chain)
#   ingest (task)   the store             manifests/, segments/, checkpoints/ (initial snapshot)
#
# No role may delete, change retention or legal holds, or touch bucket
# configuration; the bucket policy (bucket.tf) also denies deletes and
# manifest writes without If-None-Match to every principal. Writes are
# PutObject only: S3 has no "create only" permission, so a role allowed to
# write a prefix could put a new version over an existing key there; Object
# Lock keeps the old version, the key names of segments and checkpoints end
# in their content hash, and the chain names every object by hash, so such a
# write is detected by `verify` and cannot rewrite history.
#
# tests/infra parses this file and fails if any of this stops being true.

# ---------------------------------------------------------------- shared statements

data "aws_iam_policy_document" "store_read" {
  # A GetObject of a missing key answers 404 only to a caller allowed to list
  # the bucket (else 403), and binlake relies on the 404. The bucket holds
  # nothing but the store, so the list right is not limited by prefix.
  statement {
    sid       = "ListStore"
    actions   = ["s3:ListBucket"]
    resources = [aws_s3_bucket.store.arn]
  }

  statement {
    sid       = "ReadStore"
    actions   = ["s3:GetObject"]
    resources = ["${local.store_objects_arn}*"]
  }

  statement {
    sid       = "DecryptThroughS3"
    actions   = ["kms:Decrypt"]
    resources = [local.kms_key_arn]

    condition {
      test     = "StringEquals"
      variable = "kms:ViaService"
      values   = ["s3.${local.region}.amazonaws.com"]
    }
  }
}

# New objects are encrypted with the bucket's KMS key.
data "aws_iam_policy_document" "store_encrypt" {
  statement {
    sid       = "EncryptThroughS3"
    actions   = ["kms:GenerateDataKey"]
    resources = [local.kms_key_arn]

    condition {
      test     = "StringEquals"
      variable = "kms:ViaService"
      values   = ["s3.${local.region}.amazonaws.com"]
    }
  }
}

# ---------------------------------------------------------------- functions

data "aws_iam_policy_document" "lambda_assume" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["lambda.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }
  }
}

data "aws_iam_policy_document" "query" {
  source_policy_documents = [
    data.aws_iam_policy_document.store_read.json,
    data.aws_iam_policy_document.store_encrypt.json,
  ]

  # Answers too large for a Lambda response: written, then handed out as a
  # presigned GET (signed by this role, hence GetObject).
  statement {
    sid = "WriteResults"
    actions = [
      "s3:PutObject",
      "s3:GetObject",
    ]
    resources = ["${aws_s3_bucket.results.arn}/${local.results_key_prefix}*"]
  }

  statement {
    sid = "Logs"
    actions = [
      "logs:CreateLogStream",
      "logs:PutLogEvents",
    ]
    resources = ["${aws_cloudwatch_log_group.function["query"].arn}:*"]
  }
}

data "aws_iam_policy_document" "verify" {
  source_policy_documents = [data.aws_iam_policy_document.store_read.json]

  statement {
    sid = "Logs"
    actions = [
      "logs:CreateLogStream",
      "logs:PutLogEvents",
    ]
    resources = ["${aws_cloudwatch_log_group.function["verify"].arn}:*"]
  }
}

data "aws_iam_policy_document" "recover" {
  source_policy_documents = [
    data.aws_iam_policy_document.store_read.json,
    data.aws_iam_policy_document.store_encrypt.json,
  ]

  statement {
    sid       = "WritePatches"
    actions   = ["s3:PutObject"]
    resources = ["${local.store_objects_arn}patches/*"]
  }

  statement {
    sid = "Logs"
    actions = [
      "logs:CreateLogStream",
      "logs:PutLogEvents",
    ]
    resources = ["${aws_cloudwatch_log_group.function["recover"].arn}:*"]
  }
}

data "aws_iam_policy_document" "checkpoint" {
  source_policy_documents = [
    data.aws_iam_policy_document.store_read.json,
    data.aws_iam_policy_document.store_encrypt.json,
  ]

  # A checkpoint run adds checkpoint objects and one manifest without commits
  # that names them (created with If-None-Match, like every manifest).
  statement {
    sid     = "WriteCheckpoints"
    actions = ["s3:PutObject"]
    resources = [
      "${local.store_objects_arn}checkpoints/*",
      "${local.store_objects_arn}manifests/*",
    ]
  }

  statement {
    sid = "Logs"
    actions = [
      "logs:CreateLogStream",
      "logs:PutLogEvents",
    ]
    resources = ["${aws_cloudwatch_log_group.function["checkpoint"].arn}:*"]
  }
}

locals {
  # The one policy of each function's role.
  function_policies = {
    query      = data.aws_iam_policy_document.query.json
    recover    = data.aws_iam_policy_document.recover.json
    verify     = data.aws_iam_policy_document.verify.json
    checkpoint = data.aws_iam_policy_document.checkpoint.json
  }
}

resource "aws_iam_role" "function" {
  for_each = local.functions

  name                 = "${var.name}-${each.key}"
  description          = "binlake ${each.key} function"
  assume_role_policy   = data.aws_iam_policy_document.lambda_assume.json
  permissions_boundary = var.iam_permissions_boundary_arn

  tags = var.tags
}

resource "aws_iam_role_policy" "function" {
  for_each = local.function_policies

  name   = "${var.name}-${each.key}"
  role   = aws_iam_role.function[each.key].id
  policy = each.value
}

# ---------------------------------------------------------------- ingest task

# The task role: ECS passes the account of the task (confused deputy guard).
data "aws_iam_policy_document" "ecs_tasks_assume" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["ecs-tasks.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }
  }
}

# The execution role, as ECS documents it.
data "aws_iam_policy_document" "ecs_execution_assume" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["ecs-tasks.amazonaws.com"]
    }
  }
}

# What the ingest process itself may do.
data "aws_iam_policy_document" "ingest_task" {
  source_policy_documents = [
    data.aws_iam_policy_document.store_read.json,
    data.aws_iam_policy_document.store_encrypt.json,
  ]

  statement {
    sid     = "WriteChain"
    actions = ["s3:PutObject"]
    resources = [
      "${local.store_objects_arn}manifests/*",
      "${local.store_objects_arn}segments/*",
      "${local.store_objects_arn}checkpoints/*",
    ]
  }

  statement {
    sid       = "PublishLag"
    actions   = ["cloudwatch:PutMetricData"]
    resources = ["*"] # PutMetricData has no resource type; the namespace condition limits it

    condition {
      test     = "StringEquals"
      variable = "cloudwatch:namespace"
      values   = [local.metric_namespace]
    }
  }
}

# What ECS needs to start the task: pull the image (from this account's ECR,
# or a public registry, which needs no right), write its logs, read the
# source secret.
data "aws_iam_policy_document" "ingest_execution" {
  count = var.ingest_enabled ? 1 : 0

  statement {
    sid       = "PullImageAuth"
    actions   = ["ecr:GetAuthorizationToken"]
    resources = ["*"] # no resource type
  }

  statement {
    sid = "PullImage"
    actions = [
      "ecr:BatchCheckLayerAvailability",
      "ecr:BatchGetImage",
      "ecr:GetDownloadUrlForLayer",
    ]
    resources = ["arn:${local.partition}:ecr:*:${local.account_id}:repository/*"]
  }

  statement {
    sid = "Logs"
    actions = [
      "logs:CreateLogStream",
      "logs:PutLogEvents",
    ]
    resources = ["${aws_cloudwatch_log_group.ingest[0].arn}:*"]
  }

  statement {
    sid       = "ReadSourceSecret"
    actions   = ["secretsmanager:GetSecretValue"]
    resources = [var.source_secret_arn]
  }

  dynamic "statement" {
    for_each = var.source_secret_kms_key_arn == null ? [] : [var.source_secret_kms_key_arn]
    content {
      sid       = "DecryptSourceSecret"
      actions   = ["kms:Decrypt"]
      resources = [statement.value]

      condition {
        test     = "StringEquals"
        variable = "kms:ViaService"
        values   = ["secretsmanager.${local.region}.amazonaws.com"]
      }
    }
  }
}

resource "aws_iam_role" "ingest_task" {
  count = var.ingest_enabled ? 1 : 0

  name                 = "${var.name}-ingest"
  description          = "binlake ingest task"
  assume_role_policy   = data.aws_iam_policy_document.ecs_tasks_assume.json
  permissions_boundary = var.iam_permissions_boundary_arn

  tags = var.tags
}

resource "aws_iam_role_policy" "ingest_task" {
  count = var.ingest_enabled ? 1 : 0

  name   = "${var.name}-ingest"
  role   = aws_iam_role.ingest_task[0].id
  policy = data.aws_iam_policy_document.ingest_task.json
}

resource "aws_iam_role" "ingest_execution" {
  count = var.ingest_enabled ? 1 : 0

  name                 = "${var.name}-ingest-execution"
  description          = "ECS execution role of the binlake ingest task"
  assume_role_policy   = data.aws_iam_policy_document.ecs_execution_assume.json
  permissions_boundary = var.iam_permissions_boundary_arn

  tags = var.tags
}

resource "aws_iam_role_policy" "ingest_execution" {
  count = var.ingest_enabled ? 1 : 0

  name   = "${var.name}-ingest-execution"
  role   = aws_iam_role.ingest_execution[0].id
  policy = data.aws_iam_policy_document.ingest_execution[0].json
}
