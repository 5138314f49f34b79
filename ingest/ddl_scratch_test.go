package ingest

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"
)

func TestDDLScratch(t *testing.T) {
	set := SchemaSet{}
	at := time.Date(2024, 5, 6, 7, 8, 9, 123456789, time.UTC)
	for i, s := range []string{
		"create table t (id int primary key, a varchar(10) character set latin1, g point not null srid 4326, u uuid, j json, e enum('a','b') default 'b')",
		"alter table t add column d decimal(10,2) not null default 5 after id, add b bit(3) default b'101' first, add ts datetime(3) default current_timestamp(3), drop column a, change e e2 enum('a','b','c') not null",
		"rename table t to t2, t2 to t3",
		"create or replace table x (a int)",
		"alter online table x add z int",
	} {
		v, err := ApplyDDL(set, "db", s, uint64(i+1), at)
		b, _ := json.MarshalIndent(v, "", " ")
		fmt.Println(s, "\n", string(b), err)
	}
}
