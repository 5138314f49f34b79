output "bucket_name" {
  description = "Name of the store bucket."
  value       = aws_s3_bucket.store.id
}

output "bucket_arn" {
  description = "ARN of the store bucket."
  value       = aws_s3_bucket.store.arn
}

output "store_url" {
  description = "The store, as binlake's --store and BINLAKE_STORE take it: s3://<bucket>/<store_prefix>."
  value       = local.store_url
}

output "results_bucket_name" {
  description = "Name of the bucket holding large query answers and Athena results (expired after results_expiration_days)."
  value       = aws_s3_bucket.results.id
}

output "kms_key_arn" {
  description = "ARN of the KMS key encrypting both buckets (created or given)."
  value       = local.kms_key_arn
}

output "function_names" {
  description = "Lambda function names by job: query, recover, verify, checkpoint."
  value       = { for k, f in aws_lambda_function.function : k => f.function_name }
}

output "function_arns" {
  description = "Lambda function ARNs by job."
  value       = { for k, f in aws_lambda_function.function : k => f.arn }
}

output "function_role_arns" {
  description = "IAM role ARNs of the functions by job."
  value       = { for k, r in aws_iam_role.function : k => r.arn }
}

output "query_function_url" {
  description = "HTTPS URL of the query function (AWS_IAM auth), or null when query_function_url_enabled is false."
  value       = one(aws_lambda_function_url.query[*].function_url)
}

output "ingest_cluster_name" {
  description = "ECS cluster of the ingest task, or null when ingest_enabled is false."
  value       = one(aws_ecs_cluster.ingest[*].name)
}

output "ingest_service_name" {
  description = "ECS service running the one ingest task, or null when ingest_enabled is false."
  value       = one(aws_ecs_service.ingest[*].name)
}

output "ingest_task_role_arn" {
  description = "IAM role ARN of the ingest task, or null when ingest_enabled is false."
  value       = one(aws_iam_role.ingest_task[*].arn)
}

output "ingest_security_group_id" {
  description = "Security group of the ingest task (allow it in the primary's ingress rules), or null when ingest_enabled is false."
  value       = one(aws_security_group.ingest[*].id)
}

output "replication_lag_alarm_name" {
  description = "Name of the CloudWatch alarm on replication lag."
  value       = aws_cloudwatch_metric_alarm.replication_lag.alarm_name
}

output "glue_database_name" {
  description = "Glue database holding the tables of glue_tables, or null when glue_enabled is false."
  value       = one(aws_glue_catalog_database.this[*].name)
}

output "athena_workgroup_name" {
  description = "Athena workgroup for the named queries, or null when glue_enabled is false."
  value       = one(aws_athena_workgroup.this[*].name)
}

output "athena_named_query_ids" {
  description = "IDs of the named Athena queries: \"<table> as of a commit\" and \"<table> change feed\" per glue_tables entry."
  value = merge(
    { for k, q in aws_athena_named_query.asof : "${k}_asof" => q.id },
    { for k, q in aws_athena_named_query.changes : "${k}_changes" => q.id },
  )
}
