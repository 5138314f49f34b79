// Command verify is the verify Lambda function: it walks the chain named by
// BINLAKE_STORE and checks every link and object hash.
package main

import (
	"context"
	"log"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/binlake/binlake/functions/handler"
)

func main() {
	deps, err := handler.FromEnv(context.Background())
	if err != nil {
		log.Fatal(err)
	}
	lambda.Start(handler.Raw(deps.Verify))
}
