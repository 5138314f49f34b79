variable "region" {
  description = "AWS region to deploy to."
  type        = string
  default     = "eu-west-1"
}

variable "name" {
  description = "Name of the deployment, prefix of every resource name."
  type        = string
  default     = "binlake"
}

variable "bucket_name" {
  description = "Name of the store bucket; null for a generated unique name."
  type        = string
  default     = null
}

variable "object_lock_retention_days" {
  description = "Object Lock (COMPLIANCE) retention of every store object, in days."
  type        = number
  default     = 365
}

variable "break_glass_principal_arns" {
  description = "Principals allowed to delete store objects and change lifecycle or Object Lock settings."
  type        = list(string)
  default     = []
}

variable "lambda_dir" {
  description = "Directory of the function zips built by `make lambda`."
  type        = string
  default     = "../../../../bin/lambda"
}

variable "lambda_environment" {
  description = "Extra environment variables for every function."
  type        = map(string)
  default     = {}
}

variable "ingest_enabled" {
  description = "Run the ingest task on ECS Fargate."
  type        = bool
  default     = true
}

variable "ingest_image" {
  description = "binlake container image, e.g. <account>.dkr.ecr.<region>.amazonaws.com/binlake:<tag>."
  type        = string
  default     = null
}

variable "source_secret_arn" {
  description = "Secrets Manager secret holding mysql://user:password@host:port of the primary."
  type        = string
  default     = null
}

variable "vpc_id" {
  description = "VPC of the ingest task."
  type        = string
  default     = null
}

variable "subnet_ids" {
  description = "Private subnets of the ingest task (with NAT or VPC endpoints)."
  type        = list(string)
  default     = []
}

variable "source_security_group_id" {
  description = "Security group of the primary (e.g. the RDS instance's)."
  type        = string
  default     = null
}

variable "alarm_email" {
  description = "E-mail address notified by the replication lag alarm; null for none."
  type        = string
  default     = null
}

variable "glue_enabled" {
  description = "Create the Glue database, tables and Athena workgroup."
  type        = bool
  default     = true
}
