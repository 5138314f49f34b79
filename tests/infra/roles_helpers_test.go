package infra

import (
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2/hclsyntax"
)

// Rendered ARN prefixes of the objects roles may write (see module.render).
const (
	storeObjects   = "${aws_s3_bucket.store.arn}/${local.key_prefix}"
	resultsObjects = "${aws_s3_bucket.results.arn}/results/"
)

// roleRef matches the role argument of an aws_iam_role_policy:
// aws_iam_role.function[each.key].id, aws_iam_role.ingest_task[0].name.
var roleRef = regexp.MustCompile(`^aws_iam_role\.([A-Za-z0-9_-]+)(?:\[([^\]]+)\])?\.(?:id|name)$`)

// objectItems returns the items of an object constructor by literal key,
// following one reference to a local.
func (m *module) objectItems(e hclsyntax.Expression) (map[string]hclsyntax.Expression, bool) {
	if st, ok := e.(*hclsyntax.ScopeTraversalExpr); ok {
		if name, isLocal := localName(st.Traversal); isLocal {
			if a, found := m.locals[name]; found {
				e = a.Expr
			}
		}
	}
	obj, ok := e.(*hclsyntax.ObjectConsExpr)
	if !ok {
		return nil, false
	}
	items := map[string]hclsyntax.Expression{}
	for _, it := range obj.Items {
		k, ok := literalString(it.KeyExpr)
		if !ok {
			return nil, false
		}
		items[k] = it.ValueExpr
	}
	return items, true
}

// rolePolicies returns the policy documents attached by aws_iam_role_policy
// to each instance of aws_iam_role.<role>, by instance key ("" for a role
// without for_each, whatever its count), and what it could not follow.
func (m *module) rolePolicies(role string) (map[string][]string, []string) {
	out := map[string][]string{}
	var problems []string
	for _, name := range m.resourcesOfType("aws_iam_role_policy") {
		b := m.resources["aws_iam_role_policy."+name]
		sub := roleRef.FindStringSubmatch(m.source(attr(b, "role")))
		if sub == nil {
			if strings.Contains(m.source(attr(b, "role")), "aws_iam_role."+role) {
				problems = append(problems, fmt.Sprintf("aws_iam_role_policy.%s: role = %s cannot be followed", name, m.source(attr(b, "role"))))
			}
			continue
		}
		if sub[1] != role {
			continue
		}
		policy := attr(b, "policy")
		if sub[2] != "each.key" {
			doc, ok := m.docName(policy)
			if !ok {
				problems = append(problems, fmt.Sprintf("aws_iam_role_policy.%s: policy = %s is not a policy document of this module", name, m.source(policy)))
				continue
			}
			out[""] = append(out[""], doc)
			continue
		}
		items, ok := m.objectItems(attr(b, "for_each"))
		if !ok {
			problems = append(problems, fmt.Sprintf("aws_iam_role_policy.%s: for_each = %s is not a map of policy documents", name, m.source(attr(b, "for_each"))))
			continue
		}
		for key, value := range items {
			src := policy
			if m.source(policy) == "each.value" {
				src = value
			}
			doc, ok := m.docName(src)
			if !ok {
				problems = append(problems, fmt.Sprintf("aws_iam_role_policy.%s[%q]: policy = %s is not a policy document of this module", name, key, m.source(src)))
				continue
			}
			out[key] = append(out[key], doc)
		}
	}
	return out, problems
}

// extraGrants reports every way, other than aws_iam_role_policy, of giving
// aws_iam_role.<role> rights: managed policy attachments and inline or
// managed policies on the role itself. A managed policy is outside the
// module and cannot be audited here.
func (m *module) extraGrants(role string) []string {
	var problems []string
	for _, typ := range []string{"aws_iam_role_policy_attachment", "aws_iam_policy_attachment", "aws_iam_role_policy_attachments_exclusive", "aws_iam_role_policies_exclusive"} {
		for _, name := range m.resourcesOfType(typ) {
			b := m.resources[typ+"."+name]
			for _, arg := range []string{"role", "roles", "role_name"} {
				if strings.Contains(m.source(attr(b, arg)), "aws_iam_role."+role) {
					problems = append(problems, fmt.Sprintf("%s.%s attaches a policy to aws_iam_role.%s: its rights cannot be audited here", typ, name, role))
				}
			}
		}
	}
	rb := m.resources["aws_iam_role."+role]
	if rb == nil {
		return append(problems, fmt.Sprintf("aws_iam_role.%s not found", role))
	}
	if static, dynamic := blocks(rb, "inline_policy"); len(static)+len(dynamic) > 0 {
		problems = append(problems, fmt.Sprintf("aws_iam_role.%s has an inline_policy block: use aws_iam_role_policy with a policy document", role))
	}
	if attr(rb, "managed_policy_arns") != nil {
		problems = append(problems, fmt.Sprintf("aws_iam_role.%s has managed_policy_arns: managed policies cannot be audited here", role))
	}
	return problems
}

// auditRole checks the documents attached to one role instance: every
// statement readable, no wildcard service grants, no NotAction or
// NotResource in an Allow, and every write action it allows (see
// writeActions) listed in allowed with exactly the allowed resources.
func (m *module) auditRole(role, key string, allowed map[string][]string) []string {
	label := "aws_iam_role." + role
	if key != "" {
		label += fmt.Sprintf("[%q]", key)
	}
	policies, problems := m.rolePolicies(role)
	problems = append(problems, m.extraGrants(role)...)
	docs := policies[key]
	if len(docs) == 0 {
		return append(problems, fmt.Sprintf("%s: no aws_iam_role_policy found", label))
	}
	for _, doc := range docs {
		sts, err := m.statements(doc)
		if err != nil {
			problems = append(problems, fmt.Sprintf("%s: %v", label, err))
			continue
		}
		for _, s := range sts {
			problems = append(problems, auditStatement(label, s, allowed)...)
		}
	}
	return problems
}

func auditStatement(label string, s statement, allowed map[string][]string) []string {
	var problems []string
	for _, o := range s.opaque {
		problems = append(problems, fmt.Sprintf("%s: %s has %s, which cannot be audited: list literals", label, s, o))
	}
	switch s.effect {
	case "Deny":
		return problems // a deny only takes rights away
	case "Allow":
	default:
		return append(problems, fmt.Sprintf("%s: %s has effect %q: write \"Allow\" or \"Deny\"", label, s, s.effect))
	}
	if len(s.notActions) > 0 || len(s.notRes) > 0 {
		problems = append(problems, fmt.Sprintf("%s: %s allows with not_actions or not_resources, which grants everything else", label, s))
	}
	for _, a := range s.actions {
		if a == "*" || strings.HasSuffix(a, ":*") {
			problems = append(problems, fmt.Sprintf("%s: %s allows %q, every action of a service", label, s, a))
		}
		for _, w := range writesOf(a) {
			resources, ok := allowed[w]
			if !ok {
				problems = append(problems, fmt.Sprintf("%s: %s allows the write action %s (through %q) on %v; this role may not %s", label, s, w, a, s.resources, w))
				continue
			}
			for _, r := range s.resources {
				if !contains(resources, r) {
					problems = append(problems, fmt.Sprintf("%s: %s allows %s on %q; only %v are allowed", label, s, w, r, resources))
				}
			}
		}
	}
	return problems
}

// countAtMostOne reports whether a count expression can only be 0 or 1: no
// count, a literal 0 or 1, or a conditional between them (through a local).
func (m *module) countAtMostOne(e hclsyntax.Expression) bool {
	if e == nil {
		return true
	}
	if st, ok := e.(*hclsyntax.ScopeTraversalExpr); ok {
		if name, isLocal := localName(st.Traversal); isLocal {
			if a, found := m.locals[name]; found {
				return m.countAtMostOne(a.Expr)
			}
		}
	}
	if c, ok := e.(*hclsyntax.ConditionalExpr); ok {
		return m.countAtMostOne(c.TrueResult) && m.countAtMostOne(c.FalseResult)
	}
	n, ok := literalInt(e)
	return ok && (n == 0 || n == 1)
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
