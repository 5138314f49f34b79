package ddl_test

// ddlWorkload is the statement series of TestDDLMatchesMariaDB. Every table
// has id and n columns: the test inserts ids and touches n.
func ddlWorkload() []ddlStep {
	return []ddlStep{
		// Every column type in a CREATE TABLE.
		{table: "k", sql: "CREATE TABLE k (id INT PRIMARY KEY, n INT NOT NULL DEFAULT 0," +
			" c_tiny TINYINT, c_bool BOOL, c_small SMALLINT UNSIGNED, c_med MEDIUMINT, c_int INT(11) ZEROFILL, c_big BIGINT UNSIGNED," +
			" c_float FLOAT, c_float2 FLOAT(7,3), c_float30 FLOAT(30), c_double DOUBLE, c_real REAL, c_dec DECIMAL(10,2)," +
			" c_dec0 DECIMAL, c_num NUMERIC(5) UNSIGNED, c_fu FLOAT UNSIGNED," +
			" c_bit BIT, c_bit7 BIT(7), c_bit64 BIT(64), c_date DATE, c_dt DATETIME, c_dt6 DATETIME(6), c_ts TIMESTAMP(3) NULL, c_ts2 TIMESTAMP," +
			" c_time TIME, c_time2 TIME(2), c_year YEAR," +
			" c_char CHAR(3), c_char0 CHAR, c_vc VARCHAR(20), c_latin VARCHAR(5) CHARACTER SET latin1, c_bin BINARY(4), c_vbin VARBINARY(9)," +
			" c_tt TINYTEXT, c_text TEXT, c_mt MEDIUMTEXT, c_lt LONGTEXT, c_tb TINYBLOB, c_blob BLOB, c_mb MEDIUMBLOB, c_lb LONGBLOB," +
			" c_text100 TEXT(100), c_text60 TEXT(60), c_blob70k BLOB(70000), c_enum ENUM('a','b''c', 'd\\\\e'), c_set SET('x','y','z'), c_json JSON," +
			" c_geo GEOMETRY, c_point POINT, c_line LINESTRING, c_poly POLYGON, c_mpoint MULTIPOINT, c_mline MULTILINESTRING," +
			" c_mpoly MULTIPOLYGON, c_gcoll GEOMETRYCOLLECTION," +
			" c_uuid UUID, c_inet6 INET6, c_inet4 INET4, c_lvc LONG VARCHAR, c_lvb LONG VARBINARY, c_nchar NATIONAL CHAR(2)," +
			" c_vcbin VARCHAR(5) BINARY, c_charbin CHAR(2) CHARACTER SET binary, c_serial SERIAL)"},

		// ADD COLUMN: the value existing rows get, for every kind.
		{table: "a", sql: "CREATE TABLE a (id INT PRIMARY KEY, n INT NOT NULL DEFAULT 0)"},
		{table: "a", sql: "ALTER TABLE a ADD COLUMN i1 INT NOT NULL DEFAULT -5, ADD i2 INT NOT NULL, ADD i3 BIGINT UNSIGNED DEFAULT 18446744073709551615," +
			" ADD i4 INT, ADD i5 TINYINT DEFAULT '7', ADD i6 INT DEFAULT 2.5, ADD i7 SMALLINT DEFAULT TRUE"},
		{table: "a", sql: "ALTER TABLE a ADD d1 DECIMAL(10,2) DEFAULT 5, ADD d2 DECIMAL(6,3) NOT NULL, ADD d3 DECIMAL(5,1) DEFAULT 1.25," +
			" ADD d4 DECIMAL(5,1) DEFAULT -1.25, ADD d5 DECIMAL(4,0) DEFAULT '12'"},
		{table: "a", sql: "ALTER TABLE a ADD f1 FLOAT DEFAULT 1.5, ADD f2 DOUBLE DEFAULT 1e3, ADD f3 FLOAT NOT NULL, ADD f4 DOUBLE DEFAULT -0.1, ADD f5 FLOAT DEFAULT 0.1"},
		{table: "a", sql: "ALTER TABLE a ADD b1 BIT(5) DEFAULT b'101', ADD b2 BIT(16) DEFAULT x'0102', ADD b3 BIT(3) NOT NULL, ADD b4 BIT(8) DEFAULT 7"},
		{table: "a", sql: "ALTER TABLE a ADD t1 DATE DEFAULT '2020-01-02', ADD t2 DATE NOT NULL, ADD t3 DATETIME DEFAULT '2020-01-01'," +
			" ADD t4 DATETIME(6) DEFAULT '2020-01-01 10:11:12.5', ADD t5 DATETIME(2) NOT NULL, ADD t6 DATETIME DEFAULT CURRENT_TIMESTAMP," +
			" ADD t7 DATETIME(1) DEFAULT '2020-01-01 10:11:12.96', ADD t8 DATE DEFAULT 20200304, ADD t9 DATETIME DEFAULT '2020-1-2 3:4:5'"},
		{table: "a", sql: "ALTER TABLE a ADD s1 TIMESTAMP NULL DEFAULT '2021-02-03 04:05:06', ADD s2 TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP," +
			" ADD s3 TIMESTAMP(2) NOT NULL DEFAULT '2021-02-03 04:05:06.789', ADD s4 TIMESTAMP NULL, ADD s5 TIMESTAMP NOT NULL DEFAULT NOW()"},
		{table: "a", sql: "ALTER TABLE a ADD h1 TIME DEFAULT '10:00', ADD h2 TIME(2) DEFAULT '-1 02:03:04.567', ADD h3 TIME NOT NULL," +
			" ADD h4 TIME DEFAULT 1000, ADD h5 TIME(1) NOT NULL"},
		{table: "a", sql: "ALTER TABLE a ADD y1 YEAR DEFAULT 99, ADD y2 YEAR DEFAULT '5', ADD y3 YEAR NOT NULL, ADD y4 YEAR DEFAULT '0', ADD y5 YEAR DEFAULT 2155"},
		{table: "a", sql: "ALTER TABLE a ADD c1 CHAR(5) DEFAULT 'ab  ', ADD c2 VARCHAR(10) NOT NULL, ADD c3 VARCHAR(10) DEFAULT 'x''y'," +
			" ADD c4 TEXT DEFAULT 'hello', ADD c5 VARCHAR(8) DEFAULT 42, ADD c6 VARCHAR(3) CHARACTER SET latin1 DEFAULT 'é', ADD c7 CHAR(2) NOT NULL"},
		{table: "a", sql: "ALTER TABLE a ADD x1 BINARY(4) DEFAULT 'ab', ADD x2 BINARY(3) NOT NULL, ADD x3 VARBINARY(4) DEFAULT x'00ff'," +
			" ADD x4 BLOB DEFAULT 'raw', ADD x5 VARBINARY(3) NOT NULL"},
		{table: "a", sql: "ALTER TABLE a ADD e1 ENUM('p','q') NOT NULL, ADD e2 ENUM('p','q') DEFAULT 'Q', ADD e3 SET('a','b','c') DEFAULT 'c,a'," +
			" ADD e4 SET('a','b') NOT NULL, ADD e6 ENUM('p','q')"},
		{table: "a", sql: "ALTER TABLE a ADD j1 JSON DEFAULT '{\"a\": 1}', ADD g1 POINT NULL, ADD u1 UUID, ADD u2 INET6 DEFAULT '::1', ADD u3 UUID DEFAULT '12345678-1234-1678-90ab-cdef01234567', ADD u4 UUID DEFAULT '12345678-1234-4678-90ab-cdef01234567', ADD u5 INET4 DEFAULT '1.2.3.4', ADD u6 UUID NOT NULL, ADD u7 INET6 DEFAULT '::ffff:1.2.3.4'"},

		// Positions, several specs, parenthesized ADD, MODIFY, CHANGE, RENAME COLUMN, DROP.
		{table: "p", sql: "CREATE TABLE p (id INT NOT NULL, n INT NOT NULL DEFAULT 0, a VARCHAR(3), b INT)"},
		{table: "p", sql: "ALTER TABLE p ADD COLUMN f INT DEFAULT 1 FIRST, ADD COLUMN m INT DEFAULT 2 AFTER a"},
		{table: "p", sql: "ALTER TABLE p ADD (x INT DEFAULT 3, y VARCHAR(2) DEFAULT 'yy')"},
		{table: "p", sql: "ALTER TABLE p MODIFY COLUMN b BIGINT UNSIGNED NOT NULL FIRST"},
		{table: "p", sql: "ALTER TABLE p CHANGE COLUMN a aa VARCHAR(10) AFTER y, MODIFY m INT DEFAULT 9 AFTER aa"},
		{table: "p", sql: "ALTER TABLE p RENAME COLUMN x TO xx, DROP COLUMN f, ADD PRIMARY KEY (id, n)"},
		{table: "p", sql: "ALTER TABLE p ALTER COLUMN xx SET DEFAULT 5, ADD INDEX (y), ENGINE=InnoDB, COMMENT 'c'"},
		{table: "p", sql: "ALTER TABLE p DROP PRIMARY KEY, ADD PRIMARY KEY (id)"},
		{table: "p", sql: "ALTER TABLE p ADD COLUMN IF NOT EXISTS y INT, DROP COLUMN IF EXISTS nope, ADD COLUMN z INT DEFAULT 1 AFTER id"},
		{table: "p", sql: "CREATE INDEX iy ON p (y)"},
		{table: "p", sql: "ALTER TABLE p MODIFY y VARCHAR(2) CHARACTER SET latin1 DEFAULT 'yy'"},

		// Charset conversion grows TEXT types.
		{table: "cv", sql: "CREATE TABLE cv (id INT PRIMARY KEY, n INT NOT NULL DEFAULT 0, t TEXT CHARACTER SET latin1, v VARCHAR(4) CHARACTER SET latin1, e ENUM('a') CHARACTER SET latin1)"},
		{table: "cv", sql: "ALTER TABLE cv CONVERT TO CHARACTER SET utf8mb4"},

		// Renames, truncate, drop and create again, LIKE, SELECT.
		{table: "r1", sql: "CREATE TABLE r1 (id INT PRIMARY KEY, n INT NOT NULL DEFAULT 0, v VARCHAR(3))"},
		{table: "r3", sql: "RENAME TABLE r1 TO r2, r2 TO r3"},
		{table: "r4", sql: "ALTER TABLE r3 RENAME TO r4, ADD COLUMN w INT DEFAULT 4"},
		{table: "r4", sql: "TRUNCATE TABLE r4"},
		{table: "r5", sql: "CREATE TABLE r5 (id INT PRIMARY KEY, n INT NOT NULL DEFAULT 0, r5 INT)"},
		{table: "r5", sql: "RENAME TABLE r4 TO tmp, r5 TO r4, tmp TO r5"},
		{table: "r5", sql: "CREATE OR REPLACE TABLE r5 (id INT PRIMARY KEY, n INT NOT NULL DEFAULT 0, g GEOMETRY REF_SYSTEM_ID=4326, KEY (n))"},
		{table: "r5", sql: "ALTER ONLINE TABLE r5 ADD COLUMN IF NOT EXISTS pt POINT, ADD COLUMN i6 INET6 NOT NULL AFTER id"},
		{sql: "DROP TABLE r5"},
		{sql: "DROP TABLE r4"},
		{table: "r4", sql: "CREATE TABLE r4 (id INT PRIMARY KEY, n INT NOT NULL DEFAULT 0)"},
		{table: "l", sql: "CREATE TABLE l LIKE p"},
		{table: "s", sql: "CREATE TABLE s (id INT PRIMARY KEY, n INT NOT NULL DEFAULT 0) SELECT id, n FROM r4"},
		{table: "s2", sql: "CREATE TABLE s2 SELECT id, n, 'x' AS v FROM r4"},
		{table: "u", sql: "CREATE TABLE u (id INT NOT NULL, n INT NOT NULL DEFAULT 0, UNIQUE KEY (id))"},
		{table: "u", sql: "CREATE TABLE IF NOT EXISTS u (id INT)"},
		{table: "u2", sql: "CREATE TABLE u2 (id INT NOT NULL, n INT NOT NULL DEFAULT 0, v VARCHAR(3), w INT NOT NULL, UNIQUE (v), UNIQUE (w, n))"},
		{table: "u3", sql: "CREATE TABLE u3 (id INT NOT NULL, n INT NOT NULL DEFAULT 0, v VARCHAR(36) NOT NULL DEFAULT (UUID()))"},
		{table: "u3", sql: "ALTER TABLE u3 ADD UNIQUE KEY (v(30))"},
		{table: "u3", sql: "CREATE UNIQUE INDEX uv ON u3 (n, id)"},
		{table: "u3", sql: "ALTER TABLE u3 ADD PRIMARY KEY (id)"},
		{table: "u4", sql: "CREATE TABLE u4 (id INT NOT NULL, n INT NOT NULL DEFAULT 0)"},
		{table: "u4", sql: "ALTER TABLE u4 ADD COLUMN z INT NOT NULL UNIQUE"},
		{table: "u5", sql: "CREATE TABLE u5 (id INT NOT NULL, n INT NOT NULL DEFAULT 0)"},
		{table: "u5", sql: "ALTER TABLE u5 ADD COLUMN ai INT NOT NULL AUTO_INCREMENT PRIMARY KEY FIRST", unknown: true},
		{table: "u5", sql: "ALTER TABLE u5 ADD COLUMN g INT AS (n + 1) PERSISTENT", unknown: true},
		{table: "u5", sql: "ALTER TABLE u5 ADD COLUMN v INT AS (n + 2) VIRTUAL", unknown: true},
		{table: "u5", sql: "ALTER TABLE u5 DROP COLUMN v, DROP COLUMN g"},
		{table: "u5", sql: "ALTER TABLE u5 ADD COLUMN e VARCHAR(36) DEFAULT (UUID())", unknown: true},
		{table: "u5", sql: "ALTER TABLE u5 ADD COLUMN e2 INT DEFAULT (1 + 1)", unknown: true},
		{sql: "DROP TABLE IF EXISTS nope, u"},
		{sql: "CREATE DATABASE other"},
		{sql: "CREATE TABLE other.o (id INT PRIMARY KEY, n INT NOT NULL DEFAULT 0)"},
		{sql: "DROP DATABASE other"},
	}
}
