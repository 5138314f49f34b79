package infra

import (
	"fmt"
	"strings"
)

// A securityCheck returns what it finds wrong with the module, each problem
// naming the resource and the property; nothing when the property holds.
type securityCheck struct {
	name string
	run  func(m *module) []string
}

// securityChecks are the properties the acceptance asks for, and
// the ones they rest on.
var securityChecks = []securityCheck{
	{"store_object_lock_compliance", checkObjectLock},
	{"store_versioning_enabled", checkVersioning},
	{"buckets_sse_kms", checkEncryption},
	{"buckets_public_access_blocked", checkPublicAccess},
	{"buckets_tls_only", checkTLSOnly},
	{"store_denies_deletes", checkDenyDeletes},
	{"store_no_expiry_by_default", checkNoExpiry},
	{"functions_use_own_roles", checkFunctionRoles},
	{"query_role_no_store_write", checkQueryRole},
	{"verify_role_no_write", checkVerifyRole},
	{"recover_role_writes_only_patches", checkRecoverRole},
	{"checkpoint_role_writes_only_checkpoints", checkCheckpointRole},
	{"ingest_role_writes_only_chain", checkIngestRole},
	{"ingest_exactly_one_task", checkOneIngestTask},
}

func checkObjectLock(m *module) []string {
	var problems []string
	bucket := m.resources["aws_s3_bucket.store"]
	if bucket == nil {
		return []string{"aws_s3_bucket.store not found"}
	}
	if v, ok := literalBool(attr(bucket, "object_lock_enabled")); !ok || !v {
		problems = append(problems, "aws_s3_bucket.store: object_lock_enabled must be the literal true")
	}
	if maybeAbsent(bucket) {
		problems = append(problems, "aws_s3_bucket.store: must not have count or for_each")
	}
	locks := m.resourcesFor("aws_s3_bucket_object_lock_configuration", "aws_s3_bucket.store")
	if len(locks) != 1 {
		return append(problems, fmt.Sprintf("aws_s3_bucket.store: want exactly one aws_s3_bucket_object_lock_configuration, found %d", len(locks)))
	}
	addr := "aws_s3_bucket_object_lock_configuration." + locks[0]
	lock := m.resources[addr]
	if maybeAbsent(lock) {
		problems = append(problems, addr+": must not have count or for_each: the default retention must always exist")
	}
	rule := nested(lock, "rule", "default_retention")
	if rule == nil {
		return append(problems, addr+": want one rule { default_retention { ... } }")
	}
	if mode, ok := literalString(attr(rule, "mode")); !ok || mode != "COMPLIANCE" {
		problems = append(problems, fmt.Sprintf("%s: default_retention.mode is %s, want the literal \"COMPLIANCE\" (GOVERNANCE lets privileged users delete history)", addr, m.source(attr(rule, "mode"))))
	}
	if attr(rule, "days") == nil && attr(rule, "years") == nil {
		problems = append(problems, addr+": default_retention needs days or years")
	}
	return problems
}

func checkVersioning(m *module) []string {
	names := m.resourcesFor("aws_s3_bucket_versioning", "aws_s3_bucket.store")
	if len(names) != 1 {
		return []string{fmt.Sprintf("aws_s3_bucket.store: want exactly one aws_s3_bucket_versioning, found %d", len(names))}
	}
	addr := "aws_s3_bucket_versioning." + names[0]
	b := m.resources[addr]
	var problems []string
	if maybeAbsent(b) {
		problems = append(problems, addr+": must not have count or for_each")
	}
	if s, ok := literalString(attr(nested(b, "versioning_configuration"), "status")); !ok || s != "Enabled" {
		problems = append(problems, addr+": versioning_configuration.status must be the literal \"Enabled\"")
	}
	return problems
}

// buckets are the buckets the module creates; each must be private,
// encrypted and TLS only.
var buckets = []string{"aws_s3_bucket.store", "aws_s3_bucket.results"}

func checkEncryption(m *module) []string {
	var problems []string
	for _, bucket := range buckets {
		names := m.resourcesFor("aws_s3_bucket_server_side_encryption_configuration", bucket)
		if len(names) != 1 {
			problems = append(problems, fmt.Sprintf("%s: want exactly one aws_s3_bucket_server_side_encryption_configuration, found %d", bucket, len(names)))
			continue
		}
		addr := "aws_s3_bucket_server_side_encryption_configuration." + names[0]
		b := m.resources[addr]
		if maybeAbsent(b) {
			problems = append(problems, addr+": must not have count or for_each")
		}
		alg, ok := literalString(attr(nested(b, "rule", "apply_server_side_encryption_by_default"), "sse_algorithm"))
		if !ok || (alg != "aws:kms" && alg != "aws:kms:dsse") {
			problems = append(problems, fmt.Sprintf("%s: sse_algorithm is %q, want \"aws:kms\" (SSE-KMS)", addr, alg))
		}
	}
	return problems
}

func checkPublicAccess(m *module) []string {
	var problems []string
	for _, bucket := range buckets {
		names := m.resourcesFor("aws_s3_bucket_public_access_block", bucket)
		if len(names) != 1 {
			problems = append(problems, fmt.Sprintf("%s: want exactly one aws_s3_bucket_public_access_block, found %d", bucket, len(names)))
			continue
		}
		addr := "aws_s3_bucket_public_access_block." + names[0]
		b := m.resources[addr]
		if maybeAbsent(b) {
			problems = append(problems, addr+": must not have count or for_each")
		}
		for _, a := range []string{"block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets"} {
			if v, ok := literalBool(attr(b, a)); !ok || !v {
				problems = append(problems, fmt.Sprintf("%s: %s must be the literal true", addr, a))
			}
		}
	}
	// No bucket policy may grant anything to everyone.
	for _, name := range m.resourcesOfType("aws_s3_bucket_policy") {
		doc, ok := m.docName(attr(m.resources["aws_s3_bucket_policy."+name], "policy"))
		if !ok {
			problems = append(problems, fmt.Sprintf("aws_s3_bucket_policy.%s: policy must be a data.aws_iam_policy_document of this module", name))
			continue
		}
		sts, err := m.statements(doc)
		if err != nil {
			problems = append(problems, err.Error())
			continue
		}
		for _, s := range sts {
			if s.effect != "Deny" && (wildcardPrincipal(s.principals) || len(s.notPrinc) > 0) {
				problems = append(problems, fmt.Sprintf("aws_s3_bucket_policy.%s: %s allows a wildcard principal: public access", name, s))
			}
		}
	}
	return problems
}

// bucketPolicy returns the statements of the one unconditional bucket
// policy of a bucket.
func (m *module) bucketPolicy(bucket string) (string, []statement, []string) {
	names := m.resourcesFor("aws_s3_bucket_policy", bucket)
	if len(names) != 1 {
		return "", nil, []string{fmt.Sprintf("%s: want exactly one aws_s3_bucket_policy, found %d", bucket, len(names))}
	}
	addr := "aws_s3_bucket_policy." + names[0]
	b := m.resources[addr]
	var problems []string
	if maybeAbsent(b) {
		problems = append(problems, addr+": must not have count or for_each")
	}
	doc, ok := m.docName(attr(b, "policy"))
	if !ok {
		return addr, nil, append(problems, addr+": policy must be a data.aws_iam_policy_document of this module")
	}
	sts, err := m.statements(doc)
	if err != nil {
		return addr, nil, append(problems, fmt.Sprintf("%s: %v", addr, err))
	}
	return addr, sts, problems
}

func checkTLSOnly(m *module) []string {
	var problems []string
	for _, bucket := range buckets {
		addr, sts, ps := m.bucketPolicy(bucket)
		problems = append(problems, ps...)
		if addr == "" {
			continue
		}
		found := false
		for _, s := range sts {
			if s.effect != "Deny" || s.dynamic || !wildcardPrincipal(s.principals) || len(s.conditions) != 1 {
				continue
			}
			c := s.conditions[0]
			if (c.test != "Bool" && c.test != "BoolIfExists") || c.variable != "aws:SecureTransport" ||
				len(c.values) != 1 || c.values[0] != "false" || c.forEachSource != "" {
				continue
			}
			if !contains(s.actions, "s3:*") && !contains(s.actions, "*") {
				continue
			}
			if contains(s.resources, "${"+bucket+".arn}") && contains(s.resources, "${"+bucket+".arn}/*") {
				found = true
			}
		}
		if !found {
			problems = append(problems, fmt.Sprintf("%s: no statement denies every principal s3:* on %s and its objects when aws:SecureTransport is \"false\" (TLS only)", addr, bucket))
		}
	}
	return problems
}

func checkDenyDeletes(m *module) []string {
	addr, sts, problems := m.bucketPolicy("aws_s3_bucket.store")
	if addr == "" {
		return problems
	}
	covered := map[string]bool{}
	for _, s := range sts {
		if s.effect != "Deny" || s.dynamic || !wildcardPrincipal(s.principals) ||
			!contains(s.resources, "${aws_s3_bucket.store.arn}/*") {
			continue
		}
		exemptOnlyBreakGlass := true
		for _, c := range s.conditions {
			breakGlass := strings.Contains(c.valuesSource, "var.break_glass_principal_arns") ||
				strings.Contains(c.forEachSource, "var.break_glass_principal_arns")
			negative := strings.HasPrefix(c.test, "ArnNot") || strings.HasPrefix(c.test, "StringNot")
			if c.variable != "aws:PrincipalArn" || !negative || !breakGlass {
				exemptOnlyBreakGlass = false
			}
		}
		if !exemptOnlyBreakGlass {
			continue
		}
		for _, a := range []string{"s3:DeleteObject", "s3:DeleteObjectVersion"} {
			if coversAction(s.actions, a) {
				covered[a] = true
			}
		}
	}
	for _, a := range []string{"s3:DeleteObject", "s3:DeleteObjectVersion"} {
		if !covered[a] {
			problems = append(problems, fmt.Sprintf("%s: no statement denies %s on the store's objects to every principal but var.break_glass_principal_arns (on a locked bucket a DeleteObject still adds a delete marker)", addr, a))
		}
	}
	return problems
}

func checkNoExpiry(m *module) []string {
	var problems []string
	v := m.variables["expire_after_days"]
	if v == nil {
		return []string{"variable expire_after_days not found"}
	}
	if def, ok := literal(attr(v, "default")); !ok || !def.IsNull() {
		problems = append(problems, "variable expire_after_days: default must be null (no expiry by default)")
	}
	for _, name := range m.resourcesFor("aws_s3_bucket_lifecycle_configuration", "aws_s3_bucket.store") {
		count := m.source(attr(m.resources["aws_s3_bucket_lifecycle_configuration."+name], "count"))
		if !strings.HasPrefix(count, "var.expire_after_days == null ? 0 :") {
			problems = append(problems, fmt.Sprintf("aws_s3_bucket_lifecycle_configuration.%s: the store may only get a lifecycle rule when expire_after_days is set (count = var.expire_after_days == null ? 0 : 1), has count = %s", name, count))
		}
	}
	return problems
}

// functionNames are the jobs of the Lambda functions, each with its role.
var functionNames = []string{"checkpoint", "query", "recover", "verify"}

func checkFunctionRoles(m *module) []string {
	var problems []string
	const fn = "aws_lambda_function.function"
	if others := m.resourcesOfType("aws_lambda_function"); len(others) != 1 || others[0] != "function" {
		problems = append(problems, fmt.Sprintf("want only %s (whose roles are audited), found aws_lambda_function %v", fn, others))
	}
	b := m.resources[fn]
	if b == nil {
		return append(problems, fn+" not found")
	}
	if src := m.source(attr(b, "for_each")); src != "local.functions" {
		problems = append(problems, fmt.Sprintf("%s: for_each = %s, want local.functions", fn, src))
	}
	if src := m.source(attr(b, "role")); src != "aws_iam_role.function[each.key].arn" {
		problems = append(problems, fmt.Sprintf("%s: role = %s, want aws_iam_role.function[each.key].arn: each function runs with its own role", fn, src))
	}
	if src := m.source(attr(m.resources["aws_iam_role.function"], "for_each")); src != "local.functions" {
		problems = append(problems, fmt.Sprintf("aws_iam_role.function: for_each = %s, want local.functions", src))
	}
	if a, ok := m.locals["functions"]; !ok {
		problems = append(problems, "local.functions not found")
	} else if items, ok := m.objectItems(a.Expr); !ok {
		problems = append(problems, "local.functions must be an object with literal keys")
	} else if got := sortedKeys(items); fmt.Sprint(got) != fmt.Sprint(functionNames) {
		problems = append(problems, fmt.Sprintf("local.functions has %v, want %v (a new function needs its role audited here)", got, functionNames))
	}
	policies, ps := m.rolePolicies("function")
	problems = append(problems, ps...)
	if got := sortedKeys(policies); fmt.Sprint(got) != fmt.Sprint(functionNames) {
		problems = append(problems, fmt.Sprintf("aws_iam_role.function: policies attached for %v, want one each for %v", got, functionNames))
	}
	for key, docs := range policies {
		if len(docs) != 1 {
			problems = append(problems, fmt.Sprintf("aws_iam_role.function[%q]: %d policies attached, want 1", key, len(docs)))
		}
	}
	for _, name := range m.resourcesOfType("aws_lambda_function_url") {
		if auth, ok := literalString(attr(m.resources["aws_lambda_function_url."+name], "authorization_type")); !ok || auth != "AWS_IAM" {
			problems = append(problems, fmt.Sprintf("aws_lambda_function_url.%s: authorization_type must be the literal \"AWS_IAM\"", name))
		}
	}
	return problems
}

func checkQueryRole(m *module) []string {
	return m.auditRole("function", "query", map[string][]string{
		"s3:PutObject": {resultsObjects + "*"},
	})
}

func checkVerifyRole(m *module) []string {
	return m.auditRole("function", "verify", map[string][]string{})
}

func checkRecoverRole(m *module) []string {
	return m.auditRole("function", "recover", map[string][]string{
		"s3:PutObject": {storeObjects + "patches/*"},
	})
}

func checkCheckpointRole(m *module) []string {
	return m.auditRole("function", "checkpoint", map[string][]string{
		"s3:PutObject": {storeObjects + "checkpoints/*", storeObjects + "manifests/*"},
	})
}

func checkIngestRole(m *module) []string {
	problems := m.auditRole("ingest_task", "", map[string][]string{
		"s3:PutObject": {storeObjects + "manifests/*", storeObjects + "segments/*", storeObjects + "checkpoints/*"},
	})
	// The execution role (image pull, logs, the source secret) writes nothing in S3.
	problems = append(problems, m.auditRole("ingest_execution", "", map[string][]string{})...)
	// PutMetricData has no resource: a condition must hold it to binlake's namespace.
	policies, _ := m.rolePolicies("ingest_task")
	for _, doc := range policies[""] {
		sts, err := m.statements(doc)
		if err != nil {
			continue // reported by auditRole
		}
		for _, s := range sts {
			if s.effect != "Allow" || !coversAction(s.actions, "cloudwatch:PutMetricData") {
				continue
			}
			limited := false
			for _, c := range s.conditions {
				if c.test == "StringEquals" && c.variable == "cloudwatch:namespace" && len(c.values) == 1 && c.values[0] == "binlake" {
					limited = true
				}
			}
			if !limited {
				problems = append(problems, fmt.Sprintf("aws_iam_role.ingest_task: %s allows cloudwatch:PutMetricData without a StringEquals cloudwatch:namespace = \"binlake\" condition", s))
			}
		}
	}
	return problems
}

func checkOneIngestTask(m *module) []string {
	services := m.resourcesOfType("aws_ecs_service")
	if len(services) != 1 {
		return []string{fmt.Sprintf("want exactly one aws_ecs_service (the ingest task), found %d: %v", len(services), services)}
	}
	addr := "aws_ecs_service." + services[0]
	b := m.resources[addr]
	var problems []string
	if attr(b, "for_each") != nil {
		problems = append(problems, addr+": must not have for_each")
	}
	if !m.countAtMostOne(attr(b, "count")) {
		problems = append(problems, fmt.Sprintf("%s: count = %s may exceed 1", addr, m.source(attr(b, "count"))))
	}
	want := map[string]int64{
		"desired_count":                      1,
		"deployment_maximum_percent":         100, // never a second task during a deployment
		"deployment_minimum_healthy_percent": 0,
	}
	for _, a := range sortedKeys(want) {
		if n, ok := literalInt(attr(b, a)); !ok || n != want[a] {
			problems = append(problems, fmt.Sprintf("%s: %s is %s, want the literal %d", addr, a, m.source(attr(b, a)), want[a]))
		}
	}
	for _, name := range m.resourcesOfType("aws_appautoscaling_target") {
		problems = append(problems, fmt.Sprintf("aws_appautoscaling_target.%s: the ingest service must never scale", name))
	}
	for _, name := range m.resourcesOfType("aws_cloudwatch_event_target") {
		if static, dynamic := blocks(m.resources["aws_cloudwatch_event_target."+name], "ecs_target"); len(static)+len(dynamic) > 0 {
			problems = append(problems, fmt.Sprintf("aws_cloudwatch_event_target.%s starts ECS tasks: a second ingest task", name))
		}
	}
	return problems
}
