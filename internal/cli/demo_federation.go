package cli

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/industrybrain/ibrain/internal/apperr"
	"github.com/industrybrain/ibrain/internal/auth"
	"github.com/industrybrain/ibrain/internal/demo"
	"github.com/industrybrain/ibrain/internal/federation"
	"github.com/industrybrain/ibrain/internal/i18n"
	"github.com/industrybrain/ibrain/internal/instruments"
	"github.com/industrybrain/ibrain/internal/sqlstore"
)

// fedDemoInstance is one instance of the federation demo.
type fedDemoInstance struct {
	id, nameZH, nameEN string
	addr, url          string
	dsn, config        string
	pub                ed25519.PublicKey
	ln                 net.Listener // held from prepare until the server takes it
}

// runDemoFederation starts the 川渝 federation for a look: Chongqing (cq)
// and Sichuan (sc) in this process, each on its own port and SQLite
// database under --dir, each with its key and the other as a peer (stored
// in its database, as 'ibrain peer add' does). A first run creates the
// keys, the databases, the datasets and the accounts (passwords printed
// once); later runs reuse them. It serves until ctx ends.
func runDemoFederation(ctx context.Context, args []string, std IO) error {
	fs := newPlainFlags("demo federation", "[--dir DIR] [--cq-addr HOST:PORT] [--sc-addr HOST:PORT] [--quick]", std)
	dir := fs.String("dir", "ibrain-federation", "directory of the two instances' keys, configurations and databases (created; reused by later runs)")
	cqAddr := fs.String("cq-addr", "127.0.0.1:8080", "Chongqing's listen address (port 0: any free port)")
	scAddr := fs.String("sc-addr", "127.0.0.1:8081", "Sichuan's listen address (port 0: any free port)")
	seed := fs.Uint64("seed", 1, "random seed of the datasets")
	quick := fs.Bool("quick", false, "Chongqing gets only its instrument-sharing units and instruments, not the full demo (registry, reports, …): a much faster first start")
	pull := fs.Int("pull-seconds", 10, "how often each instance pulls the other")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *pull < 1 {
		return fmt.Errorf("%w: --pull-seconds must be at least 1", errUsage)
	}
	if err := os.MkdirAll(*dir, 0o700); err != nil {
		return err
	}
	abs, err := filepath.Abs(*dir)
	if err != nil {
		return err
	}
	addrs := map[string]string{demo.Chongqing: *cqAddr, demo.Sichuan: *scAddr}
	var insts []*fedDemoInstance
	for _, in := range demo.Instances() {
		insts = append(insts, &fedDemoInstance{id: in.ID, nameZH: in.NameZH, nameEN: in.NameEN, addr: addrs[in.ID]})
	}
	defer func() { // the servers close theirs; these are for the early returns
		for _, in := range insts {
			if in.ln != nil {
				in.ln.Close()
			}
		}
	}()
	for _, in := range insts {
		if err := in.prepare(abs, *pull); err != nil {
			return err
		}
	}
	for i, in := range insts {
		if err := in.load(ctx, insts[1-i], demo.Options{Seed: *seed, Instance: in.id}, *quick && in.id == demo.Chongqing, std); err != nil {
			return fmt.Errorf("%s: %w", in.id, err)
		}
	}

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	errc := make(chan error, len(insts))
	for _, in := range insts {
		go func() {
			err := serveOn(ctx, []string{"--addr", in.addr, "--db", in.dsn, "--demo", "never", "--federation-config", in.config, "--memory-limit", "768"},
				IO{Stdin: std.Stdin, Stdout: io.Discard, Stderr: std.Stderr}, in.ln)
			if err != nil {
				err = fmt.Errorf("%s: %w", in.id, err)
			}
			errc <- err
		}()
	}
	stopped := 0
	wait := func() error { // until every server returned; the first error
		var first error
		for ; stopped < len(insts); stopped++ {
			if err := <-errc; err != nil && first == nil {
				first = err
			}
		}
		return first
	}
	for _, in := range insts {
		if took, err := waitHealthy(ctx, in.url, errc); err != nil {
			if took {
				stopped++
			}
			cancel()
			return errors.Join(err, wait())
		}
	}
	fmt.Fprintln(std.Stdout, "\n"+msg(i18n.ZH, "cli.demo.federation.running", *pull))
	for _, in := range insts {
		fmt.Fprintf(std.Stdout, "  %s  %s/  %s  (%s)\n", in.id, in.url, in.nameZH, in.dsn)
	}
	fmt.Fprintln(std.Stdout, msg(i18n.ZH, "cli.demo.federation.accounts"))
	fmt.Fprintln(std.Stdout, msg(i18n.ZH, "cli.demo.federation.stop"))
	select {
	case <-ctx.Done():
	case err := <-errc:
		stopped++
		cancel()
		return errors.Join(err, wait())
	}
	return wait()
}

// prepare fixes the instance's address (a free port for port 0), makes
// its key once and writes its configuration.
func (in *fedDemoInstance) prepare(dir string, pull int) error {
	host, port, err := net.SplitHostPort(in.addr)
	if err != nil {
		return fmt.Errorf("%w: %s address: %v", errUsage, in.id, err)
	}
	// The port is bound now and held until the server serves on it: a
	// port chosen, closed and bound again later (after the demo load) can
	// meanwhile be taken, e.g. as another connection's ephemeral port.
	ln, err := net.Listen("tcp", in.addr)
	if err != nil {
		return err
	}
	in.ln = ln
	port = strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "127.0.0.1"
	}
	in.addr = net.JoinHostPort(host, port)
	in.url = "http://" + in.addr
	in.dsn = "sqlite:" + filepath.Join(dir, in.id+".db")
	keyFile := filepath.Join(dir, in.id+".key")
	seed, err := os.ReadFile(keyFile)
	if errors.Is(err, os.ErrNotExist) {
		_, priv, gerr := ed25519.GenerateKey(rand.Reader)
		if gerr != nil {
			return gerr
		}
		seed = []byte(federation.EncodeKey(priv.Seed()) + "\n")
		err = os.WriteFile(keyFile, seed, 0o600)
	}
	if err != nil {
		return err
	}
	priv, err := federation.ParsePrivateKey(string(seed))
	if err != nil {
		return fmt.Errorf("%s: %w", keyFile, err)
	}
	in.pub = priv.Public().(ed25519.PublicKey)
	cfg, err := json.MarshalIndent(map[string]any{"instance": in.id, "name_zh": in.nameZH, "name_en": in.nameEN, "key_file": keyFile,
		"trusted_issuers": []string{}, "pull_seconds": pull}, "", "  ")
	if err != nil {
		return err
	}
	in.config = filepath.Join(dir, in.id+"-federation.json")
	return os.WriteFile(in.config, append(cfg, '\n'), 0o600)
}

// load fills the instance's database on the first run (dataset and
// accounts) and stores the other instance as its peer, at its address of
// this run.
func (in *fedDemoInstance) load(ctx context.Context, peer *fedDemoInstance, opts demo.Options, catalogueOnly bool, std IO) error {
	a, err := openApp(ctx, in.dsn, std)
	if err != nil {
		return err
	}
	defer a.Close()
	seeded, err := a.Store.GetMeta(ctx, "demo_seed")
	if err != nil {
		return err
	}
	if seeded == "" {
		fmt.Fprintf(std.Stdout, "\n== %s (%s): %s\n", in.id, in.nameZH, in.dsn)
		switch {
		case catalogueOnly:
			if _, err := demo.LoadCatalogue(ctx, a.Store, opts); err != nil {
				return err
			}
			if err := a.Store.SetMeta(ctx, "demo_seed", fmt.Sprint(opts.Seed)); err != nil {
				return err
			}
			if err := printAccounts(ctx, a.Store, []demoAccount{operatorAccount()}, std); err != nil {
				return err
			}
		default:
			if err := loadDemo(ctx, a, opts, true, std); err != nil {
				return err
			}
			if in.id == demo.Chongqing { // Chongqing's accounts have no sharing-platform operator
				if err := printAccounts(ctx, a.Store, []demoAccount{operatorAccount()}, std); err != nil {
					return err
				}
			}
		}
	}
	if err := a.Store.RemoveFedPeer(ctx, peer.id); err != nil && !apperr.Is(err, apperr.NotFound) {
		return err
	}
	return a.Store.AddFedPeer(ctx, federation.Peer{ID: peer.id, NameZH: peer.nameZH, NameEN: peer.nameEN, URL: peer.url,
		PublicKey: federation.EncodeKey(peer.pub)}, time.Now())
}

// waitHealthy polls url's /healthz until it answers 200; a server that
// returns first (took: its result was taken from errc) or ctx ending is
// an error.
func waitHealthy(ctx context.Context, url string, errc <-chan error) (took bool, err error) {
	client := &http.Client{Timeout: 2 * time.Second}
	for {
		if res, err := client.Get(url + "/healthz"); err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return false, nil
			}
		}
		select {
		case err := <-errc:
			if err == nil {
				err = fmt.Errorf("the server of %s stopped", url)
			}
			return true, err
		case <-ctx.Done():
			return false, ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}

func operatorAccount() demoAccount {
	return demoAccount{user: auth.User{Username: "operator", Role: auth.RoleSharingOperator, DisplayName: msg(i18n.ZH, "cli.demo.account.operator.name")},
		note: msg(i18n.ZH, "cli.demo.account.operator.note")}
}

// createSichuanAccounts creates the Sichuan instance's accounts: the
// platform's operator, a unit administrator and a researcher of another
// unit (demo.SichuanAccountUnits), with their units' memberships.
func createSichuanAccounts(ctx context.Context, st *sqlstore.Store, std IO) error {
	accts := []demoAccount{operatorAccount()}
	members := map[string]instruments.Member{}
	units, err := st.Units(ctx)
	if err != nil {
		return err
	}
	unitID := map[string]int64{}
	for _, u := range units {
		unitID[u.Name] = u.ID
	}
	adminUnit, researcherUnit := demo.SichuanAccountUnits()
	for _, a := range []struct {
		username string
		role     auth.Role
		unit     string
		cat      instruments.Category
	}{
		{"scu-admin", auth.RoleUnitAdmin, adminUnit, instruments.Internal},
		{"researcher", auth.RoleAcademic, researcherUnit, instruments.ExternalAcademic},
	} {
		accts = append(accts, demoAccount{user: auth.User{Username: a.username, Role: a.role, DisplayName: msg(i18n.ZH, "cli.demo.account."+a.username+".name")},
			note: msg(i18n.ZH, "cli.demo.account."+a.username+".note")})
		members[a.username] = instruments.Member{UnitID: unitID[a.unit], Category: a.cat}
	}
	if err := printAccounts(ctx, st, accts, std); err != nil {
		return err
	}
	for name, m := range members {
		u, err := st.UserByUsername(ctx, name)
		if err != nil {
			return err
		}
		m.UserID = u.ID
		if err := st.PutSharingMember(ctx, m); err != nil {
			return err
		}
	}
	return nil
}
