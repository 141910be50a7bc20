package server

// The console: server-rendered pages for people (regulators, enterprises,
// the operator) at /console/, behind a login. It is protocol only: a page
// reads what the account's key (engine.AccountKey) may read through the
// same engine calls and server checks as the /v1 API, and every write
// runs the /v1 route's own handler as that key (consoleAPI), so one set of
// rules decides for keys and people. docs/console.md says what each role
// sees.

import (
	"bytes"
	"context"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io"
	"mime"
	"mime/multipart"
	"net/url"
	"path"
	"strings"
	"time"

	"github.com/valyala/fasthttp"

	"tracecode/engine/account"
	"tracecode/engine/apikey"
)

const (
	consolePrefix   = "/console"
	cookieSession   = "tc_session"
	cookieLang      = "tc_lang"
	cookieLoginCSRF = "tc_login_csrf"
	// consoleFormLimit bounds a console form; an EPCIS upload may be as
	// large as the capture route takes.
	consoleFormLimit = 64 << 10
)

//go:embed assets/console/*.html
var consoleHTML embed.FS

//go:embed assets/console/console.css assets/console/console.js assets/vendor/htmx.min.js assets/vendor/uPlot.iife.min.js assets/vendor/uPlot.min.css
var consoleStatic embed.FS

// consoleReq is one console request.
type consoleReq struct {
	s     *Server
	ctx   *fasthttp.RequestCtx
	lang  string // "zh" or "en"
	path  string
	token string // session id ("" before login)
	sess  account.Session
	acct  account.Account
	key   apikey.Key // what the account sees and does
	form  url.Values // a POST's fields
	file  []byte     // a POST's uploaded file ("file"), if any
}

// serveConsole serves every /console path.
func (s *Server) serveConsole(ctx *fasthttp.RequestCtx) *routeStats {
	st := s.m.route("console")
	p := string(ctx.Path())
	if strings.HasPrefix(p, consolePrefix+"/assets/") {
		s.consoleAsset(ctx, strings.TrimPrefix(p, consolePrefix+"/assets/"))
		return st
	}
	r := &consoleReq{s: s, ctx: ctx, path: p, lang: "zh"}
	r.securityHeaders()
	switch l := string(ctx.QueryArgs().Peek("lang")); {
	case l == "zh" || l == "en":
		r.lang = l
		r.setCookie(cookieLang, l, 365*24*time.Hour)
	case string(ctx.Request.Header.Cookie(cookieLang)) == "en":
		r.lang = "en"
	}
	method := string(ctx.Method())
	if method != "GET" && method != "HEAD" && method != "POST" {
		ctx.Response.Header.Set("Allow", "GET, HEAD, POST")
		r.fail(fasthttp.StatusMethodNotAllowed, method+" is not allowed")
		return st
	}
	if method == "POST" && !r.readForm() {
		return st
	}
	if p == consolePrefix+"/login" {
		if method == "POST" {
			r.login()
		} else {
			r.loginPage("", "")
		}
		return st
	}
	if !r.session() {
		next := p
		if q := ctx.QueryArgs().QueryString(); len(q) > 0 {
			next += "?" + string(q)
		}
		r.redirect(consolePrefix + "/login?next=" + url.QueryEscape(next))
		return st
	}
	if method == "POST" {
		tok := r.form.Get("csrf")
		if tok == "" {
			tok = string(ctx.Request.Header.Peek("X-CSRF-Token"))
		}
		if err := r.sess.CheckCSRF(tok); err != nil {
			r.fail(fasthttp.StatusForbidden, r.t("csrf"))
			return st
		}
	}
	r.route(method)
	return st
}

// route dispatches a logged-in request.
func (r *consoleReq) route(method string) {
	p := strings.TrimPrefix(r.path, consolePrefix)
	seg := strings.Split(strings.Trim(p, "/"), "/")
	get, post := method != "POST", method == "POST"
	switch {
	case p == "" || p == "/":
		r.redirect(r.home())
	case p == "/logout" && post:
		r.logout()
	case p == "/region" && get:
		r.regionPage()
	case p == "/orgs" && get:
		r.orgsPage()
	case len(seg) == 2 && seg[0] == "orgs" && get:
		r.orgPage(seg[1])
	case p == "/code" && get:
		r.codePage()
	case p == "/audit" && get:
		r.auditPage()
	case p == "/notices" && get:
		r.noticesPage()
	case p == "/complaints" && get:
		r.complaintsPage("", nil)
	case len(seg) == 2 && seg[0] == "complaints" && post:
		r.complaintStep(seg[1])
	case len(seg) == 4 && seg[0] == "complaints" && seg[2] == "photos" && get:
		r.complaintPhoto(seg[1], seg[3])
	case r.spotRoute(p, get, post):
	case p == "/credit" && get:
		r.creditPage("", nil)
	case p == "/credit" && post:
		r.creditAdd()
	case len(seg) == 3 && seg[0] == "credit" && (seg[2] == "repair" || seg[2] == "decision") && post:
		r.creditRepair(seg[1], seg[2])
	case p == "/products" && get:
		r.productsPage("", nil)
	case p == "/products" && post:
		r.createProduct()
	case p == "/lots" && post:
		r.createLot()
	case len(seg) == 2 && seg[0] == "products" && get:
		r.productPage(seg[1], nil)
	case len(seg) == 2 && seg[0] == "products" && post:
		r.editProduct(seg[1])
	case len(seg) == 2 && seg[0] == "lots" && get:
		r.lotPage(seg[1], nil)
	case len(seg) == 2 && seg[0] == "lots" && post:
		r.editLot(seg[1])
	case p == "/sites" && post:
		r.createSite()
	case p == "/blocks" && get:
		r.blocksPage("", nil)
	case p == "/blocks" && post:
		r.requestBlock()
	case len(seg) == 3 && seg[0] == "blocks" && seg[2] == "release" && post:
		r.releaseBlock(seg[1])
	case len(seg) == 3 && seg[0] == "blocks" && seg[2] == "codes" && get:
		r.downloadBlock(seg[1])
	case p == "/upload" && get:
		r.uploadPage(nil, "")
	case p == "/upload" && post:
		r.upload()
	case p == "/custody" && get:
		r.custodyPage()
	case p == "/custody" && post:
		r.custody()
	case p == "/ops" && get:
		r.opsPage("", nil)
	case p == "/users" && post:
		r.createUser()
	default:
		r.fail(fasthttp.StatusNotFound, r.t("notFound"))
	}
}

// home is the first page of the account's role.
func (r *consoleReq) home() string {
	switch {
	case r.acct.Role == account.RoleOperator:
		return consolePrefix + "/ops"
	case r.acct.Role.Regional():
		return consolePrefix + "/region"
	}
	return consolePrefix + "/products"
}

func (r *consoleReq) securityHeaders() {
	h := &r.ctx.Response.Header
	h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'")
	h.Set("X-Frame-Options", "DENY")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "same-origin")
	h.Set("Cache-Control", "no-store")
}

// setCookie sets a console cookie: HttpOnly, SameSite=Strict (Lax for
// the language, which links may set), Secure under TLS.
func (r *consoleReq) setCookie(name, value string, maxAge time.Duration) {
	c := fasthttp.AcquireCookie()
	defer fasthttp.ReleaseCookie(c)
	c.SetKey(name)
	c.SetValue(value)
	c.SetPath(consolePrefix + "/")
	c.SetHTTPOnly(true)
	c.SetSecure(r.s.cfg.SecureCookies || r.ctx.IsTLS())
	if name == cookieLang {
		c.SetSameSite(fasthttp.CookieSameSiteLaxMode)
	} else {
		c.SetSameSite(fasthttp.CookieSameSiteStrictMode)
	}
	if maxAge < 0 {
		c.SetExpire(fasthttp.CookieExpireDelete)
		c.SetMaxAge(-1)
	} else if maxAge > 0 {
		c.SetMaxAge(int(maxAge / time.Second))
	}
	r.ctx.Response.Header.SetCookie(c)
}

// session finds the session the cookie names.
func (r *consoleReq) session() bool {
	tok := string(r.ctx.Request.Header.Cookie(cookieSession))
	if tok == "" {
		return false
	}
	sess, a, err := r.s.accounts.Session(tok)
	if err != nil {
		if !errors.Is(err, account.ErrSession) {
			r.s.log.Error("console session", "err", err)
		}
		return false
	}
	r.token, r.sess, r.acct, r.key = tok, sess, a, account.KeyOf(&a)
	return true
}

func (r *consoleReq) client() string { return r.ctx.RemoteIP().String() }

// actor is the account as the audit log's actor.
func (r *consoleReq) actor() account.Actor { return r.s.accounts.AccountActor(&r.acct, r.client()) }

// loginPage shows the login form, with a fresh double-submit CSRF token
// (no session exists yet to hold one).
func (r *consoleReq) loginPage(msg, login string) {
	tok := randomToken()
	r.setCookie(cookieLoginCSRF, tok, 0)
	next := string(r.ctx.QueryArgs().Peek("next"))
	if r.form != nil {
		next = r.form.Get("next")
	}
	r.render("login", map[string]any{"CSRF": tok, "Error": msg, "Login": login, "Next": safeNext(next)})
}

// safeNext keeps a redirect after login inside the console.
func safeNext(n string) string {
	if !strings.HasPrefix(n, consolePrefix+"/") || strings.HasPrefix(n, "//") || strings.ContainsAny(n, "\\\r\n") {
		return ""
	}
	return n
}

func (r *consoleReq) login() {
	cookie := string(r.ctx.Request.Header.Cookie(cookieLoginCSRF))
	if cookie == "" || !constantEq(cookie, r.form.Get("csrf")) {
		r.ctx.SetStatusCode(fasthttp.StatusForbidden)
		r.loginPage(r.t("csrf"), r.form.Get("login"))
		return
	}
	if l := r.s.loginLimiter; l != nil && r.s.limited(r.ctx) && !l.allow(r.s.clientHash(r.ctx), r.s.eng.Now()) {
		r.ctx.Response.Header.Set("Retry-After", "60")
		r.ctx.SetStatusCode(fasthttp.StatusTooManyRequests)
		r.loginPage(r.t("loginRate"), r.form.Get("login"))
		return
	}
	tok, _, a, err := r.s.accounts.Login(account.Credentials{Login: r.form.Get("login"), Password: r.form.Get("password"),
		OTP: r.form.Get("otp"), Client: r.client()}, nil)
	if err != nil {
		if !errors.Is(err, account.ErrLogin) {
			r.s.internalError(r.ctx, "console login", err)
			return
		}
		r.ctx.SetStatusCode(fasthttp.StatusUnauthorized)
		r.loginPage(r.t("loginFailed"), r.form.Get("login"))
		return
	}
	// A new session id every login; whatever session cookie came with the
	// request is replaced (session fixation).
	r.setCookie(cookieSession, tok, r.s.accounts.SessionTTL())
	r.setCookie(cookieLoginCSRF, "", -1)
	r.acct = a
	if n := safeNext(r.form.Get("next")); n != "" {
		r.redirect(n)
		return
	}
	r.redirect(r.home())
}

func (r *consoleReq) logout() {
	if err := r.s.accounts.Logout(r.token, r.actor(), r.s.accounts.SubjectOf(&r.acct)); err != nil {
		r.s.internalError(r.ctx, "console logout", err)
		return
	}
	r.setCookie(cookieSession, "", -1)
	r.redirect(consolePrefix + "/login")
}

func (r *consoleReq) redirect(to string) {
	r.ctx.Response.Header.Set("Location", to)
	r.ctx.SetStatusCode(fasthttp.StatusSeeOther)
}

// readForm reads a POST's urlencoded or multipart body.
func (r *consoleReq) readForm() bool {
	limit := consoleFormLimit
	if r.path == consolePrefix+"/upload" {
		limit = r.s.cfg.MaxCaptureBytes + 64<<10
	}
	if cl := r.ctx.Request.Header.ContentLength(); cl > limit {
		r.ctx.SetConnectionClose()
		r.fail(fasthttp.StatusRequestEntityTooLarge, fmt.Sprintf("%s: %d > %d bytes", r.t("tooLarge"), cl, limit))
		return false
	}
	var body io.Reader
	if st := r.ctx.Request.BodyStream(); st != nil {
		body = st
	} else {
		body = bytes.NewReader(r.ctx.Request.Body())
	}
	b, err := io.ReadAll(io.LimitReader(body, int64(limit)+1))
	if err != nil || len(b) > limit {
		r.ctx.SetConnectionClose()
		r.fail(fasthttp.StatusBadRequest, r.t("badForm"))
		return false
	}
	ct, params, _ := mime.ParseMediaType(string(r.ctx.Request.Header.ContentType()))
	switch ct {
	case "application/x-www-form-urlencoded":
		if r.form, err = url.ParseQuery(string(b)); err != nil {
			r.fail(fasthttp.StatusBadRequest, r.t("badForm")+": "+err.Error())
			return false
		}
	case "multipart/form-data":
		mr := multipart.NewReader(bytes.NewReader(b), params["boundary"])
		f, err := mr.ReadForm(int64(limit))
		if err != nil {
			r.fail(fasthttp.StatusBadRequest, r.t("badForm")+": "+err.Error())
			return false
		}
		defer f.RemoveAll()
		r.form = url.Values(f.Value)
		if fh := f.File["file"]; len(fh) > 0 {
			fr, err := fh[0].Open()
			if err == nil {
				r.file, err = io.ReadAll(fr)
				fr.Close()
			}
			if err != nil {
				r.fail(fasthttp.StatusBadRequest, r.t("badForm")+": "+err.Error())
				return false
			}
		}
	default:
		r.fail(fasthttp.StatusUnsupportedMediaType, r.t("badForm"))
		return false
	}
	return true
}

// consoleAPI runs the /v1 route method path as the account's key, on a
// request built in memory, and returns its status and body: the route's
// own checks and messages hold for the console.
func (r *consoleReq) consoleAPI(method, uri string, body []byte) (int, []byte) {
	var ctx fasthttp.RequestCtx
	ctx.Init(&fasthttp.Request{}, r.ctx.RemoteAddr(), nil)
	ctx.Request.Header.SetMethod(method)
	ctx.Request.SetRequestURI(uri)
	if body != nil {
		ctx.Request.Header.SetContentType("application/json")
		ctx.Request.SetBody(body)
	}
	c := call{s: r.s, ctx: &ctx, key: r.key, acct: &r.acct}
	rt, _ := r.s.match([]byte(method), ctx.Path(), &c)
	switch {
	case rt == nil:
		return fasthttp.StatusNotFound, []byte(`{"detail":"no route"}`)
	case !r.s.permitted(r.key, rt.scopes):
		return fasthttp.StatusForbidden, []byte(`{"detail":"` + r.t("forbidden") + `"}`)
	}
	c.r = rt
	if method != "GET" {
		var cancel context.CancelFunc
		c.wctx, cancel = context.WithTimeout(context.Background(), r.s.cfg.RequestTimeout)
		defer cancel()
	}
	rt.h(r.s, &c)
	if method != "GET" && !rt.keepsCache && !rt.announced {
		r.s.invalidate()
	}
	return ctx.Response.StatusCode(), append([]byte(nil), ctx.Response.Body()...)
}

// apiDetail is a problem answer's detail (or the body).
func apiDetail(b []byte) string {
	var p struct {
		Detail string `json:"detail"`
	}
	if json.Unmarshal(b, &p) == nil && p.Detail != "" {
		return p.Detail
	}
	return string(b)
}

// consoleAsset serves the embedded CSS and JavaScript.
func (s *Server) consoleAsset(ctx *fasthttp.RequestCtx, name string) {
	var file string
	switch name {
	case "console.css", "console.js":
		file = "assets/console/" + name
	case "htmx.min.js", "uPlot.iife.min.js", "uPlot.min.css":
		file = "assets/vendor/" + name
	default:
		ctx.SetStatusCode(fasthttp.StatusNotFound)
		return
	}
	b, err := consoleStatic.ReadFile(file)
	if err != nil {
		ctx.SetStatusCode(fasthttp.StatusNotFound)
		return
	}
	if path.Ext(name) == ".css" {
		ctx.SetContentType("text/css; charset=utf-8")
	} else {
		ctx.SetContentType("text/javascript; charset=utf-8")
	}
	ctx.Response.Header.Set("Cache-Control", "public, max-age=3600")
	ctx.Response.Header.Set("X-Content-Type-Options", "nosniff")
	ctx.SetBody(b)
}

// fail answers an error page.
func (r *consoleReq) fail(status int, msg string) {
	r.ctx.SetStatusCode(status)
	r.render("error", map[string]any{"Status": status, "Message": msg})
}

// render writes page name inside the layout.
func (r *consoleReq) render(name string, data map[string]any) {
	t, ok := consolePages[name]
	if !ok {
		panic("BUG: no console page " + name)
	}
	if data == nil {
		data = map[string]any{}
	}
	data["Lang"] = r.lang
	data["Page"] = name
	data["Path"] = r.path
	if r.token != "" {
		data["Account"] = &r.acct
		data["CSRF"] = r.sess.CSRF()
		data["Scope"] = r.scopeText()
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", &consoleData{r: r, D: data}); err != nil {
		r.s.internalError(r.ctx, "console render "+name, err)
		return
	}
	r.ctx.SetContentType("text/html; charset=utf-8")
	r.ctx.SetBody(buf.Bytes())
}

// consoleData is what a page template sees: .D the page's values, and the
// translation and formatting methods.
type consoleData struct {
	r *consoleReq
	D map[string]any
}

// T translates a message key into the page's language.
func (d *consoleData) T(key string) string { return d.r.t(key) }

// Role reports whether the account has one of the roles named.
func (d *consoleData) Role(names ...string) bool {
	for _, n := range names {
		switch {
		case n == "regional" && d.r.acct.Role.Regional(),
			n == "enterprise" && d.r.acct.Role.Enterprise(),
			n == d.r.acct.Role.String():
			return true
		}
	}
	return false
}

var consolePages = func() map[string]*template.Template {
	layout, err := consoleHTML.ReadFile("assets/console/layout.html")
	if err != nil {
		panic("BUG: " + err.Error())
	}
	funcs := template.FuncMap{"ms": fmtMillis, "day": fmtDay, "inc": func(i int) int { return i + 1 }}
	pages := map[string]*template.Template{}
	ents, _ := consoleHTML.ReadDir("assets/console")
	for _, e := range ents {
		n := strings.TrimSuffix(e.Name(), ".html")
		if n == "layout" || !strings.HasSuffix(e.Name(), ".html") {
			continue
		}
		b, _ := consoleHTML.ReadFile("assets/console/" + e.Name())
		t := template.Must(template.New("layout").Funcs(funcs).Parse(string(layout)))
		pages[n] = template.Must(t.New(n).Parse(string(b)))
	}
	return pages
}()

func fmtMillis(ms int64) string {
	if ms == 0 {
		return ""
	}
	return time.UnixMilli(ms).In(chinaTime).Format("2006-01-02 15:04")
}

func fmtDay(d uint32) string {
	if d == 0 {
		return ""
	}
	return fmt.Sprintf("%04d-%02d-%02d", d/10000, d/100%100, d%100)
}

// chinaTime is China Standard Time, UTC+8, no daylight saving.
var chinaTime = time.FixedZone("CST", 8*3600)
