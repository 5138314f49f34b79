# Variables of examples/complete for LocalStack (deploy.sh adds lambda_dir).
region      = "us-east-1"
name        = "binlake-local"
bucket_name = "binlake-local"

# A day is enough on a laptop: LocalStack forgets everything when it stops.
object_lock_retention_days = 1

# ECS needs a paid LocalStack plan: deploy.sh runs `binlake ingest` on the
# host instead, against the MariaDB of docker-compose.yml.
ingest_enabled = false

# Glue and Athena need a paid LocalStack plan too.
glue_enabled = false

# LocalStack gives every function AWS_ENDPOINT_URL; S3 is reached path-style.
lambda_environment = {
  BINLAKE_S3_PATH_STYLE = "1"
}
