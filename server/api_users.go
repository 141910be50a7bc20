package server

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/valyala/fasthttp"

	"tracecode/engine/account"
	"tracecode/engine/apikey"
	"tracecode/engine/code/cn"
)

// userRoutes are the people's-accounts and audit-log routes.
func (s *Server) userRoutes() []*route {
	return []*route{
		{method: "GET", pattern: "/v1/users", scopes: apikey.ScopeAdmin, h: (*Server).apiListUsers},
		{method: "POST", pattern: "/v1/users", scopes: apikey.ScopeAdmin, keepsCache: true, h: (*Server).apiCreateUser},
		{method: "GET", pattern: "/v1/audit", scopes: apikey.ScopeAdmin | apikey.ScopeRegulator, h: (*Server).apiAudit},
	}
}

// userJSON is an account as the API shows it (never its password hash or
// TOTP secret).
type userJSON struct {
	ID         uint32   `json:"id"`
	Login      string   `json:"login"`
	Name       string   `json:"name"`
	Role       string   `json:"role"`
	Org        uint32   `json:"org,omitempty"`
	Region     string   `json:"region,omitempty"`
	Categories []string `json:"categories,omitempty"`
	TOTP       bool     `json:"totp"`
	Created    string   `json:"created"`
	Disabled   string   `json:"disabled,omitempty"`
}

func userOut(a *account.Account) userJSON {
	u := userJSON{ID: a.ID, Login: a.Login, Name: a.Name, Role: a.Role.String(), Org: a.Org,
		Categories: a.Categories.Names(), TOTP: a.HasTOTP(), Created: time.UnixMilli(a.Created).UTC().Format(time.RFC3339)}
	if a.Region != 0 {
		u.Region = strconv.FormatUint(uint64(a.Region), 10)
	}
	if a.Disabled != 0 {
		u.Disabled = time.UnixMilli(a.Disabled).UTC().Format(time.RFC3339)
	}
	return u
}

// accountError answers an error of the account store.
func accountError(c *call, err error) {
	switch {
	case errors.Is(err, account.ErrDenied):
		problem(c.ctx, fasthttp.StatusForbidden, "forbidden", err.Error())
	case errors.Is(err, account.ErrInvalid):
		problem(c.ctx, fasthttp.StatusBadRequest, "invalid", err.Error())
	case errors.Is(err, account.ErrExists):
		problem(c.ctx, fasthttp.StatusConflict, "exists", err.Error())
	case errors.Is(err, account.ErrNotFound):
		problem(c.ctx, fasthttp.StatusNotFound, "not-found", err.Error())
	default:
		engineError(c, err)
	}
}

func (s *Server) apiListUsers(c *call) {
	as, err := s.accounts.List(func(a *account.Account) bool { return c.key.Org == 0 || a.Org == c.key.Org && a.Role.Enterprise() })
	if err != nil {
		engineError(c, err)
		return
	}
	out := []userJSON{}
	for i := range as {
		out = append(out, userOut(&as[i]))
	}
	writeJSON(c, fasthttp.StatusOK, map[string]any{"users": out})
}

func (s *Server) apiCreateUser(c *call) {
	var in struct {
		Login      string   `json:"login"`
		Name       string   `json:"name"`
		Password   string   `json:"password"`
		Role       string   `json:"role"`
		Org        uint32   `json:"org"`
		Region     string   `json:"region"`
		Categories []string `json:"categories"`
	}
	if !readJSON(c, &in) {
		return
	}
	o := account.NewOptions{Login: in.Login, Name: in.Name, Password: in.Password, Org: in.Org}
	var err error
	if o.Role, err = account.ParseRole(in.Role); err != nil {
		problem(c.ctx, fasthttp.StatusBadRequest, "invalid", "role: "+err.Error())
		return
	}
	if in.Region != "" {
		r, err := cn.ParseRegion(in.Region)
		if err != nil {
			problem(c.ctx, fasthttp.StatusBadRequest, "invalid", "region: "+err.Error())
			return
		}
		o.Region = r.Uint32()
	}
	if o.Categories, err = account.ParseCategories(strings.Join(in.Categories, ",")); err != nil {
		problem(c.ctx, fasthttp.StatusBadRequest, "invalid", err.Error())
		return
	}
	if o.Org == 0 && o.Role.Enterprise() {
		o.Org = c.key.Org // an organisation's admin creates its own people
	}
	actor := s.accounts.KeyActor(c.key, c.ctx.RemoteIP().String())
	if c.acct != nil {
		actor = s.accounts.AccountActor(c.acct, actor.Client)
	}
	a, err := s.accounts.Add(actor, o)
	if err != nil {
		accountError(c, err)
		return
	}
	c.ctx.Response.Header.Set("Location", fmt.Sprintf("/v1/users/%d", a.ID))
	writeJSON(c, fasthttp.StatusCreated, userOut(&a))
}

// auditJSON is one audit-log entry.
type auditJSON struct {
	Seq           uint64 `json:"seq"`
	Time          string `json:"time"`
	Action        string `json:"action"`
	Outcome       string `json:"outcome"`
	ActorAccount  uint32 `json:"actorAccount,omitempty"`
	ActorKey      string `json:"actorKey,omitempty"`
	ActorOrg      uint32 `json:"actorOrg,omitempty"`
	ActorRegion   string `json:"actorRegion,omitempty"`
	Client        string `json:"client,omitempty"`
	SubjectOrg    uint32 `json:"subjectOrg,omitempty"`
	SubjectRegion string `json:"subjectRegion,omitempty"`
	Target        string `json:"target,omitempty"`
	Detail        string `json:"detail,omitempty"`
}

func auditOut(e *account.AuditEntry) auditJSON {
	reg := func(r uint32) string {
		if r == 0 {
			return ""
		}
		return strconv.FormatUint(uint64(r), 10)
	}
	a := auditJSON{Seq: e.Seq, Time: time.UnixMilli(e.Time).UTC().Format(time.RFC3339Nano), Action: e.Action.String(),
		Outcome: e.Outcome.String(), ActorAccount: e.Actor.Account, ActorOrg: e.Actor.Org, ActorRegion: reg(e.Actor.Region),
		Client: e.Actor.Client, SubjectOrg: e.Subject.Org, SubjectRegion: reg(e.Subject.Region), Target: e.Target, Detail: e.Detail}
	if e.Actor.Key != 0 {
		a.ActorKey = fmt.Sprintf("%016x", e.Actor.Key)
	}
	return a
}

func (s *Server) apiAudit(c *call) {
	args := c.ctx.QueryArgs()
	var before uint64
	var limit int
	var err error
	if v := args.Peek("before"); len(v) > 0 {
		if before, err = strconv.ParseUint(string(v), 10, 64); err != nil || before == 0 {
			problem(c.ctx, fasthttp.StatusBadRequest, "invalid", fmt.Sprintf("before: %q is not a positive sequence number", v))
			return
		}
	}
	if v := args.Peek("limit"); len(v) > 0 {
		if limit, err = strconv.Atoi(string(v)); err != nil || limit < 1 || limit > 1000 {
			problem(c.ctx, fasthttp.StatusBadRequest, "invalid", fmt.Sprintf("limit: %q is not 1 to 1000", v))
			return
		}
	}
	es, next, err := s.accounts.Audit(account.ViewerOf(c.key), before, limit, nil)
	if err != nil {
		engineError(c, err)
		return
	}
	out := map[string]any{"entries": []auditJSON{}}
	list := make([]auditJSON, 0, len(es))
	for i := range es {
		list = append(list, auditOut(&es[i]))
	}
	out["entries"] = list
	if next != 0 {
		out["next"] = fmt.Sprintf("/v1/audit?before=%d", next)
	}
	writeJSON(c, fasthttp.StatusOK, out)
}

// auditKey records in the audit log that the caller created or revoked
// API key k (after the fact: the key's own write is already synced).
func (s *Server) auditKey(c *call, action account.Action, k apikey.Key) {
	actor := s.accounts.KeyActor(c.key, c.ctx.RemoteIP().String())
	if c.acct != nil {
		actor = s.accounts.AccountActor(c.acct, actor.Client)
	}
	subj := s.accounts.OrgSubject(k.Org)
	if k.Region != 0 {
		subj.Region = k.Region
	}
	detail := "scopes " + k.Scopes.String()
	if err := s.accounts.Record(actor, action, account.OutcomeOK, subj, fmt.Sprintf("key %016x %s", k.ID, k.Name), detail); err != nil {
		s.log.Error("audit", "err", err)
	}
}
