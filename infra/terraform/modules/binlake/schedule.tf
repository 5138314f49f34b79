# Checkpoints on a schedule: an EventBridge rule invokes the checkpoint
# function, which writes checkpoints of the tables whose replay grew long and
# one manifest linking them. Runs that overlap are safe: the manifest create
# is conditional, and a loser re-links or gives up without harm.

resource "aws_cloudwatch_event_rule" "checkpoint" {
  count = var.checkpoint_schedule == null ? 0 : 1

  name                = "${var.name}-checkpoint"
  description         = "Invokes ${var.name}-checkpoint"
  schedule_expression = var.checkpoint_schedule

  tags = var.tags
}

resource "aws_cloudwatch_event_target" "checkpoint" {
  count = var.checkpoint_schedule == null ? 0 : 1

  rule  = aws_cloudwatch_event_rule.checkpoint[0].name
  arn   = aws_lambda_function.function["checkpoint"].arn
  input = var.checkpoint_input
}

resource "aws_lambda_permission" "checkpoint_schedule" {
  count = var.checkpoint_schedule == null ? 0 : 1

  statement_id  = "AllowCheckpointSchedule"
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.function["checkpoint"].function_name
  principal     = "events.amazonaws.com"
  source_arn    = aws_cloudwatch_event_rule.checkpoint[0].arn
}
