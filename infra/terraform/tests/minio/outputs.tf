output "bucket_name" {
  description = "Name of the store bucket MinIO holds."
  value       = module.binlake.bucket_name
}

output "store_url" {
  description = "The store URL the module derives from the bucket."
  value       = module.binlake.store_url
}

output "results_bucket_name" {
  description = "Name of the results bucket MinIO holds."
  value       = module.binlake.results_bucket_name
}
