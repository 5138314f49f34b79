output "store_url" {
  description = "The store: pass it to binlake as --store or BINLAKE_STORE."
  value       = module.binlake.store_url
}

output "bucket_name" {
  description = "Name of the store bucket."
  value       = module.binlake.bucket_name
}

output "function_names" {
  description = "Lambda function names by job."
  value       = module.binlake.function_names
}

output "query_function_url" {
  description = "HTTPS URL of the query function (AWS_IAM auth)."
  value       = module.binlake.query_function_url
}

output "ingest_security_group_id" {
  description = "Allow this security group in the primary's ingress rules."
  value       = module.binlake.ingest_security_group_id
}

output "athena_workgroup_name" {
  description = "Athena workgroup holding the named as-of and change-feed queries."
  value       = module.binlake.athena_workgroup_name
}
