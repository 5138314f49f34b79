package filestore_test

import (
	"testing"

	"github.com/binlake/binlake/layout"
	"github.com/binlake/binlake/layout/filestore"
	"github.com/binlake/binlake/layout/storetest"
)

func TestContract(t *testing.T) {
	storetest.Run(t, func(t *testing.T) layout.Store {
		s, err := filestore.New(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		return s
	})
}
