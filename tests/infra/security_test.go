// Package infra checks the Terraform module in infra/terraform offline: it
// parses the module's HCL (no Terraform, no provider, no AWS) and asserts the
// security properties the deployment promises. Each property is a check in
// security_checks_test.go; TestSecurityChecksCatchMutations proves each
// check fails when the module is changed in the way it guards against.
package infra

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestModuleSecurity(t *testing.T) {
	m, err := loadModule(moduleDir)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range securityChecks {
		t.Run(c.name, func(t *testing.T) {
			for _, p := range c.run(m) {
				t.Error(p)
			}
		})
	}
}

// A mutation changes one file of a copy of the module; the named check must
// then report a problem. old must occur exactly once in the file, so that a
// mutation cannot silently stop applying when the module changes.
type mutation struct {
	name      string
	file      string
	old, new  string
	wantCheck string
}

var mutations = []mutation{
	{"governance mode", "bucket.tf",
		`mode = "COMPLIANCE"`, `mode = "GOVERNANCE"`, "store_object_lock_compliance"},
	{"object lock off", "bucket.tf",
		`object_lock_enabled = true`, `object_lock_enabled = false`, "store_object_lock_compliance"},
	{"object lock configuration optional", "bucket.tf",
		"resource \"aws_s3_bucket_object_lock_configuration\" \"store\" {\n", "resource \"aws_s3_bucket_object_lock_configuration\" \"store\" {\n  count = var.expire_after_days == null ? 1 : 0\n", "store_object_lock_compliance"},
	{"versioning suspended", "bucket.tf",
		"versioning_configuration {\n    status = \"Enabled\"", "versioning_configuration {\n    status = \"Suspended\"", "store_versioning_enabled"},
	{"SSE-S3 instead of SSE-KMS", "bucket.tf",
		"sse_algorithm     = \"aws:kms\"\n      kms_master_key_id = local.kms_key_arn\n    }\n    bucket_key_enabled = true\n  }\n}\n\nresource \"aws_s3_bucket_public_access_block\" \"store\"",
		"sse_algorithm     = \"AES256\"\n      kms_master_key_id = local.kms_key_arn\n    }\n    bucket_key_enabled = true\n  }\n}\n\nresource \"aws_s3_bucket_public_access_block\" \"store\"",
		"buckets_sse_kms"},
	{"public policies allowed on the store", "bucket.tf",
		"bucket = aws_s3_bucket.store.id\n\n  block_public_acls       = true\n  block_public_policy     = true",
		"bucket = aws_s3_bucket.store.id\n\n  block_public_acls       = true\n  block_public_policy     = false",
		"buckets_public_access_blocked"},
	{"restrict_public_buckets dropped on results", "bucket.tf",
		"ignore_public_acls      = true\n  restrict_public_buckets = true\n}\n\nresource \"aws_s3_bucket_ownership_controls\" \"results\"",
		"ignore_public_acls      = true\n}\n\nresource \"aws_s3_bucket_ownership_controls\" \"results\"",
		"buckets_public_access_blocked"},
	{"public read statement", "bucket.tf",
		"data \"aws_iam_policy_document\" \"store_bucket\" {\n",
		"data \"aws_iam_policy_document\" \"store_bucket\" {\n  statement {\n    actions   = [\"s3:GetObject\"]\n    resources = [\"${aws_s3_bucket.store.arn}/*\"]\n    principals {\n      type        = \"*\"\n      identifiers = [\"*\"]\n    }\n  }\n",
		"buckets_public_access_blocked"},
	{"TLS condition inverted", "bucket.tf",
		"      variable = \"aws:SecureTransport\"\n      values   = [\"false\"]\n    }\n  }\n\n  # Object Lock",
		"      variable = \"aws:SecureTransport\"\n      values   = [\"true\"]\n    }\n  }\n\n  # Object Lock",
		"buckets_tls_only"},
	{"TLS deny misses objects", "bucket.tf",
		"    resources = [\n      aws_s3_bucket.store.arn,\n      \"${aws_s3_bucket.store.arn}/*\",\n    ]",
		"    resources = [\n      aws_s3_bucket.store.arn,\n    ]",
		"buckets_tls_only"},
	{"delete marker allowed", "bucket.tf",
		"      \"s3:DeleteObject\",\n      \"s3:DeleteObjectVersion\",\n    ]",
		"      \"s3:DeleteObjectVersion\",\n    ]",
		"store_denies_deletes"},
	{"delete deny exempts everyone in the account", "bucket.tf",
		"        values   = condition.value\n      }\n    }\n  }\n\n  # A lifecycle",
		"        values   = condition.value\n      }\n    }\n\n    condition {\n      test     = \"StringNotEquals\"\n      variable = \"aws:PrincipalAccount\"\n      values   = [local.account_id]\n    }\n  }\n\n  # A lifecycle",
		"store_denies_deletes"},
	{"expiry by default", "variables.tf",
		"  type        = number\n  default     = null\n\n  validation {\n    condition     = var.expire_after_days == null",
		"  type        = number\n  default     = 3650\n\n  validation {\n    condition     = var.expire_after_days == null",
		"store_no_expiry_by_default"},
	{"query writes the store", "iam.tf",
		"data \"aws_iam_policy_document\" \"query\" {\n",
		"data \"aws_iam_policy_document\" \"query\" {\n  statement {\n    actions   = [\"s3:PutObject\"]\n    resources = [\"${local.store_objects_arn}*\"]\n  }\n",
		"query_role_no_store_write"},
	{"query may delete results", "iam.tf",
		"      \"s3:PutObject\",\n      \"s3:GetObject\",\n    ]",
		"      \"s3:PutObject\",\n      \"s3:GetObject\",\n      \"s3:DeleteObject\",\n    ]",
		"query_role_no_store_write"},
	{"shared read statement gains PutObject", "iam.tf",
		`actions   = ["s3:GetObject"]`, `actions   = ["s3:GetObject", "s3:PutObject"]`, "query_role_no_store_write"},
	{"verify gets s3:*", "iam.tf",
		"data \"aws_iam_policy_document\" \"verify\" {\n",
		"data \"aws_iam_policy_document\" \"verify\" {\n  statement {\n    actions   = [\"s3:*\"]\n    resources = [aws_s3_bucket.store.arn]\n  }\n",
		"verify_role_no_write"},
	{"verify gets s3:Put* through NotAction", "iam.tf",
		"data \"aws_iam_policy_document\" \"verify\" {\n",
		"data \"aws_iam_policy_document\" \"verify\" {\n  statement {\n    not_actions = [\"s3:GetObject\"]\n    resources   = [\"*\"]\n  }\n",
		"verify_role_no_write"},
	{"managed policy on the verify role", "iam.tf",
		"resource \"aws_iam_role_policy\" \"function\" {",
		"resource \"aws_iam_role_policy_attachment\" \"extra\" {\n  role       = aws_iam_role.function[\"verify\"].name\n  policy_arn = \"arn:aws:iam::aws:policy/AmazonS3FullAccess\"\n}\n\nresource \"aws_iam_role_policy\" \"function\" {",
		"verify_role_no_write"},
	{"recover writes the whole store", "iam.tf",
		`resources = ["${local.store_objects_arn}patches/*"]`, `resources = ["${local.store_objects_arn}*"]`, "recover_role_writes_only_patches"},
	{"recover writes segments too", "iam.tf",
		`resources = ["${local.store_objects_arn}patches/*"]`, `resources = ["${local.store_objects_arn}patches/*", "${local.store_objects_arn}segments/*"]`, "recover_role_writes_only_patches"},
	{"checkpoint writes segments", "iam.tf",
		"      \"${local.store_objects_arn}checkpoints/*\",\n      \"${local.store_objects_arn}manifests/*\",\n    ]\n  }\n\n  statement {\n    sid = \"Logs\"",
		"      \"${local.store_objects_arn}checkpoints/*\",\n      \"${local.store_objects_arn}manifests/*\",\n      \"${local.store_objects_arn}segments/*\",\n    ]\n  }\n\n  statement {\n    sid = \"Logs\"",
		"checkpoint_role_writes_only_checkpoints"},
	{"checkpoint may set retention", "iam.tf",
		"    sid     = \"WriteCheckpoints\"\n    actions = [\"s3:PutObject\"]",
		"    sid     = \"WriteCheckpoints\"\n    actions = [\"s3:PutObject\", \"s3:PutObjectRetention\"]",
		"checkpoint_role_writes_only_checkpoints"},
	{"ingest metrics in any namespace", "iam.tf",
		"      variable = \"cloudwatch:namespace\"", "      variable = \"cloudwatch:requestInsightRuleReport\"", "ingest_role_writes_only_chain"},
	{"ingest writes patches", "iam.tf",
		"      \"${local.store_objects_arn}segments/*\",\n      \"${local.store_objects_arn}checkpoints/*\",\n    ]",
		"      \"${local.store_objects_arn}segments/*\",\n      \"${local.store_objects_arn}checkpoints/*\",\n      \"${local.store_objects_arn}patches/*\",\n    ]",
		"ingest_role_writes_only_chain"},
	{"query function runs with the ingest role", "lambda.tf",
		`role          = aws_iam_role.function[each.key].arn`, `role          = each.key == "query" ? aws_iam_role.ingest_task[0].arn : aws_iam_role.function[each.key].arn`, "functions_use_own_roles"},
	{"query URL without auth", "lambda.tf",
		`authorization_type = "AWS_IAM"`, `authorization_type = "NONE"`, "functions_use_own_roles"},
	{"two ingest tasks", "ingest.tf",
		`desired_count                      = 1`, `desired_count                      = 2`, "ingest_exactly_one_task"},
	{"overlapping deployments", "ingest.tf",
		`deployment_maximum_percent         = 100`, `deployment_maximum_percent         = 200`, "ingest_exactly_one_task"},
	{"one service per subnet", "ingest.tf",
		"resource \"aws_ecs_service\" \"ingest\" {\n  count = local.ingest_count\n",
		"resource \"aws_ecs_service\" \"ingest\" {\n  count = length(var.subnet_ids)\n",
		"ingest_exactly_one_task"},
}

func TestSecurityChecksCatchMutations(t *testing.T) {
	byName := map[string]securityCheck{}
	for _, c := range securityChecks {
		byName[c.name] = c
	}
	for _, mu := range mutations {
		t.Run(strings.ReplaceAll(mu.name, " ", "_"), func(t *testing.T) {
			check, ok := byName[mu.wantCheck]
			if !ok {
				t.Fatalf("mutation names check %q, which does not exist", mu.wantCheck)
			}
			dir := t.TempDir()
			if err := copyModule(moduleDir, dir); err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(dir, mu.file)
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if n := strings.Count(string(b), mu.old); n != 1 {
				t.Fatalf("%s holds %d copies of the text to mutate, want 1: update this mutation to the module\n%s", mu.file, n, mu.old)
			}
			if err := os.WriteFile(path, []byte(strings.Replace(string(b), mu.old, mu.new, 1)), 0o644); err != nil {
				t.Fatal(err)
			}
			m, err := loadModule(dir)
			if err != nil {
				t.Fatalf("mutated module does not parse: %v", err)
			}
			problems := check.run(m)
			if len(problems) == 0 {
				t.Fatalf("check %s did not notice: %s", mu.wantCheck, mu.name)
			}
			t.Logf("%s caught it: %s", mu.wantCheck, problems[0])
		})
	}
}

// Every variable and output is documented in the module's README.
func TestModuleREADMEDocumentsEveryVariableAndOutput(t *testing.T) {
	m, err := loadModule(moduleDir)
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(moduleDir, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	readme := string(b)
	for _, kind := range []struct {
		what  string
		names []string
	}{{"variable", sortedKeys(m.variables)}, {"output", sortedKeys(m.outputs)}} {
		for _, name := range kind.names {
			if !strings.Contains(readme, "| `"+name+"` |") {
				t.Errorf("README.md: %s %s has no table row (| `%s` | ...)", kind.what, name, name)
			}
		}
	}
}
