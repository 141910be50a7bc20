package demo

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"tracecode/engine"
	"tracecode/engine/account"
	"tracecode/engine/code/cn"
)

// AccountsFile is the file in the data directory that keeps the demo
// accounts' logins and passwords (mode 0600, like FileName).
const AccountsFile = "demo-accounts.json"

// Account is a demo account for the console, with its password.
type Account struct {
	Login    string `json:"login"`
	Password string `json:"password"`
	Role     string `json:"role"`
	Scope    string `json:"scope"` // what it covers, for people
}

// SeedAccounts gives the demo world its people, once: the operator;
// regulators of the province, the city and the county of the first
// organisation's registered address and an inspector of a township of
// that county (the four levels); an admin and a user of every
// organisation. Passwords are random; the accounts are saved in dir's
// AccountsFile and read back from it on later starts.
func SeedAccounts(eng *engine.Engine, dir string) ([]Account, error) {
	path := filepath.Join(dir, AccountsFile)
	if b, err := os.ReadFile(path); err == nil {
		var out []Account
		if err := json.Unmarshal(b, &out); err != nil {
			return nil, fmt.Errorf("demo: %s: %w", AccountsFile, err)
		}
		return out, nil
	} else if !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("demo: %w", err)
	}
	orgs := eng.Issuance().Orgs()
	if len(orgs) == 0 {
		return nil, errors.New("demo: no organisation to give accounts to; seed the demo first")
	}
	var want []account.NewOptions
	want = append(want, account.NewOptions{Login: "operator", Name: "平台运维", Role: account.RoleOperator})
	if home, err := cn.NewRegion(int(orgs[0].Region)); err == nil {
		levels := []struct {
			login string
			r     cn.Region
			role  account.Role
		}{
			{"province", home.Province(), account.RoleRegulator},
			{"city", home.City(), account.RoleRegulator},
			{"county", home.County(), account.RoleRegulator},
		}
		if kids := home.County().Children(); len(kids) > 0 {
			levels = append(levels, struct {
				login string
				r     cn.Region
				role  account.Role
			}{"township", kids[0], account.RoleInspector})
		}
		for _, l := range levels {
			if l.r.IsZero() || !l.r.Known() {
				continue
			}
			name, _ := l.r.Name(cn.Chinese)
			want = append(want, account.NewOptions{Login: l.login, Name: name + "市场监管", Role: l.role, Region: l.r.Uint32()})
		}
	}
	for _, o := range orgs {
		want = append(want,
			account.NewOptions{Login: fmt.Sprintf("org%d.admin", o.ID), Name: o.Name + " 管理员", Role: account.RoleEnterpriseAdmin, Org: o.ID},
			account.NewOptions{Login: fmt.Sprintf("org%d.user", o.ID), Name: o.Name + " 操作员", Role: account.RoleEnterpriseUser, Org: o.ID})
	}
	want = append(want, spotInspectors()...)
	store, err := eng.Accounts()
	if err != nil {
		return nil, err
	}
	var out []Account
	for _, o := range want {
		o.Password = strings.ToLower(rand.Text()[:16])
		a, err := store.Add(account.CLI, o)
		if err != nil {
			return nil, fmt.Errorf("demo: account %s: %w", o.Login, err)
		}
		out = append(out, Account{Login: a.Login, Password: o.Password, Role: a.Role.String(), Scope: accountScope(eng, &a)})
	}
	if err := seedSpotChecks(context.Background(), eng); err != nil {
		return nil, fmt.Errorf("demo: %w", err)
	}
	b, _ := json.MarshalIndent(out, "", "  ")
	if err := os.WriteFile(path, append(b, '\n'), 0o600); err != nil {
		return nil, fmt.Errorf("demo: %w", err)
	}
	return out, nil
}

func accountScope(eng *engine.Engine, a *account.Account) string {
	switch {
	case a.Region != 0:
		r, _ := cn.NewRegion(int(a.Region))
		return fmt.Sprintf("%s %s", r, r.FullName(cn.Chinese))
	case a.Org != 0:
		if o, err := eng.Issuance().Org(a.Org); err == nil {
			return o.Name
		}
	}
	return "everything"
}
