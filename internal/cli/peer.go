package cli

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"os"
	"text/tabwriter"
	"time"

	"github.com/industrybrain/ibrain/internal/app"
	"github.com/industrybrain/ibrain/internal/federation"
)

// runPeer manages the federation's identity and peers. Peers live in the
// federation configuration file or, added at run time, in the database
// (a running server reads them without a restart); their pull state is
// in the database.
func runPeer(ctx context.Context, args []string, std IO) error {
	if len(args) == 0 {
		return fmt.Errorf("%w: want 'peer keygen', 'peer add', 'peer remove', 'peer list' or 'peer status'", errUsage)
	}
	switch args[0] {
	case "keygen":
		return peerKeygen(args[1:], std)
	case "add":
		return peerAdd(ctx, args[1:], std)
	case "remove":
		return peerRemove(ctx, args[1:], std)
	case "list":
		return peerList(ctx, args[1:], std)
	case "status":
		return peerStatus(ctx, args[1:], std)
	case "-h", "--help":
		fmt.Fprintln(std.Stderr, "Usage: ibrain peer keygen|add|remove|list|status [flags]   (each takes -h)")
		return nil
	}
	return fmt.Errorf("%w: unknown subcommand %q", errUsage, args[0])
}

func fedConfigFlag(fs interface {
	String(name, value, usage string) *string
}) *string {
	return fs.String("federation-config", app.FromEnv("IBRAIN_FEDERATION_CONFIG", ""), "the federation configuration, a JSON file (env IBRAIN_FEDERATION_CONFIG)")
}

func peerKeygen(args []string, std IO) error {
	fs := newPlainFlags("peer keygen", "--out FILE", std)
	out := fs.String("out", "", "where to write the private key (base64 Ed25519 seed); refused when it exists")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *out == "" {
		return fmt.Errorf("%w: --out is required", errUsage)
	}
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return err
	}
	f, err := os.OpenFile(*out, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if _, err := fmt.Fprintln(f, federation.EncodeKey(priv.Seed())); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	fmt.Fprintf(std.Stdout, "private key written to %s\npublic key (give it to the peers): %s\n", *out, federation.EncodeKey(pub))
	return nil
}

// readFedConfig reads and checks the configuration file, and returns its
// raw form too so that add can write it back without the defaults.
func readFedConfig(path string) (federation.Config, map[string]any, error) {
	if path == "" {
		return federation.Config{}, nil, fmt.Errorf("%w: --federation-config is required", errUsage)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return federation.Config{}, nil, err
	}
	c, _, err := federation.ParseConfig(data, os.ReadFile)
	if err != nil {
		return c, nil, err
	}
	raw := map[string]any{}
	if err := json.Unmarshal(data, &raw); err != nil {
		return c, nil, err
	}
	return c, raw, nil
}

func peerAdd(ctx context.Context, args []string, std IO) error {
	fs, db := newFlags("peer add", "--federation-config FILE --id ID --url URL --public-key KEY [--db DSN | --to-file]", std)
	path := fedConfigFlag(fs)
	id := fs.String("id", "", "the peer's instance id, e.g. sc")
	u := fs.String("url", "", "the peer's base URL")
	key := fs.String("public-key", "", "the peer's public key (base64), from its 'ibrain peer keygen'")
	nameZH := fs.String("name-zh", "", "the peer's name in Chinese")
	nameEN := fs.String("name-en", "", "the peer's name in English")
	toFile := fs.Bool("to-file", false, "write the peer into the configuration file (a restart applies it) instead of the database (a running server picks it up)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	c, raw, err := readFedConfig(*path)
	if err != nil {
		return err
	}
	if *toFile {
		peers, _ := raw["peers"].([]any)
		entry := map[string]any{"id": *id, "url": *u, "public_key": *key}
		if *nameZH != "" || *nameEN != "" {
			entry["name_zh"], entry["name_en"] = *nameZH, *nameEN
		}
		raw["peers"] = append(peers, entry)
		data, err := json.MarshalIndent(raw, "", "  ")
		if err != nil {
			return err
		}
		// The new file must parse: a bad peer changes nothing.
		if _, _, err := federation.ParseConfig(data, os.ReadFile); err != nil {
			return err
		}
		if err := os.WriteFile(*path, append(data, '\n'), 0o600); err != nil {
			return err
		}
		fmt.Fprintf(std.Stdout, "peer %s added to %s; restart the server to use it\n", *id, *path)
		return nil
	}
	p, err := federation.CheckPeer(federation.Peer{ID: *id, URL: *u, PublicKey: *key, NameZH: *nameZH, NameEN: *nameEN})
	if err != nil {
		return err
	}
	if _, inFile := c.Peer(p.ID); inFile || p.ID == c.Instance {
		return fmt.Errorf("%w: %s is this instance or a peer of the configuration file", errUsage, p.ID)
	}
	a, err := openApp(ctx, *db, std)
	if err != nil {
		return err
	}
	defer a.Close()
	if err := a.Store.AddFedPeer(ctx, p, time.Now()); err != nil {
		return err
	}
	fmt.Fprintf(std.Stdout, "peer %s added to the database; a running server uses it from its next request or pull round\n", p.ID)
	return nil
}

// peerRemove removes a peer added at run time (the configuration file's
// peers are edited in the file).
func peerRemove(ctx context.Context, args []string, std IO) error {
	fs, db := newFlags("peer remove", "--id ID [--db DSN]", std)
	id := fs.String("id", "", "the peer's instance id")
	if err := fs.Parse(args); err != nil {
		return err
	}
	a, err := openApp(ctx, *db, std)
	if err != nil {
		return err
	}
	defer a.Close()
	if err := a.Store.RemoveFedPeer(ctx, *id); err != nil {
		return err
	}
	fmt.Fprintf(std.Stdout, "peer %s removed; a running server no longer accepts or pulls it\n", *id)
	return nil
}

func peerList(ctx context.Context, args []string, std IO) error {
	fs, db := newFlags("peer list", "--federation-config FILE [--db DSN]", std)
	path := fedConfigFlag(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	c, _, err := readFedConfig(*path)
	if err != nil {
		return err
	}
	a, err := openApp(ctx, *db, std)
	if err != nil {
		return err
	}
	defer a.Close()
	added, err := a.Store.FedPeers(ctx)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(std.Stdout, 2, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "instance %s\nPEER\tFROM\tURL\tPUBLIC KEY\n", c.Instance)
	for _, p := range c.Peers {
		fmt.Fprintf(tw, "%s\tfile\t%s\t%s\n", p.ID, p.URL, p.PublicKey)
	}
	for _, p := range added {
		from := "database"
		if _, shadowed := c.Peer(p.ID); shadowed {
			from = "database (unused: the file has this id)"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", p.ID, from, p.URL, p.PublicKey)
	}
	return tw.Flush()
}

func peerStatus(ctx context.Context, args []string, std IO) error {
	fs, db := newFlags("peer status", "--federation-config FILE", std)
	path := fedConfigFlag(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if _, _, err := readFedConfig(*path); err != nil {
		return err
	}
	a, err := app.Open(ctx, app.Config{DB: *db, Logger: logger(std.Stderr), FederationConfig: *path})
	if err != nil {
		return err
	}
	defer a.Close()
	st, err := a.Federation.Status(ctx)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(std.Stdout, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "PEER\tLAST COMPLETE PULL\tMIRROR AGE\tFEED CURSOR\tREPAIRS\tLAST ERROR")
	for _, p := range st {
		last, age := "never", "-"
		if !p.State.LastOK.IsZero() {
			last, age = p.State.LastOK.Format(time.RFC3339), p.Age.Round(time.Second).String()
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%d\t%s\n", p.Peer.ID, last, age, p.State.FeedCursor, p.State.Repairs, p.State.LastError)
	}
	return tw.Flush()
}
