package cli

import (
	"context"
	"fmt"
	"runtime/debug"
)

// Version is set at build time with -ldflags "-X ...cli.Version=v1.2.3";
// otherwise the VCS revision from the build info is shown.
var Version = "dev"

func runVersion(ctx context.Context, args []string, std IO) error {
	fs := newPlainFlags("version", "", std)
	if err := fs.Parse(args); err != nil {
		return err
	}
	rev, dirty := "", false
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				rev = s.Value
			case "vcs.modified":
				dirty = s.Value == "true"
			}
		}
	}
	out := "ibrain " + Version
	if rev != "" {
		if len(rev) > 12 {
			rev = rev[:12]
		}
		out += " (" + rev
		if dirty {
			out += "+dirty"
		}
		out += ")"
	}
	fmt.Fprintln(std.Stdout, out)
	return nil
}
