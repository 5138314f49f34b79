# A complete binlake deployment: the store, the four functions, the ingest
# task following an existing primary, the checkpoint schedule, the lag alarm
# with e-mail notification, and Glue/Athena tables for one replicated table.
# docs/DEPLOY.md walks through it; localstack/ runs it on a laptop.

provider "aws" {
  region = var.region

  default_tags {
    tags = {
      application = "binlake"
      deployment  = var.name
    }
  }
}

resource "aws_sns_topic" "alarms" {
  name = "${var.name}-alarms"
}

resource "aws_sns_topic_subscription" "alarms_email" {
  count = var.alarm_email == null ? 0 : 1

  topic_arn = aws_sns_topic.alarms.arn
  protocol  = "email"
  endpoint  = var.alarm_email
}

module "binlake" {
  source = "../../modules/binlake"

  name                       = var.name
  bucket_name                = var.bucket_name
  store_prefix               = "lake"
  object_lock_retention_days = var.object_lock_retention_days
  break_glass_principal_arns = var.break_glass_principal_arns

  lambda_dir         = var.lambda_dir
  lambda_environment = var.lambda_environment

  ingest_enabled           = var.ingest_enabled
  ingest_image             = var.ingest_image
  source_secret_arn        = var.source_secret_arn
  vpc_id                   = var.vpc_id
  subnet_ids               = var.subnet_ids
  source_security_group_id = var.source_security_group_id
  ingest_extra_args        = ["--include", "shop.*"]

  alarm_actions = [aws_sns_topic.alarms.arn]

  glue_enabled = var.glue_enabled
  glue_tables = {
    shop_orders = {
      database       = "shop"
      table          = "orders"
      schema_version = 1
      key            = "id"
      columns = [
        { name = "id", type = "bigint" },
        { name = "customer_id", type = "bigint" },
        { name = "status", type = "string" },
        { name = "total", type = "string" }, # DECIMAL(10,2): exact text
        { name = "created_at", type = "string" },
      ]
    }
  }
}
