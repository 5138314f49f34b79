# ---------------------------------------------------------------- naming

variable "name" {
  description = "Name of this deployment: prefix of every resource name (functions are <name>-query, <name>-recover, ...). Lowercase letters, digits and hyphens, at most 24 characters."
  type        = string
  default     = "binlake"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{0,23}$", var.name))
    error_message = "name must start with a lowercase letter and hold at most 24 lowercase letters, digits and hyphens."
  }
}

variable "tags" {
  description = "Tags added to every resource that takes tags."
  type        = map(string)
  default     = {}
}

variable "iam_permissions_boundary_arn" {
  description = "ARN of a permissions boundary set on every IAM role the module creates, or null for none."
  type        = string
  default     = null
}

# ---------------------------------------------------------------- the store

variable "bucket_name" {
  description = "Name of the store bucket. null: a unique name starting with <name>-store-. The bucket is created with Object Lock, which cannot be turned on for an existing bucket."
  type        = string
  default     = null
}

variable "store_prefix" {
  description = "Key prefix of the store inside the bucket: the store is s3://<bucket>/<store_prefix>. \"\" puts it at the bucket root."
  type        = string
  default     = "lake"

  validation {
    condition     = can(regex("^([A-Za-z0-9._-]+(/[A-Za-z0-9._-]+)*)?$", var.store_prefix))
    error_message = "store_prefix must be \"\" or path segments of letters, digits, '.', '_' and '-' separated by single slashes, with no leading or trailing slash and no wildcard."
  }
}

variable "object_lock_retention_days" {
  description = "Default Object Lock retention, in days, of every object written to the store, in COMPLIANCE mode: nobody, the account root included, can delete or overwrite an object version before it ends, and it cannot be shortened."
  type        = number
  default     = 365

  validation {
    condition     = var.object_lock_retention_days >= 1 && floor(var.object_lock_retention_days) == var.object_lock_retention_days
    error_message = "object_lock_retention_days must be a whole number of days, at least 1."
  }
}

variable "expire_after_days" {
  description = "Expire store objects this many days after they were written (a lifecycle rule; locked versions stay until their retention ends). null, the default, keeps history forever. Expiring part of the chain makes older commits unreadable and `verify` fail: use only where a data retention rule demands it."
  type        = number
  default     = null

  validation {
    condition     = var.expire_after_days == null ? true : var.expire_after_days >= 1
    error_message = "expire_after_days must be null or at least 1."
  }
}

variable "break_glass_principal_arns" {
  description = "IAM principal ARNs (roles or users; wildcards allowed) exempt from the bucket policy's denial of object deletion and of lifecycle and Object Lock configuration changes. Empty, the default: nobody may delete, not even administrators (the account root can still replace the bucket policy)."
  type        = list(string)
  default     = []
}

variable "kms_key_arn" {
  description = "ARN of an existing KMS key for the buckets' SSE-KMS encryption. null: the module creates a key with rotation turned on."
  type        = string
  default     = null
}

variable "kms_deletion_window_days" {
  description = "Waiting period, in days, before the created KMS key is deleted after `terraform destroy` (7 to 30). Unused with kms_key_arn."
  type        = number
  default     = 30

  validation {
    condition     = var.kms_deletion_window_days >= 7 && var.kms_deletion_window_days <= 30
    error_message = "kms_deletion_window_days must be between 7 and 30."
  }
}

variable "results_expiration_days" {
  description = "Days after which the results bucket deletes large query answers (and Athena results)."
  type        = number
  default     = 1
}

# ---------------------------------------------------------------- functions

variable "lambda_dir" {
  description = "Directory holding the function packages built by `make lambda`: query.zip, recover.zip, verify.zip and checkpoint.zip (in the repository: bin/lambda). A relative path is relative to where terraform runs."
  type        = string
}

variable "lambda_memory_mb" {
  description = "Memory of every function, in MB. DuckDB uses it; CPU share grows with it."
  type        = number
  default     = 2048
}

variable "lambda_ephemeral_storage_mb" {
  description = "Size of every function's /tmp, in MB (512 to 10240): the cache of verified store objects lives there."
  type        = number
  default     = 2048

  validation {
    condition     = var.lambda_ephemeral_storage_mb >= 512 && var.lambda_ephemeral_storage_mb <= 10240
    error_message = "lambda_ephemeral_storage_mb must be between 512 and 10240."
  }
}

variable "lambda_timeout_seconds" {
  description = "Timeout of each function in seconds (at most 900)."
  type = object({
    query      = optional(number, 60)
    recover    = optional(number, 300)
    verify     = optional(number, 900)
    checkpoint = optional(number, 900)
  })
  default = {}
}

variable "lambda_environment" {
  description = "Extra environment variables for every function (BINLAKE_STORE, BINLAKE_CACHE and, for query, BINLAKE_RESULTS are set by the module and win)."
  type        = map(string)
  default     = {}
}

variable "query_function_url_enabled" {
  description = "Give the query function an HTTPS function URL with AWS_IAM auth (callers need lambda:InvokeFunctionUrl)."
  type        = bool
  default     = true
}

variable "log_retention_days" {
  description = "Retention of the functions' and the ingest task's CloudWatch log groups, in days."
  type        = number
  default     = 90
}

variable "checkpoint_schedule" {
  description = "EventBridge schedule expression for the checkpoint function, e.g. \"rate(1 hour)\" or \"cron(15 * * * ? *)\"; null for no schedule."
  type        = string
  default     = "rate(1 hour)"
}

variable "checkpoint_input" {
  description = "JSON event the schedule sends to the checkpoint function."
  type        = string
  default     = "{}"
}

# ---------------------------------------------------------------- ingest

variable "ingest_enabled" {
  description = "Run the ingest task on ECS Fargate. false: only the store and the functions are deployed, and ingest runs elsewhere (as on LocalStack)."
  type        = bool
  default     = true
}

variable "ingest_image" {
  description = "Container image of binlake (built from the repository's Dockerfile and pushed to a registry the task can pull from, e.g. ECR). Required when ingest_enabled."
  type        = string
  default     = null
}

variable "ingest_entrypoint" {
  description = "Entry point of the ingest container; the module passes `ingest --store <store url>` and ingest_extra_args as the command."
  type        = list(string)
  default     = ["binlake"]
}

variable "ingest_extra_args" {
  description = "More arguments for `binlake ingest`, e.g. [\"--include\", \"shop.*\"]."
  type        = list(string)
  default     = []
}

variable "ingest_cpu" {
  description = "CPU units of the ingest task (Fargate: 256, 512, 1024, 2048, 4096, ...)."
  type        = number
  default     = 1024
}

variable "ingest_memory_mb" {
  description = "Memory of the ingest task in MB; must be valid for ingest_cpu on Fargate."
  type        = number
  default     = 2048
}

variable "source_secret_arn" {
  description = "ARN of the Secrets Manager secret holding the primary's URL, mysql://user:password@host:port, injected into the task as BINLAKE_SOURCE. Required when ingest_enabled."
  type        = string
  default     = null
}

variable "source_secret_json_key" {
  description = "If the secret is a JSON object, the key whose value is the URL; null when the secret's whole string is the URL."
  type        = string
  default     = null
}

variable "source_secret_kms_key_arn" {
  description = "ARN of the customer managed KMS key encrypting the source secret, if any (the task execution role gets kms:Decrypt on it through Secrets Manager)."
  type        = string
  default     = null
}

variable "vpc_id" {
  description = "VPC of the ingest task. Required when ingest_enabled."
  type        = string
  default     = null
}

variable "subnet_ids" {
  description = "Subnets of the ingest task: they need a route to the primary and to S3, CloudWatch, Secrets Manager and the image registry (NAT or VPC endpoints). Required when ingest_enabled."
  type        = list(string)
  default     = []
}

variable "assign_public_ip" {
  description = "Give the ingest task a public IP (only for public subnets without NAT)."
  type        = bool
  default     = false
}

variable "source_port" {
  description = "TCP port of the primary."
  type        = number
  default     = 3306
}

variable "source_cidr_blocks" {
  description = "IPv4 CIDR blocks of the primary: the ingest security group allows egress to source_port there."
  type        = list(string)
  default     = []
}

variable "source_security_group_id" {
  description = "Security group of the primary, or null: the ingest security group allows egress to source_port to it (add the matching ingress rule on the primary's side, from output ingest_security_group_id)."
  type        = string
  default     = null
}

variable "ingest_security_group_ids" {
  description = "More security groups for the ingest task."
  type        = list(string)
  default     = []
}

# ---------------------------------------------------------------- alarms

variable "lag_alarm_threshold_seconds" {
  description = "Replication lag, in seconds, above which the lag alarm fires."
  type        = number
  default     = 60
}

variable "lag_alarm_evaluation_periods" {
  description = "Consecutive minutes the lag must stay above the threshold (or the metric stay missing) before the alarm fires."
  type        = number
  default     = 5
}

variable "alarm_actions" {
  description = "ARNs notified when the lag alarm changes to ALARM or back to OK (e.g. an SNS topic)."
  type        = list(string)
  default     = []
}

# ---------------------------------------------------------------- Glue / Athena

variable "glue_enabled" {
  description = "Create the Glue database, the tables of glue_tables, an Athena workgroup and the named example queries."
  type        = bool
  default     = true
}

variable "glue_database_name" {
  description = "Name of the Glue database; null: name with hyphens turned into underscores."
  type        = string
  default     = null
}

variable "glue_tables" {
  description = <<-EOT
    Replicated tables to expose to Athena, by Glue table name (lowercase letters, digits, underscores).
    Each creates <key>_segments (change rows) and <key>_checkpoints (full states) over one schema version:
      database, table: the MySQL names as they appear in store keys (docs/FORMAT.md escaping: my.db is my%2Edb);
      schema_version:  the version number (v000001 in keys is 1);
      key:             the primary key column, for the named as-of query (null: no as-of query);
      columns:         the columns in MySQL order, each { name, type } with an Athena type per docs/FORMAT.md
                       (int → int or bigint, decimal/date/datetime/time → string, bytes → binary, ...).
  EOT
  type = map(object({
    database       = string
    table          = string
    schema_version = optional(number, 1)
    key            = optional(string)
    columns = list(object({
      name = string
      type = string
    }))
  }))
  default = {}

  validation {
    condition     = alltrue([for k, t in var.glue_tables : can(regex("^[a-z0-9_]+$", k)) && can(regex("^[A-Za-z0-9_$%-]+$", t.database)) && can(regex("^[A-Za-z0-9_$%-]+$", t.table))])
    error_message = "glue_tables keys must be lowercase letters, digits and underscores; database and table must be escaped store names (letters, digits, _, $, -, %XX)."
  }
}
