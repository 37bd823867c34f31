package cli

import (
	"context"
	"errors"
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/industrybrain/ibrain/internal/accounts"
	"github.com/industrybrain/ibrain/internal/app"
	"github.com/industrybrain/ibrain/internal/apperr"
	"github.com/industrybrain/ibrain/internal/audit"
	"github.com/industrybrain/ibrain/internal/auth"
	"github.com/industrybrain/ibrain/internal/sqlstore"
)

func runUser(ctx context.Context, args []string, std IO) error {
	if len(args) == 0 {
		return fmt.Errorf("%w: want 'user create', 'user list', 'user passwd', 'user disable', 'user enable', 'user unlock', 'user end-sessions' or 'user totp'", errUsage)
	}
	switch args[0] {
	case "create":
		return userCreate(ctx, args[1:], std)
	case "list":
		return userList(ctx, args[1:], std)
	case "passwd":
		return userPasswd(ctx, args[1:], std)
	case "totp":
		return userTOTP(ctx, args[1:], std)
	case string(accounts.Disable), string(accounts.Enable), string(accounts.Unlock), string(accounts.EndSessions):
		return userAct(ctx, args[1:], std, accounts.Action(args[0]))
	case "-h", "--help":
		fmt.Fprintln(std.Stderr, "Usage: ibrain user create|list|passwd|disable|enable|unlock|end-sessions|totp [flags]   (each takes -h)")
		return nil
	}
	return fmt.Errorf("%w: unknown subcommand %q", errUsage, args[0])
}

func userCreate(ctx context.Context, args []string, std IO) error {
	fs, db := newFlags("user create", "--username NAME --role ROLE [--region CODE] [--enterprise CREDIT_CODE] [--department NAME]", std)
	username := fs.String("username", "", "login name: 3–32 of a-z 0-9 . _ -")
	name := fs.String("name", "", "display name (defaults to the username)")
	role := fs.String("role", "", "city_admin, city_analyst, district, enterprise, department, sysadmin, secadmin or auditadmin")
	regionCode := fs.String("region", "", "district or zone code for role district (e.g. 500101, CQ-LJ)")
	credit := fs.String("enterprise", "", "credit code of the enterprise for role enterprise")
	department := fs.String("department", "", "for role department: the department exactly as the indicator catalogue names it (GET /api/v1/indicators, field department)")
	password := fs.String("password", "", "password; generated and printed once when empty")
	if err := fs.Parse(args); err != nil {
		return err
	}
	a, err := openApp(ctx, *db, std)
	if err != nil {
		return err
	}
	defer a.Close()
	h, err := policyHasher()
	if err != nil {
		return err
	}
	ps, err := auth.BuiltinAccountPolicies()
	if err != nil {
		return err
	}
	// The same service as the system administrator's page: the scope is
	// checked against the catalogues, a generated password must be
	// changed at the first sign-in.
	c, err := a.AccountAdmin(h, ps).Create(ctx, accounts.NewAccount{Username: *username, DisplayName: *name, Password: *password,
		Grant: accounts.Grant{Role: auth.Role(*role), RegionCode: *regionCode, CreditCode: *credit, Department: *department}})
	var ae *apperr.Error
	if errors.As(err, &ae) && ae.Code == apperr.Invalid {
		text := ae.Key
		if cat, cerr := app.Catalog(); cerr == nil {
			text = cat.T("en", ae.Key, ae.Args...)
		}
		return fmt.Errorf("%w: %s", errUsage, text)
	}
	if err != nil {
		return err
	}
	u, pw, generated := c.User, c.Password, c.Generated
	if err := a.Audit.Record(ctx, audit.Event{Action: audit.AccountChange, Actor: cliActor(), Target: u.Username, Detail: "created with role " + string(u.Role)}); err != nil {
		return err
	}
	fmt.Fprintf(std.Stdout, "created %s (%s)\n", u.Username, u.Role)
	if generated {
		fmt.Fprintf(std.Stdout, "password: %s   (shown once; reset with 'ibrain user passwd')\n", pw)
	}
	return nil
}

// createUser hashes pw with production parameters and stores u (the demo
// accounts, whose scope the demo itself picked).
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
		defer fmt.Fprintf(std.Stdout, "password: %s   (shown once; to be changed at the next sign-in)\n", pw)
	} else if err := checkPolicy(u.Username, pw); err != nil {
		return err
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
	if err := a.Audit.Record(ctx, audit.Event{Action: audit.AccountChange, Actor: cliActor(), Target: u.Username, Detail: "password reset"}); err != nil {
		return err
	}
	fmt.Fprintf(std.Stdout, "password of %s reset\n", u.Username)
	return nil
}

// userAct applies one of the security administrator's account actions
// (disable: its sessions end at once; enable; unlock; end-sessions)
// through the same accounts service the /security/users page uses.
func userAct(ctx context.Context, args []string, std IO, action accounts.Action) error {
	fs, db := newFlags("user "+string(action), "--username NAME", std)
	username := fs.String("username", "", "account to "+string(action))
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
	// The operator at the console is no account (ID 0), so the service's
	// own-account guard never applies here.
	if _, err := accounts.NewService(a.Store, nil).Act(ctx, auth.User{}, u.ID, action); err != nil {
		return err
	}
	if err := a.Audit.Record(ctx, audit.Event{Action: audit.AccountChange, Actor: cliActor(), Target: u.Username, Detail: string(action)}); err != nil {
		return err
	}
	fmt.Fprintf(std.Stdout, "%s: %s done\n", u.Username, action)
	return nil
}

// checkPolicy applies the account policy's password rules to a password
// given on the command line.
func checkPolicy(username, pw string) error {
	ps, err := auth.BuiltinAccountPolicies()
	if err != nil {
		return err
	}
	var pe *auth.PasswordError
	if err := ps.At(time.Now()).CheckPassword(username, pw); errors.As(err, &pe) {
		return fmt.Errorf("%w: password refused by the account policy (%s %v)", errUsage, pe.Key, pe.Args)
	}
	return nil
}

// userTOTP enrolls an account's second factor (or removes it with
// --off) and prints the secret and otpauth:// URI once, for the user's
// authenticator app.
func userTOTP(ctx context.Context, args []string, std IO) error {
	fs, db := newFlags("user totp", "--username NAME [--off]", std)
	username := fs.String("username", "", "account to enroll")
	off := fs.Bool("off", false, "remove the second factor instead (an administrator without one cannot sign in)")
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
	secret := ""
	if !*off {
		secret = auth.NewTOTPSecret()
	}
	if err := a.Store.SetTOTPSecret(ctx, u.ID, secret); err != nil {
		return err
	}
	detail := "second factor enrolled"
	if *off {
		detail = "second factor removed"
	}
	if err := a.Audit.Record(ctx, audit.Event{Action: audit.AccountChange, Actor: cliActor(), Target: u.Username, Detail: detail}); err != nil {
		return err
	}
	if *off {
		fmt.Fprintf(std.Stdout, "second factor of %s removed\n", u.Username)
		return nil
	}
	fmt.Fprintf(std.Stdout, "secret: %s\nuri:    %s\n(shown once; add it to an authenticator app)\n", secret, auth.TOTPURI("ibrain", u.Username, secret))
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
