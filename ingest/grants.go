package ingest

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/go-mysql-org/go-mysql/client"
	"github.com/go-mysql-org/go-mysql/mysql"
	"github.com/go-mysql-org/go-mysql/replication"
)

// errAccessDenied is MySQL's ER_SPECIFIC_ACCESS_DENIED_ERROR ("you need
// (at least one of) the ... privilege(s)").
const errAccessDenied = 1227

// checkGrants refuses a replication user that lacks a privilege binlake
// needs, naming the grant, before anything is read or written:
// REPLICATION CLIENT (SHOW MASTER STATUS, SHOW BINARY LOGS), REPLICATION
// SLAVE (the binlog dump), and for a first start (snapshot) SELECT on
// every table the filter replicates, plus RELOAD on MySQL (the snapshot's
// FLUSH TABLES WITH READ LOCK). The replication privileges are probed; the
// table privileges are read from SHOW GRANTS, since a table the user may
// not read is not even listed to it. copies selects the tables this start
// copies (the filter on a first start, --resnapshot's tables), nil for none.
func (s *liveSource) checkGrants(ctx context.Context, conn *client.Conn, copies *Filter) error {
	user := "'" + s.user + "'@'%'"
	if r, err := conn.Execute("SELECT CURRENT_USER()"); err == nil {
		if cu, _ := r.GetString(0, 0); cu != "" {
			name, host, _ := strings.Cut(cu, "@")
			user = "'" + name + "'@'" + host + "'" // the account the server matched
		}
	}
	g, err := readGrants(conn)
	if err != nil {
		return err
	}
	var missing []need
	if _, err := conn.Execute("SHOW BINARY LOGS"); err != nil {
		if code(err) != errAccessDenied {
			return fmt.Errorf("list the source's binlogs: %w", err)
		}
		n := need{"REPLICATION CLIENT ON *.*", "to read binlog positions"}
		if s.flavor == mysql.MariaDBFlavor {
			n = need{"BINLOG MONITOR ON *.*", "REPLICATION CLIENT before MariaDB 10.5: to read binlog positions"}
		}
		missing = append(missing, n)
		if !g.global["REPLICATION SLAVE"] && !g.global["ALL PRIVILEGES"] {
			// cannot be probed without a position to read from
			missing = append(missing, need{"REPLICATION SLAVE ON *.*", "to read the binlog"})
		}
	} else if err := s.probeDump(ctx); err != nil {
		if code(err) != errAccessDenied {
			return fmt.Errorf("open a binlog stream to check the REPLICATION SLAVE privilege: %w", err)
		}
		missing = append(missing, need{"REPLICATION SLAVE ON *.*", "to read the binlog"})
	}
	if copies != nil {
		missing = append(missing, g.missingSelect(copies)...)
		if s.flavor == mysql.MySQLFlavor && !g.global["RELOAD"] && !g.global["ALL PRIVILEGES"] {
			missing = append(missing, need{"RELOAD ON *.*", "the initial snapshot takes FLUSH TABLES WITH READ LOCK"})
		}
	}
	if len(missing) == 0 {
		return nil
	}
	var b strings.Builder
	fmt.Fprintf(&b, "the source user %s lacks privileges binlake needs; nothing was copied. Grant them:", user)
	for _, n := range missing {
		fmt.Fprintf(&b, "\n  GRANT %s TO %s;  -- %s", n.grant, user, n.why)
	}
	return errors.New(b.String())
}

// need is a grant binlake needs and the user lacks, and why.
type need struct{ grant, why string }

// code is the MySQL error number of err, 0 for other errors.
func code(err error) uint16 {
	var me *mysql.MyError
	if errors.As(err, &me) {
		return me.Code
	}
	return 0
}

// probeDump opens a binlog stream at the source's current position and
// waits for its first event: a user without REPLICATION SLAVE is refused
// there.
func (s *liveSource) probeDump(ctx context.Context) error {
	head, err := s.head(ctx)
	if err != nil {
		return err
	}
	cfg := replication.BinlogSyncerConfig{ServerID: s.replicaID, Flavor: s.flavor, Host: s.host, Port: s.port,
		User: s.user, Password: s.password, DisableRetrySync: true, Logger: s.log}
	syncer := replication.NewBinlogSyncer(cfg)
	defer syncer.Close()
	streamer, err := syncer.StartSync(mysql.Position{Name: head.File, Pos: head.Pos})
	if err != nil {
		return err
	}
	pctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	_, err = streamer.GetEvent(pctx)
	if errors.Is(err, context.DeadlineExceeded) && ctx.Err() == nil {
		return nil // no refusal within 10 s: the dump was accepted
	}
	return err
}

// grants are the privileges SHOW GRANTS lists for the current user (and
// the roles granted to it): global ones by name, and the scopes of SELECT.
type grants struct {
	global map[string]bool
	// selectDBs and selectTables hold the databases and db.table names
	// the user may SELECT from (lower-cased; MySQL names are matched as
	// the server does on Linux, case-sensitively, for tables).
	selectDBs    map[string]bool
	selectTables map[string]bool
}

var (
	grantLine = regexp.MustCompile("(?i)^GRANT (.+?) ON (\\S+) TO ")
	roleLine  = regexp.MustCompile("(?i)^GRANT (`[^`]+`(?:@`[^`]*`)?(?:, *`[^`]+`(?:@`[^`]*`)?)*) TO ")
)

// readGrants reads SHOW GRANTS, and SHOW GRANTS FOR each role it lists.
func readGrants(conn *client.Conn) (*grants, error) {
	g := &grants{global: map[string]bool{}, selectDBs: map[string]bool{}, selectTables: map[string]bool{}}
	queue := []string{"SHOW GRANTS"}
	seen := map[string]bool{}
	for len(queue) > 0 {
		q := queue[0]
		queue = queue[1:]
		if seen[q] {
			continue
		}
		seen[q] = true
		r, err := conn.Execute(q)
		if err != nil {
			if q != "SHOW GRANTS" {
				continue // a role the user may not inspect: judged by its own grants only
			}
			return nil, fmt.Errorf("read the source user's grants (SHOW GRANTS): %w", err)
		}
		for i := 0; i < r.RowNumber(); i++ {
			line, _ := r.GetString(i, 0)
			if m := roleLine.FindStringSubmatch(line); m != nil && !strings.Contains(strings.ToUpper(m[1]), " ON ") {
				for _, role := range strings.Split(m[1], ",") {
					queue = append(queue, "SHOW GRANTS FOR "+strings.TrimSpace(role))
				}
				continue
			}
			g.add(line)
		}
	}
	return g, nil
}

// add notes one GRANT ... ON scope TO ... line.
func (g *grants) add(line string) {
	m := grantLine.FindStringSubmatch(line)
	if m == nil {
		return
	}
	privs, scope := splitPrivileges(m[1]), strings.ReplaceAll(m[2], "`", "")
	for _, p := range privs {
		if scope == "*.*" {
			g.global[p] = true
		}
		if p != "SELECT" && p != "ALL PRIVILEGES" {
			continue
		}
		db, table, _ := strings.Cut(scope, ".")
		switch {
		case scope == "*.*":
			g.global["SELECT"] = true
		case table == "*":
			g.selectDBs[db] = true
		default:
			g.selectTables[db+"."+table] = true
		}
	}
}

// splitPrivileges splits "SELECT, INSERT, REPLICATION SLAVE" into upper-
// case names; column privileges ("SELECT (a, b)") are not table privileges
// and are left out.
func splitPrivileges(s string) []string {
	var out []string
	depth, start := 0, 0
	for i := 0; i <= len(s); i++ {
		if i < len(s) {
			switch s[i] {
			case '(':
				depth++
				continue
			case ')':
				depth--
				continue
			}
			if s[i] != ',' || depth > 0 {
				continue
			}
		}
		p := strings.ToUpper(strings.TrimSpace(s[start:i]))
		start = i + 1
		if !strings.Contains(p, "(") {
			out = append(out, p)
		}
	}
	return out
}

// missingSelect names the SELECT grants the filter needs and the user
// lacks: SELECT on *.* when the filter replicates every database, else on
// each database (or named table) an --include pattern covers.
func (g *grants) missingSelect(f *Filter) []need {
	if g.global["SELECT"] {
		return nil
	}
	if len(f.Include) == 0 {
		return []need{{"SELECT ON *.*", "for the initial snapshot; or --include only the databases it may read" + g.readable()}}
	}
	var out []need
	for _, pat := range f.Include {
		db, table, _ := strings.Cut(pat, ".")
		switch {
		case g.selectDBs[db] || g.selectTables[db+"."+table]:
		case strings.ContainsAny(db, "*?["):
			out = append(out, need{"SELECT ON *.*", "--include " + pat + " spans databases"})
		case strings.ContainsAny(table, "*?["):
			out = append(out, need{fmt.Sprintf("SELECT ON `%s`.*", db), "for --include " + pat})
		default:
			out = append(out, need{fmt.Sprintf("SELECT ON `%s`.`%s`", db, table), "for --include " + pat})
		}
	}
	return out
}

// readable lists what the user may SELECT, for messages.
func (g *grants) readable() string {
	var names []string
	for db := range g.selectDBs {
		names = append(names, db+".*")
	}
	for t := range g.selectTables {
		names = append(names, t)
	}
	if len(names) == 0 {
		return ": it may read no table"
	}
	return ": it may read " + strings.Join(names, ", ")
}
