# The key of both buckets' SSE-KMS encryption, unless kms_key_arn names one.
# Its key policy is the default one (the account may delegate use through
# IAM); the roles of iam.tf get only what they need, and only through S3.

resource "aws_kms_key" "store" {
  count = var.kms_key_arn == null ? 1 : 0

  description             = "binlake ${var.name}: encryption of the store and results buckets"
  enable_key_rotation     = true
  deletion_window_in_days = var.kms_deletion_window_days

  tags = var.tags
}

resource "aws_kms_alias" "store" {
  count = var.kms_key_arn == null ? 1 : 0

  name          = "alias/${var.name}-store"
  target_key_id = aws_kms_key.store[0].key_id
}
