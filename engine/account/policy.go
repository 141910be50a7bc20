package account

import "fmt"

// Authorize decides whether actor may create the account o: the operator
// any account; an organisation's admin enterprise accounts of its own
// organisation; nobody else. (Regulators are appointed by the operator.)
func Authorize(actor Actor, o NewOptions) error {
	switch {
	case actor.Operator:
		return nil
	case !actor.Admin || actor.Org == 0:
		return fmt.Errorf("%w: only the operator or an organisation's admin creates accounts", ErrDenied)
	case !o.Role.Enterprise():
		return fmt.Errorf("%w: an organisation's admin creates only enterprise accounts, not a %s", ErrDenied, o.Role)
	case o.Org != actor.Org:
		return fmt.Errorf("%w: an organisation's admin creates accounts of its own organisation (%d), not of organisation %d", ErrDenied, actor.Org, o.Org)
	}
	return nil
}

// Manage decides whether actor may disable account a, reset its password
// or give it a TOTP secret: the operator any account; an organisation's
// admin the enterprise accounts of its organisation.
func Manage(actor Actor, a *Account) error {
	switch {
	case actor.Operator:
		return nil
	case actor.Admin && actor.Org != 0 && a.Role.Enterprise() && a.Org == actor.Org:
		return nil
	}
	return fmt.Errorf("%w: account %q is not one this actor manages", ErrDenied, a.Login)
}
