# Inputs the module must refuse, each with its variable validation or
# resource precondition, planned with a mocked AWS provider (Terraform 1.7
# or later).

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
  lambda_dir     = "../../tests/fixtures/lambda"
  ingest_enabled = false
}

run "name_with_uppercase" {
  command = plan
  variables {
    name = "Binlake"
  }
  expect_failures = [var.name]
}

run "name_too_long" {
  command = plan
  variables {
    name = "binlake-abcdefghijklmnopq"
  }
  expect_failures = [var.name]
}

run "store_prefix_with_slashes_around" {
  command = plan
  variables {
    store_prefix = "/lake/"
  }
  expect_failures = [var.store_prefix]
}

run "store_prefix_with_wildcard" {
  command = plan
  variables {
    store_prefix = "lake*"
  }
  expect_failures = [var.store_prefix]
}

run "retention_zero_days" {
  command = plan
  variables {
    object_lock_retention_days = 0
  }
  expect_failures = [var.object_lock_retention_days]
}

run "retention_fraction_of_a_day" {
  command = plan
  variables {
    object_lock_retention_days = 1.5
  }
  expect_failures = [var.object_lock_retention_days]
}

run "expiry_zero_days" {
  command = plan
  variables {
    expire_after_days = 0
  }
  expect_failures = [var.expire_after_days]
}

run "kms_deletion_window_too_short" {
  command = plan
  variables {
    kms_deletion_window_days = 5
  }
  expect_failures = [var.kms_deletion_window_days]
}

run "tmp_too_small" {
  command = plan
  variables {
    lambda_ephemeral_storage_mb = 256
  }
  expect_failures = [var.lambda_ephemeral_storage_mb]
}

run "glue_table_key_with_uppercase" {
  command = plan
  variables {
    glue_tables = {
      ShopOrders = {
        database = "shop"
        table    = "orders"
        columns  = [{ name = "id", type = "bigint" }]
      }
    }
  }
  expect_failures = [var.glue_tables]
}

run "ingest_without_network" {
  command = plan
  variables {
    ingest_enabled    = true
    ingest_image      = "binlake:v1"
    source_secret_arn = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:binlake/source-AbCdEf"
  }
  expect_failures = [aws_security_group.ingest]
}

run "ingest_without_image" {
  command = plan
  variables {
    ingest_enabled    = true
    source_secret_arn = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:binlake/source-AbCdEf"
    vpc_id            = "vpc-0123456789abcdef0"
    subnet_ids        = ["subnet-0123456789abcdef0"]
  }
  expect_failures = [aws_ecs_task_definition.ingest]
}

run "ingest_without_secret" {
  command = plan
  variables {
    ingest_enabled = true
    ingest_image   = "binlake:v1"
    vpc_id         = "vpc-0123456789abcdef0"
    subnet_ids     = ["subnet-0123456789abcdef0"]
  }
  expect_failures = [aws_ecs_task_definition.ingest]
}
