package testkit

import (
	"context"
	"fmt"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/industrybrain/ibrain/internal/auth"
	"github.com/industrybrain/ibrain/internal/sqlstore"
)

func TestMain(m *testing.M) { Main(m) }

// TestNotImportedByProductCode keeps testkit out of the binary: only test
// files may import it.
func TestNotImportedByProductCode(t *testing.T) {
	const self = "github.com/industrybrain/ibrain/internal/testkit"
	fset := token.NewFileSet()
	err := filepath.WalkDir(filepath.Join("..", ".."), func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if n := d.Name(); n != ".." && (strings.HasPrefix(n, ".") || n == "testdata" || n == "node_modules") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		for _, imp := range f.Imports {
			if p, _ := strconv.Unquote(imp.Path.Value); p == self {
				t.Errorf("%s imports %s: only _test.go files may", path, self)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestImageCopies checks that the image is built once and that copies are
// independent of it and of each other.
func TestImageCopies(t *testing.T) {
	ctx := context.Background()
	builds := 0
	im := NewImage("counted", func(ctx context.Context, st *sqlstore.Store) error {
		builds++
		if err := Prepare(ctx, st); err != nil {
			return err
		}
		_, err := st.CreateUser(ctx, auth.User{Username: "base", DisplayName: "base", Role: auth.RoleCityAdmin, PasswordHash: "x"})
		return err
	})
	a, b := im.OpenCopy(t), im.OpenCopy(t)
	if _, err := a.CreateUser(ctx, auth.User{Username: "only-a", DisplayName: "a", Role: auth.RoleCityAdmin, PasswordHash: "x"}); err != nil {
		t.Fatal(err)
	}
	count := func(st *sqlstore.Store) int {
		t.Helper()
		us, err := st.ListUsers(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return len(us)
	}
	if na, nb, ns := count(a), count(b), count(im.OpenShared(t)); builds != 1 || na != 2 || nb != 1 || ns != 1 {
		t.Errorf("builds %d; users in copy a %d, copy b %d, image %d; want 1; 2, 1, 1", builds, na, nb, ns)
	}
	if n := count(OpenSQLite(t)); n != 0 {
		t.Errorf("prepared store has %d users, want none", n)
	}
}

// TestSharedWriteDetected checks that reading through OpenShared leaves the
// image as it was and that a write through it is reported: it would change
// what every later copy holds.
func TestSharedWriteDetected(t *testing.T) {
	ctx := context.Background()
	im := NewImage("written", Prepare)
	open := func(name string, write bool) []string {
		var rec *errRecorder
		t.Run(name, func(t *testing.T) {
			rec = &errRecorder{T: t}
			st := im.OpenShared(rec)
			if _, err := st.ListUsers(ctx); err != nil {
				t.Fatal(err)
			}
			if !write {
				return
			}
			if _, err := st.CreateUser(ctx, auth.User{Username: "writer", DisplayName: "writer", Role: auth.RoleCityAdmin, PasswordHash: "x"}); err != nil {
				t.Fatal(err)
			}
		})
		return rec.errs
	}
	if errs := open("reader", false); len(errs) != 0 {
		t.Errorf("reading reported %q", errs)
	}
	if errs := open("writer", true); len(errs) == 0 {
		t.Error("a write through OpenShared went unreported")
	}
}

// errRecorder keeps the errors reported through it instead of failing.
type errRecorder struct {
	*testing.T
	errs []string
}

func (r *errRecorder) Errorf(format string, args ...any) {
	r.errs = append(r.errs, fmt.Sprintf(format, args...))
}
