// Command verify is the verify Lambda function: it walks the chain named by
// BINLAKE_STORE and checks every link and object hash. It carries no
// DuckDB (see functions/verifier).
package main

import (
	"context"
	"log"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/binlake/binlake/functions/lambdaio"
	"github.com/binlake/binlake/functions/verifier"
)

func main() {
	env, err := lambdaio.FromEnv(context.Background())
	if err != nil {
		log.Fatal(err)
	}
	v := &verifier.Verifier{Env: env}
	lambda.Start(lambdaio.Raw(v.Verify))
}
