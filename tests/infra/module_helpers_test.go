package infra

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclparse"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
)

// moduleDir is the Terraform module under test, relative to this package.
const moduleDir = "../../infra/terraform/modules/binlake"

// module is a Terraform module read as HCL syntax, without Terraform: the
// blocks the security checks look at, by address.
type module struct {
	dir       string
	src       map[string][]byte               // file name → bytes, for source text
	resources map[string]*hclsyntax.Block     // "aws_s3_bucket.store"
	data      map[string]*hclsyntax.Block     // "aws_iam_policy_document.query"
	locals    map[string]*hclsyntax.Attribute // "key_prefix"
	variables map[string]*hclsyntax.Block     // "name"
	outputs   map[string]*hclsyntax.Block     // "bucket_name"
}

// loadModule parses every .tf file of dir. Two blocks with one address are
// an error, as in Terraform.
func loadModule(dir string) (*module, error) {
	paths, err := filepath.Glob(filepath.Join(dir, "*.tf"))
	if err != nil {
		return nil, err
	}
	if len(paths) == 0 {
		return nil, fmt.Errorf("no .tf files in %s", dir)
	}
	sort.Strings(paths)
	m := &module{
		dir:       dir,
		src:       map[string][]byte{},
		resources: map[string]*hclsyntax.Block{},
		data:      map[string]*hclsyntax.Block{},
		locals:    map[string]*hclsyntax.Attribute{},
		variables: map[string]*hclsyntax.Block{},
		outputs:   map[string]*hclsyntax.Block{},
	}
	p := hclparse.NewParser()
	for _, path := range paths {
		f, diags := p.ParseHCLFile(path)
		if diags.HasErrors() {
			return nil, fmt.Errorf("parse %s: %s", path, diags.Error())
		}
		m.src[path] = f.Bytes
		body, ok := f.Body.(*hclsyntax.Body)
		if !ok {
			return nil, fmt.Errorf("parse %s: not native HCL syntax", path)
		}
		if err := m.add(body); err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
	}
	return m, nil
}

func (m *module) add(body *hclsyntax.Body) error {
	put := func(into map[string]*hclsyntax.Block, addr string, b *hclsyntax.Block) error {
		if _, dup := into[addr]; dup {
			return fmt.Errorf("%s %s declared twice", b.Type, addr)
		}
		into[addr] = b
		return nil
	}
	for _, b := range body.Blocks {
		var err error
		switch b.Type {
		case "resource":
			err = put(m.resources, b.Labels[0]+"."+b.Labels[1], b)
		case "data":
			err = put(m.data, b.Labels[0]+"."+b.Labels[1], b)
		case "variable":
			err = put(m.variables, b.Labels[0], b)
		case "output":
			err = put(m.outputs, b.Labels[0], b)
		case "locals":
			for name, a := range b.Body.Attributes {
				if _, dup := m.locals[name]; dup {
					return fmt.Errorf("local.%s declared twice", name)
				}
				m.locals[name] = a
			}
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// resourcesOfType returns the names of the resources of one type, sorted.
func (m *module) resourcesOfType(typ string) []string {
	var names []string
	for addr := range m.resources {
		if t, name, _ := strings.Cut(addr, "."); t == typ {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	return names
}

// source returns the text of an expression with runs of white space
// collapsed: `aws_iam_role.function[each.key].arn`.
func (m *module) source(e hclsyntax.Expression) string {
	if e == nil {
		return ""
	}
	r := e.Range()
	b := m.src[r.Filename]
	if b == nil || r.End.Byte > len(b) {
		return "?"
	}
	return strings.Join(strings.Fields(string(b[r.Start.Byte:r.End.Byte])), " ")
}

// attr returns a block's attribute expression, or nil.
func attr(b *hclsyntax.Block, name string) hclsyntax.Expression {
	if b == nil {
		return nil
	}
	if a, ok := b.Body.Attributes[name]; ok {
		return a.Expr
	}
	return nil
}

// blocks returns a block's nested blocks of one type, including the content
// of `dynamic "<typ>"` blocks (their second result is true).
func blocks(b *hclsyntax.Block, typ string) (static []*hclsyntax.Block, dynamic []*hclsyntax.Block) {
	if b == nil {
		return nil, nil
	}
	for _, nb := range b.Body.Blocks {
		switch {
		case nb.Type == typ:
			static = append(static, nb)
		case nb.Type == "dynamic" && len(nb.Labels) == 1 && nb.Labels[0] == typ:
			dynamic = append(dynamic, nb)
		}
	}
	return static, dynamic
}

// dynamicContent returns the content block of a dynamic block.
func dynamicContent(d *hclsyntax.Block) *hclsyntax.Block {
	for _, nb := range d.Body.Blocks {
		if nb.Type == "content" {
			return nb
		}
	}
	return nil
}

// nested follows a path of single nested blocks: nested(b, "rule",
// "default_retention"). nil when a step is missing or repeated.
func nested(b *hclsyntax.Block, path ...string) *hclsyntax.Block {
	for _, typ := range path {
		static, dynamic := blocks(b, typ)
		if len(static) != 1 || len(dynamic) != 0 {
			return nil
		}
		b = static[0]
	}
	return b
}

// literal evaluates an expression that needs no variables: a constant.
func literal(e hclsyntax.Expression) (cty.Value, bool) {
	if e == nil {
		return cty.NilVal, false
	}
	v, diags := e.Value(nil)
	if diags.HasErrors() || !v.IsWhollyKnown() {
		return cty.NilVal, false
	}
	return v, true
}

func literalString(e hclsyntax.Expression) (string, bool) {
	v, ok := literal(e)
	if !ok || v.IsNull() || v.Type() != cty.String {
		return "", false
	}
	return v.AsString(), true
}

func literalBool(e hclsyntax.Expression) (bool, bool) {
	v, ok := literal(e)
	if !ok || v.IsNull() || v.Type() != cty.Bool {
		return false, false
	}
	return v.True(), true
}

func literalInt(e hclsyntax.Expression) (int64, bool) {
	v, ok := literal(e)
	if !ok || v.IsNull() || v.Type() != cty.Number {
		return 0, false
	}
	i, acc := v.AsBigFloat().Int64()
	return i, acc == 0
}

// render turns an expression into text, keeping what is known and marking
// the rest: literal parts stay, references become "${address}". A local
// holding a string template or a reference is inlined, so that
// "${local.store_objects_arn}patches/*" renders as
// "${aws_s3_bucket.store.arn}/${local.key_prefix}patches/*". Anything else
// (a conditional, a function call) stays opaque as "${<its source>}".
func (m *module) render(e hclsyntax.Expression) string {
	return m.renderDepth(e, 0)
}

func (m *module) renderDepth(e hclsyntax.Expression, depth int) string {
	if depth > 20 {
		return "${" + m.source(e) + "}"
	}
	switch e := e.(type) {
	case *hclsyntax.LiteralValueExpr:
		if e.Val.Type() == cty.String && !e.Val.IsNull() {
			return e.Val.AsString()
		}
	case *hclsyntax.TemplateExpr:
		var sb strings.Builder
		for _, part := range e.Parts {
			sb.WriteString(m.renderDepth(part, depth+1))
		}
		return sb.String()
	case *hclsyntax.TemplateWrapExpr:
		return m.renderDepth(e.Wrapped, depth+1)
	case *hclsyntax.ScopeTraversalExpr:
		if name, ok := localName(e.Traversal); ok {
			if a, ok := m.locals[name]; ok && inlinable(a.Expr) {
				return m.renderDepth(a.Expr, depth+1)
			}
		}
	}
	return "${" + m.source(e) + "}"
}

func inlinable(e hclsyntax.Expression) bool {
	switch e.(type) {
	case *hclsyntax.LiteralValueExpr, *hclsyntax.TemplateExpr, *hclsyntax.TemplateWrapExpr, *hclsyntax.ScopeTraversalExpr:
		return true
	}
	return false
}

// localName returns x for the traversal local.x.
func localName(t hcl.Traversal) (string, bool) {
	if len(t) != 2 || t.RootName() != "local" {
		return "", false
	}
	a, ok := t[1].(hcl.TraverseAttr)
	return a.Name, ok
}

// renderList renders each element of a list expression. A reference to a
// local holding a list is followed. Anything that is not a list constructor
// is returned as one opaque element and ok = false.
func (m *module) renderList(e hclsyntax.Expression) (items []string, ok bool) {
	if e == nil {
		return nil, true
	}
	if st, isTrav := e.(*hclsyntax.ScopeTraversalExpr); isTrav {
		if name, isLocal := localName(st.Traversal); isLocal {
			if a, found := m.locals[name]; found {
				return m.renderList(a.Expr)
			}
		}
	}
	tuple, isTuple := e.(*hclsyntax.TupleConsExpr)
	if !isTuple {
		return []string{"${" + m.source(e) + "}"}, false
	}
	for _, item := range tuple.Exprs {
		items = append(items, m.render(item))
	}
	return items, true
}

// refersTo reports whether an expression's source names the given address,
// e.g. refersTo(m, e, "aws_s3_bucket.store") for aws_s3_bucket.store.id.
func (m *module) refersTo(e hclsyntax.Expression, addr string) bool {
	if e == nil {
		return false
	}
	src := m.source(e)
	return src == addr || strings.HasPrefix(src, addr+".") || strings.HasPrefix(src, addr+"[")
}

// resourcesFor returns the names of the resources of a type whose bucket
// argument refers to the given bucket resource: the store's versioning,
// policy, public access block.
func (m *module) resourcesFor(typ, bucket string) []string {
	var names []string
	for _, name := range m.resourcesOfType(typ) {
		if m.refersTo(attr(m.resources[typ+"."+name], "bucket"), bucket) {
			names = append(names, name)
		}
	}
	return names
}

// maybeAbsent reports a resource with count or for_each: it may not exist.
func maybeAbsent(b *hclsyntax.Block) bool {
	return attr(b, "count") != nil || attr(b, "for_each") != nil
}

// copyModule copies the module's files into dir, for mutation tests.
func copyModule(src, dst string) error {
	return filepath.WalkDir(src, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, path)
		if err != nil {
			return err
		}
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			if strings.HasPrefix(d.Name(), ".") && rel != "." {
				return filepath.SkipDir // .terraform
			}
			return os.MkdirAll(target, 0o755)
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(target, b, 0o644)
	})
}
