package ddl_test

import (
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/binlake/binlake/ingest/ddl"
	"github.com/binlake/binlake/layout"
)

// null stands for a NULL default in defaultCases.
const null = "<NULL>"

// TestAddedColumnDefaults adds one column to a table with rows and checks
// the canonical value Apply says the existing rows get. ddlTime is
// 2024-05-06 07:08:09.123456789 +02:00, so 05:08:09 UTC.
func TestDDLAddedColumnDefaults(t *testing.T) {
	for _, tc := range defaultCases() {
		def, want := tc[0], tc[1]
		t.Run(def, func(t *testing.T) {
			set := ddlSetup(t, []string{"CREATE TABLE t (id INT PRIMARY KEY)"})
			vs, err := ddl.Apply(set, "test", "ALTER TABLE t ADD COLUMN c "+def, ddlCommit, ddlTime)
			if err != nil {
				t.Fatal(err)
			}
			if len(vs) != 1 || len(vs[0].Origins) != 2 || vs[0].Origins[1].From != -1 {
				t.Fatalf("versions %+v, want one adding column 1", vs)
			}
			got := null
			if d := vs[0].Origins[1].Default; d != nil {
				got = *d
			}
			if got != want {
				t.Errorf("default %s, want %s", strconv.Quote(got), strconv.Quote(want))
			}
		})
	}
}

func defaultCases() [][2]string {
	var out [][2]string
	for _, group := range [][][2]string{numericDefaults(), temporalDefaults(), stringDefaults()} {
		out = append(out, group...)
	}
	return out
}

func numericDefaults() [][2]string {
	return [][2]string{
		{"INT", null}, {"INT NOT NULL", "0"}, {"INT DEFAULT NULL", null}, {"INT NULL DEFAULT 5", "5"},
		{"INT DEFAULT -5", "-5"}, {"INT DEFAULT +5", "5"}, {"INT DEFAULT '7'", "7"}, {"INT DEFAULT (5)", "5"},
		{"INT DEFAULT 2.5", "3"}, {"INT DEFAULT -2.5", "-3"}, {"INT DEFAULT 1e2", "100"}, {"INT DEFAULT x'10'", "16"},
		{"TINYINT DEFAULT TRUE", "1"}, {"BOOL DEFAULT FALSE", "0"}, {"INT DEFAULT -0.4", "0"},
		{"BIGINT UNSIGNED DEFAULT 18446744073709551615", "18446744073709551615"},
		{"DECIMAL(10,2) DEFAULT 5", "5.00"}, {"DECIMAL(5,1) DEFAULT 1.25", "1.3"}, {"DECIMAL(5,1) DEFAULT -1.25", "-1.3"},
		{"DECIMAL(4,0) DEFAULT '12'", "12"}, {"DECIMAL(6,3) NOT NULL", "0.000"}, {"DECIMAL NOT NULL", "0"},
		{"DECIMAL(5,2) DEFAULT -0.001", "0.00"}, {"DECIMAL(10,2) DEFAULT 1.5e1", "15.00"}, {"NUMERIC(8,4) DEFAULT '-3.14159'", "-3.1416"},
		{"FLOAT DEFAULT 1.5", "1.5"}, {"FLOAT DEFAULT 0.1", "0.1"}, {"DOUBLE DEFAULT 1e3", "1000"}, {"DOUBLE DEFAULT -0.1", "-0.1"},
		{"FLOAT NOT NULL", "0"}, {"REAL DEFAULT '2.25'", "2.25"},
		{"BIT(5) DEFAULT b'101'", "5"}, {"BIT(16) DEFAULT x'0102'", "258"}, {"BIT(8) DEFAULT 7", "7"}, {"BIT(3) NOT NULL", "0"},
		{"BIT(16) DEFAULT 'a'", "97"}, {"BIT", null},
		{"YEAR DEFAULT 99", "1999"}, {"YEAR DEFAULT 69", "2069"}, {"YEAR DEFAULT 70", "1970"}, {"YEAR DEFAULT '5'", "2005"},
		{"YEAR DEFAULT '0'", "2000"}, {"YEAR DEFAULT 0", "0"}, {"YEAR DEFAULT '0000'", "0"}, {"YEAR DEFAULT 2155", "2155"},
		{"YEAR(4) NOT NULL", "0"},
	}
}

func temporalDefaults() [][2]string {
	return [][2]string{
		{"DATE DEFAULT '2020-01-02'", "2020-01-02"}, {"DATE DEFAULT 20200304", "2020-03-04"}, {"DATE DEFAULT '20-1-2'", "2020-01-02"},
		{"DATE DEFAULT '99/12/31'", "1999-12-31"}, {"DATE DEFAULT '2020-01-02 10:11:12'", "2020-01-02"}, {"DATE NOT NULL", "0000-00-00"},
		{"DATE DEFAULT '0000-00-00'", "0000-00-00"}, {"DATE DEFAULT DATE '2021-12-31'", "2021-12-31"}, {"DATE DEFAULT CURRENT_DATE", "2024-05-06"},
		{"DATETIME DEFAULT '2020-01-01'", "2020-01-01 00:00:00"}, {"DATETIME(6) DEFAULT '2020-01-01 10:11:12.5'", "2020-01-01 10:11:12.500000"},
		{"DATETIME(1) DEFAULT '2020-01-01 10:11:12.96'", "2020-01-01 10:11:12.9"}, {"DATETIME DEFAULT '2020-01-01 10:11:12.96'", "2020-01-01 10:11:12"},
		{"DATETIME DEFAULT '2020-1-2 3:4:5'", "2020-01-02 03:04:05"}, {"DATETIME DEFAULT '2020-01-02T03:04:05'", "2020-01-02 03:04:05"},
		{"DATETIME DEFAULT 20200102030405", "2020-01-02 03:04:05"}, {"DATETIME DEFAULT '200102030405'", "2020-01-02 03:04:05"},
		{"DATETIME(2) NOT NULL", "0000-00-00 00:00:00.00"}, {"DATETIME DEFAULT TIMESTAMP '2020-01-02 03:04:05'", "2020-01-02 03:04:05"},
		{"DATETIME DEFAULT CURRENT_TIMESTAMP", "2024-05-06 05:08:09"}, {"DATETIME DEFAULT LOCALTIMESTAMP", "2024-05-06 05:08:09"},
		{"DATETIME(3) DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3)", "2024-05-06 05:08:09.123"},
		{"DATETIME(6) DEFAULT NOW(6)", "2024-05-06 05:08:09.123456"}, {"DATETIME DEFAULT 0", "0000-00-00 00:00:00"},
		{"TIMESTAMP NULL DEFAULT '2021-02-03 04:05:06'", "2021-02-03 04:05:06"}, {"TIMESTAMP NULL", null},
		{"TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP", "2024-05-06 05:08:09"},
		{"TIMESTAMP(2) NOT NULL DEFAULT '2021-02-03 04:05:06.789'", "2021-02-03 04:05:06.78"}, {"TIMESTAMP NOT NULL", "0000-00-00 00:00:00"},
		{"TIMESTAMP(3) NOT NULL", "0000-00-00 00:00:00.000"}, {"TIMESTAMP NOT NULL DEFAULT 0", "0000-00-00 00:00:00"},
		{"TIME DEFAULT '10:00'", "10:00:00"}, {"TIME(2) DEFAULT '-1 02:03:04.567'", "-26:03:04.56"}, {"TIME DEFAULT 1000", "00:10:00"},
		{"TIME DEFAULT 102030", "10:20:30"}, {"TIME DEFAULT '12'", "00:00:12"}, {"TIME DEFAULT '838:59:59'", "838:59:59"},
		{"TIME DEFAULT '-00:00:01'", "-00:00:01"}, {"TIME NOT NULL", "00:00:00"}, {"TIME(1) NOT NULL", "00:00:00.0"},
		{"TIME(3) DEFAULT '01:02:03.5'", "01:02:03.500"},
	}
}

func stringDefaults() [][2]string {
	return [][2]string{
		{"CHAR(5) DEFAULT 'ab  '", "ab"}, {"VARCHAR(10) NOT NULL", ""}, {"VARCHAR(10) DEFAULT 'x''y'", "x'y"},
		{`VARCHAR(10) DEFAULT 'a\nb'`, "a\nb"}, {"TEXT DEFAULT 'hello'", "hello"}, {"VARCHAR(8) DEFAULT 42", "42"},
		{"VARCHAR(8) DEFAULT 1.50", "1.50"}, {"VARCHAR(3) CHARACTER SET latin1 DEFAULT 'é'", "é"},
		{"VARCHAR(8) DEFAULT _utf8mb4'x'", "x"}, {"VARCHAR(8) DEFAULT x'4142'", "AB"}, {"CHAR(2) NOT NULL", ""},
		{"VARCHAR(4) DEFAULT 'a  '", "a  "}, {"JSON DEFAULT '{\"a\": 1}'", `{"a": 1}`}, {"JSON NOT NULL", ""},
		{"BINARY(4) DEFAULT 'ab'", "ab\x00\x00"}, {"BINARY(3) NOT NULL", "\x00\x00\x00"}, {"VARBINARY(4) DEFAULT x'00ff'", "\x00\xff"},
		{"BLOB DEFAULT 'raw'", "raw"}, {"VARBINARY(3) NOT NULL", ""}, {"BLOB NOT NULL", ""}, {"CHAR(3) CHARACTER SET binary DEFAULT 'a '", "a \x00"},
		{"ENUM('p','q') NOT NULL", "p"}, {"ENUM('p','q') DEFAULT 'Q'", "q"}, {"ENUM('p','q')", null}, {"ENUM('p ','q') DEFAULT 'p'", "p"},
		{"SET('a','b','c') DEFAULT 'c,a'", "a,c"}, {"SET('a','b') NOT NULL", ""}, {"SET('a','b','c') DEFAULT 5", "a,c"},
		{"SET('a','b') DEFAULT ''", ""},
		{"POINT", null}, {"GEOMETRY NOT NULL", ""},
		{"INET6 DEFAULT '::1'", strings.Repeat("\x00", 15) + "\x01"}, {"INET4 DEFAULT '1.2.3.4'", "\x01\x02\x03\x04"},
		{"UUID DEFAULT '12345678-1234-1678-90ab-cdef01234567'", "\x12\x34\x56\x78\x12\x34\x16\x78\x90\xab\xcd\xef\x01\x23\x45\x67"},
		{"UUID NOT NULL", strings.Repeat("\x00", 16)},
	}
}

func TestDDLAddedColumnDefaultErrors(t *testing.T) {
	for _, def := range []string{
		"INT DEFAULT 'abc'", "DATE DEFAULT 'yesterday'", "TIME DEFAULT 'noon'", "ENUM('a') DEFAULT 'b'", "SET('a') DEFAULT 'a,b'",
		"INET4 DEFAULT '::1'", "UUID DEFAULT 'xyz'", "INT DEFAULT (RAND())", "INT AUTO_INCREMENT UNIQUE", "INT AS (id + 1)",
		"INT GENERATED ALWAYS AS (id) STORED",
	} {
		t.Run(def, func(t *testing.T) {
			set := ddlSetup(t, []string{"CREATE TABLE t (id INT PRIMARY KEY)"})
			stmt := "ALTER TABLE t ADD COLUMN c " + def
			_, err := ddl.Apply(set, "test", stmt, ddlCommit, ddlTime)
			checkDDLError(t, err, ddl.ErrValuesUnknown, stmt)
			var de *ddl.Error
			if errors.As(err, &de) && (de.Table != layout.TableRef{DB: "test", Table: "t"} || !strings.Contains(err.Error(), "ADD COLUMN c")) {
				t.Errorf("error %q does not name the table and column", err)
			}
		})
	}
}
