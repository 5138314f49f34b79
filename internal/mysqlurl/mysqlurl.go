// Package mysqlurl parses the mysql://user:password@host:port URLs binlake
// takes for a primary (ingest's source, apply's target), in one place.
package mysqlurl

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
)

// ErrScheme is returned (wrapped) for a URL that is not mysql:// (or
// mariadb://) with a host.
var ErrScheme = errors.New("want mysql://user:password@host:port")

// URL is a parsed server address with credentials.
type URL struct {
	Host     string
	Port     uint16 // 3306 when the URL has none
	User     string
	Password string
}

// Addr is "host:port".
func (u URL) Addr() string { return net.JoinHostPort(u.Host, strconv.Itoa(int(u.Port))) }

// Parse reads mysql://user:password@host[:port]. Errors never contain the
// password.
func Parse(raw string) (URL, error) {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "mysql" && u.Scheme != "mariadb" || u.Host == "" {
		return URL{}, ErrScheme
	}
	host, portText, err := net.SplitHostPort(u.Host)
	if err != nil {
		host, portText = u.Host, "3306"
	}
	port, err := strconv.ParseUint(portText, 10, 16)
	if err != nil {
		return URL{}, fmt.Errorf("bad port %q", portText)
	}
	out := URL{Host: host, Port: uint16(port), User: u.User.Username()}
	out.Password, _ = u.User.Password()
	return out, nil
}

// Redact returns raw with its password replaced, for messages.
func Redact(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.User == nil {
		return raw
	}
	if _, ok := u.User.Password(); ok {
		u.User = url.UserPassword(u.User.Username(), "xxxxx")
	}
	return u.String()
}
