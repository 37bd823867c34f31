package cli

import (
	"context"
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/industrybrain/ibrain/internal/auth"
	"github.com/industrybrain/ibrain/internal/sqlstore"
)

func runUser(ctx context.Context, args []string, std IO) error {
	if len(args) == 0 {
		return fmt.Errorf("%w: want 'user create', 'user list' or 'user passwd'", errUsage)
	}
	switch args[0] {
	case "create":
		return userCreate(ctx, args[1:], std)
	case "list":
		return userList(ctx, args[1:], std)
	case "passwd":
		return userPasswd(ctx, args[1:], std)
	case "-h", "--help":
		fmt.Fprintln(std.Stderr, "Usage: ibrain user create|list|passwd [flags]   (each takes -h)")
		return nil
	}
	return fmt.Errorf("%w: unknown subcommand %q", errUsage, args[0])
}

func userCreate(ctx context.Context, args []string, std IO) error {
	fs, db := newFlags("user create", "--username NAME --role ROLE [--region CODE] [--enterprise CREDIT_CODE]", std)
	username := fs.String("username", "", "login name: 3–32 of a-z 0-9 . _ -")
	name := fs.String("name", "", "display name (defaults to the username)")
	role := fs.String("role", "", "city_admin, city_analyst, district or enterprise")
	regionCode := fs.String("region", "", "district or zone code for role district (e.g. 500101, CQ-LJ)")
	credit := fs.String("enterprise", "", "credit code of the enterprise for role enterprise")
	password := fs.String("password", "", "password; generated and printed once when empty")
	if err := fs.Parse(args); err != nil {
		return err
	}
	a, err := openApp(ctx, *db, std)
	if err != nil {
		return err
	}
	defer a.Close()
	u := auth.User{Username: *username, DisplayName: *name, Role: auth.Role(*role), RegionCode: *regionCode}
	if u.DisplayName == "" {
		u.DisplayName = u.Username
	}
	if u.Role == auth.RoleDistrict {
		if _, ok := a.Ref.Regions.ByCode(u.RegionCode); !ok {
			return fmt.Errorf("%w: unknown region %q", errUsage, u.RegionCode)
		}
	}
	if *credit != "" {
		ids, err := a.Store.EnterpriseIDs(ctx)
		if err != nil {
			return err
		}
		id, ok := ids[*credit]
		if !ok {
			return fmt.Errorf("%w: no enterprise with credit code %s", errUsage, *credit)
		}
		u.EnterpriseID = id
	}
	if err := u.Validate(); err != nil {
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	pw := *password
	generated := pw == ""
	if generated {
		pw = auth.NewPassword(16)
	}
	if err := createUser(ctx, a.Store, u, pw); err != nil {
		return err
	}
	fmt.Fprintf(std.Stdout, "created %s (%s)\n", u.Username, u.Role)
	if generated {
		fmt.Fprintf(std.Stdout, "password: %s   (shown once; reset with 'ibrain user passwd')\n", pw)
	}
	return nil
}

// createUser hashes pw with production parameters and stores u.
func createUser(ctx context.Context, st *sqlstore.Store, u auth.User, pw string) error {
	h, err := policyHasher()
	if err != nil {
		return err
	}
	hash, err := h.Hash(ctx, pw)
	if err != nil {
		return err
	}
	u.PasswordHash = hash
	_, err = st.CreateUser(ctx, u)
	return err
}

func userList(ctx context.Context, args []string, std IO) error {
	fs, db := newFlags("user list", "[flags]", std)
	if err := fs.Parse(args); err != nil {
		return err
	}
	a, err := openApp(ctx, *db, std)
	if err != nil {
		return err
	}
	defer a.Close()
	users, err := a.Store.ListUsers(ctx)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(std.Stdout, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "USERNAME\tROLE\tREGION\tENTERPRISE\tDISABLED")
	for _, u := range users {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%v\n", u.Username, u.Role, u.RegionCode, u.EnterpriseID, u.Disabled)
	}
	return tw.Flush()
}

func userPasswd(ctx context.Context, args []string, std IO) error {
	fs, db := newFlags("user passwd", "--username NAME [--password PW]", std)
	username := fs.String("username", "", "account to reset")
	password := fs.String("password", "", "new password; generated and printed once when empty")
	if err := fs.Parse(args); err != nil {
		return err
	}
	a, err := openApp(ctx, *db, std)
	if err != nil {
		return err
	}
	defer a.Close()
	u, err := a.Store.UserByUsername(ctx, *username)
	if err != nil {
		return err
	}
	pw := *password
	if pw == "" {
		pw = auth.NewPassword(16)
		defer fmt.Fprintf(std.Stdout, "password: %s   (shown once)\n", pw)
	}
	h, err := policyHasher()
	if err != nil {
		return err
	}
	hash, err := h.Hash(ctx, pw)
	if err != nil {
		return err
	}
	if err := a.Store.SetPassword(ctx, u.ID, hash); err != nil {
		return err
	}
	fmt.Fprintf(std.Stdout, "password of %s reset\n", u.Username)
	return nil
}

// policyHasher hashes with the password-hashing policy in force today.
func policyHasher() (*auth.Hasher, error) {
	p, err := auth.BuiltinHashPolicy(time.Now())
	if err != nil {
		return nil, err
	}
	return auth.NewPolicyHasher(p), nil
}
