# The store and results buckets of modules/binlake, applied for real against
# MinIO by tests/tools/tf-validate.sh (make tf-validate). The module is used
# as it is; the script applies and plans only the bucket resources MinIO
# implements (-target: MINIO_TARGETS in the script, explained in
# ../README.md), so the functions, IAM, ECS and the rest are never created.
# MinIO has no AWS KMS: kms_key_arn names its built-in key instead (MinIO
# strips "arn:aws:kms:" from the key id).

provider "aws" {
  region     = "us-east-1"
  access_key = var.access_key
  secret_key = var.secret_key

  s3_use_path_style           = true
  skip_credentials_validation = true
  skip_metadata_api_check     = true
  skip_region_validation      = true
  skip_requesting_account_id  = true

  endpoints {
    s3 = var.endpoint
  }
}

module "binlake" {
  source = "../../modules/binlake"

  name        = "binlake-minio"
  kms_key_arn = "arn:aws:kms:${var.kms_key_name}"

  # One day: the buckets stay empty here, so destroy works anyway.
  object_lock_retention_days = 1

  # Never applied here (not targeted), but the module needs the packages.
  lambda_dir = "${path.module}/../fixtures/lambda"

  ingest_enabled             = false
  glue_enabled               = false
  checkpoint_schedule        = null
  query_function_url_enabled = false
}
