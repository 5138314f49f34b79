variable "endpoint" {
  description = "S3 endpoint of the MinIO server, e.g. http://127.0.0.1:9000."
  type        = string
}

variable "access_key" {
  description = "MinIO root user (MINIO_ROOT_USER)."
  type        = string
}

variable "secret_key" {
  description = "MinIO root password (MINIO_ROOT_PASSWORD)."
  type        = string
  sensitive   = true
}

variable "kms_key_name" {
  description = "Name of MinIO's built-in key (the name part of MINIO_KMS_SECRET_KEY=<name>:<base64 key>): MinIO's stand-in for a KMS key."
  type        = string
  default     = "binlake-minio"
}
