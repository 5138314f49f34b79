# The store bucket: versioned, Object Lock in COMPLIANCE mode, SSE-KMS, no
# public access, TLS only, and a policy that refuses deletes to everyone but
# an optional break-glass principal. No lifecycle rule unless expire_after_days.

resource "aws_s3_bucket" "store" {
  bucket        = var.bucket_name
  bucket_prefix = var.bucket_name == null ? "${var.name}-store-" : null

  # Object Lock can only be turned on when the bucket is created.
  object_lock_enabled = true
  force_destroy       = false

  tags = var.tags
}

resource "aws_s3_bucket_versioning" "store" {
  bucket = aws_s3_bucket.store.id

  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_object_lock_configuration" "store" {
  bucket = aws_s3_bucket.store.id

  rule {
    default_retention {
      # COMPLIANCE: no principal, the root user included, can delete or
      # overwrite a locked version or shorten its retention.
      mode = "COMPLIANCE"
      days = var.object_lock_retention_days
    }
  }

  depends_on = [aws_s3_bucket_versioning.store]
}

resource "aws_s3_bucket_server_side_encryption_configuration" "store" {
  bucket = aws_s3_bucket.store.id

  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = local.kms_key_arn
    }
    bucket_key_enabled = true
  }
}

resource "aws_s3_bucket_public_access_block" "store" {
  bucket = aws_s3_bucket.store.id

  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_ownership_controls" "store" {
  bucket = aws_s3_bucket.store.id

  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

# Only when asked for: the default keeps history forever.
resource "aws_s3_bucket_lifecycle_configuration" "store" {
  count  = var.expire_after_days == null ? 0 : 1
  bucket = aws_s3_bucket.store.id

  rule {
    id     = "expire-history"
    status = "Enabled"

    filter {
      prefix = local.key_prefix
    }

    expiration {
      days = var.expire_after_days
    }

    noncurrent_version_expiration {
      noncurrent_days = 1
    }
  }

  depends_on = [aws_s3_bucket_versioning.store]
}

resource "aws_s3_bucket_policy" "store" {
  bucket = aws_s3_bucket.store.id
  policy = data.aws_iam_policy_document.store_bucket.json

  # The policy forbids later changes to these: create them first.
  depends_on = [
    aws_s3_bucket_public_access_block.store,
    aws_s3_bucket_object_lock_configuration.store,
    aws_s3_bucket_lifecycle_configuration.store,
  ]
}

data "aws_iam_policy_document" "store_bucket" {
  statement {
    sid     = "DenyInsecureTransport"
    effect  = "Deny"
    actions = ["s3:*"]
    resources = [
      aws_s3_bucket.store.arn,
      "${aws_s3_bucket.store.arn}/*",
    ]

    principals {
      type        = "*"
      identifiers = ["*"]
    }

    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }

  # Object Lock refuses to delete a locked version, but a DeleteObject
  # without a version id still succeeds on a locked bucket: it adds a delete
  # marker that hides the object from readers. Refuse both kinds.
  statement {
    sid    = "DenyDeletes"
    effect = "Deny"
    actions = [
      "s3:DeleteObject",
      "s3:DeleteObjectVersion",
    ]
    resources = ["${aws_s3_bucket.store.arn}/*"]

    principals {
      type        = "*"
      identifiers = ["*"]
    }

    dynamic "condition" {
      for_each = length(var.break_glass_principal_arns) > 0 ? [var.break_glass_principal_arns] : []
      content {
        test     = "ArnNotLike"
        variable = "aws:PrincipalArn"
        values   = condition.value
      }
    }
  }

  # A lifecycle rule would delete (expire) what the DenyDeletes statement
  # protects, and a shorter default retention would weaken the lock of every
  # later object: both are break-glass changes too. (DeleteBucketLifecycle is
  # authorized as s3:PutLifecycleConfiguration.)
  statement {
    sid    = "DenyRetentionChanges"
    effect = "Deny"
    actions = [
      "s3:PutLifecycleConfiguration",
      "s3:PutBucketObjectLockConfiguration",
    ]
    resources = [aws_s3_bucket.store.arn]

    principals {
      type        = "*"
      identifiers = ["*"]
    }

    dynamic "condition" {
      for_each = length(var.break_glass_principal_arns) > 0 ? [var.break_glass_principal_arns] : []
      content {
        test     = "ArnNotLike"
        variable = "aws:PrincipalArn"
        values   = condition.value
      }
    }
  }

  # Manifests are the commit points of the chain: binlake creates each with
  # If-None-Match: *. Refuse a manifest write without it, so that not even a
  # role allowed to write manifests can put a new version over an existing one.
  statement {
    sid       = "DenyUnconditionalManifestWrites"
    effect    = "Deny"
    actions   = ["s3:PutObject"]
    resources = ["${local.store_objects_arn}manifests/*"]

    principals {
      type        = "*"
      identifiers = ["*"]
    }

    condition {
      test     = "Null"
      variable = "s3:if-none-match"
      values   = ["true"]
    }
  }
}

# ---------------------------------------------------------------- results

# Large query answers and Athena results: transient, so not in the locked
# store bucket. Expired after results_expiration_days.
resource "aws_s3_bucket" "results" {
  bucket_prefix = "${var.name}-results-"
  force_destroy = true

  tags = var.tags
}

resource "aws_s3_bucket_server_side_encryption_configuration" "results" {
  bucket = aws_s3_bucket.results.id

  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = local.kms_key_arn
    }
    bucket_key_enabled = true
  }
}

resource "aws_s3_bucket_public_access_block" "results" {
  bucket = aws_s3_bucket.results.id

  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_ownership_controls" "results" {
  bucket = aws_s3_bucket.results.id

  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

resource "aws_s3_bucket_lifecycle_configuration" "results" {
  bucket = aws_s3_bucket.results.id

  rule {
    id     = "expire-results"
    status = "Enabled"

    filter {
      prefix = ""
    }

    expiration {
      days = var.results_expiration_days
    }

    abort_incomplete_multipart_upload {
      days_after_initiation = 1
    }
  }
}

resource "aws_s3_bucket_policy" "results" {
  bucket = aws_s3_bucket.results.id
  policy = data.aws_iam_policy_document.results_bucket.json

  depends_on = [aws_s3_bucket_public_access_block.results]
}

data "aws_iam_policy_document" "results_bucket" {
  statement {
    sid     = "DenyInsecureTransport"
    effect  = "Deny"
    actions = ["s3:*"]
    resources = [
      aws_s3_bucket.results.arn,
      "${aws_s3_bucket.results.arn}/*",
    ]

    principals {
      type        = "*"
      identifiers = ["*"]
    }

    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }
}
