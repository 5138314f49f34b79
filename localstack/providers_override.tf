# Points the AWS provider of examples/complete at LocalStack. deploy.sh copies
# this file next to the example's root module (Terraform merges a file named
# *_override.tf into the block of the same name) and applies with
# localstack.tfvars. The endpoint is LocalStack's edge port from
# docker-compose.yml.

provider "aws" {
  region     = "us-east-1"
  access_key = "test"
  secret_key = "test"

  s3_use_path_style           = true
  skip_credentials_validation = true
  skip_metadata_api_check     = true
  skip_requesting_account_id  = true

  endpoints {
    athena         = "http://localhost:4566"
    cloudwatch     = "http://localhost:4566"
    ec2            = "http://localhost:4566"
    ecs            = "http://localhost:4566"
    events         = "http://localhost:4566"
    glue           = "http://localhost:4566"
    iam            = "http://localhost:4566"
    kms            = "http://localhost:4566"
    lambda         = "http://localhost:4566"
    logs           = "http://localhost:4566"
    s3             = "http://localhost:4566"
    secretsmanager = "http://localhost:4566"
    sns            = "http://localhost:4566"
    sts            = "http://localhost:4566"
  }
}
