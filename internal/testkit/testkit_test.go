package testkit

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/industrybrain/ibrain/internal/auth"
	"github.com/industrybrain/ibrain/internal/sqlstore"
)

func TestMain(m *testing.M) { Main(m) }

// TestNotInTheBinary keeps testkit to test code: no command depends on it.
func TestNotInTheBinary(t *testing.T) {
	const self = "github.com/industrybrain/ibrain/internal/testkit"
	mains, err := exec.Command("go", "list", "-f", "{{if eq .Name \"main\"}}{{.ImportPath}}{{end}}", "../../...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	cmds := strings.Fields(string(mains))
	if len(cmds) == 0 {
		t.Fatal("go list found no command")
	}
	deps, err := exec.Command("go", append([]string{"list", "-deps"}, cmds...)...).Output()
	if err != nil {
		t.Fatalf("go list -deps: %v", err)
	}
	for _, p := range strings.Fields(string(deps)) {
		if p == self {
			t.Errorf("a command (%s) depends on %s: only tests may", strings.Join(cmds, ", "), self)
		}
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

// TestSweep checks that the directories of ended test binaries are
// removed and those of running ones kept.
func TestSweep(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no sweep on Windows")
	}
	dead := filepath.Join(os.TempDir(), dirPrefix+"swept-999999999-1")
	alive := filepath.Join(os.TempDir(), fmt.Sprintf("%skept-%d-1", dirPrefix, os.Getpid()))
	for _, d := range []string{dead, alive} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { os.RemoveAll(d) })
	}
	sweep()
	if _, err := os.Stat(dead); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("%s of an ended process is still there (%v)", dead, err)
	}
	if _, err := os.Stat(alive); err != nil {
		t.Errorf("%s of this process was removed: %v", alive, err)
	}
}
