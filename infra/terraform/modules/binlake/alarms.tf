# Replication lag, as published by ingest: metric ReplicationLagSeconds in
# namespace binlake with dimension Store = the store URL. Missing data counts
# as breaching: a stopped or stuck ingest publishes nothing.

resource "aws_cloudwatch_metric_alarm" "replication_lag" {
  alarm_name        = "${var.name}-replication-lag"
  alarm_description = "binlake ${var.name}: the replica is more than ${var.lag_alarm_threshold_seconds} s behind the primary, or ingest stopped publishing its lag (store ${local.store_url})."

  namespace   = local.metric_namespace
  metric_name = "ReplicationLagSeconds"
  dimensions = {
    Store = local.store_url
  }

  statistic           = "Maximum"
  period              = 60
  evaluation_periods  = var.lag_alarm_evaluation_periods
  threshold           = var.lag_alarm_threshold_seconds
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "breaching"

  alarm_actions = var.alarm_actions
  ok_actions    = var.alarm_actions

  tags = var.tags
}
