package infra

import (
	"fmt"
	"path"
	"regexp"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2/hclsyntax"
)

// statement is one statement of a data "aws_iam_policy_document", rendered
// (see module.render): references stay as "${address}".
type statement struct {
	doc        string // the policy document it came from
	sid        string
	effect     string // "Allow", "Deny", or "?" when not a literal
	dynamic    bool   // from a dynamic "statement" block
	actions    []string
	notActions []string
	resources  []string
	notRes     []string
	principals []principal
	notPrinc   []principal
	conditions []condition
	opaque     []string // lists the test could not read, e.g. actions = var.x
}

type principal struct {
	typ         string
	identifiers []string
}

type condition struct {
	test, variable string
	values         []string
	valuesSource   string // source of values, e.g. condition.value
	forEachSource  string // for a dynamic condition, the source of its for_each
}

func (s statement) String() string {
	sid := s.sid
	if sid == "" {
		sid = "(no sid)"
	}
	return fmt.Sprintf("data.aws_iam_policy_document.%s statement %s", s.doc, sid)
}

// docRef matches a reference to a policy document's JSON, with an optional
// instance index: data.aws_iam_policy_document.query.json.
var docRef = regexp.MustCompile(`^data\.aws_iam_policy_document\.([A-Za-z0-9_-]+)(\[[^\]]*\])?\.json$`)

// docName returns the document a policy argument refers to.
func (m *module) docName(e hclsyntax.Expression) (string, bool) {
	if e == nil {
		return "", false
	}
	sub := docRef.FindStringSubmatch(m.source(e))
	if sub == nil {
		return "", false
	}
	return sub[1], true
}

// statements returns every statement of a policy document, with those of
// the documents it includes through source_policy_documents and
// override_policy_documents (overrides replace statements by sid).
func (m *module) statements(doc string) ([]statement, error) {
	return m.statementsSeen(doc, map[string]bool{})
}

func (m *module) statementsSeen(doc string, seen map[string]bool) ([]statement, error) {
	if seen[doc] {
		return nil, fmt.Errorf("policy documents include each other in a loop at %s", doc)
	}
	seen[doc] = true
	defer delete(seen, doc)
	b, ok := m.data["aws_iam_policy_document."+doc]
	if !ok {
		return nil, fmt.Errorf("data.aws_iam_policy_document.%s not found", doc)
	}
	var out []statement
	include := func(argument string) ([]statement, error) {
		e := attr(b, argument)
		if e == nil {
			return nil, nil
		}
		tuple, ok := e.(*hclsyntax.TupleConsExpr)
		if !ok {
			return nil, fmt.Errorf("data.aws_iam_policy_document.%s: %s must list documents of this module, is %s", doc, argument, m.source(e))
		}
		var sts []statement
		for _, item := range tuple.Exprs {
			name, ok := m.docName(item)
			if !ok {
				return nil, fmt.Errorf("data.aws_iam_policy_document.%s: %s holds %s, not a policy document of this module", doc, argument, m.source(item))
			}
			more, err := m.statementsSeen(name, seen)
			if err != nil {
				return nil, err
			}
			sts = append(sts, more...)
		}
		return sts, nil
	}
	sources, err := include("source_policy_documents")
	if err != nil {
		return nil, err
	}
	out = append(out, sources...)
	static, dynamic := blocks(b, "statement")
	for _, sb := range static {
		out = append(out, m.parseStatement(doc, sb, false))
	}
	for _, db := range dynamic {
		content := dynamicContent(db)
		if content == nil {
			return nil, fmt.Errorf("data.aws_iam_policy_document.%s: dynamic statement without content", doc)
		}
		out = append(out, m.parseStatement(doc, content, true))
	}
	overrides, err := include("override_policy_documents")
	if err != nil {
		return nil, err
	}
	// An override replaces the statement with its sid, or is added.
	for _, o := range overrides {
		replaced := false
		for i := range out {
			if o.sid != "" && out[i].sid == o.sid {
				out[i], replaced = o, true
			}
		}
		if !replaced {
			out = append(out, o)
		}
	}
	return out, nil
}

func (m *module) parseStatement(doc string, b *hclsyntax.Block, dynamic bool) statement {
	s := statement{doc: doc, dynamic: dynamic, effect: "Allow"}
	if e := attr(b, "sid"); e != nil {
		s.sid = m.render(e)
	}
	if e := attr(b, "effect"); e != nil {
		if v, ok := literalString(e); ok {
			s.effect = v
		} else {
			s.effect = "?"
		}
	}
	list := func(name string) []string {
		items, ok := m.renderList(attr(b, name))
		if !ok {
			s.opaque = append(s.opaque, fmt.Sprintf("%s = %s", name, m.source(attr(b, name))))
		}
		return items
	}
	s.actions = list("actions")
	s.notActions = list("not_actions")
	s.resources = list("resources")
	s.notRes = list("not_resources")
	readPrincipals := func(typ string) []principal {
		var ps []principal
		static, dyn := blocks(b, typ)
		for _, d := range dyn {
			if c := dynamicContent(d); c != nil {
				static = append(static, c)
			}
		}
		for _, pb := range static {
			ids, _ := m.renderList(attr(pb, "identifiers"))
			ps = append(ps, principal{typ: m.render(attr(pb, "type")), identifiers: ids})
		}
		return ps
	}
	s.principals = readPrincipals("principals")
	s.notPrinc = readPrincipals("not_principals")
	static, dyn := blocks(b, "condition")
	for _, cb := range static {
		s.conditions = append(s.conditions, m.parseCondition(cb, ""))
	}
	for _, d := range dyn {
		if c := dynamicContent(d); c != nil {
			s.conditions = append(s.conditions, m.parseCondition(c, m.source(attr(d, "for_each"))))
		}
	}
	return s
}

func (m *module) parseCondition(b *hclsyntax.Block, forEach string) condition {
	values, _ := m.renderList(attr(b, "values"))
	return condition{
		test:          m.render(attr(b, "test")),
		variable:      m.render(attr(b, "variable")),
		values:        values,
		valuesSource:  m.source(attr(b, "values")),
		forEachSource: forEach,
	}
}

// writeActions are the S3 actions that create, change or remove objects or
// the bucket's protection. An action pattern of a policy that matches any of
// them (s3:PutObject, s3:Put*, s3:*, *) writes.
var writeActions = []string{
	"s3:PutObject", "s3:PutObjectAcl", "s3:PutObjectVersionAcl",
	"s3:PutObjectTagging", "s3:PutObjectVersionTagging",
	"s3:PutObjectRetention", "s3:PutObjectLegalHold", "s3:BypassGovernanceRetention",
	"s3:DeleteObject", "s3:DeleteObjectVersion", "s3:DeleteObjectTagging", "s3:DeleteObjectVersionTagging",
	"s3:RestoreObject", "s3:AbortMultipartUpload",
	"s3:ReplicateObject", "s3:ReplicateDelete", "s3:ReplicateTags", "s3:ObjectOwnerOverrideToBucketOwner",
	"s3:CreateBucket", "s3:DeleteBucket", "s3:DeleteBucketPolicy", "s3:PutBucketPolicy",
	"s3:PutBucketAcl", "s3:PutBucketVersioning", "s3:PutBucketObjectLockConfiguration",
	"s3:PutLifecycleConfiguration", "s3:PutEncryptionConfiguration", "s3:PutReplicationConfiguration",
	"s3:PutBucketPublicAccessBlock", "s3:PutBucketOwnershipControls",
	"s3express:CreateSession",
}

// matchAction reports whether an IAM action pattern (with * and ?, case
// insensitive, as IAM compares them) matches an action.
func matchAction(pattern, action string) bool {
	ok, err := path.Match(strings.ToLower(pattern), strings.ToLower(action))
	return err == nil && ok
}

// writesOf returns the write actions an action pattern grants, sorted.
func writesOf(pattern string) []string {
	var out []string
	for _, w := range writeActions {
		if matchAction(pattern, w) {
			out = append(out, w)
		}
	}
	sort.Strings(out)
	return out
}

// wildcardPrincipal reports a principal block that means everyone.
func wildcardPrincipal(ps []principal) bool {
	for _, p := range ps {
		if p.typ != "*" && p.typ != "AWS" {
			continue
		}
		for _, id := range p.identifiers {
			if id == "*" {
				return true
			}
		}
	}
	return false
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// coversAction reports whether one of the patterns grants or denies action.
func coversAction(patterns []string, action string) bool {
	for _, p := range patterns {
		if matchAction(p, action) {
			return true
		}
	}
	return false
}
