# The store and results buckets, planned with a mocked AWS provider: no
# credentials, no network, no AWS. `terraform test` needs Terraform 1.7 or
# later for mock_provider; tests/tools/tf-validate.sh (make tf-validate) runs
# it with the AWS provider's schema. tests/infra checks the same properties
# statically in the module's source; these check what Terraform plans.

mock_provider "aws" {
  mock_data "aws_caller_identity" {
    defaults = {
      account_id = "123456789012"
    }
  }
  mock_data "aws_region" {
    defaults = {
      id = "eu-west-1"
    }
  }
  mock_data "aws_partition" {
    defaults = {
      partition = "aws"
    }
  }
  # The provider checks that role trust policies are JSON policies: a mocked
  # document must be one (the statements themselves are asserted on the
  # data sources' arguments).
  mock_data "aws_iam_policy_document" {
    defaults = {
      json          = "{\"Version\":\"2012-10-17\",\"Statement\":[]}"
      minified_json = "{\"Version\":\"2012-10-17\",\"Statement\":[]}"
    }
  }
}

variables {
  name       = "binlake-test"
  lambda_dir = "../../tests/fixtures/lambda"

  ingest_image      = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/binlake:v1"
  source_secret_arn = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:binlake/source-AbCdEf"
  vpc_id            = "vpc-0123456789abcdef0"
  subnet_ids        = ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"]
}

run "store_is_locked_versioned_encrypted_private" {
  command = plan

  assert {
    condition     = aws_s3_bucket.store.object_lock_enabled == true && aws_s3_bucket.store.force_destroy == false
    error_message = "the store bucket must be created with Object Lock and without force_destroy"
  }
  assert {
    condition     = aws_s3_bucket.store.bucket_prefix == "binlake-test-store-"
    error_message = "with no bucket_name, the store bucket's name must start with <name>-store-"
  }
  assert {
    condition     = one(aws_s3_bucket_versioning.store.versioning_configuration).status == "Enabled"
    error_message = "store versioning must be Enabled"
  }
  assert {
    condition     = one(one(aws_s3_bucket_object_lock_configuration.store.rule).default_retention).mode == "COMPLIANCE"
    error_message = "the store's default retention must be COMPLIANCE"
  }
  assert {
    condition     = one(one(aws_s3_bucket_object_lock_configuration.store.rule).default_retention).days == 365
    error_message = "the default retention must default to 365 days"
  }
  assert {
    condition = alltrue([for sse in [aws_s3_bucket_server_side_encryption_configuration.store, aws_s3_bucket_server_side_encryption_configuration.results] :
      one(one(sse.rule).apply_server_side_encryption_by_default).sse_algorithm == "aws:kms" && one(sse.rule).bucket_key_enabled == true
    ])
    error_message = "both buckets must default to SSE-KMS with an S3 Bucket Key"
  }
  assert {
    condition = alltrue([for pab in [aws_s3_bucket_public_access_block.store, aws_s3_bucket_public_access_block.results] :
      pab.block_public_acls && pab.block_public_policy && pab.ignore_public_acls && pab.restrict_public_buckets
    ])
    error_message = "both buckets must block every kind of public access"
  }
  assert {
    condition = alltrue([for oc in [aws_s3_bucket_ownership_controls.store, aws_s3_bucket_ownership_controls.results] :
      one(oc.rule).object_ownership == "BucketOwnerEnforced"
    ])
    error_message = "both buckets must have ACLs disabled (BucketOwnerEnforced)"
  }
  assert {
    condition     = length(aws_s3_bucket_lifecycle_configuration.store) == 0
    error_message = "the store must keep history forever by default: no lifecycle rule"
  }
  assert {
    condition     = length(aws_kms_key.store) == 1 && aws_kms_key.store[0].enable_key_rotation == true && aws_kms_key.store[0].deletion_window_in_days == 30
    error_message = "with no kms_key_arn the module must create a key with rotation and a 30-day deletion window"
  }
  assert {
    condition     = aws_kms_alias.store[0].name == "alias/binlake-test-store"
    error_message = "the created key's alias must be alias/<name>-store"
  }
  assert {
    condition     = one(aws_s3_bucket_lifecycle_configuration.results.rule).status == "Enabled" && one(one(aws_s3_bucket_lifecycle_configuration.results.rule).expiration).days == 1
    error_message = "the results bucket must expire answers after results_expiration_days (1)"
  }
}

run "store_bucket_policy_denies_insecure_transport_deletes_and_retention_changes" {
  command = plan

  assert {
    condition     = toset([for s in data.aws_iam_policy_document.store_bucket.statement : s.sid]) == toset(["DenyInsecureTransport", "DenyDeletes", "DenyRetentionChanges", "DenyUnconditionalManifestWrites"])
    error_message = "the store bucket policy must hold exactly the four Deny statements"
  }
  assert {
    condition     = alltrue([for s in data.aws_iam_policy_document.store_bucket.statement : s.effect == "Deny"])
    error_message = "every statement of the store bucket policy must be a Deny"
  }
  assert {
    condition = anytrue([for s in data.aws_iam_policy_document.store_bucket.statement :
      s.sid == "DenyDeletes" && toset(s.actions) == toset(["s3:DeleteObject", "s3:DeleteObjectVersion"]) && length(s.condition) == 0
    ])
    error_message = "with no break-glass principal, DenyDeletes must deny both kinds of delete to everyone, unconditionally"
  }
  assert {
    condition = anytrue([for s in data.aws_iam_policy_document.store_bucket.statement :
      s.sid == "DenyInsecureTransport" && contains(s.actions, "s3:*") && anytrue([for c in s.condition : c.variable == "aws:SecureTransport" && toset(c.values) == toset(["false"])])
    ])
    error_message = "the store bucket policy must deny s3:* without TLS"
  }
  assert {
    condition = anytrue([for s in data.aws_iam_policy_document.store_bucket.statement :
      s.sid == "DenyUnconditionalManifestWrites" && anytrue([for c in s.condition : c.test == "Null" && c.variable == "s3:if-none-match" && toset(c.values) == toset(["true"])])
    ])
    error_message = "manifest writes without If-None-Match must be denied"
  }
  assert {
    condition     = toset([for s in data.aws_iam_policy_document.results_bucket.statement : s.sid]) == toset(["DenyInsecureTransport"])
    error_message = "the results bucket policy must deny insecure transport"
  }
}

run "given_key_retention_expiry_and_break_glass" {
  command = plan

  variables {
    bucket_name                = "binlake-test-store"
    store_prefix               = "archive/lake"
    kms_key_arn                = "arn:aws:kms:eu-west-1:123456789012:key/11111111-2222-3333-4444-555555555555"
    object_lock_retention_days = 7
    expire_after_days          = 3650
    break_glass_principal_arns = ["arn:aws:iam::123456789012:role/break-glass"]
  }

  assert {
    condition     = aws_s3_bucket.store.bucket == "binlake-test-store"
    error_message = "bucket_name must name the store bucket"
  }
  assert {
    condition     = length(aws_kms_key.store) == 0 && length(aws_kms_alias.store) == 0
    error_message = "with kms_key_arn the module must not create a key"
  }
  assert {
    condition = alltrue([for sse in [aws_s3_bucket_server_side_encryption_configuration.store, aws_s3_bucket_server_side_encryption_configuration.results] :
      one(one(sse.rule).apply_server_side_encryption_by_default).kms_master_key_id == "arn:aws:kms:eu-west-1:123456789012:key/11111111-2222-3333-4444-555555555555"
    ])
    error_message = "both buckets must be encrypted with the given key"
  }
  assert {
    condition     = one(one(aws_s3_bucket_object_lock_configuration.store.rule).default_retention).days == 7
    error_message = "object_lock_retention_days must set the default retention"
  }
  assert {
    condition     = length(aws_s3_bucket_lifecycle_configuration.store) == 1
    error_message = "expire_after_days must add a lifecycle rule to the store"
  }
  assert {
    condition     = one(one(aws_s3_bucket_lifecycle_configuration.store[0].rule).filter).prefix == "archive/lake/"
    error_message = "the store's lifecycle rule must be limited to the store prefix"
  }
  assert {
    condition     = one(one(aws_s3_bucket_lifecycle_configuration.store[0].rule).expiration).days == 3650
    error_message = "the store's lifecycle rule must expire after expire_after_days"
  }
  assert {
    condition = alltrue([for s in data.aws_iam_policy_document.store_bucket.statement :
      anytrue([for c in s.condition : c.test == "ArnNotLike" && c.variable == "aws:PrincipalArn" && toset(c.values) == toset(["arn:aws:iam::123456789012:role/break-glass"])])
      if contains(["DenyDeletes", "DenyRetentionChanges"], s.sid)
    ])
    error_message = "break_glass_principal_arns must be exempted (ArnNotLike aws:PrincipalArn) from DenyDeletes and DenyRetentionChanges"
  }
}
