package cli

import (
	"context"
	"fmt"
	"time"

	"github.com/industrybrain/ibrain/internal/app"
	"github.com/industrybrain/ibrain/internal/apperr"
	"github.com/industrybrain/ibrain/internal/auth"
	"github.com/industrybrain/ibrain/internal/demo"
	"github.com/industrybrain/ibrain/internal/i18n"
	"github.com/industrybrain/ibrain/internal/indicator"
	"github.com/industrybrain/ibrain/internal/registry"
	"github.com/industrybrain/ibrain/internal/sqlstore"
	"github.com/industrybrain/ibrain/internal/tasks"
)

func runDemo(ctx context.Context, args []string, std IO) error {
	if len(args) > 0 && args[0] == "federation" {
		return runDemoFederation(ctx, args[1:], std)
	}
	fs, db := newFlags("demo", "[--seed N] [--scale N] [--instance cq|sc]   |   demo federation [flags]", std)
	seed := fs.Uint64("seed", 1, "random seed; the same seed gives the same dataset")
	scale := fs.Int("scale", 1, "multiply the number of enterprises (1 ≈ 7,000 above-scale firms), for benchmarks")
	accounts := fs.Bool("accounts", true, "create demo accounts with generated passwords (printed once)")
	instance := fs.String("instance", demo.Chongqing, "the federation instance's dataset: cq (Chongqing, the full demo) or sc (Sichuan: its instrument-sharing units, instruments and bookings only)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *instance != demo.Chongqing && *instance != demo.Sichuan {
		return fmt.Errorf("%w: --instance must be cq or sc", errUsage)
	}
	if *scale < 1 || *scale > 100 {
		return fmt.Errorf("%w: --scale must be 1–100", errUsage)
	}
	a, err := openApp(ctx, *db, std)
	if err != nil {
		return err
	}
	defer a.Close()
	return loadDemo(ctx, a, demo.Options{Seed: *seed, Scale: *scale, Instance: *instance}, *accounts, std)
}

// loadDemo loads the dataset and, optionally, the demo accounts.
func loadDemo(ctx context.Context, a *app.App, opts demo.Options, accounts bool, std IO) error {
	start := time.Now()
	bar := newProgress(std.Stderr, msg(i18n.ZH, "cli.demo.progress"))
	opts.Progress = bar.Set
	sum, err := demo.Load(ctx, a.Store, opts)
	bar.Done()
	if err != nil {
		return err
	}
	fmt.Fprintf(std.Stdout, "demo dataset loaded in %s: %s\n", time.Since(start).Round(time.Millisecond), sum)
	if err := a.Store.SetMeta(ctx, "demo_seed", fmt.Sprint(opts.Seed)); err != nil {
		return err
	}
	if !accounts {
		return nil
	}
	if opts.Instance == demo.Sichuan {
		return createSichuanAccounts(ctx, a.Store, std)
	}
	return createDemoAccounts(ctx, a.Store, std)
}

// demoAccount is one generated account.
type demoAccount struct {
	user auth.User
	note string
}

// createDemoAccounts creates one account per role. Passwords are generated
// and printed once; nothing is fixed in the code. Existing accounts are
// left as they are.
func createDemoAccounts(ctx context.Context, st *sqlstore.Store, std IO) error {
	accts := []demoAccount{
		{auth.User{Username: "admin", Role: auth.RoleCityAdmin}, ""},
		{auth.User{Username: "analyst", Role: auth.RoleCityAnalyst}, ""},
		{auth.User{Username: "liangjiang", Role: auth.RoleDistrict, RegionCode: "CQ-LJ"}, ""},
		{auth.User{Username: "wanzhou", Role: auth.RoleDistrict, RegionCode: "500101"}, ""},
	}
	for i := range accts {
		a := &accts[i]
		a.user.DisplayName = msg(i18n.ZH, "cli.demo.account."+a.user.Username+".name")
		a.note = msg(i18n.ZH, "cli.demo.account."+a.user.Username+".note")
	}
	// One account per department that owes departmental rows of the task
	// tables (dept1, dept2 … in table order), named as the catalogue names
	// the department.
	depts, err := tableDepartments()
	if err != nil {
		return err
	}
	for i, d := range depts {
		accts = append(accts, demoAccount{auth.User{Username: fmt.Sprintf("dept%d", i+1), DisplayName: d, Role: auth.RoleDepartment, Department: d},
			msg(i18n.ZH, "cli.demo.account.department.note", d)})
	}
	// The enterprise account belongs to the largest firm of 万州区.
	page, err := st.ListEnterprises(ctx, auth.Region("500101"), registry.Filter{Limit: 1})
	if err != nil {
		return err
	}
	if len(page.Items) > 0 {
		e := page.Items[0]
		accts = append(accts, demoAccount{auth.User{Username: "enterprise", DisplayName: e.Name, Role: auth.RoleEnterprise, EnterpriseID: e.ID}, "enterprise user, " + e.Name})
	}
	return printAccounts(ctx, st, accts, std)
}

// printAccounts creates the accounts and prints their passwords once.
func printAccounts(ctx context.Context, st *sqlstore.Store, accts []demoAccount, std IO) error {
	fmt.Fprintln(std.Stdout, "\nDemo accounts (passwords are shown only now; reset with 'ibrain user passwd'):")
	for _, d := range accts {
		pw := auth.NewPassword(12)
		err := createUser(ctx, st, d.user, pw)
		switch {
		case apperr.Is(err, apperr.Conflict):
			fmt.Fprintf(std.Stdout, "  %-11s (exists, unchanged)  %s\n", d.user.Username, d.note)
		case err != nil:
			return err
		default:
			fmt.Fprintf(std.Stdout, "  %-11s %-14s  %s\n", d.user.Username, pw, d.note)
		}
	}
	return nil
}

// tableDepartments are the departments owing departmental rows of the
// built-in task tables, in order of first appearance.
func tableDepartments() ([]string, error) {
	cat, err := indicator.Builtin()
	if err != nil {
		return nil, err
	}
	tables, err := tasks.BuiltinTables()
	if err != nil {
		return nil, err
	}
	var out []string
	seen := map[string]bool{}
	for _, t := range tables.Tables {
		for _, r := range t.Rows {
			ind, ok := cat.ByCode(r.Indicator)
			if ok && tasks.Departmental(ind) && !seen[ind.Department] {
				seen[ind.Department] = true
				out = append(out, ind.Department)
			}
		}
	}
	return out, nil
}
