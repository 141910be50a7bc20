package main

import (
	"bufio"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"tracecode/engine"
	"tracecode/engine/account"
	"tracecode/engine/code/cn"
)

var userCmd = &cobra.Command{
	Use:   "user",
	Short: "Manage the accounts people log in to the console with",
	Long: `user manages people's accounts (API keys stay for machines). Roles:
operator (the platform), regulator (a region at any of the four levels —
province, city, county, township — optionally limited to categories),
inspector (a regulator's field staff), enterprise-admin and enterprise-user
(one organisation). docs/console.md says what each role sees.

Passwords are read from the first line of standard input with
--password-stdin, else from $TRACECODE_PASSWORD; without either, add and
reset-password make a random password and print it once. Every change is
written to the audit log.`,
}

var userAddFlags struct {
	data, login, name, role, region, categories string
	org                                         uint32
	stdin, totp                                 bool
}

var userAddCmd = &cobra.Command{
	Use:   "add --data DIR --login NAME --role ROLE [--org ID] [--region CODE] [--categories LIST]",
	Short: "Create an account",
	Example: `  tracecode user add --data ./data --login lz.chengguan --role regulator --region 620102 --categories food,drug
  tracecode user add --data ./data --login yx.clerk --role enterprise-user --org 3 --password-stdin < pw.txt`,
	Args: cobra.NoArgs,
	RunE: func(cmd *cobra.Command, _ []string) (err error) {
		f := &userAddFlags
		role, err := account.ParseRole(f.role)
		if err != nil {
			return fmt.Errorf("--role: %w", err)
		}
		o := account.NewOptions{Login: f.login, Name: f.name, Role: role, Org: f.org}
		if f.region != "" {
			r, err := cn.ParseRegion(f.region)
			if err != nil {
				return fmt.Errorf("--region: %w", err)
			}
			o.Region = r.Uint32()
		}
		if o.Categories, err = account.ParseCategories(f.categories); err != nil {
			return fmt.Errorf("--categories: %w", err)
		}
		pw, generated, err := userPassword(cmd.InOrStdin(), f.stdin)
		if err != nil {
			return err
		}
		o.Password = pw
		e, err := storeOpen(f.data, false, nil)
		if err != nil {
			return err
		}
		defer storeClose(e, &err)
		s, err := e.Accounts()
		if err != nil {
			return err
		}
		a, err := s.Add(account.CLI, o)
		if err != nil {
			return err
		}
		w := cmd.OutOrStdout()
		fmt.Fprintf(w, "account %d: %s (%s)\n", a.ID, a.Login, userScope(e, &a))
		if generated {
			fmt.Fprintf(w, "password: %s\n", pw)
		}
		if f.totp {
			return userTOTP(w, e, &a)
		}
		return nil
	},
}

var userListFlags struct{ data string }

var userListCmd = &cobra.Command{
	Use:   "list --data DIR",
	Short: "List the accounts",
	Args:  cobra.NoArgs,
	RunE: func(cmd *cobra.Command, _ []string) (err error) {
		e, err := storeOpen(userListFlags.data, true, nil)
		if err != nil {
			return err
		}
		defer storeClose(e, &err)
		s, err := e.Accounts()
		if err != nil {
			return err
		}
		as, err := s.List(nil)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tLOGIN\tROLE\tSCOPE\tTOTP\tSTATE")
		for i := range as {
			a := &as[i]
			state := "active"
			switch {
			case a.Disabled != 0:
				state = "disabled " + time.UnixMilli(a.Disabled).UTC().Format(time.DateTime)
			case a.LockedUntil > s.Now().UnixMilli():
				state = "locked until " + time.UnixMilli(a.LockedUntil).UTC().Format(time.DateTime)
			}
			fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%v\t%s\n", a.ID, a.Login, a.Role, userScope(e, a), a.HasTOTP(), state)
		}
		return tw.Flush()
	},
}

var userDisableFlags struct{ data string }

var userDisableCmd = &cobra.Command{
	Use:   "disable --data DIR LOGIN",
	Short: "Disable an account (its sessions end at once)",
	Args:  cobra.ExactArgs(1),
	RunE: func(cmd *cobra.Command, args []string) (err error) {
		e, s, a, err := userOpen(userDisableFlags.data, args[0])
		if err != nil {
			return err
		}
		defer storeClose(e, &err)
		if _, err = s.Disable(account.CLI, a.ID, s.SubjectOf(&a)); err != nil {
			return err
		}
		fmt.Fprintf(cmd.OutOrStdout(), "account %d (%s) disabled\n", a.ID, a.Login)
		return nil
	},
}

var userResetFlags struct {
	data        string
	stdin, totp bool
}

var userResetCmd = &cobra.Command{
	Use:   "reset-password --data DIR LOGIN",
	Short: "Set a new password on an account, clear its lock and end its sessions",
	Args:  cobra.ExactArgs(1),
	RunE: func(cmd *cobra.Command, args []string) (err error) {
		pw, generated, err := userPassword(cmd.InOrStdin(), userResetFlags.stdin)
		if err != nil {
			return err
		}
		e, s, a, err := userOpen(userResetFlags.data, args[0])
		if err != nil {
			return err
		}
		defer storeClose(e, &err)
		if _, err = s.ResetPassword(account.CLI, a.ID, pw, s.SubjectOf(&a)); err != nil {
			return err
		}
		w := cmd.OutOrStdout()
		fmt.Fprintf(w, "account %d (%s): password reset\n", a.ID, a.Login)
		if generated {
			fmt.Fprintf(w, "password: %s\n", pw)
		}
		if userResetFlags.totp {
			return userTOTP(w, e, &a)
		}
		return nil
	},
}

func init() {
	f := userAddCmd.Flags()
	storeDataFlag(userAddCmd, &userAddFlags.data)
	f.StringVar(&userAddFlags.login, "login", "", "login name: 3–64 of a-z 0-9 . _ - (required)")
	f.StringVar(&userAddFlags.name, "name", "", "display name (default: the login name)")
	f.StringVar(&userAddFlags.role, "role", "", "one of "+strings.Join(account.RoleNames(), ", ")+" (required)")
	f.Uint32Var(&userAddFlags.org, "org", 0, "organisation id of an enterprise account (or of an inspector's agency)")
	f.StringVar(&userAddFlags.region, "region", "", "GB/T 2260 region of a regulator or inspector: 6 digits (province, city, county) or 9 (township)")
	f.StringVar(&userAddFlags.categories, "categories", "", "categories a regulator covers, comma-separated (default: every one)")
	f.BoolVar(&userAddFlags.stdin, "password-stdin", false, "read the password from the first line of standard input")
	f.BoolVar(&userAddFlags.totp, "totp", false, "require a one-time password (prints the TOTP secret and its otpauth:// URL)")
	_ = userAddCmd.MarkFlagRequired("login")
	_ = userAddCmd.MarkFlagRequired("role")
	storeDataFlag(userListCmd, &userListFlags.data)
	storeDataFlag(userDisableCmd, &userDisableFlags.data)
	storeDataFlag(userResetCmd, &userResetFlags.data)
	userResetCmd.Flags().BoolVar(&userResetFlags.stdin, "password-stdin", false, "read the password from the first line of standard input")
	userResetCmd.Flags().BoolVar(&userResetFlags.totp, "totp", false, "also give the account a new TOTP secret")
	userCmd.AddCommand(userAddCmd, userListCmd, userDisableCmd, userResetCmd)
	rootCmd.AddCommand(userCmd)
}

// userOpen opens the store and finds the account login. The caller closes
// the engine; it is closed already when an error is returned.
func userOpen(dir, login string) (*engine.Engine, *account.Store, account.Account, error) {
	e, err := storeOpen(dir, false, nil)
	if err != nil {
		return nil, nil, account.Account{}, err
	}
	s, err := e.Accounts()
	var a account.Account
	if err == nil {
		a, err = s.ByLogin(login)
	}
	if err != nil {
		storeClose(e, &err)
		return nil, nil, account.Account{}, err
	}
	return e, s, a, nil
}

// userPassword reads the password (see userCmd) or makes one.
func userPassword(stdin io.Reader, fromStdin bool) (pw string, generated bool, err error) {
	switch {
	case fromStdin:
		line, err := bufio.NewReader(stdin).ReadString('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return "", false, fmt.Errorf("--password-stdin: %w", err)
		}
		return strings.TrimRight(line, "\r\n"), false, nil
	case os.Getenv("TRACECODE_PASSWORD") != "":
		return os.Getenv("TRACECODE_PASSWORD"), false, nil
	}
	return rand.Text(), true, nil
}

// userScope describes what an account covers.
func userScope(e *engine.Engine, a *account.Account) string {
	var parts []string
	if a.Org != 0 {
		if o, err := e.Issuance().Org(a.Org); err == nil {
			parts = append(parts, fmt.Sprintf("org %d %s", o.ID, o.Name))
		}
	}
	if a.Region != 0 {
		if r, err := cn.NewRegion(int(a.Region)); err == nil {
			parts = append(parts, fmt.Sprintf("region %s %s", r, r.FullName(cn.Chinese)))
		}
	}
	if a.Categories != 0 {
		parts = append(parts, "categories "+strings.Join(a.Categories.Names(), ","))
	}
	if len(parts) == 0 {
		return "everything"
	}
	return strings.Join(parts, "; ")
}

func userTOTP(w io.Writer, e *engine.Engine, a *account.Account) error {
	s, err := e.Accounts()
	if err != nil {
		return err
	}
	key, err := s.EnableTOTP(account.CLI, a.ID, s.SubjectOf(a))
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "TOTP secret: %s\nTOTP URL: %s\n", key.Secret(), key.URL())
	return nil
}
