# Glue tables over the store's Parquet so that Athena (Trino) can run the same
# as-of and change-feed queries as binlake when one Lambda is not enough.
# Tables are schema specific, so they come from var.glue_tables: each entry
# gives <key>_segments (change rows of one schema version) and
# <key>_checkpoints (full states of the table at checkpoint commits).
# Athena users need s3:GetObject on the store, kms:Decrypt on its key, and the
# workgroup below (its results go to the results bucket, under athena/).

locals {
  glue_database = var.glue_database_name != null ? var.glue_database_name : replace(var.name, "-", "_")
  glue_tables   = var.glue_enabled ? var.glue_tables : {}

  glue_table_paths = {
    for k, t in local.glue_tables : k => "${t.database}/${t.table}/${format("v%06d", t.schema_version)}/"
  }

  # The change row columns of every segment (docs/FORMAT.md, "Segments").
  # _seq is UINT_32 in Parquet: bigint holds all of it.
  change_columns = [
    { name = "_commit", type = "bigint" },
    { name = "_seq", type = "bigint" },
    { name = "_op", type = "string" },
    { name = "_time", type = "timestamp" },
    { name = "_gtid", type = "string" },
  ]

  glue_parquet_parameters = {
    EXTERNAL              = "TRUE"
    classification        = "parquet"
    "parquet.compression" = "ZSTD"
  }

  athena_query_tables = { for k, t in local.glue_tables : k => t if t.key != null }
}

resource "aws_glue_catalog_database" "this" {
  count = var.glue_enabled ? 1 : 0

  name        = local.glue_database
  description = "binlake ${var.name}: Parquet change rows and checkpoints of ${local.store_url}"
}

resource "aws_glue_catalog_table" "segments" {
  for_each = local.glue_tables

  name          = "${each.key}_segments"
  database_name = aws_glue_catalog_database.this[0].name
  description   = "Change rows of ${each.value.database}.${each.value.table}, schema version ${each.value.schema_version}"
  table_type    = "EXTERNAL_TABLE"
  parameters    = local.glue_parquet_parameters

  storage_descriptor {
    location      = "s3://${aws_s3_bucket.store.id}/${local.key_prefix}segments/${local.glue_table_paths[each.key]}"
    input_format  = "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat"
    output_format = "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat"

    ser_de_info {
      serialization_library = "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe"
    }

    dynamic "columns" {
      for_each = concat(local.change_columns, [
        { name = "before", type = "struct<${join(",", [for c in each.value.columns : "${c.name}:${c.type}"])}>" },
        { name = "after", type = "struct<${join(",", [for c in each.value.columns : "${c.name}:${c.type}"])}>" },
      ])
      content {
        name = columns.value.name
        type = columns.value.type
      }
    }
  }
}

resource "aws_glue_catalog_table" "checkpoints" {
  for_each = local.glue_tables

  name          = "${each.key}_checkpoints"
  database_name = aws_glue_catalog_database.this[0].name
  description   = "Checkpoints of ${each.value.database}.${each.value.table}, schema version ${each.value.schema_version}: one file per checkpoint commit, the commit in its name"
  table_type    = "EXTERNAL_TABLE"
  parameters    = local.glue_parquet_parameters

  storage_descriptor {
    location      = "s3://${aws_s3_bucket.store.id}/${local.key_prefix}checkpoints/${local.glue_table_paths[each.key]}"
    input_format  = "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat"
    output_format = "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat"

    ser_de_info {
      serialization_library = "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe"
    }

    dynamic "columns" {
      for_each = each.value.columns
      content {
        name = columns.value.name
        type = columns.value.type
      }
    }
  }
}

resource "aws_athena_workgroup" "this" {
  count = var.glue_enabled ? 1 : 0

  name          = var.name
  description   = "binlake ${var.name}: as-of and change-feed queries over ${local.store_url}"
  force_destroy = true

  configuration {
    enforce_workgroup_configuration    = true
    publish_cloudwatch_metrics_enabled = true

    result_configuration {
      output_location = "s3://${aws_s3_bucket.results.id}/athena/"

      encryption_configuration {
        encryption_option = "SSE_KMS"
        kms_key_arn       = local.kms_key_arn
      }
    }
  }

  tags = var.tags
}

resource "aws_athena_named_query" "asof" {
  for_each = local.athena_query_tables

  name        = "${each.key} as of a commit"
  description = "${each.value.database}.${each.value.table} as of commit C: the newest checkpoint at or before C plus the changes after it"
  workgroup   = aws_athena_workgroup.this[0].id
  database    = aws_glue_catalog_database.this[0].name
  query = templatefile("${path.module}/queries/asof.sql.tftpl", {
    mysql    = "${each.value.database}.${each.value.table}"
    version  = each.value.schema_version
    database = aws_glue_catalog_database.this[0].name
    table    = each.key
    key      = each.value.key
    columns  = [for c in each.value.columns : c.name]
  })
}

resource "aws_athena_named_query" "changes" {
  for_each = local.glue_tables

  name        = "${each.key} change feed"
  description = "Change rows of ${each.value.database}.${each.value.table} between two commits, in commit order"
  workgroup   = aws_athena_workgroup.this[0].id
  database    = aws_glue_catalog_database.this[0].name
  query = templatefile("${path.module}/queries/changes.sql.tftpl", {
    mysql    = "${each.value.database}.${each.value.table}"
    version  = each.value.schema_version
    database = aws_glue_catalog_database.this[0].name
    table    = each.key
  })
}
