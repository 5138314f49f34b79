terraform {
  required_version = ">= 1.5.0"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.0"
    }
  }

  # Keep state remote and locked in a real deployment, e.g.:
  # backend "s3" {
  #   bucket       = "my-terraform-state"
  #   key          = "binlake/terraform.tfstate"
  #   region       = "eu-west-1"
  #   use_lockfile = true
  # }
}
