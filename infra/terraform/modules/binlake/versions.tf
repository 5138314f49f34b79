terraform {
  # optional() object attributes with defaults need 1.3; the checks in
  # lifecycle blocks need 1.2. The repository pins and tests with 1.5.
  required_version = ">= 1.5.0"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.0"
    }
  }
}
