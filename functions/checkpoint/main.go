// Command checkpoint is the checkpoint Lambda function (scheduled): it stores
// tables' full state so reads start there (see docs/FUNCTIONS.md).
package main

import (
	"context"
	"log"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/binlake/binlake/functions/handler"
	"github.com/binlake/binlake/functions/lambdaio"
)

func main() {
	deps, err := handler.FromEnv(context.Background())
	if err != nil {
		log.Fatal(err)
	}
	lambda.Start(lambdaio.Raw(deps.Checkpoint))
}
