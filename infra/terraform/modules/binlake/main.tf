# Shared names and paths. Each concern has its own file: bucket.tf (the store
# and results buckets), kms.tf, iam.tf (every role and policy), lambda.tf,
# ingest.tf (the ECS task), schedule.tf, alarms.tf, glue.tf (Glue/Athena).

data "aws_caller_identity" "current" {}

data "aws_region" "current" {}

data "aws_partition" "current" {}

locals {
  # Keys of the store start with key_prefix ("" or "lake/"): layout builds
  # every key below it (manifests/, segments/, checkpoints/, tags/, patches/).
  key_prefix = var.store_prefix == "" ? "" : "${var.store_prefix}/"
  store_url  = var.store_prefix == "" ? "s3://${aws_s3_bucket.store.id}" : "s3://${aws_s3_bucket.store.id}/${var.store_prefix}"

  # ARN prefix of every object of the store; IAM resources append a key
  # prefix to it ("manifests/*").
  store_objects_arn = "${aws_s3_bucket.store.arn}/${local.key_prefix}"

  # Large query answers go to the results bucket, never to the store: the
  # store's Object Lock would keep every answer for the retention period.
  results_key_prefix = "results/"
  results_url        = "s3://${aws_s3_bucket.results.id}/results"

  kms_key_arn = var.kms_key_arn != null ? var.kms_key_arn : aws_kms_key.store[0].arn

  # The CloudWatch namespace ingest publishes ReplicationLagSeconds in; the
  # ingest role may put metrics in this namespace only.
  metric_namespace = "binlake"

  account_id = data.aws_caller_identity.current.account_id
  # The region's name: `id` in every provider version (`name` is deprecated
  # in v6, `region` does not exist in v5).
  region    = data.aws_region.current.id
  partition = data.aws_partition.current.partition
}
